import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AgentryError } from '../errors.ts';

/**
 * The scripted model's file format. Two shapes:
 *
 * - `steps`: strict order. Call N of the model gets step N; a call past the end fails.
 *   `{"steps":[{"toolCalls":[{"name":"calculate","input":{"expression":"25 * 47"}}]},{"text":"1175"}]}`
 * - `replies`: routed by the latest user message, for demos and servers where turns arrive in any
 *   order. The first reply whose `when` (a case-insensitive regular expression) matches is used; the
 *   step within it is the number of model calls already made since that user message.
 */
const toolCallSchema = z.object({
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()).default({}),
  id: z.string().min(1).optional(),
});

const expectationSchema = z
  .object({
    /** Substring the latest user message must contain. */
    userText: z.string().optional(),
    /** Substring the system prompt must contain. */
    system: z.string().optional(),
    /** Substring the latest tool result (serialized) must contain. */
    toolResult: z.string().optional(),
    /** Substring that must appear somewhere in the prompt (serialized), e.g. an earlier turn. */
    promptContains: z.string().optional(),
    /** Tools that must be offered to the model on this call. */
    tools: z.array(z.string()).optional(),
  })
  .strict();

export const scriptStepSchema = z
  .object({
    text: z.string().optional(),
    toolCalls: z.array(toolCallSchema).optional(),
    expect: expectationSchema.optional(),
    usage: z.object({ inputTokens: z.number().int().min(0), outputTokens: z.number().int().min(0) }).optional(),
    /** Wait this long before answering (honours the call's AbortSignal). */
    delayMs: z.number().int().min(0).max(600_000).optional(),
    /** Fail the call as a provider would, e.g. `{"status":429}` for throttling. */
    error: z.object({ status: z.number().int().min(400).max(599), message: z.string().optional() }).optional(),
    /** Raw finish reason to report instead of the one implied by the content. */
    finishReason: z.enum(['stop', 'length', 'content-filter', 'tool-calls', 'error', 'other']).optional(),
  })
  .strict()
  .refine((step) => step.text !== undefined || step.toolCalls !== undefined || step.error !== undefined, {
    message: 'a step needs text, toolCalls or error',
  });

const replySchema = z.object({ when: z.string().min(1), steps: z.array(scriptStepSchema).min(1) }).strict();

export const modelScriptSchema = z
  .object({
    description: z.string().optional(),
    steps: z.array(scriptStepSchema).optional(),
    replies: z.array(replySchema).optional(),
  })
  .strict()
  .refine((script) => (script.steps === undefined) !== (script.replies === undefined), {
    message: 'a script has either "steps" or "replies"',
  });

export type ScriptStep = z.infer<typeof scriptStepSchema>;
export type ModelScript = z.infer<typeof modelScriptSchema>;

export function parseModelScript(value: unknown, source = 'script'): ModelScript {
  const parsed = modelScriptSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new AgentryError('MODEL_SCRIPT_INVALID', `${source}: invalid model script: ${issues.join('; ')}`, {
    details: { source, issues },
  });
}

export function loadModelScript(file: string): ModelScript {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AgentryError('MODEL_SCRIPT_INVALID', `Cannot read model script ${file}.`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AgentryError('MODEL_SCRIPT_INVALID', `${file}: not valid JSON (${(cause as Error).message}).`, {
      cause,
    });
  }
  return parseModelScript(json, file);
}
