import { randomUUID } from 'node:crypto';
import { AgentryError, toAgentryError } from '../errors.ts';
import { endSpan, recordUsage, startRunSpan } from '../telemetry/genai-spans.ts';
import type { Agent } from './agent.ts';
import { callModel } from './call-model.ts';
import { cancelledError } from './cancellation.ts';
import type { RunEvent, RunEventListener, RunStatus } from './events.ts';
import { JournalReplay, type RunJournal, serialAppender } from './journal.ts';
import {
  type AssistantMessage,
  type Message,
  type ToolMessage,
  type ToolResultBlock,
  userMessage,
} from './messages.ts';
import { modelTools } from './model-step.ts';
import { runToolCalls } from './run-tool-calls.ts';
import type { StepContext } from './step-context.ts';
import { addUsage, emptyUsage, type TokenUsage } from './usage.ts';

export interface RunInput {
  /** The new user message. */
  query: string;
  /** Earlier messages of the conversation, oldest first; not modified. */
  history?: readonly Message[];
  /** Added to the agent's instructions for this run (e.g. a summary of older turns). */
  systemSuffix?: string;
  runId?: string;
  /** Reported in run-start; the loop itself does not read conversations. */
  conversationId?: string;
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  /** Durable runs: write steps here, and replay what an earlier attempt of this run wrote. */
  journal?: RunJournal;
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
 * With a journal, each step is durable before the next starts, and a resumed run replays the
 * journal instead of repeating completed model calls and tool calls.
 */
export async function runAgent(agent: Agent, input: RunInput): Promise<RunResult> {
  const runId = input.runId ?? randomUUID();
  const emit = input.onEvent ? safeEmitter(input.onEvent) : undefined;
  const signal = input.signal ?? new AbortController().signal;
  const tools = modelTools(agent);
  const history = input.history ?? [];
  const system = input.systemSuffix ? `${agent.instructions}\n\n${input.systemSuffix}` : agent.instructions;
  const messages: Message[] = [userMessage(input.query)];
  const steps: StepRecord[] = [];
  const usage = emptyUsage();
  const span = startRunSpan(agent.name, agent.model.id, runId, agent.model.spec.provider);
  const context: StepContext = {
    agent,
    runId,
    signal,
    emit,
    traceContext: span.context,
    replay: input.journal?.replay.length ? new JournalReplay(input.journal.replay) : undefined,
    append: input.journal ? serialAppender(input.journal) : undefined,
    random: input.random,
    sleep: input.sleep,
  };
  emit?.({
    type: 'run-start',
    runId,
    agent: agent.name,
    model: agent.model.id,
    ...(input.conversationId ? { conversationId: input.conversationId } : {}),
  });

  const finish = (status: RunResult['status'], text: string, error?: AgentryError): RunResult => {
    if (error) emit?.({ type: 'error', runId, step: steps.length, error: error.toJSON() });
    emit?.({ type: 'run-end', runId, status, text, usage });
    recordUsage(span.span, usage);
    span.span.setAttribute('agentry.run.status', status);
    endSpan(span.span, error);
    const result: RunResult = { runId, status, text, messages, steps, usage };
    if (error) result.error = error;
    return result;
  };

  try {
    const { maxIterations } = agent.limits;
    if (maxIterations < 1) throw new AgentryError('CONFIG_INVALID', 'maxIterations must be at least 1.');
    for (let step = 1; step <= maxIterations; step++) {
      signal.throwIfAborted();
      const conversation = history.length ? [...history, ...messages] : messages;
      const output = await callModel(context, step, system, conversation, tools, step < maxIterations);
      addUsage(usage, output.usage);
      emit?.({ type: 'usage', runId, step, usage: output.usage, finishReason: output.finishReason });
      messages.push(assistantMessage(output.text, output.toolCalls));
      const record: StepRecord = { step, finishReason: output.finishReason, usage: output.usage, toolCalls: [] };
      steps.push(record);
      if (output.toolCalls.length === 0) return finish('succeeded', output.text);

      if (step === maxIterations) {
        // No model call will read these results; answer the calls without running them.
        messages.push(
          unanswered(output.toolCalls, `Not run: the agent reached its limit of ${maxIterations} model calls.`),
        );
        const error = new AgentryError(
          'RUN_MAX_ITERATIONS',
          `The run reached its limit of ${maxIterations} model calls without a final answer.`,
          {
            details: { maxIterations },
          },
        );
        return finish('max_iterations', '', error);
      }

      const results = await runToolCalls(context, step, output.toolCalls);
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
    throw new AgentryError('INTERNAL', 'The run loop ended without an outcome.');
  } catch (error) {
    if (signal.aborted) {
      answerDanglingToolCalls(messages);
      return finish('cancelled', '', cancelledError(signal));
    }
    answerDanglingToolCalls(messages);
    return finish('failed', '', toAgentryError(error));
  }
}

function assistantMessage(
  text: string,
  toolCalls: readonly { toolCallId: string; toolName: string; input: unknown }[],
): AssistantMessage {
  const message: AssistantMessage = { role: 'assistant', content: [] };
  if (text || toolCalls.length === 0) message.content.push({ type: 'text', text });
  for (const call of toolCalls)
    message.content.push({
      type: 'tool-call',
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      input: call.input,
    });
  return message;
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

/** A run may stop right after an assistant message with tool calls; answer them so the history stays valid. */
function answerDanglingToolCalls(messages: Message[]): void {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return;
  const calls = last.content.filter((block) => block.type === 'tool-call');
  if (calls.length > 0) messages.push(unanswered(calls, 'Not run: the run stopped before this call.'));
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
