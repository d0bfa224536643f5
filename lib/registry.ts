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

/** A serialized object, tfjs-style. */
export interface Serialized {
  className: string;
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
