import { StatesError, StatesErrors } from '../errors.ts';

/**
 * Reference Paths (ASL spec): `$` followed by `.name`, `['name']` or `[index]` segments only — no wildcards,
 * filters or slices. They identify exactly one node, which is what ResultPath needs to write into.
 */
export type PathSegment = string | number;

const SEGMENT = /^(?:\.([^.[\]'"\s]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\])/;

export function parseReferencePath(path: string): PathSegment[] {
  if (!path.startsWith('$')) throw new StatesError(StatesErrors.Runtime, `Invalid reference path '${path}'`);
  const segments: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const match = SEGMENT.exec(rest);
    if (!match) throw new StatesError(StatesErrors.Runtime, `Invalid reference path '${path}'`);
    const [whole, dotted, quoted, index] = match;
    if (dotted !== undefined) segments.push(dotted);
    else if (quoted !== undefined) segments.push(quoted.replace(/\\(.)/g, '$1'));
    else segments.push(Number(index));
    rest = rest.slice(whole.length);
  }
  return segments;
}

export function isReferencePath(path: string): boolean {
  try {
    parseReferencePath(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads a reference path; `found` is false when a segment is missing. */
export function readReferencePath(
  value: unknown,
  segments: readonly PathSegment[],
): { found: boolean; value: unknown } {
  let current = value;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return { found: false, value: undefined };
      current = current[segment];
    } else {
      if (
        current === null ||
        typeof current !== 'object' ||
        Array.isArray(current) ||
        !Object.hasOwn(current, segment)
      ) {
        return { found: false, value: undefined };
      }
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}

/**
 * Returns a copy of `target` with `value` placed at `segments`, creating missing objects on the way.
 * Writing through an existing non-object (a string, number, array slot out of range) is
 * States.ResultPathMatchFailure, as in Step Functions.
 */
export function writeReferencePath(target: unknown, segments: readonly PathSegment[], value: unknown): unknown {
  const [head, ...tail] = segments;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    if (!Array.isArray(target) || head >= target.length) {
      throw new StatesError(StatesErrors.ResultPathMatchFailure, `Unable to apply ResultPath index [${head}]`);
    }
    const copy = [...target];
    copy[head] = writeReferencePath(target[head], tail, value);
    return copy;
  }
  if (target === undefined || target === null) {
    return { [head]: writeReferencePath(undefined, tail, value) };
  }
  if (typeof target !== 'object' || Array.isArray(target)) {
    throw new StatesError(StatesErrors.ResultPathMatchFailure, `Unable to apply ResultPath field '${head}'`);
  }
  const record = target as Record<string, unknown>;
  return { ...record, [head]: writeReferencePath(record[head], tail, value) };
}
