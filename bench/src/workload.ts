// The workload every adapter runs, and the counters the worker checks after each phase.
// Its own module so the separately bundled Agentry adapter (dist/agentry.js, see build.mjs)
// shares these very instances with the worker instead of getting a bundled copy.

// biome-ignore lint/suspicious/noExplicitAny: adapters drive seven frameworks' loosely typed extension points.
export type Loose = any;

export type Turn = () => Promise<string>;

export const counters = { model: 0, tool: 0 };
export const SYSTEM = 'You are a helpful assistant.';
export const PROMPT = 'What is 2+3, and what time is it?';

// The two tools, shared by all frameworks (identical work).
export const addImpl = (a: number, b: number) => {
  counters.tool++;
  return String(a + b);
};
export const timeImpl = () => {
  counters.tool++;
  return new Date().toISOString();
};

/**
 * Extra figures an adapter reports at the end of a warm run (outside every timed window),
 * e.g. how many spans Agentry's tracer exported. The worker merges them into its result line.
 */
export const reports: (() => Promise<Record<string, number>>)[] = [];

// Script: the step is the number of tool results already in the prompt.
// 0 -> call add(2,3); 1 -> call get_time(); >=2 -> final text "done".

// ---------------- AI SDK LanguageModelV4 (used by AI SDK, Mastra and Agentry) ----------------
export function fakeV4Model() {
  const usage = () => ({
    inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 1, text: 1, reasoning: 0 },
  });
  const step = (prompt: Loose[]) => {
    let n = 0;
    for (const m of prompt) if (m.role === 'tool') n++;
    return n;
  };
  const content = (n: number): Loose[] =>
    n === 0
      ? [{ type: 'tool-call', toolCallId: 'call_add', toolName: 'add', input: '{"a":2,"b":3}' }]
      : n === 1
        ? [{ type: 'tool-call', toolCallId: 'call_time', toolName: 'get_time', input: '{}' }]
        : [{ type: 'text', text: 'done' }];
  const finish = (n: number) =>
    n < 2 ? { unified: 'tool-calls', raw: 'tool_calls' } : { unified: 'stop', raw: 'stop' };
  return {
    specificationVersion: 'v4' as const,
    provider: 'fake',
    modelId: 'fake-model',
    supportedUrls: {},
    async doGenerate(opts: Loose) {
      counters.model++;
      const n = step(opts.prompt);
      return { content: content(n), finishReason: finish(n), usage: usage(), warnings: [] };
    },
    async doStream(opts: Loose) {
      // Mastra's and Agentry's loops are stream-based
      counters.model++;
      const n = step(opts.prompt);
      const parts: Loose[] = [{ type: 'stream-start', warnings: [] }];
      if (n < 2) parts.push(content(n)[0]);
      else
        parts.push(
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: 'done' },
          { type: 'text-end', id: 't' },
        );
      parts.push({ type: 'finish', finishReason: finish(n), usage: usage() });
      return {
        stream: new ReadableStream({
          start(c) {
            for (const p of parts) c.enqueue(p);
            c.close();
          },
        }),
      };
    },
  };
}
