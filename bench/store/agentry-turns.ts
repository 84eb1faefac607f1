// Agentry's side of the durable-turn benchmark: the overhead bench's workload (bench/src/workload.ts:
// system prompt, tools add and get_time, zero-latency scripted model; 3 model calls + 2 tool calls a
// turn) run by the in-memory loop (runAgent, no store) or by the durable runner (AgentRunner, journal
// on) over a store. Agent and tools are built exactly as in the overhead bench's adapter
// (bench/src/agentry.ts), with root's zod and OpenTelemetry (root-import.ts).

import type * as OtelApi from '@opentelemetry/api';
import type * as OtelSdk from '@opentelemetry/sdk-trace-base';
import type * as Zod from 'zod';
import type { Agent } from '../../src/agent/agent.ts';
import { DEFAULT_LIMITS } from '../../src/agent/limits.ts';
import { runAgent } from '../../src/agent/run-agent.ts';
import { DEFAULT_MEMORY } from '../../src/memory/settings.ts';
import type { ResolvedModel } from '../../src/model/registry.ts';
import { AgentRunner } from '../../src/runner/agent-runner.ts';
import type { Scope } from '../../src/store/scope.ts';
import type { Store } from '../../src/store/store.ts';
import { type AnyTool, defineTool } from '../../src/tools/define-tool.ts';
import { addImpl, fakeV4Model, PROMPT, SYSTEM, timeImpl } from '../src/workload.ts';
import { openBackend } from './backends.ts';
import { postgresCpuMs } from './process-cpu.ts';
import { type StoreTimings, timedStore } from './timed-store.ts';
import { parseAgentryVariant } from './variants.ts';

/** Spans per turn: invoke_agent + 3 × chat + 2 × execute_tool. */
const SPANS_PER_TURN = 6;
const SCOPE: Scope = { tenantId: 'bench', userId: 'bench-user' };

/** CPU spent on housekeeping between turns. */
export interface Housekeeping {
  cpuUs: number;
  databaseMs: number;
}

export interface AgentryVariant {
  turn: () => Promise<string>;
  /** Figures reported after the timed turns (spans exported, store time split). */
  /** Called between the warm-up and the timed turns: store timings cover timed turns only. */
  startTimed: () => Promise<void>;
  /**
   * After every turn, outside the timed window: planner statistics as autovacuum keeps them.
   * Returns the CPU that housekeeping took (this process, µs; the PostgreSQL server, ms), which is
   * not the turn's cost, or undefined when there was none.
   */
  afterTurn: () => Promise<Housekeeping | undefined>;
  report: (turns: number) => Promise<Record<string, number>>;
  close: () => Promise<void>;
  /** What holds the state: `PostgreSQL 15.20 server`, `no store`. */
  state: string;
}

/**
 * fakeV4Model's script, reading only the current turn: the prompt from the last user message on.
 * Its step is the number of tool results in the prompt; in a continuing conversation the history's
 * tool results must not count. For a fresh conversation only the system message is cut, which the
 * script never reads.
 */
function currentTurnModel(): ResolvedModel['model'] {
  const base = fakeV4Model() as ResolvedModel['model'];
  return {
    ...base,
    doStream: (options) => {
      const start = options.prompt.findLastIndex((message) => message.role === 'user');
      return base.doStream({ ...options, prompt: options.prompt.slice(Math.max(0, start)) });
    },
  };
}

/** `idempotentTools`: declared as what they are (pure); false declares them with side effects. */
async function buildAgent(idempotentTools = true): Promise<Agent> {
  const { z } = await importZod();
  const model: ResolvedModel = {
    spec: { provider: 'fake', target: 'fake-model', raw: 'fake:fake-model' },
    id: 'fake:fake-model',
    model: currentTurnModel(),
    callOptions: {},
  };
  const add = defineTool({
    name: 'add',
    description: 'Add two numbers',
    input: z.object({ a: z.number(), b: z.number() }),
    idempotent: idempotentTools,
    run: async ({ a, b }) => addImpl(a, b),
  });
  const getTime = defineTool({
    name: 'get_time',
    description: 'Current time',
    input: z.object({}),
    idempotent: idempotentTools,
    run: async () => timeImpl(),
  });
  return {
    name: 'bench',
    description: 'Benchmark agent',
    instructions: SYSTEM,
    model,
    tools: new Map<string, AnyTool>([
      [add.name, add],
      [getTime.name, getTime],
    ]),
    limits: { ...DEFAULT_LIMITS },
    memory: { ...DEFAULT_MEMORY }, // window of 40 messages / 8,000 tokens, no summaries
  };
}

