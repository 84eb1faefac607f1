/**
 * Workflow variables (`Assign`). Scoping follows Step Functions: states inside a Map iteration or a Parallel
 * branch read variables of the enclosing scopes, but their assignments stay in their own scope and vanish
 * when the iteration or branch ends. Results leave a scope only through the state's output.
 */
export class VariableScope {
  readonly #own = new Map<string, unknown>();
  readonly #parent: VariableScope | undefined;

  constructor(parent?: VariableScope) {
    this.#parent = parent;
  }

  child(): VariableScope {
    return new VariableScope(this);
  }

  has(name: string): boolean {
    return this.#own.has(name) || (this.#parent?.has(name) ?? false);
  }

  get(name: string): unknown {
    if (this.#own.has(name)) return this.#own.get(name);
    return this.#parent?.get(name);
  }

  /**
   * Applies one state's assignments. All values were evaluated against the variables as they were before the
   * state ran (Step Functions evaluates every `Assign` expression first, then writes them together).
   */
  assignAll(values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) this.#own.set(name, value);
  }

  /** Every visible variable, inner scopes shadowing outer ones (the JSONata `$name` bindings). */
  snapshot(): Record<string, unknown> {
    const outer = this.#parent?.snapshot() ?? {};
    return { ...outer, ...Object.fromEntries(this.#own) };
  }
}
