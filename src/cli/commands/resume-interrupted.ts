import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

/**
 * Finishes runs that a killed process left behind, before this process does its own work.
 * Quiet when there are none; in JSON mode the notice goes to stderr so stdout stays parseable.
 */
export async function resumeInterruptedRuns(session: Session, terminal: Terminal, quiet = false): Promise<number> {
  const runner = await session.runner();
  const resumed = await runner.resumeAbandoned();
  if (resumed.length > 0 && !quiet) {
    const style = styler(terminal.err, terminal.env);
    const summary = resumed.map((result) => `${result.runId} (${result.status})`).join(', ');
    terminal.err.write(style('dim', `Resumed ${resumed.length} interrupted run(s): ${summary}\n`));
  }
  return resumed.length;
}
