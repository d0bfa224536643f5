// Options declared once: a class's schema (field → option) drives its validation, defaults, the
// options sent to the native side and getConfig. Layers, losses and optimizers all use it.
import type { NativeOptions } from '../binding';
import { getInitializer, type Initializer, type InitializerLike } from './initializers';
import { checkBoolean, checkChoice, checkNumber, checkOptions, type Registry } from './registry';

type Args = Record<string, unknown>;

/** One field of a class, read from one or more keys of its options object. */
export interface Option<T> {
  /** The option keys it reads; empty: the field's own name. */
  readonly keys: readonly string[];
  /** Validated value or default; `parsed` holds the fields before it in the schema. */
  parse(args: Args, where: (key: string) => string, parsed: Args, key: string): T;
  /** Its entries in the native options (default: the value under its key; undefined: none). */
  native?(value: T, key: string): NativeOptions;
  /** Its entries in getConfig, JSON-safe (default: the value under its key; undefined: none). */
  config?(value: T, key: string): Args;
}

export type Schema = Record<string, Option<unknown>>;
/** The fields a schema gives, by name. */
export type Values<S extends Schema> = { [K in keyof S]: S[K] extends Option<infer T> ? T : never };

/** The option keys of a schema, in order. */
export function optionKeys(schema: Schema): string[] {
  return Object.entries(schema).flatMap(([field, o]) => (o.keys.length ? o.keys : [field]));
}

/**
 * The key of `known` that `key` likely means: the same but for case, `_` and `-` (Keras' batch_size),
 * a plural s (epoch), or at most two letters off (a typo); undefined when none is close.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (k: string) => k.toLowerCase().replace(/[_-]/g, '');
  const k = norm(key);
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of known) {
    const n = norm(c);
    if (n === k || n === `${k}s` || `${n}s` === k) return c;
    const d = editDistance(k, n);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Levenshtein distance, for the did-you-mean hints of options and flags. @internal */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Refuses a key of `args` outside `known` (a misspelt option would fall back to its default unseen). */
export function refuseUnknown(args: Args, known: readonly string[], cls: string): void {
  const set = new Set(known);
  for (const k of Object.keys(args))
    if (!set.has(k)) {
      const near = nearestKey(k, known);
      throw new RangeError(`${cls}: unknown option '${k}', expected one of ${known.join(', ')}${near ? `; did you mean '${near}'?` : ''}`);
    }
}

/** Parses `args` by `schema`: every field validated or defaulted, in schema order. */
export function parseOptions<S extends Schema>(schema: S, args: Args, cls: string): Values<S> {
  const parsed: Args = {};
  const where = (k: string) => `${cls}.${k}`;
  for (const [field, o] of Object.entries(schema)) parsed[field] = o.parse(args, where, parsed, field);
  return parsed as Values<S>;
}

/** An options object read by `schema`: an object, with no unknown key, each field parsed. */
export function readOptions<S extends Schema>(schema: S, args: unknown, cls: string): Values<S> {
  const o = checkOptions(args, `${cls} options`);
  refuseUnknown(o, optionKeys(schema), cls);
  return parseOptions(schema, o, cls);
}

function entries(schema: Schema, values: Args, kind: 'native' | 'config'): Args {
  const out: Args = {};
  for (const [field, o] of Object.entries(schema)) {
    const v = values[field];
    const f = o[kind] as ((v: unknown, k: string) => Args) | undefined;
    if (f) Object.assign(out, f(v, field));
    else if (v !== undefined) out[field] = v;
  }
  return out;
}

/** The native options of parsed values. */
export const nativeOptionsOf = (schema: Schema, values: Args): NativeOptions => entries(schema, values, 'native') as NativeOptions;
/** The getConfig entries of parsed values. */
export const configOf = (schema: Schema, values: Args): Args => entries(schema, values, 'config');

/** A default, fixed or computed from the fields parsed before. */
type Default<T> = T | ((parsed: Args) => T);
const resolve = <T>(d: Default<T>, parsed: Args): T => (typeof d === 'function' ? (d as (p: Args) => T)(parsed) : d);

