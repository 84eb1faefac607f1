/** What path arguments resolve against: `$` the state input, `$$` the context object, `$name` a variable. */
export interface IntrinsicScope {
  input: unknown;
  context: unknown;
  variables: Record<string, unknown>;
}

/** Returns a number in [0, 1), like Math.random. Injected so tests and replays are deterministic. */
export type RandomSource = () => number;
