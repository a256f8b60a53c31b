/**
 * `encodeURIComponent`, except that a lone surrogate (on which it throws) is written as the three
 * bytes a careless encoder would produce (`\ud800` → `%ED%A0%80`): not valid UTF-8, which is
 * exactly what the API must refuse cleanly in a path, a query or a form.
 */
export function percentEncode(text: string): string {
  return Array.from(text, (char) => {
    const point = char.codePointAt(0) ?? 0;
    if (point < 0xd800 || point > 0xdfff) return encodeURIComponent(char);
    const bytes = [0xe0 | (point >> 12), 0x80 | ((point >> 6) & 0x3f), 0x80 | (point & 0x3f)];
    return bytes.map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
  }).join('');
}
