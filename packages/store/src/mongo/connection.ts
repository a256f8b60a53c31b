import mongoose, { type Connection } from 'mongoose';
import { ServiceUnavailableError } from '@herald/errors';

export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10_000;

export interface MongoConnectionOptions {
  /** How long an operation (and opening) waits for a usable server before failing. */
  serverSelectionTimeoutMS?: number;
}

/** The URL without its password, fit for error messages and logs. */
export function redactMongoUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens a dedicated connection (never mongoose's global one, so several stores and other
 * mongoose users can share a process) and resolves once a server answers.
 */
export async function connectMongo(url: string, options: MongoConnectionOptions = {}): Promise<Connection> {
  const serverSelectionTimeoutMS = options.serverSelectionTimeoutMS ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS;
  const connection = mongoose.createConnection(url, {
    serverSelectionTimeoutMS,
    // Indexes are created once, explicitly and awaited, when the store opens.
    autoIndex: false,
    autoCreate: false,
    // Every model is used only after the connection is open; while the server is unreachable
    // an operation should fail after server selection instead of queueing in memory.
    bufferCommands: false,
    // Optional entity fields arrive as `undefined`; stored as BSON null they would come back as
    // `null`, which the entity types do not allow.
    ignoreUndefined: true,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close(true).catch(() => undefined);
    throw new ServiceUnavailableError(
      'store-unavailable',
      `MongoDB at ${redactMongoUrl(url)} could not be reached within ${serverSelectionTimeoutMS} ms: ${messageOf(error)}`,
      1,
      { cause: error },
    );
  }
  return connection;
}
