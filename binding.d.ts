// Types of every export of the native addon (build/Release/nalu.node or prebuilds/<platform>/).

/** Options passed through to a native layer, loss or optimizer: numbers, strings, booleans, nested objects. */
export type NativeOptions = { [key: string]: number | string | boolean | NativeOptions | undefined };

export interface NativeLayerSpec extends NativeOptions {
  /** Registered native layer type ('dense', 'nac', 'nalu', …). */
  type: string;
  /** Seed for the layer's initializers (integer ≥ 0). */
  seed?: number;
}

export interface NativeNetworkSpec {
  inputDim: number;
  layers: NativeLayerSpec[];
  loss: NativeOptions & { type: string };
  optimizer: NativeOptions & { type: string };
}

export interface NativeWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface NativeEpochLog {
  epoch: number;
  loss: number;
  /** NaN without validation data. */
  valLoss: number;
  regularization: number;
}

export interface NativeFitResult {
  epochs: NativeEpochLog[];
  stopReason: 'completed' | 'aborted' | 'nonFinite';
}

export interface NativeFitOptions {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  throwOnNonFinite: boolean;
  xVal?: Float32Array;
  yVal?: Float32Array;
  valRows?: number;
}

export type NativeEpochEvent = (
  kind: 'begin' | 'end',
  epoch: number,
  loss: number,
  valLoss: number,
  regularization: number,
) => void;

export declare class NativeNetwork {
  constructor(spec: NativeNetworkSpec);
  readonly busy: boolean;
  readonly disposed: boolean;
  /** Optimizer steps taken so far. */
  readonly iterations: number;
  readonly inputDim: number;
  readonly outputDim: number;
  getWeights(): NativeWeight[];
  setWeights(weights: Float32Array[]): void;
  trainOnBatch(x: Float32Array, y: Float32Array, rows: number): number;
  /** dL/dw of every weight (getWeights order) on one batch, without an update. NaN loss when not finite. */
  computeGradients(x: Float32Array, y: Float32Array, rows: number): { loss: number; regularization: number; grads: Float32Array[] };
  predict(x: Float32Array, rows: number): Float32Array;
  evaluate(x: Float32Array, y: Float32Array, rows: number, batchSize: number): number;
  fit(x: Float32Array, y: Float32Array, rows: number, options: NativeFitOptions, onEvent?: NativeEpochEvent): Promise<NativeFitResult>;
  /** Asks a running fit to stop after the current batch. */
  stop(): void;
  /** Frees the native memory (after the running fit stops, if any). */
  dispose(): void;
}

export interface NativeBinding {
  NativeNetwork: typeof NativeNetwork;
  /** Registers the class native NaluErrors are made from. */
  init(options: { NaluError: new (message: string, code: string) => Error }): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  readonly layerTypes: string[];
  readonly lossTypes: string[];
  readonly optimizerTypes: string[];
}
