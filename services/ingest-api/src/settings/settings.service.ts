import type { SandboxSettings } from '@herald/contracts';
import type { SandboxSettingsRepository } from '@herald/store';
import type { IdempotencyPolicy } from './idempotency-policy';
import { SettingsInputValidator } from './settings.schema';

/** A sandbox that never stored settings: no caps and no quiet hours. */
export type DefaultSettings = Omit<SandboxSettings, 'updatedAt'> & { updatedAt: null };

/** The policy of one sandbox: frequency caps, quiet hours, how trigger calls are deduplicated. */
export class SettingsService {
  private readonly validator = new SettingsInputValidator();

  constructor(
    private readonly settings: SandboxSettingsRepository,
    private readonly idempotency?: Pick<IdempotencyPolicy, 'forget'>,
  ) {}

  async get(sandbox: string): Promise<SandboxSettings | DefaultSettings> {
    return (await this.settings.get(sandbox)) ?? { sandbox, frequencyCaps: {}, updatedAt: null };
  }

  /** Replaces the settings whole; throws ValidationError `invalid-settings` and changes nothing. */
  async put(sandbox: string, body: unknown): Promise<SandboxSettings> {
    const stored = await this.settings.put(sandbox, this.validator.parse(body));
    this.idempotency?.forget(sandbox);
    return stored;
  }
}
