import { ERROR_CODES } from './error-codes';
import {
  ConfigError,
  ForbiddenError,
  InvalidSignatureError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './herald-error';

describe('ERROR_CODES', () => {
  it('gives the classes with a fixed code the status they answer with', () => {
    for (const error of [
      new ConfigError('x'),
      new ForbiddenError('x'),
      new InvalidSignatureError('x'),
      new PayloadTooLargeError('x'),
      new UnauthorizedError('x'),
      new UnsupportedMediaTypeError('x'),
    ]) {
      expect({ code: error.code, status: ERROR_CODES[error.code].status }).toEqual({
        code: error.code,
        status: error.status,
      });
    }
  });
});
