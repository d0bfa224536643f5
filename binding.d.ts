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
  /**
   * Activation layout: 'auto' (default; feature-major when every layer supports it and has at
   * most 1024 weights), 'rowMajor', or 'featureMajor' (where every layer supports it).
   */
  layout?: 'auto' | 'rowMajor' | 'featureMajor';
}

export interface NativeWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The metrics' error sums as means (with fit's `errors`; the val ones NaN without validation data). */
export interface NativeErrors {
  mae: number;
  mse: number;
  valMae: number;
  valMse: number;
}

export interface NativeEpochLog extends Partial<NativeErrors> {
  epoch: number;
  loss: number;
  /** NaN without validation data. */
  valLoss: number;
  regularization: number;
  /** Layers whose every output took one value for all rows of the epoch's last batch. */
  constantLayers?: number[];
}

/** An epoch's figures beyond the event's arguments, when there are any. */
export interface NativeEpochExtras extends Partial<NativeErrors> {
  constantLayers?: number[];
  /** With fit's `batchLosses`: each batch's loss, in order. */
  batchLosses?: Float32Array;
}

/** Where a profiled fit's or task run's time went, in seconds; `total` is the whole call, the phases' rest its other work. */
export interface NativeStepProfile {
  /** Optimizer steps timed. */
  steps: number;
  total: number;
  /** batch: fit's shuffle and gather; draw, layout, targets: a task's fresh batch (random numbers, their transpose, slice sums); evaluation: a task's evaluations. */
  phases: Record<'batch' | 'draw' | 'layout' | 'targets' | 'forward' | 'loss' | 'backward' | 'optimizer' | 'evaluation', number>;
}

export interface NativeFitResult {
  epochs: NativeEpochLog[];
  stopReason: 'completed' | 'aborted' | 'nonFinite';
  /** Epochs after which the reinitialization rule redrew the weights. */
  reinitializedAt?: number[];
  /** With the profile option. */
  profile?: NativeStepProfile;
}

/** fit's result with `columns`: each figure one array over the epochs. */
export interface NativeFitColumns {
  epochs: number;
  loss: Float64Array;
  /** NaN without validation data. */
  valLoss: Float64Array;
  regularization: Float64Array;
  /** With `errors`. */
  mae?: Float64Array;
  mse?: Float64Array;
  valMae?: Float64Array;
  valMse?: Float64Array;
  /** The epochs whose last batch left layers constant, and those layers. */
  constantLayers: { epoch: number; layers: number[] }[];
  stopReason: 'completed' | 'aborted' | 'nonFinite';
  reinitializedAt?: number[];
  profile?: NativeStepProfile;
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
  /** iNALU's reinitialization rule; absent: off. */
  reinitialize?: { everyEpochs: number; minSteps: number; threshold: number };
  /** Wait after each 'end' event until resume() (or stop); only 'end' events are sent. Needs onEvent. */
  awaitEpochs?: boolean;
  /** The mae/mse of each epoch's batches (before their steps) and of the validation data. */
  errors?: boolean;
  /** Each batch's loss in the 'end' event's extras. */
  batchLosses?: boolean;
  /** The result as NativeFitColumns (one array a figure) instead of one object an epoch. */
  columns?: boolean;
  /** Time each phase of the steps (a clock read at each boundary: slightly slower) into the result's `profile`. */
  profile?: boolean;
}

/** fit's event callback; one that throws stops the fit, whose promise rejects with what it threw. */
export type NativeEpochEvent = (
  kind: 'begin' | 'end',
  epoch: number,
  loss: number,
  valLoss: number,
  regularization: number,
  extras: NativeEpochExtras | undefined,
) => void;

