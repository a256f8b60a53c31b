import express, { type RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '@herald/errors';

/** Parses JSON bodies up to `limitBytes` (413 beyond); a body that is not JSON is refused. */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    (req, _res, next) => {
      if (!req.is('application/json')) {
        next(
          new UnsupportedMediaTypeError('The request body must be application/json.', [
            { path: 'header:content-type', code: 'content-type', message: 'must be application/json' },
          ]),
        );
        return;
      }
      next();
    },
    express.json({ limit: limitBytes, strict: true }),
  ];
}
