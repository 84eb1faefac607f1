import { JSONPath } from 'jsonpath-plus';
import { intrinsicFailure, runtimeError } from './errors.ts';
import type { IntrinsicScope } from './scope.ts';

const VARIABLE = /^\$([\p{L}_][\p{L}\p{Nd}_]*)/u;
const INDEX = /^[0-9]+$/;

type Segment = string | number;

function preview(path: string): string {
  return path.length > 80 ? `${path.slice(0, 80)}...` : path;
}

/**
 * Resolves a path argument. A definite path (names and indices only) yields the one value it
 * names and fails with States.Runtime when nothing is there. A path with wildcards, slices,
 * unions or recursive descent goes to jsonpath-plus and yields the array of matches.
 * Script and filter expressions are refused (`eval: false`): paths come from definitions, but
 * nothing here ever executes code from them.
 */
export function resolvePath(path: string, scope: IntrinsicScope): unknown {
  const { root, rest } = splitRoot(path, scope);
  const segments = parseDefinite(rest, path);
  if (segments) return walk(root, segments, path);
  return queryAll(root, rest.replaceAll('.[', '['), path);
}

function splitRoot(path: string, scope: IntrinsicScope): { root: unknown; rest: string } {
  let root: unknown;
  let rest: string;
  if (path.startsWith('$$')) {
    root = scope.context;
    rest = path.slice(2);
  } else {
    const variable = VARIABLE.exec(path);
    if (variable) {
      const name = variable[1]!;
      if (!Object.hasOwn(scope.variables, name)) {
        throw runtimeError(`Variable '$${name}' used in an intrinsic argument is not defined`);
      }
      root = scope.variables[name];
      rest = path.slice(variable[0].length);
    } else {
      root = scope.input;
      rest = path.slice(1);
    }
  }
  if (rest !== '' && !rest.startsWith('.') && !rest.startsWith('[')) {
    throw intrinsicFailure(`Invalid path argument '${preview(path)}'`);
  }
  return { root, rest };
}

/** Returns the segments of a definite path, or undefined when the path can match several values. */
function parseDefinite(rest: string, path: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let i = 0;
  while (i < rest.length) {
    if (rest.startsWith('..', i)) {
      if (i + 2 >= rest.length) throw intrinsicFailure(`Empty name in path argument '${preview(path)}'`);
      return undefined;
    }
    const char = rest[i];
    if (char === '.') {
      i++;
      if (rest[i] === '[') continue;
      let end = i;
      while (end < rest.length && rest[end] !== '.' && rest[end] !== '[' && rest[end] !== ']') end++;
      const name = rest.slice(i, end);
      if (name === '') throw intrinsicFailure(`Empty name in path argument '${preview(path)}'`);
      if (name === '*') return undefined;
      segments.push(name);
      i = end;
    } else if (char === '[') {
      const quote = rest[i + 1];
      if (quote === "'" || quote === '"') {
        const { name, end } = readQuoted(rest, i + 1, path);
        if (rest[end] !== ']') throw intrinsicFailure(`Expected ']' in path argument '${preview(path)}'`);
        segments.push(name);
        i = end + 1;
      } else {
        const close = rest.indexOf(']', i);
        if (close < 0) throw intrinsicFailure(`Unterminated '[' in path argument '${preview(path)}'`);
        const content = rest.slice(i + 1, close).trim();
        if (!INDEX.test(content)) return undefined;
        segments.push(Number(content));
        i = close + 1;
      }
    } else {
      throw intrinsicFailure(`Invalid path argument '${preview(path)}'`);
    }
  }
  return segments;
}

function readQuoted(rest: string, start: number, path: string): { name: string; end: number } {
  const quote = rest[start];
  let name = '';
  let i = start + 1;
  while (i < rest.length) {
    const char = rest[i]!;
    if (char === quote) return { name, end: i + 1 };
    if (char === '\\' && i + 1 < rest.length) {
      name += rest[i + 1];
      i += 2;
    } else {
      name += char;
      i++;
    }
  }
  throw intrinsicFailure(`Unterminated quoted name in path argument '${preview(path)}'`);
}

function walk(root: unknown, segments: readonly Segment[], path: string): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) throw notFound(path);
      current = current[segment];
    } else {
      if (!isRecord(current) || !Object.hasOwn(current, segment)) throw notFound(path);
      current = current[segment];
    }
  }
  if (current === undefined) throw notFound(path);
  return current;
}

function queryAll(root: unknown, rest: string, path: string): unknown[] {
  if (root === null || typeof root !== 'object') return [];
  try {
    const matches: unknown = JSONPath({ path: `$${rest}`, json: root, wrap: true, eval: false });
    return Array.isArray(matches) ? matches : [];
  } catch {
    throw intrinsicFailure(
      `Path argument '${preview(path)}' could not be evaluated (script and filter expressions are not supported)`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notFound(path: string): Error {
  return runtimeError(`The path argument '${preview(path)}' could not be found in the input`);
}
