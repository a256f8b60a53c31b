import http from 'node:http';

export interface CallRecord {
  /** Epoch ms (fractional) when the call was sent: the clock the stand-in's accept times use too. */
  startedAt: number;
  status: number;
  /** Call → answer, in ms. */
  latencyMs: number;
  /** From the 202 body. */
  executionId?: string;
}

export interface PacedLoadResult {
  calls: CallRecord[];
  /** Calls due but not sent because `maxInFlight` calls were already waiting for an answer. */
  notSent: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** The same errors by code (`ECONNRESET`, `timeout`, ...), to tell the system's faults from the client's. */
  errorCodes: Record<string, number>;
  seconds: number;
}

export interface PacedLoadOptions {
  url: string;
  apiKey: string;
  callsPerSecond: number;
  seconds: number;
  /** The body of the n-th call of this load. */
  body(sequence: number): string;
  maxInFlight: number;
  timeoutMs?: number;
}

const TICK_MS = 5;

/**
 * Offers unitary calls at a fixed rate for a fixed time (an open loop: a slow answer does not
 * slow the next call down, so latency under overload is measured rather than hidden) and
 * resolves once every call sent has been answered or has failed.
 */
export async function offerPacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const target = new URL('/im/executions/unitary', options.url);
  const calls: CallRecord[] = [];
  const pending = new Set<Promise<void>>();
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  const failed = (error: Error & { code?: string }): void => {
    errors += 1;
    const code = error.code ?? error.message;
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  };
  let notSent = 0;
  let sequence = 0;

  const send = (): void => {
    const body = options.body(sequence++);
    const startedAt = performance.timeOrigin + performance.now();
    const call = new Promise<void>((resolve) => {
      const request = http.request(
        target,
        {
          method: 'POST',
          agent,
          timeout: options.timeoutMs ?? 30_000,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${options.apiKey}`,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const latencyMs = performance.timeOrigin + performance.now() - startedAt;
            const status = response.statusCode ?? 0;
            let executionId: string | undefined;
            if (status === 202) {
              executionId = (JSON.parse(Buffer.concat(chunks).toString()) as { executionId?: string })
                .executionId;
            }
            calls.push({ startedAt, status, latencyMs, ...(executionId ? { executionId } : {}) });
            resolve();
          });
          response.on('error', (error) => {
            failed(error);
            resolve();
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error) => {
        failed(error);
        resolve();
      });
      request.end(body);
    });
    pending.add(call);
    void call.then(() => pending.delete(call));
  };

  const startedAt = performance.now();
  const durationMs = options.seconds * 1000;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Math.min(performance.now() - startedAt, durationMs);
      const due = Math.floor((elapsed / 1000) * options.callsPerSecond);
      while (sequence + notSent < due) {
        if (pending.size >= options.maxInFlight) notSent += 1;
        else send();
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const seconds = (performance.now() - startedAt) / 1000;
  await Promise.all(pending);
  agent.destroy();
  return { calls, notSent, errors, errorCodes, seconds };
}
