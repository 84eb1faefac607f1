import { HOW_TO_CONFIGURE, openSession, type Session, type SessionOptions } from './session.ts';
import { styler, type Terminal } from './terminal.ts';

/**
 * Opens the session for `start` and `demo`: when the main agent's model provider is not configured
 * and the project has a demo script, every agent runs on that scripted model instead, under a
 * clearly printed DEMO MODE banner. Returns undefined (after saying why) when neither works.
 */
export async function openSessionOrDemo(
  options: SessionOptions,
  terminal: Terminal,
): Promise<{ session: Session; agentName: string; demo: boolean } | undefined> {
  const session = await openSession(options);
  const style = styler(terminal.err, terminal.env);
  const agentName = session.project.agents.has('assistant') ? 'assistant' : [...session.project.agents.keys()][0];
  if (!agentName) {
    terminal.err.write(`${session.project.dir} has no agents (agents/*.yaml).\n`);
    return undefined;
  }
  const modelString = session.modelStringFor(agentName);
  const check = session.registry.check(modelString);
  if (check.ok) return { session, agentName, demo: false };
  const demo = session.project.config.demo;
  if (!demo) {
    terminal.err.write(`${modelString}: ${check.message}\n\n${HOW_TO_CONFIGURE}\n`);
    return undefined;
  }
  terminal.err.write(
    `${style('yellow', style('bold', '━━ DEMO MODE ━━'))} No model provider is configured (${check.message})\n` +
      `Running ${session.project.name} on the scripted model ${demo.model}: real agent loop and tools, canned model replies.\n\n` +
      `${style('dim', HOW_TO_CONFIGURE)}\n\n`,
  );
  return { session: await openSession({ ...options, model: demo.model }), agentName, demo: true };
}
