import type { CallNode, IntrinsicNode } from './ast.ts';
import { intrinsicFailure } from './errors.ts';
import { INTRINSIC_FUNCTIONS } from './functions/registry.ts';
import { parseIntrinsic } from './parser.ts';
import { resolvePath } from './resolve-path.ts';
import type { IntrinsicScope, RandomSource } from './scope.ts';

const INTRINSIC_START = /^States\.[A-Za-z][A-Za-z0-9]*\s*\(/;

/** Whether a `.$` field value is an intrinsic call rather than a path. Syntax only: the name may be unknown. */
export function isIntrinsic(value: string): boolean {
  return INTRINSIC_START.test(value);
}

/**
 * Parses and evaluates one intrinsic expression, e.g. `States.Format('Hi {}', $.name)`.
 * Throws an IntrinsicError named States.IntrinsicFailure or States.Runtime.
 * The result may share structure with `scope`; callers that mutate it should copy first.
 */
export function evaluateIntrinsic(expression: string, scope: IntrinsicScope, random?: RandomSource): unknown {
  return evaluateCall(parseIntrinsic(expression), scope, random);
}

function evaluateCall(node: CallNode, scope: IntrinsicScope, random: RandomSource | undefined): unknown {
  const fn = INTRINSIC_FUNCTIONS.get(node.name);
  if (!fn) throw intrinsicFailure(`Unknown intrinsic function ${node.name}`);
  const count = node.args.length;
  if (count < fn.minArgs || count > fn.maxArgs) {
    throw intrinsicFailure(`${node.name} expects ${describeArity(fn.minArgs, fn.maxArgs)}, got ${count}`);
  }
  const args = node.args.map((arg) => evaluateNode(arg, scope, random));
  return fn.run({ name: node.name, args, nodes: node.args, random });
}

function evaluateNode(node: IntrinsicNode, scope: IntrinsicScope, random: RandomSource | undefined): unknown {
  switch (node.kind) {
    case 'call':
      return evaluateCall(node, scope, random);
    case 'path':
      return resolvePath(node.path, scope);
    case 'null':
      return null;
    case 'string':
    case 'number':
    case 'boolean':
      return node.value;
  }
}

function describeArity(min: number, max: number): string {
  const plural = (n: number) => (n === 1 ? 'argument' : 'arguments');
  if (min === max) return `${min} ${plural(min)}`;
  if (max === Number.POSITIVE_INFINITY) return `at least ${min} ${plural(min)}`;
  return `${min} to ${max} arguments`;
}
