// Name → class registries. An unknown name throws a RangeError that lists the valid ones.

export class Registry<T> {
  private readonly items = new Map<string, T>();
  constructor(readonly kind: string) {}
  register(name: string, item: T): void {
    this.items.set(name, item);
  }
  names(): string[] {
    return [...this.items.keys()];
  }
  has(name: string): boolean {
    return this.items.has(name);
  }
  get(name: unknown, argName: string): T {
    if (typeof name !== 'string') throw new TypeError(`${argName}: expected a ${this.kind} name, received ${typeof name}`);
    const item = this.items.get(name);
    if (item === undefined)
      throw new RangeError(`${argName}: unknown ${this.kind} '${name}', expected one of ${this.names().map((n) => `'${n}'`).join(', ')}`);
    return item;
  }
}

type Named<T> = (new (config?: never) => T) & { className: string; nativeType: string };

/**
 * Classes by native name ('adam', as compile takes them) and by className ('Adam', as model.json
 * holds them); `resolve` takes a name, an instance or a serialized {className, config}.
 */
export function namedClasses<T>(kind: string, base: abstract new (...a: never[]) => T, classes: Named<T>[]) {
  const byName = new Registry<Named<T>>(kind);
  const byClassName = new Registry<Named<T>>(`${kind} class`);
  for (const c of classes) {
    byName.register(c.nativeType, c);
    byClassName.register(c.className, c);
  }
  const resolve = (v: unknown, name: string): T => {
    if (v instanceof base) return v as T;
    if (typeof v === 'string') return new (byName.get(v, name))();
    const s = checkOptions(v, name) as unknown as Serialized;
    const C = byClassName.get(s.className, `${name}.className`) as unknown as new (c: unknown) => T;
    return new C(checkOptions(s.config, `${name}.config`));
  };
  return { registry: byName, resolve };
}

/** A serialized object, tfjs-style. @inline */
export interface Serialized {
  /** The registered class name ('NALU', 'Adam', 'glorotUniform'). */
  className: string;
  /** Its options, as its getConfig gives them. */
  config: Record<string, unknown>;
}

export function checkOptions(o: unknown, name: string): Record<string, unknown> {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    throw new TypeError(`${name}: expected an options object, received ${o === null ? 'null' : Array.isArray(o) ? 'an array' : typeof o}`);
  return o as Record<string, unknown>;
}

export function checkNumber(v: unknown, name: string, lo: number, hi: number, integer = false): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: expected a number, received ${typeof v}`);
  if (Number.isNaN(v) || v < lo || v > hi || (integer && !Number.isInteger(v)))
    throw new RangeError(`${name}: expected ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], received ${v}`);
  return v;
}

/** One of `allowed`: a TypeError for a non-string, else a RangeError listing them. */
export function checkChoice<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  const list = allowed.map((a) => `'${a}'`).join(', ');
  if (typeof v !== 'string') throw new TypeError(`${name}: expected one of ${list}, received ${v === null ? 'null' : typeof v}`);
  if (!(allowed as readonly string[]).includes(v)) throw new RangeError(`${name}: expected one of ${list}, received '${v}'`);
  return v as T;
}

export function checkBoolean(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name}: expected a boolean, received ${typeof v}`);
  return v;
}
