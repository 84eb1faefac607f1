import type { RunEvent } from '../../agent/events.ts';

/**
 * SSE event ids that a stream rebuilt from the run journal reproduces exactly, so a client that
 * reconnects with Last-Event-ID gets exactly the rest. An id is `<step>:<units>`: within a step,
 * `units` counts text characters streamed so far, then one per usage, tool-call and tool-result
 * event (the loop emits them in that canonical order). `run-start` is `0:0`; the end of the run
 * is `end:0` (error) and `end:1` (run-end).
 */
export interface EventPosition {
  step: number;
  units: number;
}

const END_STEP = Number.MAX_SAFE_INTEGER;

export function formatEventId(position: EventPosition): string {
  return position.step === END_STEP ? `end:${position.units}` : `${position.step}:${position.units}`;
}

export function parseEventId(id: string | undefined): EventPosition | undefined {
  if (!id) return undefined;
  const match = /^(end|\d{1,9}):(\d{1,12})$/.exec(id.trim());
  if (!match) return undefined;
  return { step: match[1] === 'end' ? END_STEP : Number(match[1]), units: Number(match[2]) };
}

export function isAfter(position: EventPosition, than: EventPosition | undefined): boolean {
  if (!than) return true;
  return position.step > than.step || (position.step === than.step && position.units > than.units);
}

/** Assigns ids to a live run's events as they are emitted. */
export class EventIdAssigner {
  private step = 0;
  private units = 0;

  next(event: RunEvent): EventPosition {
    switch (event.type) {
      case 'run-start':
        return { step: 0, units: 0 };
      case 'error':
        return { step: END_STEP, units: 0 };
      case 'run-end':
        return { step: END_STEP, units: 1 };
      default: {
        if (event.step !== this.step) {
          this.step = event.step;
          this.units = 0;
        }
        this.units += event.type === 'text-delta' ? event.delta.length : 1;
        return { step: this.step, units: this.units };
      }
    }
  }
}
