import { randomUUID } from 'node:crypto';
import {
  APICallError,
  type LanguageModelV4,
  type LanguageModelV4CallOptions,
  type LanguageModelV4Content,
  type LanguageModelV4FinishReason,
  type LanguageModelV4Prompt,
  type LanguageModelV4StreamPart,
  type LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { AgentryError } from '../errors.ts';
import { sleep } from '../util/sleep.ts';
import type { ModelScript, ScriptStep } from './model-script.ts';

const MAX_RECORDED_CALLS = 1_000;

export interface ScriptedModelOptions {
  /** Shown as the model id and in error messages (usually the script's file name). */
  name?: string;
  /** Size of streamed text deltas in characters. */
  deltaSize?: number;
}

export interface ScriptedCall {
  stepIndex: number;
  prompt: LanguageModelV4Prompt;
  toolNames: string[];
}

/**
 * A LanguageModelV4 that answers from a script instead of a network. It fails loudly: a call the
 * script did not plan for, or a prompt that misses a step's `expect`, is an error; `unusedSteps()`
 * tells a test which planned steps were never reached.
 *
 * Contract for `steps` scripts: calls consume steps in order, whatever the prompt. Concurrent runs on
 * one instance share the cursor, so give each concurrent run its own instance or use `replies`.
 */
export class ScriptedModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly provider = 'scripted';
  readonly modelId: string;
  readonly supportedUrls = {};
  /** The most recent calls (at most MAX_RECORDED_CALLS), oldest first: a long demo server must not grow. */
  readonly calls: ScriptedCall[] = [];
  private cursor = 0;
  private readonly usedReplies = new Set<number>();
  private readonly routes: { pattern: RegExp; steps: ScriptStep[] }[] | undefined;
  private readonly deltaSize: number;

  constructor(
    private readonly script: ModelScript,
    options: ScriptedModelOptions = {},
  ) {
    this.modelId = options.name ?? 'script';
    this.deltaSize = options.deltaSize ?? 16;
    this.routes = script.replies?.map((reply) => ({ pattern: new RegExp(reply.when, 'i'), steps: reply.steps }));
  }

  /** Steps (or replies) the script planned that no call has used yet. */
  unusedSteps(): string[] {
    if (this.script.steps) {
      return this.script.steps
        .slice(this.cursor)
        .map((step, offset) => `step ${this.cursor + offset}: ${describe(step)}`);
    }
    return (this.script.replies ?? []).flatMap((reply, index) =>
      this.usedReplies.has(index) ? [] : [`reply ${index} (when /${reply.when}/)`],
    );
  }

  async doGenerate(options: LanguageModelV4CallOptions) {
    const { step } = await this.take(options);
    return {
      content: contentOf(step),
      finishReason: finishReasonOf(step),
      usage: usageOf(step, options.prompt),
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV4CallOptions) {
    const { step } = await this.take(options);
    const parts: LanguageModelV4StreamPart[] = [{ type: 'stream-start', warnings: [] }];
    if (step.text !== undefined && step.text.length > 0) {
      parts.push({ type: 'text-start', id: 't0' });
      for (let at = 0; at < step.text.length; at += this.deltaSize) {
        parts.push({ type: 'text-delta', id: 't0', delta: step.text.slice(at, at + this.deltaSize) });
      }
      parts.push({ type: 'text-end', id: 't0' });
    }
    for (const call of step.toolCalls ?? []) parts.push(toolCallPart(call));
    parts.push({ type: 'finish', finishReason: finishReasonOf(step), usage: usageOf(step, options.prompt) });
    let index = 0;
    return {
      stream: new ReadableStream<LanguageModelV4StreamPart>({
        pull(controller) {
          const part = parts[index++];
          if (part) controller.enqueue(part);
          else controller.close();
        },
      }),
    };
  }

  private async take(options: LanguageModelV4CallOptions): Promise<{ step: ScriptStep }> {
    const { prompt } = options;
    const { step, stepIndex } = this.select(prompt);
    const toolNames = (options.tools ?? []).map((tool) => tool.name);
    this.calls.push({ stepIndex, prompt, toolNames });
    if (this.calls.length > MAX_RECORDED_CALLS) this.calls.shift();
    if (step.expect) checkExpectation(step, stepIndex, prompt, toolNames, this.modelId);
    if (step.delayMs) await sleep(step.delayMs, options.abortSignal);
    options.abortSignal?.throwIfAborted();
    if (step.error) {
      throw new APICallError({
        message: step.error.message ?? `scripted error ${step.error.status}`,
        url: `scripted:${this.modelId}`,
        requestBodyValues: {},
        statusCode: step.error.status,
        isRetryable: step.error.status === 429 || step.error.status >= 500,
      });
    }
    return { step };
  }

  private select(prompt: LanguageModelV4Prompt): { step: ScriptStep; stepIndex: number } {
    if (this.script.steps) {
      const stepIndex = this.cursor;
      const step = this.script.steps[stepIndex];
      if (!step) {
        throw new AgentryError(
          'MODEL_SCRIPT_EXHAUSTED',
          `Scripted model ${this.modelId}: unexpected call ${stepIndex + 1}; the script has ${this.script.steps.length} steps. ` +
            `Latest user message: ${JSON.stringify(latestUserText(prompt))}.`,
        );
      }
      this.cursor++;
      return { step, stepIndex };
    }
    const userText = latestUserText(prompt);
    const routeIndex = this.routes!.findIndex((route) => route.pattern.test(userText));
    const route = this.routes![routeIndex];
    if (!route) {
      throw new AgentryError(
        'MODEL_SCRIPT_MISMATCH',
        `Scripted model ${this.modelId}: no reply matches the user message ${JSON.stringify(userText)}.`,
      );
    }
    const stepIndex = callsSinceLatestUserMessage(prompt);
    const step = route.steps[stepIndex];
    if (!step) {
      throw new AgentryError(
        'MODEL_SCRIPT_EXHAUSTED',
        `Scripted model ${this.modelId}: reply /${route.pattern.source}/ has ${route.steps.length} steps, ` +
          `but this is call ${stepIndex + 1} for ${JSON.stringify(userText)}.`,
      );
    }
    this.usedReplies.add(routeIndex);
    return { step, stepIndex };
  }
}

function describe(step: ScriptStep): string {
  if (step.toolCalls) return `tool calls ${step.toolCalls.map((call) => call.name).join(', ')}`;
  if (step.error) return `error ${step.error.status}`;
  return `text ${JSON.stringify((step.text ?? '').slice(0, 40))}`;
}

function toolCallPart(call: NonNullable<ScriptStep['toolCalls']>[number]): LanguageModelV4StreamPart {
  return {
    type: 'tool-call',
    toolCallId: call.id ?? `call_${randomUUID().slice(0, 8)}`,
    toolName: call.name,
    input: JSON.stringify(call.input),
  };
}

function contentOf(step: ScriptStep): LanguageModelV4Content[] {
  const content: LanguageModelV4Content[] = [];
  if (step.text) content.push({ type: 'text', text: step.text });
  for (const call of step.toolCalls ?? []) content.push(toolCallPart(call) as LanguageModelV4Content);
  return content;
}

function finishReasonOf(step: ScriptStep): LanguageModelV4FinishReason {
  if (step.finishReason) return { unified: step.finishReason, raw: step.finishReason };
  return step.toolCalls?.length ? { unified: 'tool-calls', raw: 'tool_use' } : { unified: 'stop', raw: 'end_turn' };
}

/** Reports the script's usage, else a rough estimate (4 characters a token) so budgets see numbers. */
function usageOf(step: ScriptStep, prompt: LanguageModelV4Prompt): LanguageModelV4Usage {
  const input = step.usage?.inputTokens ?? estimateTokens(prompt);
  const output =
    step.usage?.outputTokens ??
    Math.ceil(((step.text?.length ?? 0) + JSON.stringify(step.toolCalls ?? []).length * (step.toolCalls ? 1 : 0)) / 4);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

function estimateTokens(prompt: LanguageModelV4Prompt): number {
  let chars = 0;
  for (const message of prompt) {
    if (typeof message.content === 'string') chars += message.content.length;
    else for (const part of message.content) chars += 'text' in part ? part.text.length : 16;
  }
  return Math.ceil(chars / 4);
}

function latestUserText(prompt: LanguageModelV4Prompt): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i]!;
    if (message.role === 'user') {
      return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    }
  }
  return '';
}

