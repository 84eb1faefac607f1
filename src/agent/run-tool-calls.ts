import type { ToolResultBlock } from './messages.ts';
import type { ModelStepOutput } from './model-step.ts';
import type { StepContext } from './step-context.ts';
import { executeToolCall } from './tool-execution.ts';

/**
 * Runs a step's tool calls in parallel and returns their results in call order; `undefined` for
 * a call cut short by cancellation. A call the journal already answered is not run again. A call
 * the journal shows as started but unanswered (the process died during it) is run again only if
 * its tool is idempotent; otherwise the model is told it was interrupted.
 */
export async function runToolCalls(
  context: StepContext,
  step: number,
  toolCalls: ModelStepOutput['toolCalls'],
): Promise<(ToolResultBlock | undefined)[]> {
  const { agent, emit, runId, signal, replay, append } = context;
  return Promise.all(
    toolCalls.map(async (toolCall) => {
      const replayed = replay?.toolResult(toolCall.toolCallId);
      if (replayed) return replayed;
      emit?.({
        type: 'tool-call',
        runId,
        step,
        toolCallId: toolCall.toolCallId,
        toolName: toolCall.toolName,
        input: toolCall.input,
      });
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
      if (!result) return undefined;
      const durationMs = performance.now() - started;
      await append?.([{ kind: 'tool-result', step, result, durationMs }]);
      emit?.({
        type: 'tool-result',
        runId,
        step,
        toolCallId: toolCall.toolCallId,
        toolName: toolCall.toolName,
        input: toolCall.input,
        output: result.output,
        isError: result.isError,
        durationMs,
      });
      return result;
    }),
  );
}