export declare class NativeNetwork {
  constructor(spec: NativeNetworkSpec);
  readonly busy: boolean;
  /** A fit with awaitEpochs is waiting at an epoch's end: getWeights, setWeights and setLearningRate work. */
  readonly paused: boolean;
  readonly disposed: boolean;
  /** Optimizer steps taken so far. */
  readonly iterations: number;
  readonly inputDim: number;
  readonly outputDim: number;
  /** The layout the network runs in (spec.layout 'auto' resolved). */
  readonly layout: 'rowMajor' | 'featureMajor';
  getWeights(): NativeWeight[];
  setWeights(weights: Float32Array[]): void;
  trainOnBatch(x: Float32Array, y: Float32Array, rows: number): number;
  /** dL/dw of every weight (getWeights order) on one batch, without an update. At a non-finite loss (returned as is) every grad is NaN. */
  computeGradients(x: Float32Array, y: Float32Array, rows: number): { loss: number; regularization: number; grads: Float32Array[] };
  predict(x: Float32Array, rows: number): Float32Array;
  evaluate(x: Float32Array, y: Float32Array, rows: number, batchSize: number): number;
  /** With errors: the mean loss and the outputs' mae and mse. */
  evaluate(x: Float32Array, y: Float32Array, rows: number, batchSize: number, errors: true): { loss: number; mae: number; mse: number };
  fit(x: Float32Array, y: Float32Array, rows: number, options: NativeFitOptions & { columns: true }, onEvent?: NativeEpochEvent): Promise<NativeFitColumns>;
  fit(x: Float32Array, y: Float32Array, rows: number, options: NativeFitOptions, onEvent?: NativeEpochEvent): Promise<NativeFitResult>;
  /** Asks a running fit to stop after the current batch. */
  stop(): void;
  /** Lets a fit waiting at an epoch's end (awaitEpochs) go on. */
  resume(): void;
  /** The optimizer's learning rate from the next step on. */
  setLearningRate(learningRate: number): void;
  /** Moves layer `layer`'s sparsity warm-up to optimizer steps start → end (RangeError for a layer without one). */
  setSparsitySchedule(layer: number, start: number, end: number): void;
  /**
   * Each row holds `steps` time steps from the next call on: inputDim (and outputDim with
   * returnSequences) scale with it. RangeError unless the first layer is recurrent (RNN, LSTM) or a TimeDistributed.
   */
  setSteps(steps: number): void;
  /**
   * Frees the native memory. During a fit: the fit stops at its next batch, no later epoch event
   * is delivered, every other call throws NaluError DISPOSED at once, and the memory is freed when
   * the fit's job ends; the fit's promise resolves with stopReason 'aborted'.
   */
  dispose(): void;
}

/**
 * One instance of a registered native task (taskTypes): its name and its parameters, each a
 * number, a string or a range [[lo, hi]] (or two intervals picked with equal probability). The
 * task 'arithmetic' (Madsen & Johansen 2020; Mistry et al. 2021) takes op, inputSize, subsetRatio,
 * overlapRatio, interpolation, extrapolation and seed (which picks the slices' offset).
 */
export interface NativeTaskSpec {
  name: string;
  [param: string]: string | number | [number, number][];
}

export interface NativeTaskRunOptions {
  iterations: number;
  batchSize: number;
  evalEvery: number;
  validationSize: number;
  testSize: number;
  /** Perturbation of the perfect solution in the threshold simulation. */
  epsilon: number;
  thresholdSamples: number;
  /** Evaluations the best model (lowest interpolation MSE) is picked from. */
  bestWindow: number;
  /** Seed of the training batches. */
  seed: number;
  /** Time each phase of the iterations into the result's `profile`. */
  profile?: boolean;
}

export interface NativeTaskEval {
  iteration: number;
  /** Mean training loss since the previous evaluation (NaN at iteration 0). */
  trainLoss: number;
  interpolation: number;
  extrapolation: number;
  /** max min(|w|, |1 − |w||) over the weight matrices. */
  sparsity: number;
}

export interface NativeTaskRunResult {
  threshold: number;
  iterations: number;
  /** First evaluated iteration with extrapolation MSE < threshold, or null. */
  solvedAt: number | null;
  success: boolean;
  stopReason: 'completed' | 'aborted' | 'nonFinite';
  last: NativeTaskEval;
  best: NativeTaskEval;
  /** The weights after the last step. */
  weights: NativeWeight[];
  /** The weights at `best` (those of `weights` when no evaluation of the window was finite). */
  bestWeights: NativeWeight[];
  profile?: NativeStepProfile;
  /** Native threads the run used. */
  threads: number;
  /** The instruction set of the kernels it ran (NativeBinding.isa). */
  isa: 'avx512' | 'avx2' | 'baseline';
}

export interface NativeTaskRun {
  promise: Promise<NativeTaskRunResult>;
  /** Stops after the current step; the promise resolves with stopReason 'aborted'. */
  stop(): void;
}

