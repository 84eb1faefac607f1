import { openSessionOrDemo } from '../demo-mode.ts';
import { humanRenderer } from '../render-events.ts';
import type { Session, SessionOptions } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';
import { chatCommand } from './chat.ts';
import { resumeInterruptedRuns } from './resume-interrupted.ts';

/**
 * `agentry demo`: the project's demo queries through its first agent (`assistant` when present),
 * then an interactive chat when stdin is a terminal. With no model provider configured it runs on
 * the project's bundled script instead of failing, and says so.
 */
export async function demoCommand(
  options: SessionOptions,
  terminal: Terminal,
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  signal: AbortSignal,
): Promise<number> {
  const opened = await openSessionOrDemo(options, terminal);
  if (!opened) return 1;
  const { session, agentName } = opened;
  const queries = session.project.config.demo?.queries ?? [];
  try {
    return await demoThenChat(session, terminal, agentName, queries, input, signal);
  } finally {
    await session.close();
  }
}

async function demoThenChat(
  session: Session,
  terminal: Terminal,
  agentName: string,
  queries: readonly string[],
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  signal: AbortSignal,
): Promise<number> {
  const style = styler(terminal.err, terminal.env);
  const agent = session.agent(agentName);
  terminal.err.write(style('dim', `Agent ${agent.name} on ${agent.model.id}\n`));
  const runner = await session.runner();
  await resumeInterruptedRuns(session, terminal);
  for (const query of queries) {
    if (signal.aborted) return 130;
    terminal.err.write(`\n${style('bold', 'you › ')}${query}\n`);
    const render = humanRenderer(terminal);
    const result = await runner.run(session.scope, { agent: agentName, query, signal, onEvent: render });
    render.stop();
    if (result.status !== 'succeeded' && result.status !== 'cancelled') return 1;
  }
  if (!input.isTTY) {
    terminal.err.write(
      style(
        'dim',
        `\nDone. Try: npm run agentry -- chat ${agentName}   (or: npm run agentry -- run ${agentName} "What is 25 * 47?")\n`,
      ),
    );
    return 0;
  }
  terminal.err.write('\n');
  return chatCommand(session, terminal, agentName, input);
}
