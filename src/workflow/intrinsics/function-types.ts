import type { IntrinsicNode } from './ast.ts';
import type { RandomSource } from './scope.ts';

/** One invocation, with its arguments already evaluated left to right. */
export interface IntrinsicCall {
  name: string;
  args: readonly unknown[];
  /** The unevaluated arguments; States.Format needs to know whether its template was a literal. */
  nodes: readonly IntrinsicNode[];
  random: RandomSource | undefined;
}

export interface IntrinsicFunction {
  minArgs: number;
  /** `Infinity` for variadic functions. */
  maxArgs: number;
  run(call: IntrinsicCall): unknown;
}
