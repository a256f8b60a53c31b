import type { OpenApiPart } from './common';

export function suppressionsOpenApi(): OpenApiPart {
  return { paths: {}, schemas: {} };
}
