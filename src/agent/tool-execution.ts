import { type Context, context as otelContext } from '@opentelemetry/api';
import { AgentryError, isAgentryError } from '../errors.ts';
import { endSpan, startToolSpan } from '../telemetry/genai-spans.ts';
import type { AnyTool } from '../tools/define-tool.ts';
import type { Agent } from './agent.ts';
import type { ToolCallBlock, ToolResultBlock } from './messages.ts';

export const TRUNCATION_MARKER = '…[truncated';

/**
 * Runs one tool call and always returns a result block: an unknown tool, invalid input, a throw
 * and a timeout all become `isError` results the model reads, so the tool-use contract (every call
 * answered) holds. Only cancellation of the whole run propagates, as the signal's reason.
 */
export async function executeToolCall(
  agent: Agent,
  call: ToolCallBlock & { inputError?: string },
  runSignal: AbortSignal,
  parentContext: Context,
): Promise<ToolResultBlock> {
  const tool = agent.tools.get(call.toolName);
  if (!tool) {
    const known = [...agent.tools.keys()].join(', ') || 'none';
    return errorResult(call, `Unknown tool "${call.toolName}". Available tools: ${known}.`);
  }
  if (call.inputError) return errorResult(call, call.inputError);
  const parsed = tool.input.safeParse(call.input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
    return errorResult(call, `Invalid input for tool "${tool.name}": ${issues.join('; ')}.`);
  }
  const { span, context } = startToolSpan(parentContext, tool.name, call.toolCallId);
  try {
    const output = await runWithTimeout(
      tool,
      parsed.data,
      call.toolCallId,
      tool.timeoutMs ?? agent.limits.toolTimeoutMs,
      runSignal,
      context,
    );
    endSpan(span);
    return {
      type: 'tool-result',
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      output: capOutput(output, tool.outputMaxChars ?? agent.limits.toolOutputMaxChars),
      isError: false,
    };
  } catch (error) {
    if (runSignal.aborted) {
      endSpan(span, new AgentryError('RUN_CANCELLED', 'cancelled'));
      throw runSignal.reason;
    }
    const failure = isAgentryError(error)
      ? error
      : new AgentryError('TOOL_FAILED', describeThrown(error), { cause: error });
    endSpan(span, failure);
    return errorResult(call, `Tool "${tool.name}" failed: ${failure.message}`);
  }
}

function errorResult(call: ToolCallBlock, message: string): ToolResultBlock {
  return { type: 'tool-result', toolCallId: call.toolCallId, toolName: call.toolName, output: message, isError: true };
}

/** A tool's own error message is meant for the model; its stack never is. */
function describeThrown(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : 'the tool threw a non-error value';
}

async function runWithTimeout(
  tool: AnyTool,
  input: unknown,
  toolCallId: string,
  timeoutMs: number,
  runSignal: AbortSignal,
  spanContext: Context,
): Promise<unknown> {
  const controller = new AbortController();
  const abort = () => controller.abort(runSignal.reason);
  runSignal.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new AgentryError('TOOL_TIMEOUT', `timed out after ${timeoutMs} ms`, { details: { timeoutMs } });
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const cancelled = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  try {
    // A tool that ignores its signal keeps running in the background after a timeout; its result is dropped.
    return await Promise.race([
      Promise.resolve().then(() =>
        otelContext.with(spanContext, () => tool.run(input, { signal: controller.signal, toolCallId })),
      ),
      timeout,
      cancelled,
    ]);
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener('abort', abort);
  }
}

/** Caps what the model sees; a capped result becomes a string ending in a marker saying how much was cut. */
export function capOutput(output: unknown, maxChars: number): unknown {
  if (output === undefined) return null;
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  if (text === undefined || text.length <= maxChars) return output;
  return `${text.slice(0, maxChars)}${TRUNCATION_MARKER} ${text.length - maxChars} of ${text.length} characters]`;
}
