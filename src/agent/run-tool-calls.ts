import type { ToolResultBlock } from './messages.ts';
import type { ModelStepOutput } from './model-step.ts';
import type { StepContext } from './step-context.ts';
import { executeToolCall } from './tool-execution.ts';

/**
 * Runs a step's tool calls in parallel and returns their results in call order; `undefined` for
 * a call cut short by cancellation. A call the journal already answered is not run again. A call
 * the journal shows as started but unanswered (the process died during it) is run again only if
 * its tool is idempotent; otherwise the model is told it was interrupted.
 *
 * Events come in a canonical order, so a stream can be rebuilt from the journal: every
 * `tool-call` of the step first, then the `tool-result`s in call order (a result that finishes
 * early waits for the ones before it). Replayed calls emit nothing.
 */
export async function runToolCalls(
  context: StepContext,
  step: number,
  toolCalls: ModelStepOutput['toolCalls'],
): Promise<(ToolResultBlock | undefined)[]> {
  const { emit, runId, replay } = context;
  const fresh = toolCalls.filter((toolCall) => !replay?.toolResult(toolCall.toolCallId));
  for (const toolCall of emit ? fresh : []) {
    emit!({
      type: 'tool-call',
      runId,
      step,
      toolCallId: toolCall.toolCallId,
      toolName: toolCall.toolName,
      input: toolCall.input,
    });
  }
  let previousEmitted: Promise<void> = Promise.resolve();
  return Promise.all(
    toolCalls.map((toolCall) => {
      const replayed = replay?.toolResult(toolCall.toolCallId);
      if (replayed) return replayed;
      const started = performance.now();
      const result = runOne(context, step, toolCall);
      const waitFor = previousEmitted;
      const emitted = result.then(async (block) => {
        const durationMs = performance.now() - started;
        await waitFor;
        if (block && emit) {
          emit({
            type: 'tool-result',
            runId,
            step,
            toolCallId: toolCall.toolCallId,
            toolName: toolCall.toolName,
            input: toolCall.input,
            output: block.output,
            isError: block.isError,
            durationMs,
          });
        }
      });
      previousEmitted = emitted.catch(() => {});
      return emitted.then(() => result);
    }),
  );
}

async function runOne(
  context: StepContext,
  step: number,
  toolCall: ModelStepOutput['toolCalls'][number],
): Promise<ToolResultBlock | undefined> {
  const { agent, signal, replay, append } = context;
  const started = performance.now();
  const tool = agent.tools.get(toolCall.toolName);
  let result: ToolResultBlock | undefined;
  if (tool && !tool.idempotent && replay?.wasInterrupted(toolCall.toolCallId)) {
    result = {
      type: 'tool-result',
      toolCallId: toolCall.toolCallId,
      toolName: toolCall.toolName,
      output: `The call to "${tool.name}" was interrupted (the process stopped) and was not repeated because the tool is not idempotent. Check its effect before trying again.`,
      isError: true,
    };
  } else {
    result = await executeToolCall(agent, toolCall, signal, context.traceContext).catch((reason: unknown) => {
      if (signal.aborted) return undefined;
      throw reason;
    });
  }
  // A tool with side effects ran: its result must survive a database crash too, or a resume would
  // report the call as interrupted although it took effect.
  if (result) {
    await append?.(
      [{ kind: 'tool-result', step, result, durationMs: performance.now() - started }],
      tool && !tool.idempotent ? { flush: true } : {},
    );
  }
  return result;
}
