/** One problem with one field of an input; `path` is a JSON pointer into that input. */
export interface FieldError {
  /** Index of the recipient the problem belongs to, when the input is a list of recipients. */
  recipientIndex?: number;
  path: string;
  code: string;
  message: string;
}
