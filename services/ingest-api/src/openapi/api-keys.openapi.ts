import type { OpenApiPart } from './common';

export function apiKeysOpenApi(): OpenApiPart {
  return { paths: {}, schemas: {} };
}
