import type { WorkflowFile } from '../config/project-workflows.ts';
import type { ExecutionRecord, ExecutionStatus } from '../store/workflows.ts';

/** A project workflow as listed (API and CLI). */
export interface WorkflowSummary {
  name: string;
  /** Relative to the project. */
  file: string;
  comment?: string;
  startAt: string;
  /** Top-level states, in definition order. */
  states: string[];
  stateCount: number;
}

export function workflowSummary({ name, file, definition }: WorkflowFile): WorkflowSummary {
  const states = Object.keys(definition.States ?? {});
  return {
    name,
    file,
    ...(typeof definition.Comment === 'string' ? { comment: definition.Comment } : {}),
    startAt: String(definition.StartAt ?? ''),
    states,
    stateCount: states.length,
  };
}

/** An execution as its owner sees it (API and CLI): no lease, scope or stored definition. */
export interface ExecutionView {
  id: string;
  name: string;
  workflow: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: string;
  updatedAt: string;
  stoppedAt?: string;
  /** Id of the last history event written. */
  lastEventId: number;
}

/** A line of a list: without input and output, which can be large. */
export type ExecutionSummary = Omit<ExecutionView, 'input' | 'output' | 'error' | 'cause' | 'lastEventId'>;

export function executionView(record: ExecutionRecord): ExecutionView {
  const { id, name, workflow, status, input, startedAt, updatedAt, lastEventId } = record;
  return {
    id,
    name,
    workflow,
    status,
    input,
    ...(record.output === undefined ? {} : { output: record.output }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.cause === undefined ? {} : { cause: record.cause }),
    startedAt,
    updatedAt,
    ...(record.stoppedAt === undefined ? {} : { stoppedAt: record.stoppedAt }),
    lastEventId,
  };
}

export function executionSummary(record: ExecutionRecord): ExecutionSummary {
  const { id, name, workflow, status, startedAt, updatedAt } = record;
  return {
    id,
    name,
    workflow,
    status,
    startedAt,
    updatedAt,
    ...(record.stoppedAt === undefined ? {} : { stoppedAt: record.stoppedAt }),
  };
}