const importZod = async () => (await import('./root-import.ts')).importFromRoot<typeof Zod>('zod');

/** Tracing as in the overhead bench's `agentry` adapter: a batch processor over a discarding exporter. */
async function startTracing(): Promise<() => Promise<number>> {
  const { importFromRoot } = await import('./root-import.ts');
  const { trace } = await importFromRoot<typeof OtelApi>('@opentelemetry/api');
  const { BasicTracerProvider, BatchSpanProcessor } = await importFromRoot<typeof OtelSdk>(
    '@opentelemetry/sdk-trace-base',
  );
  let exported = 0;
  const exporter: OtelSdk.SpanExporter = {
    export: (spans, done) => {
      exported += spans.length;
      done({ code: 0 }); // ExportResultCode.SUCCESS
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  if (!trace.setGlobalTracerProvider(provider)) throw new Error('could not register the tracer provider');
  return async () => {
    await provider.forceFlush();
    return exported;
  };
}

export async function agentryVariant(
  name: string,
  options: { tracing: boolean; timeStore: boolean },
): Promise<AgentryVariant> {
  const variant = parseAgentryVariant(name);
  if (!variant) throw new Error(`unknown Agentry variant "${name}"`);
  const exportedSpans = options.tracing ? await startTracing() : undefined;
  const agent = await buildAgent(variant.kind === 'durable' ? variant.idempotentTools : true);
  let turns = 0;
  const tracingReport = async (): Promise<Record<string, number>> => {
    if (!exportedSpans) return { tracing: 0 };
    const exported = await exportedSpans();
    if (exported / turns < SPANS_PER_TURN * 0.99)
      throw new Error(`${exported} spans for ${turns} turns: tracing is not fully on`);
    return { tracing: 1, spans_per_turn: exported / turns };
  };

  if (variant.kind === 'memory') {
    return {
      state: 'no store (in-memory loop)',
      turn: async () => {
        turns++;
        const result = await runAgent(agent, { query: PROMPT });
        if (result.status !== 'succeeded') throw new Error(`run ${result.status}: ${result.error?.message}`);
        return result.text;
      },
      startTimed: async () => {},
      afterTurn: async () => undefined,
      report: tracingReport,
      close: async () => {},
    };
  }

  const backend = await openBackend(variant.backend, { journalCommit: variant.journalCommit });
  const timings: StoreTimings | undefined = options.timeStore ? new Map() : undefined;
  const store: Store = timings ? timedStore(backend.store, timings) : backend.store;
  const runner = new AgentRunner({ store, agent: () => agent, owner: `bench-${process.pid}` });
  const conversationId = variant.conversation === 'continuing' ? 'continuing' : undefined;
  let turnsSinceAnalyze = 0;
  return {
    state: backend.label,
    turn: async () => {
      turns++;
      const result = await runner.run(SCOPE, {
        agent: agent.name,
        query: PROMPT,
        ...(conversationId ? { conversationId } : {}),
      });
      if (result.status !== 'succeeded') throw new Error(`run ${result.status}: ${result.error?.message}`);
      return result.text;
    },
    startTimed: async () => {
      timings?.clear();
    },
    afterTurn: async () => {
      // In service, autovacuum analyzes a table once 50 rows + 10 % of it changed, at its next
      // round (within a minute). A child lives seconds: without this its planner would keep the
      // plans it made for the migration's empty tables (sequential scans that grow with the data).
      // Same rule, applied at once: ANALYZE when the turns since the last one reach 10 % of all.
      if (++turnsSinceAnalyze < Math.max(10, turns * 0.1)) return undefined;
      turnsSinceAnalyze = 0;
      const cpuAt = process.cpuUsage();
      const databaseAt = postgresCpuMs();
      await backend.analyze();
      const databaseMs = postgresCpuMs() - databaseAt;
      const spent = process.cpuUsage(cpuAt);
      return { cpuUs: spent.user + spent.system, databaseMs };
    },
    report: async (timedTurns) => {
      const figures = await tracingReport();
      if (timings) {
        for (const [method, { calls, ms }] of timings) {
          figures[`store_${method}_calls_per_turn`] = calls / timedTurns;
          figures[`store_${method}_us_per_turn`] = (ms * 1000) / timedTurns;
        }
      }
      return figures;
    },
    close: () => backend.close(),
  };
}
