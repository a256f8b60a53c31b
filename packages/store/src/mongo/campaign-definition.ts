import type { CampaignDefinition, JsonSchemaObject } from '@herald/contracts';

/**
 * A definition as stored: `contextSchema` is kept as JSON text because JSON Schema keywords
 * (`$schema`, `$ref`, `$defs`) are `$`-prefixed and property names may contain dots, which
 * MongoDB refuses in `$set` updates of existing documents. Nothing queries inside it.
 */
export type StoredDefinition = Omit<CampaignDefinition, 'contextSchema'> & { contextSchema: string };

export function encodeDefinition(definition: CampaignDefinition): StoredDefinition {
  return { ...definition, contextSchema: JSON.stringify(definition.contextSchema) };
}

export function decodeDefinition(stored: StoredDefinition): CampaignDefinition {
  return { ...stored, contextSchema: JSON.parse(stored.contextSchema) as JsonSchemaObject };
}
