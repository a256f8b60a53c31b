import type { IncomingMessage } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '@herald/errors';

const EMPTY = Buffer.alloc(0);

/** The bytes `express.json` parsed, kept for the `requestId` fingerprint of trigger calls. */
const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** Refuses a request whose body is not declared `application/json` (415). */
export const requireJsonContent: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) {
    next(
      new UnsupportedMediaTypeError('The request body must be application/json.', [
        { path: 'header:content-type', code: 'content-type', message: 'must be application/json' },
      ]),
    );
    return;
  }
  next();
};

/** Parses JSON bodies up to `limitBytes` (413 beyond); a body that is not JSON is refused. */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    requireJsonContent,
    express.json({
      limit: limitBytes,
      strict: true,
      verify: (req, _res, bytes) => {
        rawBodies.set(req, bytes);
      },
    }),
  ];
}

/** The body bytes as sent, after `jsonBody` (empty when the request had no body). */
export function rawBodyOf(req: Request): Buffer {
  return rawBodies.get(req) ?? EMPTY;
}
