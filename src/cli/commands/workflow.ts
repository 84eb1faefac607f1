import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDefinition } from '../../config/project-workflows.ts';
import { AgentryError } from '../../errors.ts';
import { executionSummary, executionView, workflowSummary } from '../../runner/workflow-views.ts';
import type { ExecutionStatus } from '../../store/workflows.ts';
import { validateDefinition } from '../../workflow/validate.ts';
import { describeEvent } from '../render-workflow-events.ts';
import type { Session } from '../session.ts';
import { styler, type Terminal } from '../terminal.ts';
import { workflowRunCommand } from './workflow-run.ts';

export const WORKFLOW_USAGE = `Usage: agentry workflow <action>
  list                                   The project's workflows
  validate <file>                        Check a definition (exit 1 listing each problem's state and field)
  run <name> [--input JSON] [--name N] [--callbacks]
                                         Run an execution here, showing its states live; --callbacks (or a
                                         terminal) answers waiting tasks from stdin: JSON, or "!Error cause"
  executions [--workflow W] [--status S] List executions, newest first
  describe <executionId>                 Status, input, output or error
  history <executionId>                  The execution's history events
  task-success <token> --output JSON     Complete a waiting task (SendTaskSuccess)
  task-failure <token> [--error E] [--cause C]  Fail a waiting task (SendTaskFailure)
`;

export interface WorkflowCommandOptions {
  json: boolean;
  input: string | undefined;
  output: string | undefined;
  name: string | undefined;
  workflow: string | undefined;
  status: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  signal: AbortSignal;
  /** `workflow run`: answer waiting callbacks from this stream (`--callbacks`, or stdin on a terminal). */
  callbacks: NodeJS.ReadableStream | undefined;
}

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const HISTORY_PAGE = 1_000;

/** A usage mistake: main prints it with the usage and exits 2. */
export class WorkflowUsageError extends Error {}

function parseJsonFlag(flag: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new WorkflowUsageError(`${flag} must be JSON, e.g. ${flag} '{"key": "value"}' (got ${text.slice(0, 80)}).`);
  }
}

/**
 * `agentry workflow validate <file>`: needs no project. Exit 0 with "valid", 1 listing every problem
 * with its state and field (stdout, or `{file, valid, issues}` with --json).
 */
export function validateWorkflowCommand(terminal: Terminal, cwd: string, file: string, json: boolean): number {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch {
    throw new AgentryError('CONFIG_NOT_FOUND', `Cannot read ${file}.`);
  }
  const { valid, issues } = validateDefinition(parseDefinition(text, file));
  if (json) {
    terminal.out.write(`${JSON.stringify({ file, valid, issues })}\n`);
    return valid ? 0 : 1;
  }
  const style = styler(terminal.out, terminal.env);
  if (valid) {
    terminal.out.write(`${style('green', '✓')} ${file} is valid\n`);
    return 0;
  }
  terminal.out.write(`${style('red', '✗')} ${file} is not a valid state machine:\n`);
  for (const issue of issues) {
    const at = [issue.state && `state "${issue.state}"`, issue.field && `field ${issue.field}`]
      .filter(Boolean)
      .join(', ');
    terminal.out.write(`  - ${at ? `${style('bold', at)}: ` : ''}${issue.message}\n`);
  }
  return 1;
}

