import type { RunEvent } from '../../agent/events.ts';
import { emptyUsage } from '../../agent/usage.ts';
import type { JournalRecord, RunRecord } from '../../store/runs.ts';
import { type EventPosition, isAfter } from './event-ids.ts';

export interface PositionedEvent {
  position: EventPosition;
  event: RunEvent;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'max_iterations']);

/**
 * The run's events rebuilt from its journal (and, once it ended, its record), in the canonical
 * order with the same ids a live stream assigns; only those after `after`. Text of a step the
 * client saw part of is sent from where it stopped.
 */
export function eventsFromJournal(
  run: RunRecord,
  journal: readonly JournalRecord[],
  after: EventPosition | undefined,
): PositionedEvent[] {
  const out: PositionedEvent[] = [];
  const push = (position: EventPosition, event: RunEvent) => {
    if (isAfter(position, after)) out.push({ position, event });
  };
  const runId = run.id;
  push(
    { step: 0, units: 0 },
    { type: 'run-start', runId, agent: run.agent, model: '', conversationId: run.conversationId },
  );
  const results = new Map<string, Extract<JournalRecord['entry'], { kind: 'tool-result' }>>();
  const started = new Set<string>();
  for (const { entry } of journal) {
    if (entry.kind === 'tool-result') results.set(entry.result.toolCallId, entry);
    if (entry.kind === 'tool-started') started.add(entry.toolCallId);
  }
  for (const { entry } of journal) {
    if (entry.kind !== 'model-step') continue;
    const { step, text } = entry;
    let units = text.length;
    if (text && isAfter({ step, units }, after)) {
      const from = after && after.step === step ? Math.min(after.units, text.length) : 0;
      out.push({ position: { step, units }, event: { type: 'text-delta', runId, step, delta: text.slice(from) } });
    }
    push(
      { step, units: ++units },
      { type: 'usage', runId, step, usage: entry.usage, finishReason: entry.finishReason },
    );
    const executed = entry.toolCalls.filter((call) => started.has(call.toolCallId) || results.has(call.toolCallId));
    for (const call of executed) {
      push(
        { step, units: ++units },
        { type: 'tool-call', runId, step, toolCallId: call.toolCallId, toolName: call.toolName, input: call.input },
      );
    }
    for (const call of executed) {
      const result = results.get(call.toolCallId);
      if (!result) break; // later results wait for this one, as in a live stream
      push(
        { step, units: ++units },
        {
          type: 'tool-result',
          runId,
          step,
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          input: call.input,
          output: result.result.output,
          isError: result.result.isError,
          durationMs: result.durationMs,
        },
      );
    }
  }
  if (TERMINAL.has(run.status)) {
    const status = run.status as Extract<RunEvent, { type: 'run-end' }>['status'];
    if (run.error)
      push({ step: Number.MAX_SAFE_INTEGER, units: 0 }, { type: 'error', runId, step: 0, error: run.error });
    push(
      { step: Number.MAX_SAFE_INTEGER, units: 1 },
      { type: 'run-end', runId, status, text: run.text ?? '', usage: run.usage ?? emptyUsage() },
    );
  }
  return out;
}

export function isTerminal(run: RunRecord): boolean {
  return TERMINAL.has(run.status);
}
