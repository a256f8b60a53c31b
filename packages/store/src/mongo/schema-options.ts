import type { SchemaOptions } from 'mongoose';

/**
 * Options every collection schema shares. `minimize: false` keeps empty objects (a profile's
 * `attributes: {}`, a definition's `channelConfig: {}`) so documents map back to the entity
 * they were written from; `id: false` because entities carry their own `id` field and the
 * mongoose virtual of that name would shadow it; no `__v`, since no write uses it.
 */
export const SCHEMA_OPTIONS = {
  versionKey: false,
  minimize: false,
  id: false,
  // Indexes are built explicitly (and awaited) when the store opens; see mongo-store.ts.
  autoIndex: false,
  autoCreate: false,
} as const satisfies SchemaOptions;

/** Embedded arrays of value objects: no per-element `_id`. */
export const SUBDOCUMENT_OPTIONS = { _id: false, minimize: false } as const satisfies SchemaOptions;
