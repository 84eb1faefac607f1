/** How much of a conversation a turn sees. Agents set these under `memory:` in their YAML. */
export interface MemorySettings {
  /** Most messages read from the store for one turn. */
  maxMessages: number;
  /** Token budget of the history (estimated at 4 characters a token); older messages drop first. */
  maxTokens: number;
  /** Summarize turns that fell out of the window with the agent's model, and show the summary. */
  summarize: boolean;
  /** Summarize only once at least this many messages are outside both the window and the summary. */
  summarizeAfter: number;
}

export const DEFAULT_MEMORY: Readonly<MemorySettings> = Object.freeze({
  maxMessages: 40,
  maxTokens: 8_000,
  summarize: false,
  summarizeAfter: 20,
});

export function estimateTokens(json: string): number {
  return Math.ceil(json.length / 4);
}
