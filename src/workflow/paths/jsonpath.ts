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

function evaluate(path: string, json: unknown): unknown[] {
  if (json === null || typeof json !== 'object') return [];
  const result: unknown = JSONPath({ path, json, wrap: true, eval: 'safe' });
  return Array.isArray(result) ? result : [];
}
