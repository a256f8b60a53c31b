import type { SandboxSettings, SandboxSettingsInput } from '@herald/contracts';
import type { SandboxSettingsRepository } from '../ports';
import type { Db } from './database';
import { fromJson, toJson } from './columns';
import { now } from './time';

interface SettingsRow {
  sandbox: string;
  settings: string;
  updated_at: string;
}

/** Only the known fields are stored, so a caller's extra properties never round-trip. */
function storedInput(input: SandboxSettingsInput): SandboxSettingsInput {
  return {
    frequencyCaps: input.frequencyCaps,
    ...(input.quietHours !== undefined ? { quietHours: input.quietHours } : {}),
    ...(input.idempotency !== undefined ? { idempotency: input.idempotency } : {}),
    ...(input.sms !== undefined ? { sms: input.sms } : {}),
  };
}

function toSettings(row: SettingsRow): SandboxSettings {
  return { sandbox: row.sandbox, ...fromJson<SandboxSettingsInput>(row.settings), updatedAt: row.updated_at };
}

export class EmbeddedSandboxSettingsRepository implements SandboxSettingsRepository {
  private readonly selectOne;
  private readonly replace;

  constructor(db: Db) {
    this.selectOne = db.prepare<[string], SettingsRow>(`SELECT * FROM sandbox_settings WHERE sandbox = ?`);
    this.replace = db.prepare<[string, string, string], SettingsRow>(
      `INSERT INTO sandbox_settings (sandbox, settings, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (sandbox) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
       RETURNING *`,
    );
  }

  async get(sandbox: string): Promise<SandboxSettings | null> {
    const row = this.selectOne.get(sandbox);
    return row ? toSettings(row) : null;
  }

  async put(sandbox: string, input: SandboxSettingsInput): Promise<SandboxSettings> {
    const row = this.replace.get(sandbox, toJson(storedInput(input)), now());
    if (!row) throw new Error(`The settings of sandbox ${sandbox} were not stored.`);
    return toSettings(row);
  }
}
