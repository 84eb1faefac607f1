import { humanRenderer, jsonLinesRenderer } from '../render-events.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';
import { resumeInterruptedRuns } from './resume-interrupted.ts';

export interface RunCommandOptions {
  json: boolean;
  conversationId: string | undefined;
  signal: AbortSignal;
}

/** `agentry run <agent> "<query>"`: one durable turn. Exit code 0 when the run succeeded, 1 otherwise. */
export async function runCommand(
  session: Session,
  terminal: Terminal,
  agentName: string,
  query: string,
  options: RunCommandOptions,
): Promise<number> {
  session.agent(agentName); // fail fast on an unknown agent or a missing provider, before opening the store
  const runner = await session.runner();
  await resumeInterruptedRuns(session, terminal, options.json);
  const render = options.json ? jsonLinesRenderer(terminal) : humanRenderer(terminal);
  const result = await runner.run(session.scope, {
    agent: agentName,
    query,
    signal: options.signal,
    onEvent: render,
    ...(options.conversationId ? { conversationId: options.conversationId } : {}),
  });
  if (!options.json) {
    const style = styler(terminal.err, terminal.env);
    terminal.err.write(style('dim', `conversation ${result.conversationId} · run ${result.runId}\n`));
  }
  return result.status === 'succeeded' ? 0 : 1;
}
