import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

export function agentsCommand(session: Session, terminal: Terminal, json: boolean): number {
  const agents = [...session.project.agents.values()].map((agent) => ({
    name: agent.name,
    description: agent.description,
    model: session.modelStringFor(agent.name),
    tools: agent.tools,
    file: agent.file,
  }));
  if (json) {
    terminal.out.write(`${JSON.stringify(agents)}\n`);
    return 0;
  }
  const style = styler(terminal.out, terminal.env);
  terminal.out.write(style('dim', `${session.project.name} (${session.project.dir})\n`));
  for (const agent of agents) {
    terminal.out.write(`${style('bold', agent.name.padEnd(12))} ${agent.description}\n`);
    terminal.out.write(
      style('dim', `${' '.repeat(13)}model ${agent.model} · tools ${agent.tools.join(', ') || 'none'}\n`),
    );
  }
  return 0;
}
