/** Stable codes of the errors nalu throws besides TypeError and RangeError. */
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

/** An error with a stable `.code`, for conditions that are not a bad argument type or range. */
export class NaluError extends Error {
  readonly code: NaluErrorCode;
  constructor(message: string, code: NaluErrorCode | string) {
    super(message);
    this.name = 'NaluError';
    this.code = code as NaluErrorCode;
  }
}
