/** One problem with one field of an input; `path` is a JSON pointer into that input. */
export interface FieldError {
  /** Index of the recipient the problem belongs to, when the input is a list of recipients. */
  recipientIndex?: number;
  path: string;
  /** An ajv keyword (`required`, `pattern`, …) or a rule's own name: an open set, so not an ErrorCode. */
  code: string;
  message: string;
}
