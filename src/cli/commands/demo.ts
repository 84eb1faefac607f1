import { humanRenderer } from '../render-events.ts';
import { HOW_TO_CONFIGURE, openSession, type Session, type SessionOptions } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';
import { chatCommand } from './chat.ts';
import { resumeInterruptedRuns } from './resume-interrupted.ts';

/**
 * `agentry start` (what `npm start` runs): the project's demo queries through its first agent
 * (`assistant` when present), then an interactive chat when stdin is a terminal. With no model
 * provider configured it runs on the project's bundled script instead of failing, and says so.
 */
export async function startCommand(
  options: SessionOptions,
  terminal: Terminal,
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  signal: AbortSignal,
): Promise<number> {
  let session = await openSession(options);
  const style = styler(terminal.err, terminal.env);
  const agentName = session.project.agents.has('assistant') ? 'assistant' : [...session.project.agents.keys()][0];
  if (!agentName) {
    terminal.err.write(`${session.project.dir} has no agents (agents/*.yaml).\n`);
    return 1;
  }
  const modelString = session.modelStringFor(agentName);
  const check = session.registry.check(modelString);
  const demo = session.project.config.demo;
  if (!check.ok) {
    if (!demo) {
      terminal.err.write(`${modelString}: ${check.message}\n\n${HOW_TO_CONFIGURE}\n`);
      return 1;
    }
    session = await openSession({ ...options, model: demo.model });
    terminal.err.write(
      `${style('yellow', style('bold', '━━ DEMO MODE ━━'))} No model provider is configured (${check.message})\n` +
        `Running ${session.project.name} on the scripted model ${demo.model}: real agent loop and tools, canned model replies.\n\n` +
        `${style('dim', HOW_TO_CONFIGURE)}\n\n`,
    );
  }
  try {
    return await demoThenChat(session, terminal, agentName, demo?.queries ?? [], input, signal);
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
