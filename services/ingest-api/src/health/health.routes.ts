import { Router, type Response } from 'express';
import { executionApiPaths } from '../http/execution-api-paths';

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

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/**
 * `/health`: the process is up (liveness). `/ready` and `/im/health` (also `/ajo/im/health`): the store and Redis
 * answer, so calls can be accepted (readiness).
 */
export function healthRoutes(checks: readonly ReadinessCheck[]): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const ready = async (_req: unknown, res: Response): Promise<void> => {
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
  router.get('/ready', ready);
  for (const path of executionApiPaths('/health')) router.get(path, ready);
  return router;
}
