import type {
  LanguageModelV4CallOptions,
  LanguageModelV4FunctionTool,
  LanguageModelV4StreamPart,
} from '@ai-sdk/provider';
import { AgentryError } from '../errors.ts';
import { mapModelError } from '../model/map-model-error.ts';
import type { Agent } from './agent.ts';
import type { ToolCallBlock } from './messages.ts';
import { fromModelUsage, type TokenUsage } from './usage.ts';

/** What one model call produced. `toolCalls` inputs are parsed JSON, or the raw text when unparsable. */
export interface ModelStepOutput {
  text: string;
  toolCalls: (ToolCallBlock & { inputError?: string })[];
  finishReason: string;
  usage: TokenUsage;
}

/** Built once per agent: the tool list is identical for every call. */
export function modelTools(agent: Agent): LanguageModelV4FunctionTool[] {
  const tools: LanguageModelV4FunctionTool[] = [];
  for (const tool of agent.tools.values()) {
    tools.push({
      type: 'function',
      name: tool.name,
      description: tool.description,
      inputSchema: tool.inputJsonSchema as LanguageModelV4FunctionTool['inputSchema'],
    });
  }
  return tools;
}

/**
 * Makes one streamed model call and reads it to the end. `onTextDelta` sees text as it arrives
 * (after the first delta a retry would show listeners the text twice, so callers stop retrying).
 * Stream `error` parts and a stream that ends without `finish` are errors, not partial answers.
 */
export async function runModelStep(
  agent: Agent,
  call: LanguageModelV4CallOptions,
  onTextDelta: ((delta: string) => void) | undefined,
): Promise<ModelStepOutput> {
  let stream: ReadableStream<LanguageModelV4StreamPart>;
  try {
    stream = (await agent.model.model.doStream(call)).stream;
  } catch (error) {
    throw mapModelError(error, agent.model.id);
  }
  let text = '';
  const toolCalls: ModelStepOutput['toolCalls'] = [];
  let finish: Extract<LanguageModelV4StreamPart, { type: 'finish' }> | undefined;
  const reader = stream.getReader();
  try {
    for (;;) {
      let next: ReadableStreamReadResult<LanguageModelV4StreamPart>;
      try {
        next = await reader.read();
      } catch (error) {
        throw mapModelError(error, agent.model.id);
      }
      if (next.done) break;
      const part = next.value;
      switch (part.type) {
        case 'text-delta':
          text += part.delta;
          onTextDelta?.(part.delta);
          break;
        case 'tool-call':
          if (!part.providerExecuted) toolCalls.push(parseToolCall(part.toolCallId, part.toolName, part.input));
          break;
        case 'finish':
          finish = part;
          break;
        case 'error':
          throw mapModelError(part.error, agent.model.id);
        default:
          break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (!finish) {
    throw new AgentryError('MODEL_RESPONSE_INVALID', `Model ${agent.model.id} ended its reply without finishing it.`, {
      retryable: true,
      details: { model: agent.model.id },
    });
  }
  return { text, toolCalls, finishReason: finish.finishReason.unified, usage: fromModelUsage(finish.usage) };
}

function parseToolCall(toolCallId: string, toolName: string, raw: string): ModelStepOutput['toolCalls'][number] {
  if (raw.trim() === '') return { type: 'tool-call', toolCallId, toolName, input: {} };
  try {
    return { type: 'tool-call', toolCallId, toolName, input: JSON.parse(raw) };
  } catch {
    return { type: 'tool-call', toolCallId, toolName, input: raw, inputError: 'The tool input is not valid JSON.' };
  }
}
