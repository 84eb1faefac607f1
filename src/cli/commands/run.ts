import { runAgent } from '../../agent/run-agent.ts';
import { humanRenderer, jsonLinesRenderer } from '../render-events.ts';
import type { Session } from '../session.ts';
import type { Terminal } from '../terminal.ts';

export interface RunCommandOptions {
  json: boolean;
  signal: AbortSignal;
}

/** `agentry run <agent> "<query>"`. Exit code 0 when the run succeeded, 1 otherwise. */
export async function runCommand(
  session: Session,
  terminal: Terminal,
  agentName: string,
  query: string,
  options: RunCommandOptions,
): Promise<number> {
  const agent = session.agent(agentName);
  const render = options.json ? jsonLinesRenderer(terminal) : humanRenderer(terminal);
  const result = await runAgent(agent, { query, signal: options.signal, onEvent: render });
  return result.status === 'succeeded' ? 0 : 1;
}
