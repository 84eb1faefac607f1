import { openSessionOrDemo } from '../demo-mode.ts';
import type { SessionOptions } from '../session.ts';
import type { Terminal } from '../terminal.ts';
import { type ServeOptions, serveCommand } from './serve.ts';

/**
 * `agentry start` (what `npm start` runs): serves the project's HTTP API; with no model provider
 * configured, on the project's demo script in a clearly labelled demo mode instead of failing.
 */
export async function startCommand(options: SessionOptions, terminal: Terminal, serve: ServeOptions): Promise<number> {
  const opened = await openSessionOrDemo(options, terminal);
  if (!opened) return 1;
  try {
    return await serveCommand(opened.session, terminal, serve);
  } finally {
    await opened.session.close();
  }
}
