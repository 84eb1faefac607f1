import { followExecution } from '../../runner/follow-execution.ts';
import type { ExecutionRecord } from '../../store/workflows.ts';
import { answerCallbacks } from '../answer-callbacks.ts';
import { formatDuration, workflowRenderer } from '../render-workflow-events.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';

export interface WorkflowRunOptions {
  input: unknown;
  name: string | undefined;
  json: boolean;
  /** Ctrl-C: the execution is stopped (ABORTED). */
  signal: AbortSignal;
  /** Where waiting callbacks are answered from (`--callbacks`, or a terminal's stdin); undefined: not here. */
  callbacks: NodeJS.ReadableStream | undefined;
}

/** Exit code of `workflow run` when interrupted by the user. */
const INTERRUPTED = 130;

/**
 * `agentry workflow run <name>`: starts an execution in this process and shows it live: state lines on
 * stderr, or with `--json` one history event a line on stdout; then the output on stdout. Exit code 0
 * when it SUCCEEDED, 1 otherwise, 130 when stopped with Ctrl-C. A name already used with the same input
 * shows that execution (followed from the store if it is still running elsewhere). This command resumes
 * nobody else's executions: that is the server's sweep.
 */
export async function workflowRunCommand(
  session: Session,
  terminal: Terminal,
  workflow: string,
  options: WorkflowRunOptions,
): Promise<number> {
  const runner = await session.workflows();
  const store = await session.store();
  const style = styler(terminal.err, terminal.env);
  const started = await runner.start(session.scope, {
    workflow,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  const { id } = started.execution;
  const done = started.done.catch(() => undefined);
  const stopAnswering = options.callbacks
    ? answerCallbacks(runner, session.scope, id, options.callbacks, terminal)
    : () => {};
  if (!options.json) {
    terminal.err.write(
      style(
        'dim',
        `execution ${id} · ${workflow} · name ${started.execution.name}${started.created ? '' : ' (existing)'}\n`,
      ),
    );
  }

  const following = new AbortController();
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    // Stopped here, it ends ABORTED and the follower sees its last event; running elsewhere, stop watching.
    if (!runner.stop(id)) following.abort();
  };
  options.signal.addEventListener('abort', onInterrupt, { once: true });
  if (options.signal.aborted) onInterrupt();
  // Run here and handed back unfinished (a store failure): nothing more will happen in this process.
  if (started.created) void done.then((record) => record?.status === 'RUNNING' && following.abort());

  const render = options.json
    ? (event: unknown) => void terminal.out.write(`${JSON.stringify(event)}\n`)
    : workflowRenderer(terminal);
  try {
    await followExecution({
      runner,
      store: store.workflows,
      executionId: id,
      afterId: 0,
      deliver: render,
      signal: following.signal,
    });
    if (!following.signal.aborted) await done;
  } finally {
    options.signal.removeEventListener('abort', onInterrupt);
    stopAnswering();
  }

  const record = (await store.workflows.getExecution(session.scope, id)) ?? started.execution;
  if (!options.json) report(terminal, record);
  if (interrupted) return INTERRUPTED;
  return record.status === 'SUCCEEDED' ? 0 : 1;
}

function report(terminal: Terminal, record: ExecutionRecord): void {
  const style = styler(terminal.err, terminal.env);
  if (record.status === 'SUCCEEDED') terminal.out.write(`${JSON.stringify(record.output ?? null, null, 2)}\n`);
  else if (record.status === 'RUNNING')
    terminal.err.write(
      `${style('yellow', 'RUNNING')}: not finished here; it resumes where it stopped under \`agentry serve\`\n`,
    );
  else
    terminal.err.write(
      `${style('red', record.status)} ${record.error ?? ''}${record.cause ? `: ${record.cause}` : ''}\n`,
    );
  const took = record.stoppedAt
    ? ` · ${formatDuration(Date.parse(record.stoppedAt) - Date.parse(record.startedAt))}`
    : '';
  terminal.err.write(style('dim', `[${record.status}${took} · execution ${record.id}]\n`));
}
