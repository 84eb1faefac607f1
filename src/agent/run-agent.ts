import { randomUUID } from 'node:crypto';
import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { AgentryError, toAgentryError } from '../errors.ts';
import { endSpan, recordUsage, startChatSpan, startRunSpan } from '../telemetry/genai-spans.ts';
import type { Agent } from './agent.ts';
import type { RunEvent, RunEventListener, RunStatus } from './events.ts';
import {
  type AssistantMessage,
  type Message,
  type ToolMessage,
  type ToolResultBlock,
  toModelPrompt,
  userMessage,
} from './messages.ts';
import { modelTools, runModelStep } from './model-step.ts';
import { withRetry } from './retry.ts';
import { executeToolCall } from './tool-execution.ts';
import { addUsage, emptyUsage, type TokenUsage } from './usage.ts';

export interface RunInput {
  /** The new user message. */
  query: string;
  /** Earlier messages of the conversation, oldest first; not modified. */
  history?: readonly Message[];
  runId?: string;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  /** Injected for tests: jitter source and the wait between retries. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface StepRecord {
  step: number;
  finishReason: string;
  usage: TokenUsage;
  toolCalls: { toolCallId: string; toolName: string; input: unknown; output: unknown; isError: boolean }[];
}

export interface RunResult {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  /** The final answer; empty unless the run succeeded. */
  text: string;
  /** Messages this run added, starting with the user message: append them to the conversation. */
  messages: Message[];
  steps: StepRecord[];
  usage: TokenUsage;
  error?: AgentryError;
}

/**
 * The run loop: model step, then the step's tool calls in parallel, results fed back, until the
 * model answers without tool calls or a limit is reached. Whatever happens, `messages` is a valid
 * history: every tool call has a result (an error result when the run stopped before running it).
 */
