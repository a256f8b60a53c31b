/**
 * JSON text that `JSON.stringify` cannot write: a number token beyond a double (`1e309`), a
 * nesting thousands of levels deep, an array of a hundred thousand items. Spliced into the body
 * as is by `jsonText`.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A JSON-like value a mutation may build: JSON values, plus raw tokens anywhere in them. */
export type FuzzValue =
  null | boolean | number | string | RawJson | FuzzValue[] | { [key: string]: FuzzValue };

/**
 * The JSON text of `value`. Unlike `JSON.stringify` it keeps raw tokens, and writes every own key,
 * `__proto__` included (made with `Object.fromEntries`, which defines it as an own property).
 * Strings go through `JSON.stringify`, which escapes a lone surrogate as `\udxxx`: the text stays
 * valid UTF-8 and the server's parser gives the surrogate back.
 */
export function jsonText(value: FuzzValue): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(
      ([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`,
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
