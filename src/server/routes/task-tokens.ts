import type { Identity } from '../../auth/identity.ts';
import type { TaskTokenOutcome, TaskTokenRecord } from '../../store/workflows.ts';
import { type AnyApiRoute, defineRoute } from '../api-route.ts';
import type { ServerRuntime } from '../runtime.ts';
import { scopeOf } from '../scope-of.ts';
import {
  taskFailureBodySchema,
  taskSuccessBodySchema,
  taskTokenParamsSchema,
  taskTokenResultSchema,
} from './workflow-schemas.ts';

/** What SendTaskFailure reports when the caller names no error. */
const DEFAULT_TASK_ERROR = 'States.TaskFailed';

const RESPONSES = {
  200: { description: 'The token is completed; the waiting task continues', schema: taskTokenResultSchema },
  404: { description: "No such token in the key's tenant (TASK_TOKEN_INVALID)" },
  409: { description: 'The token was already completed (TASK_TOKEN_ALREADY_COMPLETED)' },
};

function result(record: TaskTokenRecord) {
  return {
    status: record.status === 'failed' ? ('failed' as const) : ('succeeded' as const),
    executionId: record.executionId,
    stateName: record.stateName,
    ...(record.completedAt === undefined ? {} : { completedAt: record.completedAt }),
  };
}

/**
 * Step Functions' SendTaskSuccess / SendTaskFailure for `.waitForTaskToken` tasks. A token is a secret
 * handed to whoever must answer (an approver, another system), so any key of the execution's tenant
 * may complete it, not only the user who started the execution; a token of another tenant is not found.
 * The token is never echoed in errors or logs.
 */
export function taskTokenRoutes(runtime: ServerRuntime): AnyApiRoute[] {
  const complete = async (identity: Identity, token: string, outcome: TaskTokenOutcome) =>
    result(await runtime.workflows.completeTaskToken(scopeOf(identity), token, outcome));
  return [
    defineRoute({
      method: 'post',
      path: '/v1/task-tokens/{token}/success',
      summary: 'Complete a waiting task with its output (SendTaskSuccess)',
      tags: ['workflows'],
      scope: 'agents:run',
      params: taskTokenParamsSchema,
      body: taskSuccessBodySchema,
      responses: RESPONSES,
      handler: async (c, { params, body }) =>
        c.json(await complete(c.get('identity'), params.token, { status: 'succeeded', output: body.output })),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/task-tokens/{token}/failure',
      summary: 'Fail a waiting task with an error and cause (SendTaskFailure); Retry and Catch apply',
      tags: ['workflows'],
      scope: 'agents:run',
      params: taskTokenParamsSchema,
      body: taskFailureBodySchema,
      responses: RESPONSES,
      handler: async (c, { params, body }) =>
        c.json(
          await complete(c.get('identity'), params.token, {
            status: 'failed',
            error: body.error || DEFAULT_TASK_ERROR,
            cause: body.cause ?? '',
          }),
        ),
    }),
  ];
}
