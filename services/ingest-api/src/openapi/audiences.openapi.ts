import type { OpenApiPart } from './common';

export function audiencesOpenApi(): OpenApiPart {
  return { paths: {}, schemas: {} };
}
