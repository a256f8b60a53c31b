/** Converting between SQLite column values and entity fields. JSON columns are TEXT: SQLite has no
 * document type, and its json_* functions read TEXT. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toJsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJsonOrUndefined<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** Copies `value` into `target[key]` unless it is null, so mapped entities carry no null optionals. */
export function setIfPresent<T, K extends keyof T>(target: T, key: K, value: T[K] | null | undefined): void {
  if (value !== null && value !== undefined) target[key] = value;
}
