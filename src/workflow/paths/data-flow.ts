import type { JsonObject } from '../types.ts';
import { type PathSources, queryPath } from './jsonpath.ts';
import { evaluatePayloadTemplate } from './payload-template.ts';
import { parseReferencePath, writeReferencePath } from './reference-path.ts';

/**
 * JSONPath input/output processing, in spec order:
 * InputPath → Parameters → (state work) → ResultSelector → ResultPath → OutputPath.
 * `null` InputPath/OutputPath mean `{}`; `null` ResultPath discards the result and keeps the raw input.
 */

export function applyInputPath(path: string | null | undefined, sources: PathSources): unknown {
  if (path === undefined) return sources.input;
  if (path === null) return {};
  return queryPath(path, sources);
}

export function applyTemplate(template: unknown, sources: PathSources, random: () => number): unknown {
  return template === undefined ? sources.input : evaluatePayloadTemplate(template, sources, random);
}

export function applyResultPath(path: string | null | undefined, rawInput: unknown, result: unknown): unknown {
  if (path === undefined) return result;
  if (path === null) return rawInput;
  return writeReferencePath(rawInput, parseReferencePath(path), result);
}

export function applyOutputPath(path: string | null | undefined, sources: PathSources): unknown {
  return applyInputPath(path, sources);
}

/** JSONPath `Assign`: the same template rules as Parameters; `$` is the state result (or its input). */
export function evaluateJsonPathAssign(
  assign: JsonObject,
  sources: PathSources,
  random: () => number,
): Record<string, unknown> {
  const value = evaluatePayloadTemplate(assign, sources, random);
  return value as Record<string, unknown>;
}
