import { AgentryError } from '../../../errors.ts';
import { describeToken, errorAt, type Operator, type Token } from './tokenize.ts';

/**
 * Deepest nesting accepted. Parentheses, function calls, unary signs and the right operand of `^`
 * each add a level; deeper input fails with CALC_TOO_COMPLEX.
 */
export const MAX_NESTING_DEPTH = 100;

/** `start`/`end` are the node's 0-based source span (end exclusive), used to quote it in errors. */
export type Node =
  | { kind: 'number'; value: number; start: number; end: number }
  | { kind: 'name'; name: string; start: number; end: number }
  | { kind: 'unary'; op: '+' | '-'; operand: Node; start: number; end: number }
  | { kind: 'binary'; op: Operator; left: Node; right: Node; operatorPosition: number; start: number; end: number }
  | { kind: 'call'; name: string; args: Node[]; start: number; end: number };

/**
 * Grammar, loosest first:
 *   expression := term (('+' | '-') term)*
 *   term       := unary (('*' | '/' | '%') unary)*
 *   unary      := ('+' | '-') unary | power
 *   power      := primary ('^' unary)?
 *   primary    := number | name | name '(' (expression (',' expression)*)? ')' | '(' expression ')'
 * so `^` is right-associative and binds tighter than a sign on its left (-2^2 = -4, 2^3^2 = 512)
 * while its right operand may carry a sign (2^-1 = 0.5). There is no implicit multiplication.
 */
export function parse(tokens: readonly Token[], source: string): Node {
  const last = tokens[tokens.length - 1];
  if (last === undefined || last.kind !== 'end') throw new TypeError('parse() needs the tokens from tokenize().');
  let index = 0;
  let depth = 0;

  const peek = (): Token => tokens[index] ?? last;
  const advance = (): Token => {
    const token = peek();
    if (token.kind !== 'end') index++;
    return token;
  };

  const nest = <T>(position: number, inner: () => T): T => {
    depth++;
    if (depth > MAX_NESTING_DEPTH) {
      throw errorAt(
        'CALC_TOO_COMPLEX',
        `The expression nests more than ${MAX_NESTING_DEPTH} levels deep (parentheses, function calls, signs and ` +
          'powers). Simplify it or split the calculation into smaller steps.',
        source,
        position,
        { limit: MAX_NESTING_DEPTH },
      );
    }
    try {
      return inner();
    } finally {
      depth--;
    }
  };

  const isOperator = <O extends Operator>(
    token: Token,
    ...ops: O[]
  ): token is Extract<Token, { kind: 'operator' }> & { op: O } =>
    token.kind === 'operator' && (ops as Operator[]).includes(token.op);

  const binary = (op: Operator, left: Node, right: Node, operatorPosition: number): Node => ({
    kind: 'binary',
    op,
    left,
    right,
    operatorPosition,
    start: left.start,
    end: right.end,
  });

  const parseExpression = (): Node => {
    let left = parseTerm();
    for (let token = peek(); isOperator(token, '+', '-'); token = peek()) {
      advance();
      left = binary(token.op, left, parseTerm(), token.position);
    }
    return left;
  };

  const parseTerm = (): Node => {
    let left = parseUnary();
    for (let token = peek(); isOperator(token, '*', '/', '%'); token = peek()) {
      advance();
      left = binary(token.op, left, parseUnary(), token.position);
    }
    return left;
  };

  const parseUnary = (): Node => {
    const token = peek();
    if (isOperator(token, '+', '-')) {
      advance();
      const operand = nest(token.position, parseUnary);
      return { kind: 'unary', op: token.op, operand, start: token.position, end: operand.end };
    }
    return parsePower();
  };

  const parsePower = (): Node => {
    const base = parsePrimary();
    const token = peek();
    if (!isOperator(token, '^')) return base;
    advance();
    return binary('^', base, nest(token.position, parseUnary), token.position);
  };

  const parsePrimary = (): Node => {
    const before = tokens[index - 1];
    const token = advance();
    switch (token.kind) {
      case 'number':
        return { kind: 'number', value: token.value, start: token.position, end: token.position + token.text.length };
      case 'name': {
        const nameEnd = token.position + token.name.length;
        if (peek().kind !== '(') return { kind: 'name', name: token.name, start: token.position, end: nameEnd };
        const open = advance();
        return nest(open.position, () => {
          const args: Node[] = [];
          if (peek().kind !== ')') {
            for (;;) {
              args.push(parseExpression());
              if (peek().kind !== ',') break;
              advance();
            }
          }
          const close = expectClose(open.position, `the call ${token.name}(`);
          return { kind: 'call', name: token.name, args, start: token.position, end: close.position + 1 };
        });
      }
      case '(':
        return nest(token.position, () => {
          const inner = parseExpression();
          const close = expectClose(token.position, 'the "("');
          return { ...inner, start: token.position, end: close.position + 1 };
        });
      default:
        throw missingOperand(token, before);
    }
  };

  /** After an operand, inside parentheses or a call: only `)` (or `,` in calls, handled by the caller) may follow. */
  const expectClose = (openPosition: number, opened: string): Token => {
    const token = peek();
    if (token.kind === ')') return advance();
    if (token.kind === 'end') {
      throw errorAt(
        'CALC_SYNTAX',
        `Missing ")" to close ${opened} at position ${openPosition}; the expression ended first.`,
        source,
        token.position,
        { openPosition },
      );
    }
    throw unexpectedAfterOperand(token);
  };

  const missingOperand = (token: Token, before: Token | undefined): AgentryError => {
    const after = before === undefined ? 'at the start' : `after ${describeToken(before)}`;
    const found = token.kind === 'end' ? 'the expression ended' : `found ${describeToken(token)}`;
    let hint = '';
    if (before !== undefined && isOperator(before, '%') && (token.kind === 'end' || token.kind === ')')) {
      hint = ' "%" is the remainder operator, not percent: write 15% of 200 as 200 * 15 / 100.';
    } else if (token.kind === ',') {
      hint = ' Commas only separate function arguments; write numbers without thousands separators.';
    }
    return errorAt(
      'CALC_SYNTAX',
      `Expected a number, a name or "(" ${after}, but ${found}.${hint}`,
      source,
      token.position,
    );
  };

  const unexpectedAfterOperand = (token: Token): AgentryError => {
    if (token.kind === 'number' || token.kind === 'name' || token.kind === '(') {
      return errorAt(
        'CALC_SYNTAX',
        `Missing operator before ${describeToken(token)}. Implicit multiplication is not supported: ` +
          'write "2 * x" or "2 * (3 + 4)", not "2x" or "2(3 + 4)".',
        source,
        token.position,
      );
    }
    if (token.kind === ')') {
      return errorAt('CALC_SYNTAX', 'Unmatched ")": there is no "(" for it to close.', source, token.position);
    }
    if (token.kind === ',') {
      return errorAt(
        'CALC_SYNTAX',
        'Unexpected ",": commas only separate function arguments, as in max(1, 2). ' +
          'Write numbers without thousands separators (1000000, not 1,000,000).',
        source,
        token.position,
      );
    }
    return errorAt('CALC_SYNTAX', `Unexpected ${describeToken(token)}.`, source, token.position);
  };

  if (peek().kind === 'end') {
    throw new AgentryError(
      'CALC_SYNTAX',
      'The expression is empty. Provide an arithmetic expression such as "2 * (3 + 4)".',
      { details: { position: 0 } },
    );
  }
  const tree = parseExpression();
  const rest = peek();
  if (rest.kind !== 'end') throw unexpectedAfterOperand(rest);
  return tree;
}
