/**
 * How much compute a notebook may spend, chosen once by the `TSDL_BUDGET` environment variable:
 * `quick` (CI: seconds), `default` (a laptop CPU, ~10 minutes a chapter) or `full` (the source
 * articles' settings, meant for a GPU). Notebooks never hand-edit constants; they ask:
 *
 * ```ts
 * const epochs = pick({ quick: 1, default: 5, full: 50 });
 * ```
 */

/** The three budgets, cheapest first. */
export const BUDGETS = ['quick', 'default', 'full'] as const;
export type Budget = (typeof BUDGETS)[number];

/** One value for each budget. */
export type PerBudget<T> = Record<Budget, T>;

function parseBudget(raw: string | undefined): Budget {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return 'default';
  if ((BUDGETS as readonly string[]).includes(value)) return value as Budget;
  throw new Error(
    `TSDL_BUDGET=${JSON.stringify(raw)} is not a budget: use one of ${BUDGETS.join(', ')} ` +
    `(for example TSDL_BUDGET=quick), or unset it for 'default'.`,
  );
}

/**
 * The active budget's name, read from `TSDL_BUDGET` on every call (so a test or a notebook can
 * change it). Unset or empty means `'default'`; anything else but quick/default/full throws.
 *
 * ```ts
 * budget(); // 'default'
 * ```
 */
export function budget(): Budget {
  return parseBudget(process.env.TSDL_BUDGET);
}

/**
 * The value for the active budget.
 *
 * ```ts
 * const samples = pick({ quick: 500, default: 10_000, full: 60_000 });
 * ```
 */
export function pick<T>(values: PerBudget<T>): T {
  const name = budget();
  if (!(name in values)) {
    throw new Error(`pick(): no value for the '${name}' budget; give one for each of ${BUDGETS.join(', ')}.`);
  }
  return values[name];
}
