import type { JsonSchemaObject } from '@herald/contracts';

/**
 * Which `context.*` paths used by a template are not declared in the campaign's context schema.
 * A path is declared when every segment is found under `properties` (objects) or `items`
 * (arrays; numeric segments and loop indexes); an object schema with no `properties` and
 * `additionalProperties` not false accepts anything below it.
 */
export function undeclaredContextPaths(
  paths: ReadonlyArray<ReadonlyArray<string | number>>,
  schema: JsonSchemaObject,
): string[] {
  const undeclared = new Set<string>();
  for (const segments of paths) {
    if (segments[0] !== 'context') continue;
    if (!isDeclared(segments.slice(1), schema)) undeclared.add(segments.join('.'));
  }
  return [...undeclared];
}

function isDeclared(segments: ReadonlyArray<string | number>, schema: unknown): boolean {
  let node = schema;
  for (const segment of segments) {
    if (!isObject(node)) return false;
    if (
      isObject(node.items) &&
      (typeof segment === 'number' || /^\d+$/.test(segment) || segment === 'size')
    ) {
      node = segment === 'size' ? {} : node.items;
      continue;
    }
    const properties = node.properties;
    if (isObject(properties) && Object.prototype.hasOwnProperty.call(properties, segment)) {
      node = properties[segment];
      continue;
    }
    if (!isObject(properties) && node.additionalProperties !== false && node.type === 'object') return true;
    if (isObject(node.additionalProperties)) {
      node = node.additionalProperties;
      continue;
    }
    return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
