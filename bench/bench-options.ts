/** The environment a bench reads its BENCH_* settings from (its composition root passes process.env). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A BENCH_* setting that must be a positive integer; `fallback` when unset or empty. */
export function positiveInteger(environment: Environment, name: string, fallback: number): number {
  const raw = environment[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}
