import type { Context } from '@opentelemetry/api';
import type { Agent } from './agent.ts';
import type { RunEventListener } from './events.ts';
import type { JournalReplay, RunJournal } from './journal.ts';

/** What the parts of one run share. Built once per run by runAgent. */
export interface StepContext {
  agent: Agent;
  runId: string;
  signal: AbortSignal;
  emit: RunEventListener | undefined;
  /** The run span's context: model and tool spans are its children. */
  traceContext: Context;
  replay: JournalReplay | undefined;
  append: RunJournal['append'] | undefined;
  random: (() => number) | undefined;
  sleep: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}
