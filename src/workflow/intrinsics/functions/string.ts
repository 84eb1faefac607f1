import { argumentError, stringArg, typeName } from '../arguments.ts';
import { intrinsicFailure } from '../errors.ts';
import type { IntrinsicCall, IntrinsicFunction } from '../function-types.ts';

/**
 * The template split at its placeholders. A literal template was split by the tokenizer, which
 * knows escaped `\{\}` from a real `{}`; a template from a path has no escapes, so every `{}` counts.
 */
function templateParts(call: IntrinsicCall): readonly string[] {
  const node = call.nodes[0];
  if (node?.kind === 'string') return node.template;
  return stringArg(call, 0, 'template').split('{}');
}

function formatValue(call: IntrinsicCall, index: number): string {
  const value = call.args[index];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  throw argumentError(call, index, 'value', `must be a string, number, boolean or null, got ${typeName(value)}`);
}

export const stringFunctions: Record<string, IntrinsicFunction> = {
  'States.Format': {
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    run(call) {
      stringArg(call, 0, 'template');
      const parts = templateParts(call);
      const placeholders = parts.length - 1;
      if (placeholders !== call.args.length - 1) {
        throw intrinsicFailure(
          `${call.name}: the template has ${placeholders} {} placeholder(s) but ${call.args.length - 1} value(s) were given`,
        );
      }
      let result = parts[0] ?? '';
      for (let i = 1; i < parts.length; i++) result += formatValue(call, i) + parts[i];
      return result;
    },
  },

  /** Splits at any one of the delimiter's characters and drops empty pieces, as Step Functions does. */
  'States.StringSplit': {
    minArgs: 2,
    maxArgs: 2,
    run(call) {
      const text = stringArg(call, 0, 'string');
      const delimiters = new Set(stringArg(call, 1, 'delimiter'));
      const pieces: string[] = [];
      let piece = '';
      for (const char of text) {
        if (delimiters.has(char)) {
          if (piece !== '') pieces.push(piece);
          piece = '';
        } else {
          piece += char;
        }
      }
      if (piece !== '') pieces.push(piece);
      return pieces;
    },
  },
};