function single<T>(parse: (v: unknown, where: string, parsed: Args) => T, more: Partial<Option<T>> = {}): Option<T> {
  return { keys: [], parse: (args, where, parsed, key) => parse(args[key], where(key), parsed), ...more };
}

/** A number in [lo, hi] (an integer when `integer`). */
export const numberOption = (def: Default<number>, lo: number, hi: number, integer = false) =>
  single((v, w, p) => checkNumber(v ?? resolve(def, p), w, lo, hi, integer));

/** A number in [lo, hi], or undefined (left out of native options and config) when absent. */
export const optionalNumberOption = (lo: number, hi: number) =>
  single((v, w) => (v === undefined ? undefined : checkNumber(v, w, lo, hi)));

export const booleanOption = (def: boolean) => single((v, w) => checkBoolean(v ?? def, w));

/** One of `allowed`. */
export const choiceOption = <T extends string>(def: Default<T>, allowed: readonly T[]) =>
  single((v, w, p) => checkChoice(v ?? resolve(def, p), w, allowed));

/** A name of `registry` (its errors list the names). */
export const registryOption = <T>(def: Default<string>, registry: Registry<T>) =>
  single((v, w, p) => registry.get(v ?? resolve(def, p), w));

/** An initializer: native its spec, config its serialized form. */
export const initializerOption = (def: Default<InitializerLike>) =>
  single<Initializer>((v, w, p) => getInitializer((v ?? resolve(def, p)) as InitializerLike, w), {
    native: (i, k) => ({ [k]: i.toNative() }),
    config: (i, k) => ({ [k]: i.getConfig() }),
  });

/** An initializer without a TS default: absent, the native unit draws its paper's initialization. */
export const paperInitializerOption = () =>
  single<Initializer | undefined>((v, w) => (v === undefined ? undefined : getInitializer(v as InitializerLike, w)), {
    native: (i, k) => (i ? { [k]: i.toNative() } : {}),
    config: (i, k) => (i ? { [k]: i.getConfig() } : {}),
  });

/** ε of log(|x| + ε), |x| + ε or a floor of |x|: a number in [1e-30, 1]. */
export const epsilonOption = (def: number) => numberOption(def, 1e-30, 1);

/** A bound that may be Infinity (clipExp ω, clipNorm): null, JSON's Infinity in model.json, reads
 * back as Infinity; `jsonConfig`: getConfig gives null for Infinity too. */
export function infiniteOption(def: number, lo: number, jsonConfig?: boolean): Option<number>;
export function infiniteOption(def: undefined, lo: number, jsonConfig?: boolean): Option<number | undefined>;
export function infiniteOption(def: number | undefined, lo: number, jsonConfig = true): Option<number | undefined> {
  return single((v, w) => (v === null ? Infinity : v === undefined ? def : checkNumber(v, w, lo, Infinity)), {
    config: (x, k) => (x === undefined ? {} : { [k]: jsonConfig && !Number.isFinite(x) ? null : x }),
  });
}

/**
 * Several keys read into one object field (e.g. a regularizer's schedule); `when`, if given, says
 * whether the class has them for the fields parsed before: if not, any of them given is refused.
 */
export function groupOption<T extends object>(
  keys: readonly string[],
  parse: (args: Args, where: (key: string) => string) => T,
  when?: { test: (parsed: Args) => boolean; why: (parsed: Args) => string },
): Option<T | undefined> {
  return {
    keys,
    parse(args, where, parsed) {
      if (when && !when.test(parsed)) {
        for (const k of keys) if (args[k] !== undefined) throw new RangeError(`${where(k)}: ${when.why(parsed)}`);
        return undefined;
      }
      return parse(args, where);
    },
    native: (v) => ({ ...(v as NativeOptions | undefined) }),
    config: (v) => ({ ...(v as Args | undefined) }),
  };
}
