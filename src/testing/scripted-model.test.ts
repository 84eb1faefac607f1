import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanguageModelV4Prompt, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { loadModelScript, parseModelScript } from './model-script.ts';
import { ScriptedModel } from './scripted-model.ts';

const user = (text: string): LanguageModelV4Prompt[number] => ({ role: 'user', content: [{ type: 'text', text }] });

async function parts(model: ScriptedModel, prompt: LanguageModelV4Prompt): Promise<LanguageModelV4StreamPart[]> {
  const { stream } = await model.doStream({ prompt });
  const collected: LanguageModelV4StreamPart[] = [];
  for await (const part of stream) collected.push(part);
  return collected;
}

describe('ScriptedModel', () => {
  it('accepts the documented script format and streams text in deltas with usage', async () => {
    const script = parseModelScript({
      steps: [{ toolCalls: [{ name: 'calculate', input: { expression: '25 * 47' } }] }, { text: '1175 is the answer' }],
    });
    const model = new ScriptedModel(script, { deltaSize: 5 });
    const first = await parts(model, [user('What is 25 * 47?')]);
    expect(first.find((part) => part.type === 'tool-call')).toMatchObject({
      toolName: 'calculate',
      input: '{"expression":"25 * 47"}',
    });
    expect(first.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'tool-calls' } });

    const second = await parts(model, [user('What is 25 * 47?')]);
    const deltas = second.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []));
    expect(deltas).toEqual(['1175 ', 'is th', 'e ans', 'wer']);
    const finish = second.at(-1);
    expect(finish?.type === 'finish' && finish.usage.outputTokens.total).toBeGreaterThan(0);
    expect(model.unusedSteps()).toEqual([]);
  });

  it('fails on an unexpected call and reports unused steps', async () => {
    const model = new ScriptedModel(
      parseModelScript({ steps: [{ text: 'a' }, { text: 'b' }, { toolCalls: [{ name: 'x' }] }] }),
    );
    await parts(model, [user('q')]);
    expect(model.unusedSteps()).toEqual(['step 1: text "b"', 'step 2: tool calls x']);
    await parts(model, [user('q')]);
    await parts(model, [user('q')]);
    await expect(model.doStream({ prompt: [user('one more')] })).rejects.toMatchObject({
      code: 'MODEL_SCRIPT_EXHAUSTED',
    });
  });

  it('checks expectations on the prompt', async () => {
    const model = new ScriptedModel(
      parseModelScript({
        steps: [{ text: 'x', expect: { userText: 'weather', system: 'helpful', tools: ['calculate'] } }],
      }),
    );
    await expect(
      model.doStream({ prompt: [{ role: 'system', content: 'You are terse.' }, user('time?')] }),
    ).rejects.toMatchObject({
      code: 'MODEL_SCRIPT_MISMATCH',
      message: expect.stringMatching(/lacks "weather".*system prompt lacks "helpful".*tool calculate not offered/),
    });
  });

  it('routes replies by the latest user message, step by step', async () => {
    const model = new ScriptedModel(
      parseModelScript({
        replies: [
          {
            when: '25 \\* 47',
            steps: [{ toolCalls: [{ name: 'calculate', input: { expression: '25*47' } }] }, { text: '1175' }],
          },
          { when: 'hello', steps: [{ text: 'hi!' }] },
        ],
      }),
    );
    const afterTool: LanguageModelV4Prompt = [
      user('What is 25 * 47?'),
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c', toolName: 'calculate', input: {} }] },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'c', toolName: 'calculate', output: { type: 'json', value: 1175 } },
        ],
      },
    ];
    expect((await parts(model, afterTool)).find((part) => part.type === 'text-delta')).toMatchObject({ delta: '1175' });
    expect(model.unusedSteps()).toEqual(['reply 1 (when /hello/)']);
    expect((await parts(model, [user('HELLO there')])).some((part) => part.type === 'text-delta')).toBe(true);
    await expect(model.doStream({ prompt: [user('something else')] })).rejects.toMatchObject({
      code: 'MODEL_SCRIPT_MISMATCH',
    });
  });

  it('simulates provider errors and honours the abort signal while delaying', async () => {
    const model = new ScriptedModel(
      parseModelScript({ steps: [{ error: { status: 429 } }, { text: 'late', delayMs: 60_000 }] }),
    );
    await expect(model.doStream({ prompt: [user('q')] })).rejects.toMatchObject({ statusCode: 429, isRetryable: true });
    const controller = new AbortController();
    const pending = model.doStream({ prompt: [user('q')], abortSignal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('rejects invalid scripts with the file and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentry-script-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ steps: [{ txt: 'typo' }] }));
    writeFileSync(join(dir, 'broken.json'), '{ "steps": [');
    expect(() => loadModelScript(join(dir, 'bad.json'))).toThrow(/bad\.json: invalid model script: steps\.0/);
    expect(() => loadModelScript(join(dir, 'broken.json'))).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadModelScript(join(dir, 'missing.json'))).toThrow(/Cannot read model script/);
    expect(() => parseModelScript({ steps: [], replies: [] })).toThrow(/either "steps" or "replies"/);
  });
});
