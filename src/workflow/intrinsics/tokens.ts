/** Tokens of the intrinsic call syntax. `position` is the 0-based offset in the expression. */
export type Token =
  | { kind: 'function'; name: string; position: number }
  | { kind: 'lparen'; position: number }
  | { kind: 'rparen'; position: number }
  | { kind: 'comma'; position: number }
  /**
   * `value` is the unescaped text. `template` splits it at every unescaped `{}`, so States.Format
   * can tell a placeholder from an escaped `\{\}`; `template.join('{}') === value`.
   */
  | { kind: 'string'; value: string; template: readonly string[]; position: number }
  | { kind: 'number'; value: number; position: number }
  | { kind: 'boolean'; value: boolean; position: number }
  | { kind: 'null'; position: number }
  /** A JSONPath argument as written: `$`, `$.a[0]`, `$$.Execution.Id`, `$myVar.field`. */
  | { kind: 'path'; path: string; position: number };

export type TokenKind = Token['kind'];
