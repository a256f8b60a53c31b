import { UnprocessableError } from '@herald/errors';

/** A template that does not parse or cannot render; `line`/`column` point into its source. */
export class TemplateError extends UnprocessableError {
  constructor(
    code: 'template-syntax' | 'template-render',
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(code, message);
  }
}