export async function runAgent(agent: Agent, input: RunInput): Promise<RunResult> {
  const runId = input.runId ?? randomUUID();
  const listener = input.onEvent;
  const emit = listener ? safeEmitter(listener) : undefined;
  const signal = input.signal ?? new AbortController().signal;
  const tools = modelTools(agent);
  const history = input.history ?? [];
  const messages: Message[] = [userMessage(input.query)];
  const steps: StepRecord[] = [];
  const usage = emptyUsage();
  const run = startRunSpan(agent.name, agent.model.id, runId, agent.model.spec.provider);
  emit?.({ type: 'run-start', runId, agent: agent.name, model: agent.model.id });

  const finish = (status: RunResult['status'], text: string, error?: AgentryError): RunResult => {
    if (error) emit?.({ type: 'error', runId, step: steps.length, error: error.toJSON() });
    emit?.({ type: 'run-end', runId, status, text, usage });
    recordUsage(run.span, usage);
    run.span.setAttribute('agentry.run.status', status);
    endSpan(run.span, error);
    return error
      ? { runId, status, text, messages, steps, usage, error }
      : { runId, status, text, messages, steps, usage };
  };

  try {
    for (let step = 1; step <= agent.limits.maxIterations; step++) {
      signal.throwIfAborted();
      const call: LanguageModelV4CallOptions = {
        prompt: toModelPrompt(
          agent.instructions,
          history.length ? [...history, ...messages] : messages,
          agent.model.callOptions.systemProviderOptions,
        ),
        abortSignal: signal,
      };
      if (tools.length > 0) call.tools = tools;
      if (agent.model.callOptions.providerOptions) call.providerOptions = agent.model.callOptions.providerOptions;
      if (agent.limits.maxOutputTokens !== undefined) call.maxOutputTokens = agent.limits.maxOutputTokens;
      if (agent.temperature !== undefined) call.temperature = agent.temperature;

      const chat = startChatSpan(run.context, agent.model.id, agent.model.spec.provider, step);
      let streamed = false;
      const onDelta = emit
        ? (delta: string) => {
            streamed = true;
            emit({ type: 'text-delta', runId, step, delta });
          }
        : undefined;
      let output: Awaited<ReturnType<typeof runModelStep>>;
      try {
        output = await withRetry(
          {
            retries: agent.limits.modelRetries,
            baseDelayMs: agent.limits.retryBaseDelayMs,
            maxDelayMs: agent.limits.retryMaxDelayMs,
            ...(input.random ? { random: input.random } : {}),
            ...(input.sleep ? { sleep: input.sleep } : {}),
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
      addUsage(usage, output.usage);
      emit?.({ type: 'usage', runId, step, usage: output.usage, finishReason: output.finishReason });

      const assistant: AssistantMessage = {
        role: 'assistant',
        content: output.toolCalls.length ? [] : [{ type: 'text', text: output.text }],
      };
      if (output.toolCalls.length) {
        if (output.text) assistant.content.push({ type: 'text', text: output.text });
        for (const toolCall of output.toolCalls) {
          assistant.content.push({
            type: 'tool-call',
            toolCallId: toolCall.toolCallId,
            toolName: toolCall.toolName,
            input: toolCall.input,
          });
        }
      }
      messages.push(assistant);
      const record: StepRecord = { step, finishReason: output.finishReason, usage: output.usage, toolCalls: [] };
      steps.push(record);
      if (output.toolCalls.length === 0) return finish('succeeded', output.text);

      if (step === agent.limits.maxIterations) {
        // No model call will read these results; answer the calls without running them.
        messages.push(
          unanswered(
            output.toolCalls,
            `Not run: the agent reached its limit of ${agent.limits.maxIterations} model calls.`,
          ),
        );
        return finish(
          'max_iterations',
          '',
          new AgentryError(
            'RUN_MAX_ITERATIONS',
            `The run reached its limit of ${agent.limits.maxIterations} model calls without a final answer.`,
            { details: { maxIterations: agent.limits.maxIterations } },
          ),
        );
      }

      for (const toolCall of output.toolCalls) {
        emit?.({
          type: 'tool-call',
          runId,
          step,
          toolCallId: toolCall.toolCallId,
          toolName: toolCall.toolName,
          input: toolCall.input,
        });
      }
      const results = await Promise.all(
        output.toolCalls.map(async (toolCall) => {
          const started = performance.now();
          const result = await executeToolCall(agent, toolCall, signal, run.context).catch((reason: unknown) => {
            if (signal.aborted) return undefined;
            throw reason;
          });
          if (result) {
            emit?.({
              type: 'tool-result',
              runId,
              step,
              toolCallId: toolCall.toolCallId,
              toolName: toolCall.toolName,
              input: toolCall.input,
              output: result.output,
              isError: result.isError,
              durationMs: performance.now() - started,
            });
          }
          return result;
        }),
      );
      output.toolCalls.forEach((toolCall, index) => {
        const result = results[index];
        if (result)
          record.toolCalls.push({
            toolCallId: toolCall.toolCallId,
            toolName: toolCall.toolName,
            input: toolCall.input,
            output: result.output,
            isError: result.isError,
          });
      });
      if (signal.aborted) {
        messages.push(unanswered(output.toolCalls, 'Not completed: the run was cancelled.', results));
        return finish('cancelled', '', cancelledError(signal));
      }
      messages.push({ role: 'tool', content: results as ToolResultBlock[] });
    }
    throw new AgentryError('INTERNAL', 'maxIterations must be at least 1.');
  } catch (error) {
    if (signal.aborted) {
      answerDanglingToolCalls(messages);
      return finish('cancelled', '', cancelledError(signal));
    }
    return finish('failed', '', toAgentryError(error));
  }
}

function cancelledError(signal: AbortSignal): AgentryError {
  const reason = signal.reason;
  return reason instanceof AgentryError
    ? reason
    : new AgentryError('RUN_CANCELLED', 'The run was cancelled.', { cause: reason });
}

function unanswered(
  calls: readonly { toolCallId: string; toolName: string }[],
  message: string,
  done: readonly (ToolResultBlock | undefined)[] = [],
): ToolMessage {
  return {
    role: 'tool',
    content: calls.map(
      (call, index) =>
        done[index] ?? {
          type: 'tool-result',
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          output: message,
          isError: true,
        },
    ),
  };
}

/** A cancelled run may end right after an assistant message with tool calls; answer them so the history stays valid. */
function answerDanglingToolCalls(messages: Message[]): void {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return;
  const calls = last.content.filter((block) => block.type === 'tool-call');
  if (calls.length > 0) messages.push(unanswered(calls, 'Not run: the run was cancelled.'));
}

/** Listener failures are the listener's problem: they must not fail or corrupt the run. */
function safeEmitter(listener: RunEventListener): RunEventListener {
  return (event: RunEvent) => {
    try {
      listener(event);
    } catch {
      // Deliberately ignored; see RunEvent's contract.
    }
  };
}
