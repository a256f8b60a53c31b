/**
 * Copying a document's fields onto its entity by name. A document read back holds null (or
 * nothing) where the entity leaves an optional field out, so those are copied only when set.
 */

export function fieldsOf<T extends object, K extends keyof T>(doc: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, doc[key]])) as Pick<T, K>;
}

export function setFieldsOf<T extends object, K extends keyof T>(
  doc: T,
  keys: readonly K[],
): { [P in K]?: NonNullable<T[P]> } {
  return Object.fromEntries(keys.filter((key) => doc[key] != null).map((key) => [key, doc[key]])) as {
    [P in K]?: NonNullable<T[P]>;
  };
}
