export interface MicroBatcherOptions {
  /** How long the first item of a group waits for others before the group is dispatched. */
  windowMs: number;
  /** A group is dispatched at once when it reaches this many items. */
  maxBatchSize: number;
}

/**
 * Handles a group of items (all added under `key`) at once and settles each: the outcome at
 * index i is item i's. A dispatcher that throws instead rejects every item of the group.
 */
export type BatchDispatcher<T, R> = (
  items: readonly T[],
  key: string,
) => Promise<Array<PromiseSettledResult<R>>>;

interface Waiting<T, R> {
  item: T;
  resolve(value: R): void;
  reject(reason: unknown): void;
}

interface Group<T, R> {
  waiting: Array<Waiting<T, R>>;
  timer: NodeJS.Timeout;
}

/**
 * Micro-batching: items added under the same key within `windowMs` of the first one (or
 * `maxBatchSize` of them) go to the dispatcher together, while each caller still awaits its own
 * item's outcome. It turns the concurrent jobs of a worker into one store write or one provider
 * request. Several groups may be in flight at once; nothing limits them beyond what the callers send.
 */
export class MicroBatcher<T, R> {
  private readonly groups = new Map<string, Group<T, R>>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly options: MicroBatcherOptions,
    private readonly dispatch: BatchDispatcher<T, R>,
  ) {}

  add(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const entry = { item, resolve, reject };
      if (this.closed) {
        this.start(key, [entry]);
        return;
      }
      let group = this.groups.get(key);
      if (group) {
        group.waiting.push(entry);
      } else {
        // Not unref'd: a process whose only work is this item must not exit before it is handled.
        group = { waiting: [entry], timer: setTimeout(() => this.flush(key), this.options.windowMs) };
        this.groups.set(key, group);
      }
      if (group.waiting.length >= this.options.maxBatchSize) this.flush(key);
    });
  }

  /** Dispatches every waiting group now and waits until every dispatched group has settled. */
  async close(): Promise<void> {
    this.closed = true;
    for (const key of [...this.groups.keys()]) this.flush(key);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private flush(key: string): void {
    const group = this.groups.get(key);
    if (!group) return;
    clearTimeout(group.timer);
    this.groups.delete(key);
    this.start(key, group.waiting);
  }

  private start(key: string, waiting: Array<Waiting<T, R>>): void {
    const settled = this.settle(key, waiting).finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
  }

  private async settle(key: string, waiting: Array<Waiting<T, R>>): Promise<void> {
    let outcomes: Array<PromiseSettledResult<R>>;
    try {
      outcomes = await this.dispatch(
        waiting.map((entry) => entry.item),
        key,
      );
    } catch (error) {
      for (const entry of waiting) entry.reject(error);
      return;
    }
    waiting.forEach((entry, index) => {
      const outcome = outcomes[index];
      if (outcome?.status === 'fulfilled') entry.resolve(outcome.value);
      else entry.reject(outcome ? outcome.reason : new Error('the batch gave no outcome for this item'));
    });
  }
}
