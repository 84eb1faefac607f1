import { JSONPath } from 'jsonpath-plus';
import { runtimeError } from '../errors.ts';
import type { VariableScope } from '../variables.ts';

/** What a JSONPath expression can see: `$` is the input, `$$` the context object, `$name` a variable. */
export interface PathSources {
  input: unknown;
  context: unknown;
  variables: VariableScope;
}

const INDEFINITE = /\*|\.\.|\[\?|\[[^\]]*[:,][^\]]*\]|@/;
const VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/s;

/** A path is definite when it can only select one node; indefinite paths always yield an array. */
export function isDefinitePath(path: string): boolean {
  return !INDEFINITE.test(path);
}

/** Splits `$$…`, `$var…` and `$…` into the JSON value it addresses and a `$`-rooted path. */
function resolveRoot(path: string, sources: PathSources): { json: unknown; path: string } {
  if (path.startsWith('$$')) return { json: sources.context, path: path.slice(1) };
  const variable = VARIABLE.exec(path);
  if (variable) {
    const name = variable[1] ?? '';
    if (!sources.variables.has(name)) throw runtimeError(`The variable '$${name}' is not defined`);
    return { json: sources.variables.get(name), path: `$${variable[2] ?? ''}` };
  }
  if (!path.startsWith('$')) throw runtimeError(`Invalid JSONPath '${path}'`);
  return { json: sources.input, path };
}

/**
 * Evaluates a JSONPath. A definite path that matches nothing is a States.Runtime error (Step Functions reports
 * these as runtime failures that no Catch can handle); an indefinite path returns every match as an array.
 */
export function queryPath(path: string, sources: PathSources): unknown {
  const root = resolveRoot(path, sources);
  if (root.path === '$') return root.json;
  const definite = isDefinitePath(root.path);
  const matches = evaluate(root.path, root.json);
  if (!definite) return matches;
  if (matches.length === 0) throw runtimeError(`The JSONPath '${path}' could not be found in the input`);
  return matches[0];
}

/** Like `queryPath` but reports a miss instead of throwing (for Choice `IsPresent`). */
export function tryQueryPath(path: string, sources: PathSources): { found: boolean; value: unknown } {
  const root = resolveRoot(path, sources);
  if (root.path === '$') return { found: true, value: root.json };
  const matches = evaluate(root.path, root.json);
  if (!isDefinitePath(root.path)) return { found: true, value: matches };
  return matches.length === 0 ? { found: false, value: undefined } : { found: true, value: matches[0] };
}

/** `$.a.b[0].c`: names and indexes only, the common case, resolved without the general evaluator. */
const SIMPLE_PATH = /^\$((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])+)$/;
const SIMPLE_SEGMENT = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;
const simpleSegments = new Map<string, (string | number)[] | null>();

function segmentsOf(path: string): (string | number)[] | null {
  let segments = simpleSegments.get(path);
  if (segments === undefined) {
    const match = SIMPLE_PATH.exec(path);
    segments = match ? [...(match[1] ?? '').matchAll(SIMPLE_SEGMENT)].map((m) => m[1] ?? Number(m[2])) : null;
    if (simpleSegments.size < 10_000) simpleSegments.set(path, segments);
  }
  return segments;
}

/**
 * A simple path over plain objects and arrays: `undefined` when a segment is missing, `null` result wrapped.
 * Returns `false` when the path or the data needs the general evaluator (a name on an array, an index on an
 * object), so both give the same answers.
 */
function evaluateSimple(segments: (string | number)[], json: unknown): unknown[] | false {
  let current: unknown = json;
  for (const segment of segments) {
    if (typeof segment === 'string') {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
      if (!Object.hasOwn(current, segment)) return [];
      current = (current as Record<string, unknown>)[segment];
    } else {
      if (!Array.isArray(current)) return false;
      if (segment >= current.length) return [];
      current = current[segment];
    }
  }
  return [current];
}

function evaluate(path: string, json: unknown): unknown[] {
  if (json === null || typeof json !== 'object') return [];
  const segments = segmentsOf(path);
  if (segments) {
    const simple = evaluateSimple(segments, json);
    if (simple !== false) return simple;
  }
  const result: unknown = JSONPath({ path, json, wrap: true, eval: 'safe' });
  return Array.isArray(result) ? result : [];
}