function callsSinceLatestUserMessage(prompt: LanguageModelV4Prompt): number {
  let calls = 0;
  for (let i = prompt.length - 1; i >= 0 && prompt[i]!.role !== 'user'; i--) {
    if (prompt[i]!.role === 'assistant') calls++;
  }
  return calls;
}

function latestToolResult(prompt: LanguageModelV4Prompt): string {
  const last = prompt.at(-1);
  return last?.role === 'tool' ? JSON.stringify(last.content) : '';
}

function checkExpectation(
  step: ScriptStep,
  stepIndex: number,
  prompt: LanguageModelV4Prompt,
  toolNames: string[],
  name: string,
): void {
  const expect = step.expect!;
  const failures: string[] = [];
  const userText = latestUserText(prompt);
  if (expect.userText !== undefined && !userText.includes(expect.userText)) {
    failures.push(`user message ${JSON.stringify(userText)} lacks ${JSON.stringify(expect.userText)}`);
  }
  const system = prompt.find((message) => message.role === 'system');
  if (expect.system !== undefined && !system?.content.includes(expect.system)) {
    failures.push(`system prompt lacks ${JSON.stringify(expect.system)}`);
  }
  if (expect.toolResult !== undefined && !latestToolResult(prompt).includes(expect.toolResult)) {
    failures.push(`latest tool result lacks ${JSON.stringify(expect.toolResult)}`);
  }
  if (expect.promptContains !== undefined && !JSON.stringify(prompt).includes(expect.promptContains)) {
    failures.push(`prompt lacks ${JSON.stringify(expect.promptContains)}`);
  }
  for (const tool of expect.tools ?? []) {
    if (!toolNames.includes(tool)) failures.push(`tool ${tool} not offered (offered: ${toolNames.join(', ')})`);
  }
  if (failures.length > 0) {
    throw new AgentryError(
      'MODEL_SCRIPT_MISMATCH',
      `Scripted model ${name}, step ${stepIndex}: ${failures.join('; ')}.`,
    );
  }
}
