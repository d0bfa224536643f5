/** Stable codes of the errors nalu throws besides TypeError and RangeError. @category Errors */
export type NaluErrorCode =
  | 'BUSY'
  | 'DISPOSED'
  | 'NON_FINITE'
  | 'NOT_COMPILED'
  | 'OUT_OF_MEMORY'
  | 'BAD_FILE'
  | 'LOAD_FAILED'
  | 'SAVE_FAILED'
  | 'MISSING_DEPENDENCY'
  | 'INTERNAL';

/** An error with a stable `.code`, for conditions that are not a bad argument type or range. @category Errors */
export class NaluError extends Error {
  /**
   * The condition: 'BUSY' (a fit runs), 'DISPOSED', 'NON_FINITE' (loss or gradient), 'NOT_COMPILED',
   * 'OUT_OF_MEMORY', 'BAD_FILE' (model.json or weights unreadable), 'LOAD_FAILED', 'SAVE_FAILED',
   * 'MISSING_DEPENDENCY' (an optional package, named in the message), 'INTERNAL'.
   */
  readonly code: NaluErrorCode;
  /** `code` is one of NaluErrorCode (a string from a newer native addon is kept as it is). */
  constructor(message: string, code: NaluErrorCode | string) {
    super(message);
    this.name = 'NaluError';
    this.code = code as NaluErrorCode;
  }
}
