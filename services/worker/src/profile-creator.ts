import { MicroBatcher } from '@herald/batching';
import type { Identity, Profile } from '@herald/contracts';
import type { Store } from '@herald/store';

export interface ProfileCreatorOptions {
  maxBatch: number;
  maxDelayMs: number;
}

type FoundOrCreated = { profile: Profile; created: boolean };

/**
 * Finds or creates the profiles of the recipients being processed together in one store call per
 * sandbox: with one new profile per recipient, per-job writes were one SQLite write transaction
 * each, contending with the other workers and the API for the one write lock.
 */
export class ProfileCreator {
  private readonly batcher: MicroBatcher<Identity, FoundOrCreated>;

  constructor(store: Store, options: ProfileCreatorOptions = { maxBatch: 100, maxDelayMs: 2 }) {
    this.batcher = new MicroBatcher(
      { windowMs: options.maxDelayMs, maxBatchSize: options.maxBatch },
      async (identities, sandbox) =>
        (await store.profiles.findOrCreateManyByIdentity(sandbox, identities)).map((value) => ({
          status: 'fulfilled',
          value,
        })),
    );
  }

  findOrCreate(sandbox: string, identity: Identity): Promise<FoundOrCreated> {
    return this.batcher.add(sandbox, identity);
  }
}
