import type { UsagePlanConfig } from '../../config/schemas.ts';

/** A metered usage plan: a token bucket (`rate` tokens per second, `burst` deep) and a daily quota. */
export interface UsagePlan extends UsagePlanConfig {
  name: string;
}

/** The plan of keys that name none, or a plan the project does not define. */
export const DEFAULT_PLAN_NAME = 'default';
/** Built in and reserved: never metered, no RateLimit headers. */
export const UNLIMITED_PLAN_NAME = 'unlimited';

/** Used unless the project redefines `default`: API Gateway-like defaults for one client. */
export const BUILTIN_DEFAULT_PLAN: Readonly<UsagePlanConfig> = Object.freeze({ rate: 10, burst: 20, quota: 10_000 });

export type PlanChoice = { kind: 'metered'; plan: UsagePlan } | { kind: 'unlimited' };

export interface PlanBook {
  /** Every metered plan, `default` included. */
  readonly metered: ReadonlyMap<string, UsagePlan>;
  /** The plan for a key's plan name; unknown names get `default` (a typo must not lift the limits). */
  choose(name: string): PlanChoice;
}

/** The project's `plans:` over the built-ins. */
export function planBook(configured: Readonly<Record<string, UsagePlanConfig>> = {}): PlanBook {
  const metered = new Map<string, UsagePlan>([
    [DEFAULT_PLAN_NAME, { name: DEFAULT_PLAN_NAME, ...BUILTIN_DEFAULT_PLAN }],
  ]);
  for (const [name, plan] of Object.entries(configured)) {
    if (name === UNLIMITED_PLAN_NAME) throw new Error(`The plan name "${UNLIMITED_PLAN_NAME}" is reserved.`);
    metered.set(name, { name, rate: plan.rate, burst: plan.burst, quota: plan.quota });
  }
  const fallback = metered.get(DEFAULT_PLAN_NAME)!;
  return {
    metered,
    choose: (name) =>
      name === UNLIMITED_PLAN_NAME ? { kind: 'unlimited' } : { kind: 'metered', plan: metered.get(name) ?? fallback },
  };
}
