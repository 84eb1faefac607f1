import { intrinsicFailure, runtimeError } from './errors.ts';
import { MAX_EXPRESSION_LENGTH } from './limits.ts';
import type { Token } from './tokens.ts';

const FUNCTION_NAME = /^States\.[A-Za-z][A-Za-z0-9]*$/;
const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WORD_CHAR = /[A-Za-z0-9_.$]/;
/** Escapes the spec reserves inside string literals; any other backslash is an "open escape". */
const ESCAPABLE = new Set(["'", '{', '}', '\\']);

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

function preview(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** Splits an intrinsic expression into tokens. Linear in the input; never recursive. */
export function tokenize(expression: string): Token[] {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw intrinsicFailure(`Intrinsic expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const char = expression[i]!;
    if (isSpace(char)) {
      i++;
    } else if (char === '(') {
      tokens.push({ kind: 'lparen', position: i++ });
    } else if (char === ')') {
      tokens.push({ kind: 'rparen', position: i++ });
    } else if (char === ',') {
      tokens.push({ kind: 'comma', position: i++ });
    } else if (char === "'") {
      const { token, end } = readString(expression, i);
      tokens.push(token);
      i = end;
    } else if (char === '$') {
      const end = scanPath(expression, i);
      tokens.push({ kind: 'path', path: expression.slice(i, end), position: i });
      i = end;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      const { token, end } = readNumber(expression, i);
      tokens.push(token);
      i = end;
    } else {
      const { token, end } = readWord(expression, i);
      tokens.push(token);
      i = end;
    }
  }
  return tokens;
}

function readString(expression: string, start: number): { token: Token; end: number } {
  const template: string[] = [];
  let segment = '';
  let i = start + 1;
  while (i < expression.length) {
    const char = expression[i]!;
    if (char === "'") {
      template.push(segment);
      return { token: { kind: 'string', value: template.join('{}'), template, position: start }, end: i + 1 };
    }
    if (char === '\\') {
      const next = expression[i + 1];
      if (next === undefined || !ESCAPABLE.has(next)) {
        throw runtimeError(`Open escape backslash at position ${i} in intrinsic string literal`);
      }
      segment += next;
      i += 2;
    } else if (char === '{' && expression[i + 1] === '}') {
      template.push(segment);
      segment = '';
      i += 2;
    } else {
      segment += char;
      i++;
    }
  }
  throw intrinsicFailure(`Unterminated string literal starting at position ${start}`);
}

/**
 * Returns the end of a path token. A path ends at whitespace, `,`, `(` or `)` outside brackets;
 * inside brackets, quoted names may hold any of those (`$.abc['def, ghi']`).
 */
function scanPath(expression: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < expression.length) {
    const char = expression[i]!;
    if (depth === 0 && (isSpace(char) || char === ',' || char === '(' || char === ')')) break;
    if (char === '[') {
      depth++;
    } else if (char === ']') {
      if (depth === 0) throw intrinsicFailure(`Unbalanced ']' in path argument at position ${i}`);
      depth--;
    } else if (char === "'" || char === '"') {
      if (depth === 0) throw intrinsicFailure(`Unexpected quote in path argument at position ${i}`);
      i = skipQuoted(expression, i);
      continue;
    }
    i++;
  }
  if (depth !== 0) throw intrinsicFailure(`Unterminated '[' in path argument starting at position ${start}`);
  return i;
}

function skipQuoted(expression: string, start: number): number {
  const quote = expression[start];
  let i = start + 1;
  while (i < expression.length) {
    const char = expression[i];
    if (char === '\\') {
      i += 2;
    } else if (char === quote) {
      return i + 1;
    } else {
      i++;
    }
  }
  throw intrinsicFailure(`Unterminated quoted name in path argument at position ${start}`);
}

function readNumber(expression: string, start: number): { token: Token; end: number } {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(expression);
  const end = start + (match?.[0].length ?? 0);
  const following = expression[end];
  if (!match || (following !== undefined && WORD_CHAR.test(following))) {
    throw intrinsicFailure(`Invalid number at position ${start}`);
  }
  const value = Number(match[0]);
  if (!Number.isFinite(value)) throw intrinsicFailure(`Number out of range at position ${start}`);
  return { token: { kind: 'number', value, position: start }, end };
}

function readWord(expression: string, start: number): { token: Token; end: number } {
  WORD.lastIndex = start;
  const match = WORD.exec(expression);
  if (!match) {
    throw intrinsicFailure(`Unexpected character '${expression[start]}' at position ${start}`);
  }
  const word = match[0];
  const end = start + word.length;
  if (word === 'null') return { token: { kind: 'null', position: start }, end };
  if (word === 'true' || word === 'false') {
    return { token: { kind: 'boolean', value: word === 'true', position: start }, end };
  }
  if (FUNCTION_NAME.test(word)) return { token: { kind: 'function', name: word, position: start }, end };
  throw intrinsicFailure(`Unexpected identifier '${preview(word)}' at position ${start}`);
}
