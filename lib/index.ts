// nalu: neural arithmetic units for Node.js.
import type { Sequential as SequentialType } from './model';
import { native } from './binding';
import { saveModel } from './io';
import { Sequential } from './model';

export { NaluError, type NaluErrorCode } from './errors';
export { tensor, type Tensor, type TensorLike } from './tensor';
export * from './initializers';
// Layer, every unit and the layer registry (importing the barrel registers every unit).
export * from './layers';
export * from './losses';
export * from './optimizers';
export { Sequential, History, type FitArgs, type CompileArgs, type Callbacks, type Metric } from './model';
export * from './callbacks';
export { loadModel } from './io';
/** The arithmetic benchmark (tasks, models, runs, statistics, tables): `tasks.runArithmetic`, `tasks.summarize`… */
export * as tasks from './tasks';

declare module './model' {
  interface Sequential {
    /** Writes model.json + weights to dir atomically (see loadModel). */
    save(dir: string): Promise<void>;
  }
}
(Sequential.prototype as SequentialType).save = function (this: SequentialType, dir: string) {
  return saveModel(this, dir);
};

/** Threads used by OpenBLAS and the element-wise loops (default: all cores). */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number') throw new TypeError(`setNumThreads: expected an integer, received ${typeof n}`);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new RangeError(`setNumThreads: expected an integer in [1, 1024], received ${n}`);
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}
