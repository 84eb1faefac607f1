import { z } from 'zod';
import { defineTool } from '../../define-tool.ts';
import { evaluate } from './evaluate.ts';
import { parse } from './parse.ts';
import { MAX_EXPRESSION_LENGTH, tokenize } from './tokenize.ts';

/**
 * Evaluates an arithmetic expression without any dynamic code execution: the input is tokenized,
 * parsed to a tree and walked. Returns a finite number; throws AgentryError with CALC_SYNTAX,
 * CALC_UNKNOWN_NAME, CALC_DOMAIN or CALC_TOO_COMPLEX.
 *
 * Non-integer results are rounded to 15 significant digits so binary noise does not reach the
 * model (0.1 + 0.2 is 0.3, not 0.30000000000000004). Integers are returned as computed.
 */
export function evaluateExpression(expression: string): number {
  const result = evaluate(parse(tokenize(expression), expression), expression);
  if (result === 0) return 0; // no -0: it prints as "0" in JSON but compares oddly with Object.is
  return Number.isInteger(result) ? result : Number(result.toPrecision(15));
}

export const calculatorTool = defineTool({
  name: 'calculate',
  description:
    'Evaluate an arithmetic expression and return the exact numeric result. Use it for any arithmetic instead of ' +
    'computing in your head. Supports numbers (42, 2.5, 1e3), + - * /, % (remainder, not percent), ^ (power, ' +
    'right-associative; ** also works), parentheses, the constants pi and e, and the functions sqrt(x), abs(x), ' +
    'round(x) or round(x, digits), floor(x), ceil(x), min(a, b, ...), max(a, b, ...), log(x) (base 10) or ' +
    'log(x, base), ln(x), exp(x), sin(x), cos(x), tan(x) (radians). Multiplication must be explicit (2 * pi, not ' +
    '2pi). No variables, units, currency symbols or thousands separators: substitute plain numbers.',
  input: z.object({
    expression: z
      .string()
      .describe(
        `The arithmetic expression to evaluate, e.g. "(100 / 4) * 3" or "sqrt(2) ^ 2". ` +
          `At most ${MAX_EXPRESSION_LENGTH} characters.`,
      ),
  }),
  idempotent: true,
  risk: 'low',
  run: ({ expression }) => ({ expression, result: evaluateExpression(expression) }),
});
