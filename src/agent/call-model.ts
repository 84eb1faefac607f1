import type { LanguageModelV4CallOptions, LanguageModelV4FunctionTool } from '@ai-sdk/provider';
import { toAgentryError } from '../errors.ts';
import { endSpan, recordUsage, startChatSpan } from '../telemetry/genai-spans.ts';
import { cancelledError } from './cancellation.ts';
import type { Message } from './messages.ts';
import { toModelPrompt } from './messages.ts';
import { type ModelStepOutput, runModelStep } from './model-step.ts';
import { withRetry } from './retry.ts';
import type { StepContext } from './step-context.ts';

/**
 * Step `step` of the run: replayed from the journal when an earlier attempt completed it, else one
 * model call (retried while nothing streamed), journaled together with a `tool-started` entry for
 * each call the loop will run (`willRunTools`) before anything else happens. That append is flushed
 * when a tool that is not idempotent is among the calls (an unknown tool runs nothing); a step
 * that runs no tools is the run's last and is journaled as `final`.
 */
export async function callModel(
  context: StepContext,
  step: number,
  system: string,
  conversation: readonly Message[],
  tools: LanguageModelV4FunctionTool[],
  willRunTools: boolean,
): Promise<ModelStepOutput> {
  const replayed = context.replay?.modelStep(step);
  if (replayed) return replayed;
  const { agent, signal, emit, runId } = context;
  const call: LanguageModelV4CallOptions = {
    prompt: toModelPrompt(system, conversation, agent.model.callOptions.systemProviderOptions),
    abortSignal: signal,
  };
  if (tools.length > 0) call.tools = tools;
  if (agent.model.callOptions.providerOptions) call.providerOptions = agent.model.callOptions.providerOptions;
  if (agent.limits.maxOutputTokens !== undefined) call.maxOutputTokens = agent.limits.maxOutputTokens;
  if (agent.temperature !== undefined) call.temperature = agent.temperature;

  const chat = startChatSpan(context.traceContext, agent.model.id, agent.model.spec.provider, step);
  let streamed = false;
  const onDelta = emit
    ? (delta: string) => {
        streamed = true;
        emit({ type: 'text-delta', runId, step, delta });
      }
    : undefined;
  let output: ModelStepOutput;
  try {
    output = await withRetry(
      {
        retries: agent.limits.modelRetries,
        baseDelayMs: agent.limits.retryBaseDelayMs,
        maxDelayMs: agent.limits.retryMaxDelayMs,
        ...(context.random ? { random: context.random } : {}),
        ...(context.sleep ? { sleep: context.sleep } : {}),
      },
      signal,
      () => runModelStep(agent, call, onDelta),
      () => !streamed,
    );
  } catch (error) {
    const failure = signal.aborted ? cancelledError(signal) : toAgentryError(error, 'MODEL_CALL_FAILED');
    endSpan(chat.span, failure);
    throw failure;
  }
  recordUsage(chat.span, output.usage, output.finishReason);
  endSpan(chat.span);
  if (context.append) {
    const runsTools = willRunTools && output.toolCalls.length > 0;
    await context.append(
      [
        { kind: 'model-step', step, ...output },
        ...(runsTools
          ? output.toolCalls.map((toolCall) => ({
              kind: 'tool-started' as const,
              step,
              toolCallId: toolCall.toolCallId,
              toolName: toolCall.toolName,
            }))
          : []),
      ],
      runsTools
        ? {
            flush: output.toolCalls.some((toolCall) => {
              const tool = agent.tools.get(toolCall.toolName);
              return tool !== undefined && !tool.idempotent;
            }),
          }
        : { final: true },
    );
  }
  return output;
}
