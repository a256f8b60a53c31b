import type { IncomingMessage } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import { UnsupportedMediaTypeError, ValidationError } from '@herald/errors';
import { jsonLimitProblem, MAX_JSON_DEPTH, type JsonLimitProblem } from './json-limits';

const EMPTY = Buffer.alloc(0);

const JSON_LIMIT_MESSAGES: Record<JsonLimitProblem['code'], string> = {
  'json-too-deep': `The request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep.`,
  'invalid-unicode': 'The request body holds a string with an unpaired UTF-16 surrogate.',
  'invalid-number': 'The request body holds a number too large for a 64-bit float.',
  'reserved-key': 'The request body has a member named toString or valueOf.',
};

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

/**
 * Refuses a parsed body nested deeper than MAX_JSON_DEPTH or holding an unpaired surrogate (400),
 * before any handler reads it: recursive code downstream (ajv, JSON.stringify) overflows its stack
 * on deep bodies, and the stores cannot keep lone surrogates.
 */
const checkJsonLimits: RequestHandler = (req, _res, next) => {
  const problem = jsonLimitProblem(req.body);
  if (problem === undefined) {
    next();
    return;
  }
  next(new ValidationError(problem.code, JSON_LIMIT_MESSAGES[problem.code], [problem]));
};

/**
 * Parses JSON bodies up to `limitBytes` (413 beyond); a body that is not JSON, too deep or not
 * well-formed Unicode is refused.
 */
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
    checkJsonLimits,
  ];
}

/** The body bytes as sent, after `jsonBody` (empty when the request had no body). */
export function rawBodyOf(req: Request): Buffer {
  return rawBodies.get(req) ?? EMPTY;
}
