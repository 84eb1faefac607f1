import type { AgentryErrorJSON } from '../errors.ts';
import type { TokenUsage } from './usage.ts';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'max_iterations';

/**
 * Everything a run reports, in order. Streamed to listeners (CLI, SSE) and, with the durable
 * store, recorded. `step` counts model calls from 1. Listeners must not throw; a throwing listener
 * is isolated and does not fail the run.
 */
export type RunEvent =
  | { type: 'run-start'; runId: string; agent: string; model: string; conversationId?: string }
  | { type: 'text-delta'; runId: string; step: number; delta: string }
  | { type: 'tool-call'; runId: string; step: number; toolCallId: string; toolName: string; input: unknown }
  | {
      type: 'tool-result';
      runId: string;
      step: number;
      toolCallId: string;
      toolName: string;
      input: unknown;
      output: unknown;
      isError: boolean;
      durationMs: number;
    }
  | { type: 'usage'; runId: string; step: number; usage: TokenUsage; finishReason: string }
  | { type: 'error'; runId: string; step: number; error: AgentryErrorJSON }
  | { type: 'run-end'; runId: string; status: RunStatus; text: string; usage: TokenUsage };

export type RunEventType = RunEvent['type'];
export type RunEventListener = (event: RunEvent) => void;
