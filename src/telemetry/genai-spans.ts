import { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { TokenUsage } from '../agent/usage.ts';
import type { AgentryError } from '../errors.ts';

/**
 * Spans for runs, model calls and tool calls, named and attributed after the OpenTelemetry GenAI
 * semantic conventions (`invoke_agent`, `chat`, `execute_tool`). With no SDK registered the API
 * hands out non-recording spans and this costs next to nothing; exporters are set up in entry points.
 */
const tracer = () => trace.getTracer('agentry');

export interface SpanHandle {
  span: Span;
  context: Context;
}

function start(name: string, kind: SpanKind, attributes: Record<string, string | number>, parent: Context): SpanHandle {
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

export function startRunSpan(agent: string, model: string, runId: string, provider: string): SpanHandle {
  return start(
    `invoke_agent ${agent}`,
    SpanKind.INTERNAL,
    {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': agent,
      'gen_ai.agent.id': agent,
      'gen_ai.conversation.id': runId,
      'gen_ai.request.model': model,
      'gen_ai.provider.name': provider,
    },
    context.active(),
  );
}

export function startChatSpan(parent: Context, model: string, provider: string, step: number): SpanHandle {
  return start(
    `chat ${model}`,
    SpanKind.CLIENT,
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': model,
      'gen_ai.provider.name': provider,
      'agentry.step': step,
    },
    parent,
  );
}

export function startToolSpan(parent: Context, toolName: string, toolCallId: string): SpanHandle {
  return start(
    `execute_tool ${toolName}`,
    SpanKind.INTERNAL,
    {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': toolName,
      'gen_ai.tool.call.id': toolCallId,
      'gen_ai.tool.type': 'function',
    },
    parent,
  );
}

export function recordUsage(span: Span, usage: TokenUsage, finishReason?: string): void {
  if (!span.isRecording()) return;
  span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
  span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
  if (finishReason) span.setAttribute('gen_ai.response.finish_reasons', [finishReason]);
}

/** Ends a span; with an error, marks it failed with the stable code (never the provider's text). */
export function endSpan(span: Span, error?: AgentryError): void {
  if (error) {
    span.setAttribute('error.type', error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
  }
  span.end();
}
