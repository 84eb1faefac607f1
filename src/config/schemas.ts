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
    /**
     * PostgreSQL server only. `async` (default): journal entries of a running turn commit without
     * waiting for their WAL flush, except the one that starts a tool that is not idempotent and the
     * run's final commit; `sync`: every commit waits. See docs/OPERATIONS.md for what each survives.
     */
    journalCommit: z.enum(['async', 'sync']).optional(),
    /** DynamoDB table names (defaults: agent-memory, agent-sessions, agent-workflows, agent-api-keys). */
    tables: z
      .object({
        memory: z.string().min(3),
        sessions: z.string().min(3),
        workflows: z.string().min(3),
        apiKeys: z.string().min(3),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

/** One usage plan, as in API Gateway: a token bucket (`rate` per second, `burst` deep) and a daily quota. */
export const usagePlanSchema = z
  .object({
    /** Requests per second the bucket refills at; fractions allowed (0.5 = one every 2 s). */
    rate: z.number().positive().max(100_000),
    /** Bucket size: requests admitted at once after a quiet period. */
    burst: z.number().int().min(1).max(1_000_000),
    /** Requests per UTC day. */
    quota: z.number().int().min(1).max(1_000_000_000_000),
  })
  .strict();

/**
 * `plans:` by name (the `plan` of an API key). `default` may be redefined; `unlimited` is built in
 * and reserved. A key naming a plan that is not here gets `default`. See src/server/limits/plans.ts.
 */
export const plansSchema = z
  .record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dots, underscores or dashes'), usagePlanSchema)
  .refine((plans) => !Object.hasOwn(plans, 'unlimited'), 'the plan name "unlimited" is built in and reserved');

/** `limits:` in agentry.config.yaml: where usage-plan counters live. Defaults in src/server/limits/open-limiter.ts. */
export const rateLimitsSchema = z
  .object({
    /** Default: `redis` when REDIS_URL is set, else `postgres` when DATABASE_URL is set, else `memory`. */
    store: z.enum(['memory', 'postgres', 'redis', 'dynamodb']).optional(),
    /** Admit requests when the store fails (default true); false answers 503 STORE_UNAVAILABLE instead. */
    failOpen: z.boolean().optional(),
    /** Redis key prefix, PostgreSQL and DynamoDB table name prefix (default agentry_rl). */
    prefix: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _, starting with a letter')
      .optional(),
    /** PostgreSQL and DynamoDB: create the tables on first use (default true; false when provisioned). */
    createTables: z.boolean().optional(),
  })
  .strict();

/**
 * A Lambda function name a workflow's Task can invoke (`arn:aws:lambda:…:function:<name>` or
 * `arn:aws:states:::lambda:invoke` with `FunctionName`): an agent, or a module of the project exporting
 * `handler(event)`. `ai-agent-executor` is built in (the reference design's agent executor).
 */
export const workflowFunctionSchema = z.union([
  z.object({ agent: z.string().min(1) }).strict(),
  z
    .object({
      module: z.string().min(1),
      /** The export to call (default `handler`). */
      export: z.string().min(1).optional(),
    })
    .strict(),
]);

export const workflowsConfigSchema = z
  .object({
    functions: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), workflowFunctionSchema).default({}),
  })
  .strict();

export const projectFileSchema = z
  .object({
    name: z.string().min(1).optional(),
    /** Default model for agents that name none. */
    model: z.string().min(1).optional(),
    store: storeSchema.default({}),
    /** Usage plans for API keys; merged over the built-in `default` and `unlimited`. */
    plans: plansSchema.optional(),
    /** Where usage-plan counters live. */
    limits: rateLimitsSchema.optional(),
    /** Lambda function names that workflow Tasks may invoke. */
    workflows: workflowsConfigSchema.optional(),
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
export type UsagePlanConfig = z.infer<typeof usagePlanSchema>;
export type RateLimitsConfig = z.infer<typeof rateLimitsSchema>;
export type WorkflowFunctionConfig = z.infer<typeof workflowFunctionSchema>;
