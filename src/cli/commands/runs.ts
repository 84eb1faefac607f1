import { humanRenderer } from '../render-events.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

/** `agentry runs [list] | show <id> | resume [<id>]`. */
export async function runsCommand(
  session: Session,
  terminal: Terminal,
  args: string[],
  json: boolean,
): Promise<number> {
  const [action = 'list', id] = args;
  const store = await session.store();
  const style = styler(terminal.out, terminal.env);
  switch (action) {
    case 'list': {
      const page = await store.runs.listRuns(session.scope, { limit: 50 });
      if (json) terminal.out.write(`${JSON.stringify(page.items)}\n`);
      else if (page.items.length === 0) terminal.out.write('No runs yet.\n');
      for (const run of json ? [] : page.items) {
        terminal.out.write(
          `${style('bold', run.id)}  ${run.status.padEnd(14)} ${style('dim', `${run.createdAt} · ${run.agent} · conversation ${run.conversationId}`)}\n`,
        );
      }
      return 0;
    }
    case 'show': {
      const run = id ? await store.runs.getRun(session.scope, id) : undefined;
      if (!run) {
        terminal.err.write(`error RUN_NOT_FOUND: Run ${id ?? '(none given)'} does not exist.\n`);
        return 1;
      }
      const journal = await store.runs.loadJournal(run.id);
      terminal.out.write(`${JSON.stringify(json ? { run, journal } : run, null, json ? undefined : 2)}\n`);
      if (!json)
        terminal.out.write(
          style('dim', `${journal.length} journal entries: ${journal.map((record) => record.entry.kind).join(', ')}\n`),
        );
      return 0;
    }
    case 'resume': {
      const runner = await session.runner();
      if (id) {
        const render = humanRenderer(terminal);
        const result = await runner.resume(id, { onEvent: render });
        render.stop();
        if (!result) {
          terminal.err.write(
            `Run ${id} is not resumable: it finished, does not exist, or another live process holds it.\n`,
          );
          return 1;
        }
        return result.status === 'succeeded' ? 0 : 1;
      }
      const resumed = await runner.resumeAbandoned();
      terminal.out.write(
        resumed.length === 0
          ? 'No interrupted runs.\n'
          : resumed.map((result) => `${result.runId} ${result.status}\n`).join(''),
      );
      return 0;
    }
    default:
      terminal.err.write(`Unknown action "${action}". Use: agentry runs [list] | show <id> | resume [<id>]\n`);
      return 2;
  }
}
