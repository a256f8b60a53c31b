import type { SandboxSettings, SandboxSettingsInput } from '@herald/contracts';
import type { SandboxSettingsRepository } from '../ports';
import { toIso } from './dates';
import { isDuplicateKeyError } from './duplicate-key';
import type { SandboxSettingsDoc, SandboxSettingsModel } from './settings.model';

function toSettings(doc: SandboxSettingsDoc): SandboxSettings {
  return {
    sandbox: doc.sandbox,
    frequencyCaps: doc.frequencyCaps ?? {},
    ...(doc.quietHours != null ? { quietHours: doc.quietHours } : {}),
    ...(doc.idempotency != null ? { idempotency: doc.idempotency } : {}),
    ...(doc.sms != null ? { sms: doc.sms } : {}),
    updatedAt: toIso(doc.updatedAt),
  };
}

export class MongoSandboxSettingsRepository implements SandboxSettingsRepository {
  constructor(private readonly settings: SandboxSettingsModel) {}

  async get(sandbox: string): Promise<SandboxSettings | null> {
    const doc = await this.settings.findOne({ sandbox }).lean<SandboxSettingsDoc>().exec();
    return doc ? toSettings(doc) : null;
  }

  async put(sandbox: string, input: SandboxSettingsInput): Promise<SandboxSettings> {
    const replacement: SandboxSettingsDoc = {
      sandbox,
      frequencyCaps: input.frequencyCaps,
      ...(input.quietHours !== undefined ? { quietHours: input.quietHours } : {}),
      ...(input.idempotency !== undefined ? { idempotency: input.idempotency } : {}),
      ...(input.sms !== undefined ? { sms: input.sms } : {}),
      updatedAt: new Date(),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        // A replacement, not $set: settings absent from the input (quietHours) are removed.
        const doc = await this.settings
          .findOneAndReplace({ sandbox }, replacement, { upsert: true, returnDocument: 'after' })
          .lean<SandboxSettingsDoc>()
          .exec();
        if (!doc) throw new Error(`The settings of sandbox ${sandbox} were not stored.`);
        return toSettings(doc);
      } catch (error) {
        // The filter is exactly the unique key, so MongoDB ≥ 4.2 retries a lost upsert race
        // itself; older servers report E11000, and the document exists by then.
        if (!isDuplicateKeyError(error) || attempt > 1) throw error;
      }
    }
  }
}
