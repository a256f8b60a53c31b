import type { RequestHandler } from 'express';

/** One dependency a service needs to take work (the store, Redis); `check` rejects when it cannot answer. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** A dependency slower than this to answer counts as unavailable: probes must answer promptly. */
const CHECK_TIMEOUT_MS = 2000;

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A readiness probe's answer: 200 `{status: 'ok', checks}` when every check answers within 2 s,
 * else 503 `{status: 'unavailable', checks}` naming each dependency's state (never its error).
 */
export function readinessHandler(checks: readonly ReadinessCheck[]): RequestHandler {
  return async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const healthy = results.every(([, state]) => state === 'ok');
    res
      .status(healthy ? 200 : 503)
      .json({ status: healthy ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  };
}
