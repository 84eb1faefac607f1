import { z } from 'zod';

/** A workflow's name: its file name without `.asl.json`. */
export const workflowNameSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a workflow name: letters, digits and . _ - only');

/** Step Functions' execution names, restricted to ASCII: 1–80 of letters, digits and . _ - */
export const executionNameSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9._-]+$/, 'an execution name: letters, digits and . _ - only');

/** Task tokens are base64url (Agentry's: 43 characters; Step Functions allows up to 1,024). */
export const taskTokenSchema = z
  .string()
  .min(1)
  .max(1_024)
  .regex(/^[A-Za-z0-9_-]+$/, 'a task token (base64url)');

export const executionStatusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export const workflowParamsSchema = z.object({ name: workflowNameSchema });
export const taskTokenParamsSchema = z.object({ token: taskTokenSchema });

export const workflowSummarySchema = z.object({
  name: z.string(),
  file: z.string(),
  comment: z.string().optional(),
  startAt: z.string(),
  states: z.array(z.string()),
  stateCount: z.number(),
});

export const startExecutionBodySchema = z
  .object({
    /** Unique per user and workflow: a second start with the same name and input returns the first. */
    name: executionNameSchema.optional(),
    /** The execution's input (default `{}`). */
    input: z.unknown().optional(),
  })
  .strict();

export const startExecutionQuerySchema = z.object({ wait: z.enum(['true', 'false']).optional() }).strict();

const executionFields = {
  id: z.string(),
  name: z.string(),
  workflow: z.string(),
  status: executionStatusSchema,
  startedAt: z.string(),
  updatedAt: z.string(),
  stoppedAt: z.string().optional(),
};

export const executionSchema = z.object({
  ...executionFields,
  input: z.unknown(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  lastEventId: z.number(),
});

export const executionSummarySchema = z.object(executionFields);

export const listExecutionsQuerySchema = z
  .object({
    workflow: workflowNameSchema.optional(),
    status: executionStatusSchema.optional(),
    limit: z.coerce.number().int().min(1).max(100).optional(),
    cursor: z.string().max(1_000).optional(),
  })
  .strict();

export const historyQuerySchema = z
  .object({
    afterId: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).optional(),
  })
  .strict();

/** One history event: `type` says which fields follow (see ExecutionEvent). */
export const executionEventSchema = z.looseObject({
  id: z.number(),
  type: z.string(),
  timestamp: z.string(),
  path: z.string(),
});

export const taskSuccessBodySchema = z
  .object({ output: z.unknown().refine((value) => value !== undefined, 'required: the task result (any JSON)') })
  .strict();

export const taskFailureBodySchema = z
  .object({
    error: z.string().max(256).optional(),
    cause: z.string().max(32_768).optional(),
  })
  .strict();

export const taskTokenResultSchema = z.object({
  status: z.enum(['succeeded', 'failed']),
  executionId: z.string(),
  stateName: z.string(),
  completedAt: z.string().optional(),
});
