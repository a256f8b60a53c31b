import type { FieldError } from '@herald/errors';
import { forEachSchemaObject, pointer } from './schema-walk';

/** The most items a `uniqueItems` array may allow unless its items are scalars. */
export const MAX_UNIQUE_ITEMS = 1000;
/** Item types whose uniqueness Ajv checks with a hash set, in linear time. */
const SCALAR_TYPES: ReadonlySet<unknown> = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * Keywords of a user-authored JSON schema that would cost the API more than one campaign's
 * share: a `$id` (Ajv registers it for the whole process, so one sandbox's `$id` blocked the
 * same `$id` everywhere), and `uniqueItems` over unbounded arrays of objects or arrays, which
 * Ajv checks by comparing every pair of items (20,000 items: a third of a second).
 */
export function schemaKeywordProblems(schema: unknown, at: string): FieldError[] {
  const problems: FieldError[] = [];
  forEachSchemaObject(schema, at, (node, path) => {
    if (typeof node.$id === 'string') {
      problems.push({
        path: pointer(path, '$id'),
        code: 'id-not-allowed',
        message:
          'A context schema may not declare $id: name parts under $defs and refer to them with "$ref": "#/$defs/…".',
      });
    }
    if (node.uniqueItems === true && !boundedUniqueness(node)) {
      problems.push({
        path: pointer(path, 'uniqueItems'),
        code: 'unbounded-unique-items',
        message: `uniqueItems needs maxItems of at most ${MAX_UNIQUE_ITEMS}, or items of a scalar type (string, number, integer, boolean) together with maxItems.`,
      });
    }
  });
  return problems;
}

function boundedUniqueness(node: Record<string, unknown>): boolean {
  const { maxItems, items } = node;
  if (typeof maxItems !== 'number') return false;
  return maxItems <= MAX_UNIQUE_ITEMS || scalarItems(items);
}

function scalarItems(items: unknown): boolean {
  if (typeof items !== 'object' || items === null || !('type' in items)) return false;
  const types: unknown[] = Array.isArray(items.type) ? items.type : [items.type];
  return types.length > 0 && types.every((type) => SCALAR_TYPES.has(type));
}
