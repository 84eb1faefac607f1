import { z } from 'zod';

/** How dangerous a tool is. `high` tools will need human approval once approvals exist. */
export type ToolRisk = 'low' | 'medium' | 'high';

export interface ToolContext {
  /** Aborted when the run is cancelled or the tool's timeout passes; long tools must honour it. */
  signal: AbortSignal;
  /** The id the model gave this call; stable across retries and resumes. */
  toolCallId: string;
}

export interface ToolSpec<Input> {
  name: string;
  description: string;
  input: z.ZodType<Input>;
  /** Per-call timeout. Defaults to the agent's `toolTimeoutMs`. */
  timeoutMs?: number;
  /** Max characters of the result the model sees. Defaults to the agent's `toolOutputMaxChars`. */
  outputMaxChars?: number;
  risk?: ToolRisk;
  /** Whether running the same call twice is harmless. Defaults to false. */
  idempotent?: boolean;
  run(input: Input, context: ToolContext): Promise<unknown> | unknown;
}

export interface Tool<Input = unknown> extends ToolSpec<Input> {
  readonly risk: ToolRisk;
  readonly idempotent: boolean;
  /** JSON Schema of `input`, computed once at definition time (sent to the model on every call). */
  readonly inputJsonSchema: Record<string, unknown>;
}

/** A tool whose input type is erased, as held by registries and agents. */
// biome-ignore lint/suspicious/noExplicitAny: tools of any input type live in one registry.
export type AnyTool = Tool<any>;

const TOOL_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

export function defineTool<Input>(spec: ToolSpec<Input>): Tool<Input> {
  if (!TOOL_NAME.test(spec.name)) {
    throw new TypeError(`Tool name "${spec.name}" must match ${TOOL_NAME} (the providers' common subset).`);
  }
  const { $schema: _ignored, ...inputJsonSchema } = z.toJSONSchema(spec.input, { io: 'input' }) as Record<
    string,
    unknown
  >;
  return { risk: 'low', idempotent: false, ...spec, inputJsonSchema };
}
