// swagger-ui-dist ships no type definitions; this is the one function Herald uses.
declare module 'swagger-ui-dist' {
  /** Folder holding the Swagger UI static files. */
  export function getAbsoluteFSPath(): string;
}
