import { z } from 'zod';

/** Header that continues an Agentry conversation through the OpenAI-compatible API. */
export const CONVERSATION_HEADER = 'x-agentry-conversation-id';

const contentPartSchema = z.looseObject({ type: z.string().min(1).max(100), text: z.string().optional() });
const contentSchema = z.union([z.string(), z.array(contentPartSchema).max(1_000)]).nullish();

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: contentSchema,
  name: z.string().max(256).optional(),
});

const nullableNumber = (min: number, max: number) => z.number().min(min).max(max).nullish();

/**
 * OpenAI's Chat Completions request, as far as Agentry reads or checks it. Sampling, tools and
 * output-format fields are type-checked and ignored: the agent's own configuration, tools and
 * instructions apply. Unknown fields are accepted (clients add new ones faster than servers).
 * `user` never selects an identity: that comes from the API key.
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1).max(256).describe('The agent name'),
  messages: z
    .array(messageSchema)
    .min(1)
    .max(10_000)
    .describe('Only the last user message is read; the server keeps the conversation history'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  n: z.literal(1).nullish().describe('Only one choice is produced'),
  temperature: nullableNumber(0, 2),
  top_p: nullableNumber(0, 1),
  frequency_penalty: nullableNumber(-2, 2),
  presence_penalty: nullableNumber(-2, 2),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  response_format: z.looseObject({ type: z.string() }).nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string() })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  user: z.string().max(256).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  reasoning_effort: z.string().max(32).nullish(),
  service_tier: z.string().max(32).nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

const usageSchema = z.object({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
  prompt_tokens_details: z.object({ cached_tokens: z.number() }),
});

/** Non-standard, Agentry-only: the run behind the answer and the tool calls it made server-side. */
const agentryExtensionSchema = z.object({
  runId: z.string(),
  conversationId: z.string(),
  toolCalls: z.array(
    z.object({
      toolCallId: z.string(),
      toolName: z.string(),
      input: z.unknown(),
      output: z.unknown(),
      isError: z.boolean(),
    }),
  ),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
});

export const finishReasonSchema = z.enum(['stop', 'length']);

export const chatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number(),
      message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
      logprobs: z.null(),
      finish_reason: finishReasonSchema,
    }),
  ),
  usage: usageSchema,
  agentry: agentryExtensionSchema,
});

export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type CompletionUsage = z.infer<typeof usageSchema>;
export type AgentryExtension = z.infer<typeof agentryExtensionSchema>;

export const modelSchema = z.object({
  id: z.string().describe('The agent name'),
  object: z.literal('model'),
  created: z.number().describe('When this server loaded the project (Unix seconds)'),
  owned_by: z.literal('agentry'),
});

export const modelListSchema = z.object({ object: z.literal('list'), data: z.array(modelSchema) });

export const modelParamsSchema = z.object({ model: z.string().min(1).max(256) });
