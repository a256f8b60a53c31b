import { LABEL_PATTERN, SANDBOX_PATTERN } from '@herald/contracts';
import type { ApiKeyRole } from '@herald/store';
import { pageQueryProperties } from '../http/page-query';

export interface NewApiKeyBody {
  name: string;
  roles: ApiKeyRole[];
  sandboxes: string[];
  labels?: string[];
}

export const newApiKeySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'roles', 'sandboxes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    roles: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: ['execute', 'manage', 'admin'] },
    },
    sandboxes: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      items: { anyOf: [{ const: '*' }, { type: 'string', pattern: SANDBOX_PATTERN }] },
    },
    labels: {
      type: 'array',
      maxItems: 50,
      uniqueItems: true,
      description:
        'Campaign access labels the key holds: it sees only campaigns all of whose labels it holds. `*` holds every label; admin keys hold every label whatever this says.',
      items: { anyOf: [{ const: '*' }, { type: 'string', pattern: LABEL_PATTERN }] },
    },
  },
} as const;

export const apiKeyListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: pageQueryProperties,
} as const;
