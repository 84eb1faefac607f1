import type { ExecutionEvent } from '../workflow/events.ts';
import { styler, type Terminal } from './terminal.ts';

function preview(value: unknown, max = 120): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1_000)}s`;
}

/** `Fan/1/` → `Fan/1/` as a prefix people can read; the top level has none. */
function where(event: ExecutionEvent): string {
  return event.path ? `${event.path.replace(/\/$/, '')} › ` : '';
}

/** One line of detail about an event, for history listings. */
export function describeEvent(event: ExecutionEvent): string {
  switch (event.type) {
    case 'ExecutionStarted':
      return `name ${event.name} · input ${preview(event.input)}`;
    case 'ExecutionSucceeded':
      return `output ${preview(event.output)}`;
    case 'ExecutionFailed':
    case 'ExecutionTimedOut':
    case 'StateFailed':
    case 'TaskFailed':
      return `${'state' in event ? `${event.state} · ` : ''}${event.error}: ${preview(event.cause)}`;
    case 'ExecutionAborted':
      return '';
    case 'StateEntered':
      return `${event.state} (${event.stateType})`;
    case 'StateExited':
      return `${event.state}${event.next ? ` → ${event.next}` : ''}`;
    case 'StateRetried':
      return `${event.state} · retry ${event.retryCount} in ${formatDuration(event.delayMs)}`;
    case 'StateCaught':
      return `${event.state} · ${event.error} → ${event.next}`;
    case 'TaskScheduled':
      return `${event.state} · ${event.resource}${event.attempt > 1 ? ` · attempt ${event.attempt}` : ''}${
        event.taskToken ? ` · task token ${event.taskToken}` : ''
      }`;
    case 'TaskSucceeded':
      return `${event.state} · ${preview(event.output)}`;
    case 'TaskTimedOut':
      return `${event.state} · ${event.resource}`;
    case 'WaitStarted':
      return `${event.state} · until ${new Date(event.untilMs).toISOString()}`;
    case 'ParallelBranchStarted':
    case 'ParallelBranchSucceeded':
      return `${event.state} · branch ${event.branch}`;
    case 'ParallelBranchFailed':
      return `${event.state} · branch ${event.branch} · ${event.error}`;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
      return `${event.state} · item ${event.index}`;
    case 'MapIterationFailed':
      return `${event.state} · item ${event.index} · ${event.error}`;
  }
}

/**
 * People's view of a running execution, on stderr (stdout keeps the final output): one line when a
 * state is entered, one when it exits with its duration; tasks with their resource, and a task token to
 * answer with `agentry workflow task-success`; retries, catches, waits and failures. Branch and
 * iteration events show only when they fail; their states are prefixed with their path.
 */
export function workflowRenderer(terminal: Terminal): (event: ExecutionEvent) => void {
  const style = styler(terminal.err, terminal.env);
  const entered = new Map<string, number>();
  const line = (text: string) => terminal.err.write(`${text}\n`);
  return (event) => {
    const at = Date.parse(event.timestamp);
    const key = 'state' in event ? `${event.path}\u0000${event.state}` : '';
    const took = () => {
      const since = entered.get(key);
      entered.delete(key);
      return since === undefined ? '' : style('dim', ` ${formatDuration(at - since)}`);
    };
    switch (event.type) {
      case 'StateEntered':
        entered.set(key, at);
        line(`${style('cyan', '→')} ${where(event)}${style('bold', event.state)} ${style('dim', event.stateType)}`);
        break;
      case 'StateExited':
        line(`${style('green', '✓')} ${where(event)}${event.state}${took()}`);
        break;
      case 'StateFailed':
        line(`${style('red', '✗')} ${where(event)}${event.state} ${event.error}: ${preview(event.cause)}${took()}`);
        break;
      case 'TaskScheduled':
        line(
          `  ${style('magenta', '⚙')} ${where(event)}${event.state} ${style('dim', event.resource)}${
            event.attempt > 1 ? style('dim', ` attempt ${event.attempt}`) : ''
          }`,
        );
        if (event.taskToken)
          line(
            style(
              'yellow',
              `  … waiting for a callback: answer here with --callbacks, or with agentry workflow task-success ${event.taskToken} --output '<json>' (another process, on a shared store) or POST /v1/task-tokens/<token>/success`,
            ),
          );
        break;
      case 'TaskFailed':
        line(`  ${style('red', '✗')} ${where(event)}${event.state} task ${event.error}: ${preview(event.cause)}`);
        break;
      case 'TaskTimedOut':
        line(`  ${style('red', '✗')} ${where(event)}${event.state} task timed out`);
        break;
      case 'StateRetried':
        line(`  ${style('yellow', '↻')} ${where(event)}${describeEvent(event)}`);
        break;
      case 'StateCaught':
        line(`  ${style('yellow', '⤷')} ${where(event)}${describeEvent(event)}`);
        break;
      case 'WaitStarted':
        line(`  ${style('dim', '…')} ${where(event)}${describeEvent(event)}`);
        break;
      case 'ParallelBranchFailed':
      case 'MapIterationFailed':
        line(`  ${style('red', '✗')} ${where(event)}${describeEvent(event)}`);
        break;
      default:
        break;
    }
  };
}
