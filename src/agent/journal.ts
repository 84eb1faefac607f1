import type { JournalEntry } from '../store/runs.ts';
import type { ToolResultBlock } from './messages.ts';
import type { ModelStepOutput } from './model-step.ts';

/** What the loop tells the journal about one append. */
export interface JournalAppendOptions {
  /**
   * A tool that is not idempotent is about to run, or has run: the entries must survive a crash of
   * the database server too before `append` resolves, so a resume never runs it a second time and
   * never reports a call that took effect as interrupted.
   */
  flush?: boolean;
  /**
   * The run ends with these entries (the last model step): the journal may hold them and write
   * them in the commit that ends the run. A crash before that commit repeats that model call.
   */
  final?: boolean;
}

/**
 * Where a run writes its steps before going on, and what an earlier attempt of the same run
 * already wrote. The loop appends a model step together with a `tool-started` entry per call it
 * is about to run, then each tool result as it completes; `append` resolves once the entries
 * survive a crash of this process (and of the database server with `flush`), except `final`
 * entries, which may be written with the run's end.
 */
export interface RunJournal {
  replay: readonly JournalEntry[];
  append(entries: readonly JournalEntry[], options?: JournalAppendOptions): Promise<void>;
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
export function serialAppender(journal: RunJournal): RunJournal['append'] {
  let tail: Promise<void> = Promise.resolve();
  return (entries, options) => {
    const next = tail.then(() => journal.append(entries, options));
    tail = next.catch(() => {});
    return next;
  };
}
