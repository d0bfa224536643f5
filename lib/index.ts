// nalu: neural arithmetic units for Node.js.
import type { Sequential as SequentialType } from './model';
import { native } from './binding';
import { saveModel } from './io';
import { Sequential } from './model';

export { NaluError, type NaluErrorCode } from './errors';
export { tensor, type Tensor, type TensorLike } from './tensor';
export * from './initializers';
export { Layer, type LayerArgs, type WeightSpec, type KernelRegularizer, type KernelConstraint } from './layers/layer';
export { Dense, type DenseArgs, type Activation, activationRegistry } from './layers/dense';
export { NAC, type NACArgs } from './layers/nac';
export { NALU, type NALUArgs, type GateKind } from './layers/nalu';
export { NAU, type NAUArgs } from './layers/nau';
export { NMU, type NMUArgs } from './layers/nmu';
export { NACMul, type NACMulArgs, type NACMulWeight } from './layers/nacmul';
export { INALU, type INALUArgs } from './layers/inalu';
export { NPU, RealNPU, type NPUArgs, type RealNPUArgs } from './layers/npu';
export { NMRU, type NMRUArgs } from './layers/nmru';
export { GatedNAUNMU, type GatedNAUNMUArgs } from './layers/gated';
export type { SparsityArgs } from './layers/sparsity';
export { layerRegistry, registerLayer, deserializeLayer } from './layers/registry';
export * from './losses';
export * from './optimizers';
export { Sequential, History, type FitArgs, type CompileArgs, type Callbacks, type EpochLogs } from './model';
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
