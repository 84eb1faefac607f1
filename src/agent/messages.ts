import type {
  LanguageModelV4Message,
  LanguageModelV4Prompt,
  LanguageModelV4ToolResultOutput,
  SharedV4ProviderOptions,
} from '@ai-sdk/provider';

/**
 * Conversation messages keep full content blocks so a stored history can be sent back to any
 * provider: a tool call is always followed (in the next `tool` message) by its result.
 * The shape is persisted; bump MESSAGE_SCHEMA_VERSION on any change.
 */
export const MESSAGE_SCHEMA_VERSION = 1;

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolCallBlock {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface ToolResultBlock {
  type: 'tool-result';
  toolCallId: string;
  toolName: string;
  /** A string or any JSON value; for errors, the message the model reads. */
  output: unknown;
  isError: boolean;
}

export type UserMessage = { role: 'user'; content: TextBlock[] };
export type AssistantMessage = { role: 'assistant'; content: (TextBlock | ToolCallBlock)[] };
export type ToolMessage = { role: 'tool'; content: ToolResultBlock[] };
export type Message = UserMessage | AssistantMessage | ToolMessage;
export type ContentBlock = TextBlock | ToolCallBlock | ToolResultBlock;

export function userMessage(text: string): UserMessage {
  return { role: 'user', content: [{ type: 'text', text }] };
}

export function textOf(message: Message): string {
  let text = '';
  for (const block of message.content) if (block.type === 'text') text += block.text;
  return text;
}

function toolOutput(block: ToolResultBlock): LanguageModelV4ToolResultOutput {
  if (block.isError)
    return {
      type: 'error-text',
      value: typeof block.output === 'string' ? block.output : JSON.stringify(block.output),
    };
  if (typeof block.output === 'string') return { type: 'text', value: block.output };
  return { type: 'json', value: (block.output ?? null) as never };
}

function toModelMessage(message: Message): LanguageModelV4Message {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant':
      return { role: 'assistant', content: message.content };
    case 'tool':
      return {
        role: 'tool',
        content: message.content.map((block) => ({
          type: 'tool-result',
          toolCallId: block.toolCallId,
          toolName: block.toolName,
          output: toolOutput(block),
        })),
      };
  }
}

export function toModelPrompt(
  system: string,
  messages: readonly Message[],
  systemProviderOptions: SharedV4ProviderOptions | undefined,
): LanguageModelV4Prompt {
  const prompt: LanguageModelV4Prompt = [];
  if (system)
    prompt.push(
      systemProviderOptions
        ? { role: 'system', content: system, providerOptions: systemProviderOptions }
        : { role: 'system', content: system },
    );
  for (const message of messages) prompt.push(toModelMessage(message));
  return prompt;
}
