import { z } from 'zod';

/** Ids in paths and bodies: no separators or control characters, bounded. */
export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

export const agentNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'an agent name');

export const querySchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100_000)
  .refine((query) => !query.includes('\u0000'), 'must not contain NUL characters');

export const usageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
});

export const runRequestSchema = z
  .object({
    query: querySchema,
    conversationId: idSchema.optional(),
  })
  .strict();

export const toolCallSummarySchema = z.object({
  toolCallId: z.string(),
  toolName: z.string(),
  input: z.unknown(),
  output: z.unknown(),
  isError: z.boolean(),
});

export const runResponseSchema = z.object({
  runId: z.string(),
  conversationId: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled', 'max_iterations']),
  text: z.string(),
  toolCalls: z.array(toolCallSummarySchema),
  usage: usageSchema,
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
});

export const runRecordSchema = z.object({
  id: z.string(),
  agent: z.string(),
  conversationId: z.string(),
  query: z.string(),
  status: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  text: z.string().optional(),
  usage: usageSchema.optional(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
});

export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).optional(),
    cursor: z.string().max(1_000).optional(),
  })
  .strict();

export const idParamsSchema = z.object({ id: idSchema });
export const nameParamsSchema = z.object({ name: agentNameSchema });
