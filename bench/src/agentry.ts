// Agentry adapter: Agentry's own run loop (runAgent), imported from this repository's source.
//
// Which copies of zod and OpenTelemetry this file gets matters, so build.mjs bundles it apart
// from the peers: Agentry's TypeScript is compiled into dist/agentry.js, and EVERY package import
// in the bundle — this file's and Agentry's alike — is resolved by Node's own resolver from the
// repository root and left external (dist/agentry.js imports ../../node_modules/zod/index.js, …).
// So:
// - `z` below is the module instance define-tool.ts calls `z.toJSONSchema` from. Building the
//   input schemas with bench/node_modules' zod would hand Agentry schemas of another instance,
//   whose metadata (`.describe()`, `.meta()`) lives in that instance's registry and is silently
//   lost in the JSON Schema the model sees. One resolution rule for the whole bundle is more
//   robust than a re-export: no import in this file or in Agentry can reach another copy.
// - `trace` is root's @opentelemetry/api (~1.9), the instance Agentry's spans go through; the
//   global tracer provider is keyed by API major version and refused by older minors, so the
//   provider must be registered through the same API, not bench's.
// - BasicTracerProvider comes from root's @opentelemetry/sdk-trace-base (a root devDependency).
// Each framework runs in its own child process, so the global registration made for `agentry`
// never reaches `agentry-notrace`.
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import type { Agent } from '../../src/agent/agent.ts';
import { DEFAULT_LIMITS } from '../../src/agent/limits.ts';
import { runAgent } from '../../src/agent/run-agent.ts';
import { DEFAULT_MEMORY } from '../../src/memory/settings.ts';
import type { ResolvedModel } from '../../src/model/registry.ts';
import { type AnyTool, defineTool } from '../../src/tools/define-tool.ts';
import { addImpl, fakeV4Model, PROMPT, reports, SYSTEM, type Turn, timeImpl } from './workload.js';

/** Spans per turn: invoke_agent + 3 × chat + 2 × execute_tool. */
const SPANS_PER_TURN = 6;

/** An exporter that accepts every batch and keeps nothing but a count. */
class DiscardingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    this.exported += spans.length;
    resultCallback({ code: 0 }); // ExportResultCode.SUCCESS
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

export async function agentry({ tracing }: { tracing: boolean }): Promise<Turn> {
  let provider: BasicTracerProvider | undefined;
  const exporter = new DiscardingExporter();
  if (tracing) {
    provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    if (!trace.setGlobalTracerProvider(provider)) throw new Error('agentry: could not register the tracer provider');
  }

  const model: ResolvedModel = {
    spec: { provider: 'fake', target: 'fake-model', raw: 'fake:fake-model' },
    id: 'fake:fake-model',
    model: fakeV4Model() as ResolvedModel['model'], // Agentry calls doStream only
    callOptions: {},
  };
  const add = defineTool({
    name: 'add',
    description: 'Add two numbers',
    input: z.object({ a: z.number(), b: z.number() }),
    run: async ({ a, b }) => addImpl(a, b),
  });
  const getTime = defineTool({
    name: 'get_time',
    description: 'Current time',
    input: z.object({}),
    run: async () => timeImpl(),
  });
  const agent: Agent = {
    name: 'bench',
    description: 'Benchmark agent',
    instructions: SYSTEM,
    model,
    tools: new Map<string, AnyTool>([
      [add.name, add],
      [getTime.name, getTime],
    ]),
    limits: { ...DEFAULT_LIMITS },
    memory: { ...DEFAULT_MEMORY }, // read by the server when it loads history; runAgent gets none here
  };

  let turns = 0;
  reports.push(async () => {
    if (!provider) return { tracing: 0 };
    await provider.forceFlush();
    const perTurn = exporter.exported / turns;
    if (perTurn < SPANS_PER_TURN * 0.99) {
      throw new Error(`agentry: ${exporter.exported} spans exported for ${turns} turns; tracing is not fully on`);
    }
    return { tracing: 1, spans_exported: exporter.exported, spans_per_turn: perTurn };
  });

  return async () => {
    turns++;
    const result = await runAgent(agent, { query: PROMPT });
    if (result.status !== 'succeeded') throw new Error(`agentry: run ${result.status}: ${result.error?.message}`);
    return result.text;
  };
}
