import type { JournalEntry } from '../store/runs.ts';
import type { ToolResultBlock } from './messages.ts';
import type { ModelStepOutput } from './model-step.ts';

/**
 * Where a run writes its steps before going on, and what an earlier attempt of the same run
 * already wrote. The loop appends a model step together with a `tool-started` entry per call it
 * is about to run, then each tool result as it completes; `append` resolves only once durable.
 */
export interface RunJournal {
  replay: readonly JournalEntry[];
  append(entries: readonly JournalEntry[]): Promise<void>;
}

/** An earlier attempt's journal, indexed for the loop. */
export class JournalReplay {
  private readonly modelSteps = new Map<number, ModelStepOutput>();
  private readonly results = new Map<string, ToolResultBlock>();
  private readonly started = new Set<string>();

  constructor(entries: readonly JournalEntry[]) {
    for (const entry of entries) {
      if (entry.kind === 'model-step') {
        this.modelSteps.set(entry.step, {
          text: entry.text,
          toolCalls: entry.toolCalls,
          finishReason: entry.finishReason,
          usage: entry.usage,
        });
      } else if (entry.kind === 'tool-started') {
        this.started.add(entry.toolCallId);
      } else {
        this.results.set(entry.result.toolCallId, entry.result);
      }
    }
  }

  modelStep(step: number): ModelStepOutput | undefined {
    return this.modelSteps.get(step);
  }

  toolResult(toolCallId: string): ToolResultBlock | undefined {
    return this.results.get(toolCallId);
  }

  /** Started in an earlier attempt but never finished: the process died during the call (or just before it). */
  wasInterrupted(toolCallId: string): boolean {
    return this.started.has(toolCallId) && !this.results.has(toolCallId);
  }
}

/** Serializes appends from parallel tool calls: the journal is one ordered sequence. */
export function serialAppender(journal: RunJournal): (entries: readonly JournalEntry[]) => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  return (entries) => {
    const next = tail.then(() => journal.append(entries));
    tail = next.catch(() => {});
    return next;
  };
}
