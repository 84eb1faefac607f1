import { createInterface } from 'node:readline';
import type { WorkflowRunner } from '../runner/workflow-runner.ts';
import type { Scope } from '../store/scope.ts';
import type { TaskTokenOutcome } from '../store/workflows.ts';
import type { ExecutionEvent } from '../workflow/events.ts';
import { styler, type Terminal } from './terminal.ts';

/**
 * Answers an execution's `.waitForTaskToken` callbacks from lines of `input`, for `workflow run
 * --callbacks` (and on a terminal): each waiting task takes the next line. JSON succeeds the task with
 * that output (SendTaskSuccess); `!Error.Name cause text` fails it (SendTaskFailure). A line that is
 * neither is refused and the next one is read. With the embedded store another process cannot open the
 * store while `workflow run` holds it, so this is how a CLI run gets its approvals.
 */
export function answerCallbacks(
  runner: WorkflowRunner,
  scope: Scope,
  executionId: string,
  input: NodeJS.ReadableStream,
  terminal: Terminal,
): () => void {
  const style = styler(terminal.err, terminal.env);
  const lines = createInterface({ input, terminal: false })[Symbol.asyncIterator]();
  let queue: Promise<void> = Promise.resolve();
  const answer = async (token: string, state: string): Promise<void> => {
    for (;;) {
      terminal.err.write(
        style('yellow', `  ? ${state}: a JSON output to succeed, or "!Error cause" to fail the task: `),
      );
      const next = await lines.next();
      if (next.done) return;
      const outcome = parseAnswer(next.value.trim());
      if (!outcome) {
        terminal.err.write(style('red', '  not JSON and not "!Error cause"; try again\n'));
        continue;
      }
      try {
        await runner.completeTaskToken(scope, token, outcome);
      } catch (error) {
        terminal.err.write(style('red', `  ${(error as Error).message}\n`));
      }
      return;
    }
  };
  const unsubscribe = runner.subscribe(executionId, (event: ExecutionEvent) => {
    if (event.type !== 'TaskScheduled' || event.taskToken === undefined) return;
    const { taskToken, state } = event;
    queue = queue.then(() => answer(taskToken, state)).catch(() => {});
  });
  return () => {
    unsubscribe();
    void lines.return?.();
  };
}

export function parseAnswer(line: string): TaskTokenOutcome | undefined {
  if (line.startsWith('!')) {
    const [error = '', ...cause] = line.slice(1).trim().split(/\s+/);
    return error ? { status: 'failed', error, cause: cause.join(' ') } : undefined;
  }
  if (line === '') return undefined;
  try {
    return { status: 'succeeded', output: JSON.parse(line) };
  } catch {
    return undefined;
  }
}