/** `agentry workflow <action>` for the local user (session.scope). */
export async function workflowCommand(
  session: Session,
  terminal: Terminal,
  args: string[],
  options: WorkflowCommandOptions,
): Promise<number> {
  const [action = 'list', target] = args;
  const style = styler(terminal.out, terminal.env);
  const needs = (what: string) => {
    if (!target) throw new WorkflowUsageError(`workflow ${action} needs ${what}.`);
    return target;
  };
  switch (action) {
    case 'list': {
      const workflows = [...session.project.workflows.values()].map(workflowSummary);
      if (options.json) terminal.out.write(`${JSON.stringify(workflows)}\n`);
      else if (workflows.length === 0) terminal.out.write('No workflows: add workflows/<name>.asl.json.\n');
      for (const workflow of options.json ? [] : workflows) {
        const comment = workflow.comment ? ` · ${workflow.comment}` : '';
        terminal.out.write(
          `${style('bold', workflow.name)}  ${style('dim', `${workflow.stateCount} states from ${workflow.startAt} · ${workflow.file}${comment}`)}\n`,
        );
      }
      return 0;
    }
    case 'run':
      return workflowRunCommand(session, terminal, needs('a workflow name: agentry workflow run <name>'), {
        input: parseJsonFlag('--input', options.input),
        name: options.name,
        json: options.json,
        signal: options.signal,
        callbacks: options.callbacks,
      });
    case 'executions': {
      const status = options.status?.toUpperCase();
      if (status !== undefined && !STATUSES.includes(status as ExecutionStatus))
        throw new WorkflowUsageError(`--status must be one of ${STATUSES.join(', ')}.`);
      const store = await session.store();
      const page = await store.workflows.listExecutions(session.scope, {
        ...(options.workflow === undefined ? {} : { workflow: options.workflow }),
        ...(status === undefined ? {} : { status: status as ExecutionStatus }),
        limit: 50,
      });
      const executions = page.items.map(executionSummary);
      if (options.json) terminal.out.write(`${JSON.stringify(executions)}\n`);
      else if (executions.length === 0) terminal.out.write('No executions yet.\n');
      for (const execution of options.json ? [] : executions) {
        terminal.out.write(
          `${style('bold', execution.id)}  ${execution.status.padEnd(9)} ${style('dim', `${execution.startedAt} · ${execution.workflow} · ${execution.name}`)}\n`,
        );
      }
      return 0;
    }
    case 'describe': {
      const id = needs('an execution id: agentry workflow describe <executionId>');
      const record = await (await session.store()).workflows.getExecution(session.scope, id);
      if (!record) throw new AgentryError('EXECUTION_NOT_FOUND', `Execution ${id} does not exist.`);
      const view = executionView(record);
      if (options.json) {
        terminal.out.write(`${JSON.stringify(view)}\n`);
        return 0;
      }
      const rows: [string, unknown][] = [
        ['workflow', view.workflow],
        ['name', view.name],
        ['status', view.status],
        ['started', view.startedAt],
        ['stopped', view.stoppedAt],
        ['input', JSON.stringify(view.input)],
        ['output', view.output === undefined ? undefined : JSON.stringify(view.output)],
        ['error', view.error],
        ['cause', view.cause],
        ['events', view.lastEventId],
      ];
      terminal.out.write(`${style('bold', `execution ${view.id}`)}\n`);
      for (const [label, value] of rows)
        if (value !== undefined) terminal.out.write(`  ${style('dim', label.padEnd(8))} ${String(value)}\n`);
      return 0;
    }
    case 'history': {
      const id = needs('an execution id: agentry workflow history <executionId>');
      const store = await session.store();
      if (!(await store.workflows.getExecution(session.scope, id)))
        throw new AgentryError('EXECUTION_NOT_FOUND', `Execution ${id} does not exist.`);
      for (let afterId = 0; ; ) {
        const events = await store.workflows.loadEvents(id, { afterId, limit: HISTORY_PAGE });
        for (const event of events) {
          terminal.out.write(
            options.json
              ? `${JSON.stringify(event)}\n`
              : `${style('dim', String(event.id).padStart(4))}  ${style('dim', event.timestamp)}  ${event.type.padEnd(24)} ${describeEvent(event)}\n`,
          );
        }
        if (events.length < HISTORY_PAGE) return 0;
        afterId = events.at(-1)!.id;
      }
    }
    case 'task-success':
    case 'task-failure': {
      const token = needs('a task token');
      const runner = await session.workflows();
      let record: Awaited<ReturnType<typeof runner.completeTaskToken>>;
      if (action === 'task-success') {
        if (options.output === undefined) throw new WorkflowUsageError("task-success needs --output '<json>'.");
        const output = parseJsonFlag('--output', options.output);
        record = await runner.completeTaskToken(session.scope, token, { status: 'succeeded', output });
      } else {
        record = await runner.completeTaskToken(session.scope, token, {
          status: 'failed',
          error: options.error || 'States.TaskFailed',
          cause: options.cause ?? '',
        });
      }
      const { status, executionId, stateName, completedAt } = record;
      if (options.json) terminal.out.write(`${JSON.stringify({ status, executionId, stateName, completedAt })}\n`);
      else terminal.out.write(`Task ${stateName} of execution ${executionId}: ${status}.\n`);
      return 0;
    }
    default:
      throw new WorkflowUsageError(`Unknown action "${action}".`);
  }
}
