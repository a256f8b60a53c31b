import type { Request } from 'express';

/** A route parameter as a string (Express types widen them once middleware sits in front). */
export function pathParam(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : String(value);
}
