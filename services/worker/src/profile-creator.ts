import type { Identity, Profile } from '@herald/contracts';
import type { Store } from '@herald/store';

interface Waiting {
  identity: Identity;
  resolve: (result: { profile: Profile; created: boolean }) => void;
  reject: (error: unknown) => void;
}

export interface ProfileCreatorOptions {
  maxBatch: number;
  maxDelayMs: number;
}

/**
 * Finds or creates the profiles of the recipients being processed together in one store call per
 * sandbox: with one new profile per recipient, per-job writes were one SQLite write transaction
 * each, contending with the other workers and the API for the one write lock.
 */
export class ProfileCreator {
  private pending = new Map<string, Waiting[]>();
  private size = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly options: ProfileCreatorOptions = { maxBatch: 100, maxDelayMs: 2 },
  ) {}

  findOrCreate(sandbox: string, identity: Identity): Promise<{ profile: Profile; created: boolean }> {
    return new Promise((resolve, reject) => {
      const group = this.pending.get(sandbox) ?? [];
      group.push({ identity, resolve, reject });
      this.pending.set(sandbox, group);
      this.size += 1;
      if (this.size >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const groups = this.pending;
    this.pending = new Map();
    this.size = 0;
    for (const [sandbox, waiting] of groups) {
      this.store.profiles
        .findOrCreateManyByIdentity(
          sandbox,
          waiting.map((entry) => entry.identity),
        )
        .then(
          (results) => waiting.forEach((entry, index) => entry.resolve(results[index]!)),
          (error: unknown) => waiting.forEach((entry) => entry.reject(error)),
        );
    }
  }
}
