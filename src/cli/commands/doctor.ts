import type { Session } from '../session.ts';
import { HOW_TO_CONFIGURE } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

/** Checks configuration and credentials without calling any model. Exit code 1 if something is missing. */
export function doctorCommand(session: Session, terminal: Terminal): number {
  const style = styler(terminal.out, terminal.env);
  const ok = style('green', '✓');
  const bad = style('red', '✗');
  const { project } = session;
  terminal.out.write(`${ok} project ${project.name} at ${project.dir}\n`);
  terminal.out.write(
    `${ok} ${project.agents.size} agents, ${project.tools.size} tools (${[...project.tools.keys()].join(', ')})\n`,
  );
  terminal.out.write(`${ok} store ${session.storeDescription}\n`);
  const source = session.modelOverride ? '--model' : session.env.AGENTRY_MODEL ? 'AGENTRY_MODEL' : undefined;
  if (source) terminal.out.write(`${ok} model override from ${source}\n`);
  let problems = 0;
  const checked = new Map<string, ReturnType<Session['registry']['check']>>();
  for (const agent of project.agents.values()) {
    const modelString = session.modelStringFor(agent.name);
    const check = checked.get(modelString) ?? session.registry.check(modelString);
    checked.set(modelString, check);
    if (!check.ok) problems++;
    terminal.out.write(`${check.ok ? ok : bad} agent ${agent.name}: ${modelString} — ${check.message}\n`);
  }
  if (problems > 0) terminal.out.write(`\n${HOW_TO_CONFIGURE}\n`);
  else terminal.out.write(style('green', '\nReady.\n'));
  return problems > 0 ? 1 : 0;
}
