/** MongoDB's duplicate-key error code (E11000). */
const DUPLICATE_KEY = 11000;

function codeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'code' in value ? value.code : undefined;
}

/** Write errors of a bulk write; the driver reports one error as an object, several as an array. */
export function writeErrorsOf(error: unknown): unknown[] {
  if (typeof error !== 'object' || error === null || !('writeErrors' in error)) return [];
  const { writeErrors } = error;
  if (Array.isArray(writeErrors)) return writeErrors as unknown[];
  return writeErrors === undefined || writeErrors === null ? [] : [writeErrors];
}

/**
 * True when a write failed only because a unique index already holds the key. Duck-typed on
 * `code` rather than `instanceof`, because mongoose and the driver raise different classes
 * (MongoServerError, MongoBulkWriteError, MongooseServerError) for the same server answer.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  const writeErrors = writeErrorsOf(error);
  // A bulk error carries the first write error's code at the top: judge by all of them.
  if (writeErrors.length > 0) return writeErrors.every(isDuplicateKeyWriteError);
  return codeOf(error) === DUPLICATE_KEY;
}

/** Index of the operation a bulk write error belongs to, or undefined when it names none. */
export function operationIndexOf(writeError: unknown): number | undefined {
  if (typeof writeError !== 'object' || writeError === null || !('index' in writeError)) return undefined;
  return typeof writeError.index === 'number' ? writeError.index : undefined;
}

export function isDuplicateKeyWriteError(writeError: unknown): boolean {
  return codeOf(writeError) === DUPLICATE_KEY;
}