/** One run of a fused group: its network, task (drawing the inputs of every other run's) and options (batchSize, evalEvery, validationSize, testSize and seed equal to every other run's). */
export interface NativeGroupRunSpec {
  network: NativeNetworkSpec;
  task: NativeTaskSpec;
  run: Omit<NativeTaskRunOptions, 'profile'>;
}

export interface NativeGroupRun {
  /** Each run's result in the order given; profile: the whole group's, steps counted per run-iteration. */
  promise: Promise<{ results: Omit<NativeTaskRunResult, 'profile'>[]; profile?: NativeStepProfile }>;
  /** Stops every run after the current step; they resolve with stopReason 'aborted'. */
  stop(): void;
}

export interface NativeBinding {
  NativeNetwork: typeof NativeNetwork;
  /**
   * Registers the class native NaluErrors are made from (a constructor: TypeError otherwise; the
   * only key is NaluError). Should it throw when an error is made, a plain Error named
   * 'NaluError' with the code is thrown or rejected with instead.
   */
  init(options: { NaluError: new (message: string, code: string) => Error }): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** Seconds of each of `reps` timed cblas_sgemm calls on n×n×n (benchmark reference; after one warm-up). */
  benchSgemm(n: number, reps: number): number[];
  /** Seconds of each of `reps` timed runs of a NALU training step's six products alone (no element-wise work). */
  /** The name of the kernels OpenBLAS chose for this CPU (or OPENBLAS_CORETYPE's). */
  benchOpenblasCore(): string;
  /** featureMajor: the products as a feature-major layer makes them (default row-major). */
  benchStepProducts(batch: number, inputs: number, units: number, reps: number, featureMajor?: boolean): number[];
  /**
   * Rates per CPU-second of `reps` runs of a probe of this core (after one warm-up): 'clock' dependent
   * adds (Hz), 'fma512' | 'fma256' | 'fma' float multiply-adds (RangeError where the CPU lacks the
   * vectors), 'copy' bytes read + written copying half of a `bytes` buffer into the other half.
   */
  benchCore(probe: 'clock' | 'fma512' | 'fma256' | 'fma', reps: number): number[];
  benchCore(probe: 'copy', reps: number, bytes: number): number[];
  /** Trains a network on fresh batches of a task on a worker thread (1 native thread). An onEval that throws stops the run, whose promise rejects with what it threw. */
  runTask(
    spec: { network: NativeNetworkSpec; task: NativeTaskSpec; run: NativeTaskRunOptions },
    onEval?: (e: NativeTaskEval) => void,
  ): NativeTaskRun;
  /**
   * Trains runs whose tasks draw the same inputs (one task instance and seed, their operations
   * apart) on one stream of batches (fused) on a worker thread (1 native thread); each result
   * equals the same run's alone with runTask.
   */
  runTaskGroup(
    spec: { runs: NativeGroupRunSpec[]; profile?: boolean },
    onEval?: (run: number, e: NativeTaskEval) => void,
  ): NativeGroupRun;
  /** The instruction set of the kernels on this CPU: x86-64-v4 clones (avx512), x86-64-v3 (avx2) or baseline. */
  readonly isa: 'avx512' | 'avx2' | 'baseline';
  /** Extrapolation MSE of the ε-perturbed perfect solution (Monte-Carlo over `samples`). */
  taskThreshold(task: NativeTaskSpec, epsilon: number, samples: number, seed: number): number;
  /** Samples of the task and its ground truth: the slices of x its target is made of (arithmetic: a and b), each [start, end). */
  sampleTask(
    task: NativeTaskSpec,
    which: 'interpolation' | 'extrapolation',
    rows: number,
    seed: number,
  ): { x: Float32Array; t: Float32Array; structure: { name: string; start: number; end: number }[] };
  /** The registered native tasks' names. */
  readonly taskTypes: string[];
  readonly arithmeticOps: string[];
  readonly layerTypes: string[];
  /** Each native layer type's input row: plain features, a sequence of steps or an image. */
  readonly layerInputs: Record<string, 'row' | 'sequence' | 'image'>;
  readonly lossTypes: string[];
  readonly optimizerTypes: string[];
  /** The default each option of a native layer, loss or optimizer type falls back to when left out. */
  optionDefaults(kind: 'layer' | 'loss' | 'optimizer', type: string): Record<string, number | boolean | string>;
}
