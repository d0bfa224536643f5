// Error assertions of the bad-input tests: the error's class, and every part of its message
// (strings literally, RegExps matched).
import { expect } from 'vitest';
import type { NaluError } from '../../lib/index';

export type ErrorClass = typeof TypeError | typeof RangeError | typeof NaluError;

function check(err: unknown, type: ErrorClass, parts: (string | RegExp)[]): Error {
  expect(err, `expected a ${type.name}`).toBeInstanceOf(type);
  for (const p of parts) {
    if (typeof p === 'string') expect((err as Error).message).toContain(p);
    else expect((err as Error).message).toMatch(p);
  }
  return err as Error;
}

/** fn must throw an instance of type whose message contains every part. */
export function throws(fn: () => unknown, type: ErrorClass, ...parts: (string | RegExp)[]): Error {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  return check(err, type, parts);
}

/** p must reject with an instance of type whose message contains every part. */
export async function rejects(p: Promise<unknown>, type: ErrorClass, ...parts: (string | RegExp)[]): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return check(err, type, parts);
}
