import { z } from 'zod';

/** `limits:` in an agent file; every field optional, defaults in src/agent/limits.ts. */
export const limitsSchema = z
  .object({
    maxIterations: z.number().int().min(1).max(100),
    toolTimeoutMs: z.number().int().min(1).max(3_600_000),
    toolOutputMaxChars: z.number().int().min(100).max(10_000_000),
    modelRetries: z.number().int().min(0).max(10),
    retryBaseDelayMs: z.number().int().min(0).max(60_000),
    retryMaxDelayMs: z.number().int().min(0).max(300_000),
    maxOutputTokens: z.number().int().min(1).max(1_000_000),
  })
  .partial()
  .strict();

export const guardrailSchema = z
  .object({
    id: z.string().min(1),
    version: z.union([z.string().min(1), z.number().int().min(1)]).transform(String),
    trace: z.boolean().optional(),
  })
  .strict();

export const memorySchema = z
  .object({
    maxMessages: z.number().int().min(2).max(1_000),
    maxTokens: z.number().int().min(100).max(2_000_000),
    summarize: z.boolean(),
    summarizeAfter: z.number().int().min(2).max(1_000),
  })
  .partial()
  .strict();

export const agentFileSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _, starting with a letter')
      .optional(),
    description: z.string().default(''),
    instructions: z.string().min(1),
    model: z.string().min(1).optional(),
    tools: z.array(z.string().min(1)).default([]),
    temperature: z.number().min(0).max(2).optional(),
    guardrail: guardrailSchema.optional(),
    promptCache: z.boolean().default(false),
    limits: limitsSchema.default({}),
    memory: memorySchema.default({}),
  })
  .strict();

export const storeSchema = z
  .object({
    /** Default: `postgres` when DATABASE_URL is set, else `pglite`. */
    kind: z.enum(['memory', 'pglite', 'postgres', 'dynamodb']).optional(),
    /** PGlite data folder, relative to the project (default .agentry/data). */
    dataDir: z.string().min(1).optional(),
    /** DynamoDB table names (defaults: agent-memory, agent-sessions, agent-workflows). */
    tables: z.object({ memory: z.string().min(3), sessions: z.string().min(3), workflows: z.string().min(3) }).partial().strict().optional(),
  })
  .strict();

export const projectFileSchema = z
  .object({
    name: z.string().min(1).optional(),
    /** Default model for agents that name none. */
    model: z.string().min(1).optional(),
    store: storeSchema.default({}),
    /** What `agentry start` uses when no provider is configured. */
    demo: z
      .object({ model: z.string().min(1), queries: z.array(z.string().min(1)).default([]) })
      .strict()
      .optional(),
  })
  .strict();

export type AgentFile = z.infer<typeof agentFileSchema>;
export type ProjectFile = z.infer<typeof projectFileSchema>;
export type StoreConfig = z.infer<typeof storeSchema>;
