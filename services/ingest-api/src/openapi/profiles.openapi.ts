import type { OpenApiPart } from './common';

export function profilesOpenApi(): OpenApiPart {
  return { paths: {}, schemas: {} };
}
