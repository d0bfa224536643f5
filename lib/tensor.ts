// Tensors: a Float32Array with a shape. Features are on the last axis; leading axes are batch.

/** A Float32Array with a shape, row-major: features on the last axis, the leading axes are batch axes. @category Tensors */
export interface Tensor {
  /** The values, row-major; its length is the product of shape. */
  data: Float32Array;
  /** The dimensions, e.g. [batch, features]. */
  shape: number[];
}

/** Input of fit/predict/evaluate: nested arrays (rank ≥ 2) or a Tensor. @category Tensors */
export type TensorLike = Tensor | number[][] | number[][][];

// The argument is named `${name}${suffix}`, joined only for an error message (not on every call).
// Returns a copy: a Proxy or getter cannot change the dimensions after they were checked.
function checkShape(shape: unknown, name: string, suffix = ''): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${name}${suffix}: expected an array of dimensions, received ${describe(shape)}`);
  const dims: unknown[] = shape.slice();
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      const message = `${name}${suffix}: expected non-negative integer dimensions, received [${dims.map(describe).join(', ')}]`;
      throw typeof d === 'number' ? new RangeError(message) : new TypeError(message);
    }
  }
  return dims as number[];
}

/**
 * Makes a Tensor, checking that data has exactly the product of shape values. A Float32Array is used as it is
 * (not copied); an array of numbers is copied into a new one.
 * @throws TypeError for a non-numeric value or a bad shape type, RangeError for a length that does not match shape.
 * @category Tensors
 */
export function tensor(data: Float32Array | ArrayLike<number>, shape: number[]): Tensor {
  checkShape(shape, 'shape');
  const size = shape.reduce((a, b) => a * b, 1);
  let arr: Float32Array;
  if (data instanceof Float32Array) arr = data;
  else {
    // Float32Array.from would turn strings and objects into NaN silently.
    const ok = Array.isArray(data) || (ArrayBuffer.isView(data) && !(data instanceof DataView));
    if (!ok) throw new TypeError(`data: expected a Float32Array or an array of numbers, received ${describe(data)}`);
    const src = data as ArrayLike<unknown>;
    for (let i = 0; i < src.length; i++)
      if (typeof src[i] !== 'number') throw new TypeError(`data[${i}]: expected a number, received ${describe(src[i])}`);
    arr = Float32Array.from(src as ArrayLike<number>);
  }
  if (arr.length !== size)
    throw new RangeError(`data: expected ${size} values for shape [${shape.join(', ')}], received ${arr.length}`);
  return { data: arr, shape: [...shape] };
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (typeof v === 'object') return `an object`;
  return typeof v;
}

/** A rank ≥ 2 input seen as rows × features. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
  /** The validated shape (a copy of the caller's): the leading axes are the batch axes. */
  shape: readonly number[];
}

/** Converts a TensorLike to rows × features, checking rank, shape, and (for arrays) finiteness. */
export function toMatrix(x: unknown, name: string, cols?: number): Matrix {
  let data: Float32Array;
  let shape: number[];
  if (Array.isArray(x)) {
    shape = [];
    let level: unknown = x;
    while (Array.isArray(level)) {
      shape.push(level.length);
      level = level[0];
    }
    const size = shape.reduce((a, b) => a * b, 1);
    data = new Float32Array(size);
    let k = 0;
    const walk = (v: unknown, depth: number, at: string) => {
      if (depth === shape.length) {
        if (typeof v !== 'number') throw new TypeError(`${name}${at}: expected a number, received ${describe(v)}`);
        if (!Number.isFinite(v)) throw new RangeError(`${name}${at}: expected a finite number, received ${v}`);
        data[k++] = v;
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[depth])
        throw new RangeError(
          `${name}${at}: expected an array of length ${shape[depth]} (ragged input), received ${describe(v)}`,
        );
      for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${at}[${i}]`);
    };
    walk(x, 0, '');
  } else if (x !== null && typeof x === 'object' && 'data' in x && 'shape' in x) {
    // Each property is read once: a getter may answer differently on a second read.
    const { data: d, shape: s } = x as Tensor;
    // A Proxy passes instanceof but is no typed array for the native side (isView says so).
    if (!(ArrayBuffer.isView(d) && d instanceof Float32Array))
      throw new TypeError(`${name}.data: expected a Float32Array, received ${describe(d)}`);
    shape = checkShape(s, name, '.shape');
    const size = shape.reduce((a, b) => a * b, 1);
    if (d.length !== size)
      throw new RangeError(
        `${name}: expected ${size} values for shape [${shape.join(', ')}], received ${d.length}`,
      );
    data = d;
  } else {
    throw new TypeError(`${name}: expected a Tensor {data, shape} or nested number arrays, received ${describe(x)}`);
  }
  if (shape.length < 2)
    throw new RangeError(`${name}: expected rank ≥ 2 ([batch, features]), received shape [${shape.join(', ')}]`);
  const c = shape[shape.length - 1];
  if (cols !== undefined && c !== cols)
    throw new RangeError(`${name}: expected ${cols} features on the last axis, received shape [${shape.join(', ')}]`);
  // data.length is the product of shape (checked above), so rows needs no second product and
  // no slice: trainOnBatch calls this twice a step, and the allocations showed in its profile.
  const rows = c === 0 ? 0 : data.length / c;
  if (rows === 0) throw new RangeError(`${name}: expected a non-empty input, received shape [${shape.join(', ')}]`);
  return { data, rows, cols: c, shape };
}
