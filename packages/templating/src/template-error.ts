import { UnprocessableError } from '@herald/errors';

export type TemplateErrorCode = 'template-syntax' | 'template-render';

/** A template that does not parse or cannot render; `line`/`column` point into its source. */
export class TemplateError extends UnprocessableError {
  constructor(
    code: TemplateErrorCode,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(code, message);
  }
}
