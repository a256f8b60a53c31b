/**
 * Calls `visit` with every object nested in a user-authored JSON schema, and its JSON pointer.
 * Walks data keywords (`const`, `default`, …) too: telling schema from data by position is
 * error-prone, and refusing a harmless lookalike there is cheaper than missing a real problem.
 * Iterative, because a 64 KiB schema may nest deeper than the call stack allows.
 */
export function forEachSchemaObject(
  schema: unknown,
  at: string,
  visit: (node: Record<string, unknown>, path: string) => void,
): void {
  const pending: Array<{ value: unknown; path: string }> = [{ value: schema, path: at }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value)) visit(value as Record<string, unknown>, path);
    for (const [key, child] of Object.entries(value))
      pending.push({ value: child, path: pointer(path, key) });
  }
}

/** `base` followed by `key` as a JSON pointer segment (`~` and `/` escaped). */
export function pointer(base: string, key: string): string {
  return `${base}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
