import { SANDBOX_PATTERN } from '@herald/contracts';
import type { ApiKeyRole } from '@herald/store';
import { pageQueryProperties } from '../http/page-query';

export interface NewApiKeyBody {
  name: string;
  roles: ApiKeyRole[];
  sandboxes: string[];
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
  },
} as const;

export const apiKeyListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: pageQueryProperties,
} as const;
