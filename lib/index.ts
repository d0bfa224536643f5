/**
 * Neural arithmetic units (NAC, NALU, NAU, NMU, iNALU, NPU, NMRU…) for Node.js: native C++ kernels on
 * OpenBLAS, trained off the event loop. `import { Sequential, NAU, NMU } from 'nalu'` gives everything below;
 * the arithmetic benchmark is in the `tasks` namespace. Errors: TypeError or RangeError naming the argument,
 * NaluError with a stable `code` otherwise.
 * @packageDocumentation
 */
import type { Sequential as SequentialType } from './model';
import { native } from './binding';
import { saveONNX } from './export/onnx';
import { saveTfjs } from './export/tfjs';
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
export type { ExplainArgs, Explanation, ExtrapolationData, ExtrapolationFidelity, Formula, Fidelity, ErrorFigures, OutputFormula } from './explain';
/**
 * Expressions for a layer's symbolic form (Layer.symbolic, read by Sequential.explain): builders that
 * simplify as they go, the SymbolicContext a unit snaps its weights with, and the printers.
 * @category Explain
 */
export * as symbolic from './explain/symbolic';
export * from './callbacks';
export { loadModel } from './io';
export { toONNX, saveONNX, onnxOpset } from './export/onnx';
export { fromTfjs, tfjsHandler, type TfjsLoadHandler } from './export/tfjs';
export { loadKerasWeights } from './export/keras';
export type { OpGraph, OpAttr } from './export/graph';
export { fitRestarts, seedOf, type RestartArgs, type RestartReport, type RestartsResult } from './restarts';
export { readCsv, type ReadCsvOptions, type CsvTable } from './csv';
/**
 * The arithmetic benchmark of Madsen & Johansen 2020 and Mistry et al. 2021 (tasks, models, runs, experiments,
 * statistics, tables), as the `nalu` CLI runs it: `tasks.runArithmetic`, `tasks.planRuns`, `tasks.summarize`…
 * @category Benchmark
 */
export * as tasks from './tasks';

declare module './model' {
  interface Sequential {
    /**
     * Writes model.json + weights to dir (created if missing) atomically: a reader sees the old model or the new one.
     * @throws (rejects) TypeError for an empty or non-string dir; NaluError SAVE_FAILED when it cannot be written.
     */
    save(dir: string): Promise<void>;
    /**
     * Writes the model as ONNX (opset 17, standard operators only, input `x`, output `y`) to `file`, atomically.
     * @throws (rejects) NaluError NOT_COMPILED, MISSING_DEPENDENCY (onnx-proto), SAVE_FAILED; RangeError naming a layer without an ONNX form.
     */
    toONNX(file: string): Promise<void>;
    /**
     * Writes the model as a TensorFlow.js LayersModel (model.json + weights.bin) to dir, read by
     * tf.loadLayersModel once `nalu/tfjs` is imported, and by fromTfjs.
     * @throws (rejects) NaluError NOT_COMPILED, SAVE_FAILED; RangeError naming a layer without a portable form.
     */
    toTfjs(dir: string): Promise<void>;
  }
}
(Sequential.prototype as SequentialType).save = function (this: SequentialType, dir: string) {
  return saveModel(this, dir);
};
(Sequential.prototype as SequentialType).toONNX = function (this: SequentialType, file: string) {
  return saveONNX(this, file);
};
(Sequential.prototype as SequentialType).toTfjs = function (this: SequentialType, dir: string) {
  return saveTfjs(this, dir);
};

/**
 * Sets the threads used by OpenBLAS and the element-wise loops (default: all cores), for the whole process.
 * @throws TypeError for a non-number, RangeError for a number that is not an integer in [1, 1024].
 * @category Runtime
 */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number') throw new TypeError(`setNumThreads: expected an integer, received ${typeof n}`);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new RangeError(`setNumThreads: expected an integer in [1, 1024], received ${n}`);
  native.setNumThreads(n);
}
/** The threads OpenBLAS and the element-wise loops use now. @category Runtime */
export function getNumThreads(): number {
  return native.getNumThreads();
}
