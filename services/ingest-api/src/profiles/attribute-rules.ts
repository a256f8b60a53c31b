import type { FieldError } from '@herald/errors';

export const MAX_ATTRIBUTES_BYTES = 64 * 1024;
export const MAX_ATTRIBUTES_DEPTH = 32;

interface Pending {
  value: unknown;
  path: string;
  depth: number;
}

/** JSON pointer escaping of one reference token (RFC 6901). */
function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Checks a profile's free attributes: keys that MongoDB would read as operators or paths (`$x`,
 * `a.b`) or that JavaScript would read as the prototype (`__proto__`), nesting depth (checked
 * without recursion, so a hostile body cannot overflow the stack), then serialized size.
 */
export function attributeProblems(attributes: unknown, path: string): FieldError[] {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return [];
  const problems: FieldError[] = [];
  const pending: Pending[] = [{ value: attributes, path, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_ATTRIBUTES_DEPTH) {
      return [
        { path: next.path, code: 'maxDepth', message: `must be at most ${MAX_ATTRIBUTES_DEPTH} levels deep` },
      ];
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${next.path}/${pointerToken(key)}`;
      if (!Array.isArray(value) && (key.startsWith('$') || key.includes('.') || key === '__proto__')) {
        problems.push({
          path: childPath,
          code: 'invalid-key',
          message: 'keys must not start with "$", contain "." or be "__proto__"',
        });
      }
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  if (problems.length > 0) return problems;
  const bytes = Buffer.byteLength(JSON.stringify(attributes), 'utf8');
  if (bytes > MAX_ATTRIBUTES_BYTES) {
    return [
      {
        path,
        code: 'attributes-too-large',
        message: `must be at most ${MAX_ATTRIBUTES_BYTES} bytes serialized (is ${bytes})`,
      },
    ];
  }
  return [];
}
