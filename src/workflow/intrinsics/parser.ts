import type { CallNode, IntrinsicNode } from './ast.ts';
import { intrinsicFailure } from './errors.ts';
import { MAX_NESTING_DEPTH } from './limits.ts';
import { tokenize } from './tokenizer.ts';
import type { Token, TokenKind } from './tokens.ts';

const DESCRIBE: Record<TokenKind, string> = {
  function: 'function name',
  lparen: "'('",
  rparen: "')'",
  comma: "','",
  string: 'string',
  number: 'number',
  boolean: 'boolean',
  null: 'null',
  path: 'path',
};

/**
 * Parses `States.Name(arg, ...)`. The whole expression must be exactly one call. Nesting is
 * checked before descending, so hostile input fails with a clear error instead of a stack overflow.
 */
export function parseIntrinsic(expression: string): CallNode {
  const parser = new Parser(tokenize(expression), expression.length);
  const call = parser.call(1);
  parser.expectEnd();
  return call;
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly length: number,
  ) {}

  call(depth: number): CallNode {
    const head = this.next('a States function name');
    if (head.kind !== 'function') throw unexpected(head, 'a States function name');
    if (depth > MAX_NESTING_DEPTH) {
      throw intrinsicFailure(`Intrinsic functions are nested deeper than ${MAX_NESTING_DEPTH} levels`);
    }
    const open = this.next(`'(' after ${head.name}`);
    if (open.kind !== 'lparen') throw unexpected(open, `'(' after ${head.name}`);
    const args: IntrinsicNode[] = [];
    if (this.peek()?.kind === 'rparen') {
      this.index++;
      return { kind: 'call', name: head.name, args, position: head.position };
    }
    for (;;) {
      args.push(this.argument(depth));
      const separator = this.next(`',' or ')' in ${head.name}`);
      if (separator.kind === 'rparen') break;
      if (separator.kind !== 'comma') throw unexpected(separator, `',' or ')' in ${head.name}`);
    }
    return { kind: 'call', name: head.name, args, position: head.position };
  }

  expectEnd(): void {
    const extra = this.peek();
    if (extra) throw unexpected(extra, 'the end of the expression');
  }

  private argument(depth: number): IntrinsicNode {
    const token = this.peek();
    if (!token) throw this.endOfInput('an argument');
    switch (token.kind) {
      case 'function':
        return this.call(depth + 1);
      case 'string':
        this.index++;
        return { kind: 'string', value: token.value, template: token.template };
      case 'number':
        this.index++;
        return { kind: 'number', value: token.value };
      case 'boolean':
        this.index++;
        return { kind: 'boolean', value: token.value };
      case 'null':
        this.index++;
        return { kind: 'null' };
      case 'path':
        this.index++;
        return { kind: 'path', path: token.path };
      default:
        throw unexpected(token, 'an argument');
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.index];
    if (!token) throw this.endOfInput(expected);
    this.index++;
    return token;
  }

  private endOfInput(expected: string): Error {
    return intrinsicFailure(`Unexpected end of intrinsic expression at position ${this.length}: expected ${expected}`);
  }
}

function unexpected(token: Token, expected: string): Error {
  return intrinsicFailure(`Unexpected ${DESCRIBE[token.kind]} at position ${token.position}: expected ${expected}`);
}
