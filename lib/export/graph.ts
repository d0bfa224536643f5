// The forward of a unit as a graph of ONNX-named operators: each unit writes it once (toGraph,
// beside its forward), and the ONNX writer and the tfjs layers each read it their own way.

/** An operator attribute: an int, a float, an int list or a string. @category Export */
export type OpAttr = number | number[] | string;

/**
 * The graph a unit writes its forward into, value by value; every method returns the new value's
 * name. Operators are ONNX's (opset 17) with ONNX's semantics and broadcasting.
 * @category Export
 */
export interface OpGraph {
  /** The layer's weight `i` (getWeights order) as the unit stores it, with its shape. */
  weight(i: number): string;
  /** A float32 constant of `dims` (row-major). */
  constant(data: ArrayLike<number>, dims: number[], hint?: string): string;
  /** A float32 scalar constant. */
  scalar(v: number): string;
  /** An int64 constant (axes). */
  ints(data: number[], hint?: string): string;
  /** One operator with one output. */
  op(type: string, inputs: string[], attrs?: Record<string, OpAttr>, hint?: string): string;
}

/** Attributes written as floats even when their value is a whole number. */
export const floatAttrs = new Set(['alpha', 'beta', 'gamma']);
