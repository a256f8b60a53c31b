/**
 * How a stand-in provider answers from now on. An empty object restores plain success.
 * `status` is an HTTP status for the HTTP stand-ins and an SMTP reply code for the SMTP one.
 */
export interface StandinBehaviour {
  status?: number;
  /** Sent as `Retry-After` with a 429 or 503. */
  retryAfterSeconds?: number;
  /** Delay before every answer, failing or not. */
  latencyMs?: number;
  /** Apply `status` to the next N requests only, then answer with success again. */
  times?: number;
}

/** What one request should get: `status` undefined means answer normally. */
export interface BehaviourDecision {
  status: number | undefined;
  retryAfterSeconds: number | undefined;
  latencyMs: number;
}

const SUCCESS: BehaviourDecision = { status: undefined, retryAfterSeconds: undefined, latencyMs: 0 };

/** The switch every stand-in shares: `behave` sets it, `next` consumes one request's worth. */
export class BehaviourSwitch {
  private current: StandinBehaviour = {};
  private remaining = Infinity;

  behave(behaviour: StandinBehaviour): void {
    this.current = { ...behaviour };
    this.remaining = behaviour.times ?? Infinity;
  }

  next(): BehaviourDecision {
    const { status, retryAfterSeconds, latencyMs = 0 } = this.current;
    if (status === undefined && latencyMs === 0) return SUCCESS;
    if (status === undefined || this.remaining <= 0) {
      return latencyMs === 0 ? SUCCESS : { ...SUCCESS, latencyMs };
    }
    this.remaining -= 1;
    return { status, retryAfterSeconds, latencyMs };
  }
}

/** Resolves after `ms`; at once (without a timer) for 0. */
export function pause(ms: number): Promise<void> {
  // Unref'd: a stand-in closed while it holds a slow answer must not keep the test process alive.
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms).unref()) : Promise.resolve();
}
