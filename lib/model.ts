// Sequential: a Keras-like model whose training loop runs natively on a worker thread.
import type { NativeErrors, NativeEpochExtras, NativeNetwork, NativeFitColumns } from '../binding';
import { native } from './binding';
import { checkCallbacks, type Callback, type EpochLogs } from './callbacks';
import { NaluError } from './errors';
import { explainModel, type ExplainArgs, type Explanation } from './explain';
import type { Layer, WeightSpec } from './layers/layer';
import { getLoss, type Loss, type LossLike } from './losses';
import { getOptimizer, Adam, type Optimizer, type OptimizerLike } from './optimizers';
import { refuseUnknown } from './options';
import { checkBoolean, checkChoice, checkNumber, checkOptions } from './registry';
import { hasTimeAxis, isRecurrent, outputsEveryStep } from './layers/time-distributed';
import { describe, toMatrix, type Matrix, type Tensor, type TensorLike } from './tensor';

export type { EpochLogs } from './callbacks';
/** fit's callbacks: one callback object or an array of them. @category Model */
export type Callbacks = Callback | Callback[];

/** Options of Sequential.fit. Unknown or bad values throw TypeError or RangeError naming the option. @category Model */
export interface FitArgs {
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Shuffle the rows every epoch. Default true. */
  shuffle?: boolean;
  /** Fraction of the rows (the last ones, before shuffling) held out for valLoss. */
  validationSplit?: number;
  /** [x, y] to compute valLoss (and the val metrics) on after every epoch; takes precedence over validationSplit. */
  validationData?: [TensorLike, TensorLike];
  /** 1: print one line per epoch. Default 0. */
  verbose?: 0 | 1;
  /**
   * Callback objects (earlyStopping(), reduceLROnPlateau(), modelCheckpoint(), learningRateScheduler()
   * or your own {onEpochEnd…}), called in order. fit awaits each hook and a promise it returns, and
   * waits at every epoch's end until they are done: a stopTraining(), setWeights() or learning-rate
   * change there takes effect at that epoch. A hook that throws stops fit, which rejects with its error.
   */
  callbacks?: Callbacks;
  /**
   * Aborting stops after the current batch; fit resolves with stopReason 'aborted', without waiting
   * for a hook that is still running (unless the hook itself aborted).
   */
  signal?: AbortSignal;
  /** Seed of the shuffling order. Default: random. */
  seed?: number;
  /** When the loss or a gradient is not finite: 'stop' (default) keeps the last finite weights and resolves with stopReason 'nonFinite'; 'throw' rejects with NaluError NON_FINITE. */
  onNonFinite?: 'stop' | 'throw';
  /**
   * iNALU's reinitialization rule (Schlör et al. 2020): every `everyEpochs` epochs (default 10), once more than
   * `minSteps` steps (default 10000) were taken since the last start, if the mean batch loss of their first half is
   * not below the second half's mean + standard deviation and that mean is above `threshold` (default 1), every
   * layer redraws its weights from its initializers and the optimizer state restarts. `true`: the defaults.
   */
  reinitialize?: boolean | ReinitializeArgs;
}

/** @inline */
export interface ReinitializeArgs {
  /** Epochs between two checks. Default 10. */
  everyEpochs?: number;
  /** Steps since the last start before a check may redraw. Default 10000. */
  minSteps?: number;
  /** The mean loss above which a stalled run is redrawn. Default 1. */
  threshold?: number;
}

function checkReinitialize(v: unknown): Required<ReinitializeArgs> | undefined {
  if (v === undefined || v === false) return undefined;
  const o = v === true ? {} : checkOptions(v, 'reinitialize');
  for (const k of Object.keys(o))
    if (!['everyEpochs', 'minSteps', 'threshold'].includes(k)) throw new RangeError(`reinitialize: unknown key '${k}', expected everyEpochs, minSteps, threshold`);
  return {
    everyEpochs: checkNumber(o.everyEpochs ?? 10, 'reinitialize.everyEpochs', 1, 2 ** 30, true),
    minSteps: checkNumber(o.minSteps ?? 10000, 'reinitialize.minSteps', 0, Number.MAX_SAFE_INTEGER, true),
    threshold: checkNumber(o.threshold ?? 1, 'reinitialize.threshold', 0, Infinity),
  };
}

/** The per-epoch record of a fit. @category Model */
export class History {
  /** The epochs run, from 0. */
  readonly epoch: number[] = [];
  /** The mean training loss of each epoch. */
  readonly loss: number[] = [];
  /** The validation loss of each epoch (empty without validation data). */
  readonly valLoss: number[] = [];
  /** The layers' regularization term of each epoch (EpochLogs.regularization). */
  readonly regularization: number[] = [];
  /** Epochs after which FitArgs.reinitialize redrew the weights. */
  readonly reinitializedAt: number[] = [];
  /** What fit noticed that may defeat the training, e.g. a regularizer that never switches on. */
  readonly warnings: string[] = [];
  /** Why fit ended ('aborted': stopTraining(), a callback's stop, the signal or dispose). */
  stopReason: 'completed' | 'aborted' | 'nonFinite' = 'completed';
  /** The compiled metrics per epoch (mae, mse, rmse; valMae… with validation data). */
  readonly metrics: Record<string, number[]> = {};
  /** The logs by name, as tfjs's History.history; val* also as val_*, as Keras names them. */
  get history(): Record<string, number[]> {
    const h: Record<string, number[]> = { loss: this.loss, regularization: this.regularization };
    if (this.valLoss.length) h.valLoss = this.valLoss;
    Object.assign(h, this.metrics);
    for (const k of Object.keys(h)) if (k.startsWith('val')) h[`val_${k[3].toLowerCase()}${k.slice(4)}`] = h[k];
    return h;
  }
}

/** Metrics computed natively over each epoch's batches (before their steps) and the validation data. @category Model */
export type Metric = 'mae' | 'mse' | 'rmse';
const metricNames: readonly Metric[] = ['mae', 'mse', 'rmse'];

/** A metric's value from the native error means (rmse: the root of the epoch's mse, as Keras). */
function metricValue(m: Metric, mae: number | undefined, mse: number | undefined): number {
  return m === 'mae' ? mae ?? NaN : m === 'mse' ? mse ?? NaN : Math.sqrt(mse ?? NaN);
}

/** The logs of `metrics` from native figures; `val`: the valMae… ones too. */
function metricLogs(metrics: readonly Metric[], e: Partial<NativeErrors>, val: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) {
    out[m] = metricValue(m, e.mae, e.mse);
    if (val) out[`val${m[0].toUpperCase()}${m.slice(1)}`] = metricValue(m, e.valMae, e.valMse);
  }
  return out;
}

/** Options of Sequential.compile. @category Model */
export interface CompileArgs {
  /** 'sgd', 'adam', 'rmsprop' or an Optimizer (new Adam({learningRate: 1e-2})). */
  optimizer: OptimizerLike;
  /** 'mse', 'mae', 'huber' or a Loss. */
  loss: LossLike;
  /** Metrics in the epoch logs, History and evaluate(…, {returnDict: true}): 'mae', 'mse', 'rmse'. */
  metrics?: Metric[];
}

/** @inline */
export interface ModelArgs {
  /** Layers to add, first to last (as add would). */
  layers?: Layer[];
  /** Default 'sequential'. */
  name?: string;
}

function checkMetrics(v: unknown): Metric[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError(`metrics: expected an array of metric names, received ${describe(v)}`);
  // An index loop: map skips the holes of [, 'mae'], which would become a metric named undefined.
  const out: Metric[] = [];
  for (let i = 0; i < v.length; i++) out.push(checkChoice(v[i], `metrics[${i}]`, metricNames));
  return [...new Set(out)];
}

/** The warning for a layer whose outputs all went constant in `epoch`. */
function constantWarning(layer: Layer, epoch: number): string {
  return (
    `layer '${layer.name}' (${layer.className}): every output was the same for every row of epoch ${epoch}'s last batch ` +
    '(a dead unit); try a smaller learning rate, another initialization, or a later regularizer warm-up'
  );
}

/** FitArgs' keys: any other is refused (Keras' epoch or batch_size would be ignored unseen). */
const fitKeys = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'verbose', 'callbacks', 'signal', 'seed', 'onNonFinite', 'reinitialize'];

/** Callbacks with setModel that a running fit holds. */
const callbacksInUse = new WeakSet<Callback>();

/** How an error names a callback: its class as the factory spells it (earlyStopping), else 'callback'. */
function callbackKind(c: Callback): string {
  const n = Object.getPrototypeOf(c) === Object.prototype ? '' : (c.constructor?.name ?? '');
  return n ? n[0].toLowerCase() + n.slice(1) : 'callback';
}

/** Refuses a non-finite value of `data` (rows of `cols`), named as `name` row `first + r`. */
function checkFinite(data: Float32Array, cols: number, name: string, first = 0): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]))
      throw new RangeError(
        `${name}: expected finite values, received ${Number.isNaN(data[i]) ? 'NaN' : 'Infinity'} at row ${first + Math.floor(i / cols)}, column ${i % cols}`,
      );
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/**
 * A Keras-like stack of layers whose training loop runs natively on a worker thread.
 * Build it with layers (the first with inputDim), compile({optimizer, loss}), then fit, predict, evaluate, save.
 * The native network is built at compile (or at first use); dispose() frees it.
 * @category Model
 */
export class Sequential {
  /** The model's name (default 'sequential'). */
  readonly name: string;
  #layers: Layer[] = [];
  #native?: NativeNetwork;
  #optimizer: Optimizer = new Adam();
  #loss: Loss = getLoss('mse');
  #compiled = false;
  #seeds: number[] = [];
  #stopRequested = false;
  #fitting = false;
  #metrics: Metric[] = [];
  // The running fit's callbacks that it claimed (callbacksInUse), and how a stop from outside its
  // hooks makes it stop waiting for them; #inHook > 0 while a hook runs synchronously.
  #claimed: Callback[] = [];
  #release?: () => void;
  #unlisten?: () => void;
  #inHook = 0;

  /**
   * From an array of layers or {layers, name}.
   * @throws TypeError for a non-string name or layers that are not an array; as add for each layer.
   */
  constructor(args?: Layer[] | ModelArgs) {
    const o: ModelArgs = Array.isArray(args) ? { layers: args } : (checkOptions(args, 'Sequential options') as ModelArgs);
    if (o.name !== undefined && typeof o.name !== 'string') throw new TypeError(`name: expected a string, received ${typeof o.name}`);
    this.name = o.name ?? 'sequential';
    if (o.layers !== undefined) {
      if (!Array.isArray(o.layers)) throw new TypeError(`layers: expected an array of layers, received ${describe(o.layers)}`);
      for (const l of o.layers) this.add(l);
    }
  }

  /** The layers, first to last. */
  get layers(): readonly Layer[] {
    return this.#layers;
  }
  /** The compiled optimizer (before compile: a default Adam); set its learningRate to change η. */
  get optimizer(): Optimizer {
    return this.#optimizer;
  }
  /** The compiled loss (before compile: mse). */
  get loss(): Loss {
    return this.#loss;
  }
  /** The compiled metrics. */
  get metrics(): readonly Metric[] {
    return this.#metrics;
  }
  /** True while fit runs. */
  get busy(): boolean {
    return this.#fitting || (this.#native?.busy ?? false);
  }
  /**
   * Number of input features (from the first layer's inputDim).
   * @throws RangeError when the model has no layers or its first layer has no inputDim.
   */
  get inputDim(): number {
    return this.#inputDim('inputDim');
  }

  #inputDim(method: string): number {
    const first = this.#layers[0];
    if (!first) throw new RangeError(`${method}: the model has no layers; give them to new Sequential([…]) or add()`);
    if (first.inputDim === undefined) throw new RangeError(`${method}: the first layer '${first.name}' needs inputDim (or inputShape)`);
    return first.inputDim;
  }

  /**
   * Appends a layer; returns the model.
   * @throws TypeError for a non-layer; RangeError when its inputDim does not match the previous layer's units;
   * NaluError BUSY once the model is built (compiled or used).
   */
  add(layer: Layer): this {
    // Duck-typed so that layers from another copy of the package are refused clearly.
    if (layer === null || typeof layer !== 'object' || typeof (layer as Layer).toNative !== 'function')
      throw new TypeError(`add: expected a Layer, received ${describe(layer)}`);
    if (this.#native) throw new NaluError('add: the model is already built; create a new Sequential', 'BUSY');
    // The model's input has a time axis (see #x), and so has the output of a layer that outputs
    // every step; only the layers with a time axis read one.
    const prev = this.#layers[this.#layers.length - 1] as Layer | undefined;
    const timedIn = prev === undefined || outputsEveryStep(prev);
    if (hasTimeAxis(layer) && !timedIn)
      throw new RangeError(`add: the ${isRecurrent(layer) ? 'recurrent' : layer.className} layer '${layer.name}' must be the first layer or follow a TimeDistributed`);
    if (prev && timedIn && !hasTimeAxis(layer)) {
      if (isRecurrent(prev))
        throw new RangeError(`add: layer '${prev.name}' has returnSequences, so it must be the last layer or be followed by a TimeDistributed, RNN or LSTM`);
      throw new RangeError(`add: layer '${layer.name}' follows the TimeDistributed '${prev.name}', so it needs a time axis: wrap it in TimeDistributed`);
    }
    if (this.#layers.length > 0 && layer.inputDim !== undefined) {
      const prev = this.#layers[this.#layers.length - 1].units;
      if (layer.inputDim !== prev)
        throw new RangeError(`add: layer '${layer.name}' has inputDim ${layer.inputDim}, but the previous layer outputs ${prev}`);
    }
    this.#layers.push(layer);
    return this;
  }

  /**
   * Sets the optimizer, loss and metrics. Weights (if built) are kept; optimizer state restarts.
   * @throws TypeError or RangeError for a missing or bad option; NaluError BUSY in a fit, DISPOSED after dispose.
   */
  compile(args: CompileArgs): void {
    const o = checkOptions(args, 'compile options');
    if (o.optimizer === undefined) throw new TypeError('compile: optimizer is required');
    if (o.loss === undefined) throw new TypeError('compile: loss is required');
    const optimizer = getOptimizer(o.optimizer, 'optimizer');
    const loss = getLoss(o.loss, 'loss');
    const metrics = checkMetrics(o.metrics);
    // Between epochs too: a new native network would end the fit without a word.
    if (this.#fitting) throw new NaluError('compile: the model is busy in fit()', 'BUSY');
    this.#checkIdle('compile');
    if (this.#native?.disposed) throw new NaluError('compile: the model has been disposed', 'DISPOSED');
    const weights = this.#native ? this.#native.getWeights().map((w) => w.data) : undefined;
    this.#optimizer.attachLearningRate(undefined);
    this.#optimizer = optimizer;
    // A new learning rate reaches the native optimizer at once (between a fit's epochs too).
    optimizer.attachLearningRate((lr) => {
      if (this.#native && !this.#native.disposed) this.#native.setLearningRate(lr);
    });
    this.#loss = loss;
    this.#metrics = metrics;
    this.#compiled = true;
    this.#build('compile', weights);
  }

  /** The weight names and shapes of every layer, with the layer's name, in getWeights order. */
  weightSpecs(): (WeightSpec & { layer: string })[] {
    return this.#specs('weightSpecs');
  }

  #specs(method: string): (WeightSpec & { layer: string })[] {
    const out: (WeightSpec & { layer: string })[] = [];
    let d = this.#inputDim(method);
    for (const l of this.#layers) {
      for (const w of l.weightSpecs(d)) out.push({ ...w, layer: l.name });
      d = l.units;
    }
    return out;
  }

  #checkIdle(method: string) {
    if (this.#native?.busy && !this.#native.paused) throw new NaluError(`${method}: the model is busy in fit()`, 'BUSY');
  }

  #build(method: string, weights?: Float32Array[]) {
    const inputDim = this.#inputDim(method);
    if (this.#seeds.length !== this.#layers.length) this.#seeds = this.#layers.map(() => randomSeed());
    const net = new native.NativeNetwork({
      inputDim,
      layers: this.#layers.map((l, i) => l.toNative(this.#seeds[i])),
      loss: this.#loss.toNative(),
      optimizer: this.#optimizer.toNative(),
    });
    if (weights) net.setWeights(weights);
    this.#native?.dispose();
    this.#native = net;
  }

  #net(method: string): NativeNetwork {
    if (!this.#native) this.#build(method);
    return this.#native!;
  }

  // A recurrent or TimeDistributed first layer gives the input a time axis: x [batch, time, features]
  // is passed as rows of time·features, and the native network told the steps (setSteps) before each call.
  #x(x: unknown, method: string, name = 'x'): Matrix & { steps?: number } {
    const features = this.#inputDim(method);
    const m = toMatrix(x, name, features);
    const first = this.#layers[0];
    if (!hasTimeAxis(first)) return m;
    if (m.shape.length !== 3)
      throw new RangeError(`${name}: expected [batch, time, features] for the ${isRecurrent(first) ? 'recurrent' : first.className} layer '${first.name}', received shape [${m.shape.join(', ')}]`);
    const [batch, steps] = m.shape;
    return { ...m, rows: batch, cols: steps * features, steps };
  }

  #y(y: unknown, rows: number, name = 'y', steps?: number) {
    const last = this.#layers[this.#layers.length - 1];
    const m = toMatrix(y, name, last.units);
    if (outputsEveryStep(last)) {
      if (m.shape.length !== 3 || m.shape[1] !== steps)
        throw new RangeError(`${name}: expected [batch, ${steps}, ${last.units}] (the last layer outputs every step of x), received shape [${m.shape.join(', ')}]`);
      if (m.shape[0] !== rows) throw new RangeError(`${name}: expected ${rows} rows to match x, received ${m.shape[0]}`);
      return { ...m, rows, cols: steps * last.units };
    }
    if (m.rows !== rows) throw new RangeError(`${name}: expected ${rows} rows to match x, received ${m.rows}`);
    return m;
  }

  /** The native network, told x's time steps when the model's first layer has a time axis. */
  #netFor(method: string, mx: { steps?: number }): NativeNetwork {
    const net = this.#net(method);
    if (mx.steps !== undefined) net.setSteps(mx.steps);
    return net;
  }

  #requireCompiled(method: string) {
    if (!this.#compiled) throw new NaluError(`${method}: call compile({optimizer, loss}) first`, 'NOT_COMPILED');
  }

  /**
   * One optimizer step on one batch; returns the batch loss before the step.
   * @throws NaluError NOT_COMPILED before compile; RangeError for shapes that do not match the model.
   */
  trainOnBatch(x: TensorLike, y: TensorLike): number {
    this.#requireCompiled('trainOnBatch');
    const mx = this.#x(x, 'trainOnBatch');
    const my = this.#y(y, mx.rows, 'y', mx.steps);
    return this.#netFor('trainOnBatch', mx).trainOnBatch(mx.data, my.data, mx.rows);
  }

  /**
   * dLoss/dWeight on one batch (getWeights order), without updating; for checks and custom loops.
   * When the loss is not finite the gradients are undefined and come back as NaN.
   * @returns The batch loss, the regularization term and one gradient Tensor per weight.
   * @throws NaluError NOT_COMPILED before compile; RangeError for shapes that do not match the model.
   */
  computeGradients(x: TensorLike, y: TensorLike): { loss: number; regularization: number; grads: Tensor[] } {
    this.#requireCompiled('computeGradients');
    const mx = this.#x(x, 'computeGradients');
    const my = this.#y(y, mx.rows, 'y', mx.steps);
    const specs = this.#specs('computeGradients');
    const r = this.#netFor('computeGradients', mx).computeGradients(mx.data, my.data, mx.rows);
    return { loss: r.loss, regularization: r.regularization, grads: r.grads.map((g, i) => ({ data: g, shape: specs[i].shape })) };
  }

  /**
   * The outputs for x: shape [...batch axes of x, units]; `batchSize` rows at a time (default: all).
   * With an RNN, LSTM or TimeDistributed first layer x is [batch, time, features] and the output [batch, units]
   * ([batch, time, units] when the last layer is a TimeDistributed or an RNN or LSTM with returnSequences).
   * @throws TypeError or RangeError for an x that is not finite numbers of inputDim features.
   */
  predict(x: TensorLike, args: { batchSize?: number } = {}): Tensor {
    const o = checkOptions(args, 'predict options');
    refuseUnknown(o, ['batchSize'], 'predict');
    const mx = this.#x(x, 'predict');
    const batch = o.batchSize === undefined ? mx.rows : checkNumber(o.batchSize, 'batchSize', 1, 2 ** 24, true);
    const last = this.#layers[this.#layers.length - 1];
    const sequences = outputsEveryStep(last);
    const units = last.units * (sequences ? mx.steps! : 1);
    const net = this.#netFor('predict', mx);
    let data: Float32Array;
    if (batch >= mx.rows) data = net.predict(mx.data, mx.rows);
    else {
      data = new Float32Array(mx.rows * units);
      for (let r = 0; r < mx.rows; r += batch) {
        const n = Math.min(batch, mx.rows - r);
        data.set(net.predict(mx.data.subarray(r * mx.cols, (r + n) * mx.cols), n), r * units);
      }
    }
    if (mx.steps !== undefined) return { data, shape: sequences ? [mx.rows, mx.steps, last.units] : [mx.rows, units] };
    return { data, shape: [...mx.shape.slice(0, -1), units] };
  }

  /**
   * The mean loss on (x, y), `batchSize` rows at a time (default 1024); with returnDict, {loss, ...the compiled metrics}.
   * @throws NaluError NOT_COMPILED before compile; RangeError for shapes that do not match the model.
   */
  evaluate(x: TensorLike, y: TensorLike, args?: { batchSize?: number; returnDict?: false }): number;
  evaluate(x: TensorLike, y: TensorLike, args: { batchSize?: number; returnDict: true }): { loss: number } & Partial<Record<Metric, number>>;
  evaluate(x: TensorLike, y: TensorLike, args: { batchSize?: number; returnDict?: boolean } = {}): number | ({ loss: number } & Partial<Record<Metric, number>>) {
    // Without compile the loss would silently be the default 'mse'.
    this.#requireCompiled('evaluate');
    const o = checkOptions(args, 'evaluate options');
    refuseUnknown(o, ['batchSize', 'returnDict'], 'evaluate');
    const returnDict = checkBoolean(o.returnDict ?? false, 'returnDict');
    const mx = this.#x(x, 'evaluate');
    const my = this.#y(y, mx.rows, 'y', mx.steps);
    const batchSize = checkNumber(o.batchSize ?? 1024, 'batchSize', 1, 2 ** 24, true);
    if (!returnDict) return this.#netFor('evaluate', mx).evaluate(mx.data, my.data, mx.rows, batchSize);
    const r = this.#netFor('evaluate', mx).evaluate(mx.data, my.data, mx.rows, batchSize, true);
    return { loss: r.loss, ...metricLogs(this.#metrics, r, false) };
  }

  /**
   * Trains for `epochs` epochs on a worker thread; the event loop stays free. Resolves with the History,
   * whose stopReason says whether it completed, was aborted or met a non-finite loss.
   * @throws (rejects) NaluError NOT_COMPILED, BUSY (a fit runs), NON_FINITE (onNonFinite 'throw');
   * TypeError or RangeError for bad data or options; a callback's error.
   */
  async fit(x: TensorLike, y: TensorLike, args: FitArgs = {}): Promise<History> {
    // From the call on: its callbacks' onTrainBegin runs before the native fit starts.
    if (this.#fitting) throw new NaluError('fit: the model is busy in fit()', 'BUSY');
    this.#fitting = true;
    try {
      return await this.#fit(x, y, args);
    } finally {
      this.#fitting = false;
      this.#release = undefined;
      this.#unlisten?.();
      this.#unlisten = undefined;
      for (const c of this.#claimed) callbacksInUse.delete(c);
      this.#claimed = [];
    }
  }

  async #fit(x: TensorLike, y: TensorLike, args: FitArgs): Promise<History> {
    this.#requireCompiled('fit');
    const raw = checkOptions(args, 'fit options');
    refuseUnknown(raw, fitKeys, 'fit');
    const o = raw as FitArgs;
    const epochs = checkNumber(o.epochs ?? 1, 'epochs', 0, 2 ** 30, true);
    const batchSize = checkNumber(o.batchSize ?? 32, 'batchSize', 1, 2 ** 24, true);
    const shuffle = checkBoolean(o.shuffle ?? true, 'shuffle');
    const seed = checkNumber(o.seed ?? randomSeed(), 'seed', 0, Number.MAX_SAFE_INTEGER, true);
    const verbose = o.verbose ?? 0;
    if (verbose !== 0 && verbose !== 1) throw new RangeError(`verbose: expected 0 or 1, received ${describe(verbose)}`);
    const onNonFinite = o.onNonFinite ?? 'stop';
    if (onNonFinite !== 'stop' && onNonFinite !== 'throw')
      throw new RangeError(`onNonFinite: expected 'stop' or 'throw', received ${describe(onNonFinite)}`);
    const callbacks = checkCallbacks(o.callbacks);
    if (typeof o.reinitialize !== 'boolean' && o.reinitialize !== undefined && (o.reinitialize === null || typeof o.reinitialize !== 'object'))
      throw new TypeError(`reinitialize: expected a boolean or {everyEpochs, minSteps, threshold}, received ${describe(o.reinitialize)}`);
    const reinitialize = checkReinitialize(o.reinitialize);
    const signal = o.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal))
      throw new TypeError(`signal: expected an AbortSignal, received ${describe(signal)}`);
    // Checked even beside validationData, which takes precedence.
    const split = o.validationSplit === undefined ? undefined : checkNumber(o.validationSplit, 'validationSplit', 0, 1);

    let mx = this.#x(x, 'fit');
    let my = this.#y(y, mx.rows, 'y', mx.steps);
    let val: { x: Float32Array; y: Float32Array; rows: number } | undefined;
    if (o.validationData !== undefined) {
      if (!Array.isArray(o.validationData) || o.validationData.length !== 2)
        throw new TypeError(`validationData: expected [x, y], received ${describe(o.validationData)}`);
      const vx = this.#x(o.validationData[0], 'fit', 'validationData[0]');
      // One fit runs the network at one number of time steps.
      if (vx.steps !== mx.steps)
        throw new RangeError(`validationData[0]: expected ${mx.steps} time steps as x has, received shape [${vx.shape.join(', ')}]`);
      const vy = this.#y(o.validationData[1], vx.rows, 'validationData[1]', vx.steps);
      checkFinite(vx.data, vx.cols, 'validationData[0]');
      checkFinite(vy.data, vy.cols, 'validationData[1]');
      val = { x: vx.data, y: vy.data, rows: vx.rows };
    } else if (split !== undefined && split > 0) {
      const valRows = Math.floor(mx.rows * split);
      const trainRows = mx.rows - valRows;
      if (valRows === 0)
        throw new RangeError(
          `validationSplit: ${split} of ${mx.rows} rows holds out no row; give at least ${1 / mx.rows} (one row), or validationData`,
        );
      if (trainRows < 1) throw new RangeError(`validationSplit: ${split} leaves no training rows of ${mx.rows}`);
      val = { x: mx.data.subarray(trainRows * mx.cols), y: my.data.subarray(trainRows * my.cols), rows: valRows };
      checkFinite(val.x, mx.cols, 'x', trainRows);
      checkFinite(val.y, my.cols, 'y', trainRows);
      mx = { ...mx, data: mx.data.subarray(0, trainRows * mx.cols), rows: trainRows };
      my = { ...my, data: my.data.subarray(0, trainRows * my.cols), rows: trainRows };
    }
    // A callback with setModel is bound to one model: it serves one fit at a time.
    callbacks.forEach((c, i) => {
      if (typeof c.setModel !== 'function') return;
      const name = Array.isArray(o.callbacks) ? `callbacks[${i}]` : 'callbacks';
      const kind = callbackKind(c);
      const first = callbacks.indexOf(c);
      if (first !== i) throw new RangeError(`${name}: this ${kind} is callbacks[${first}] already; give each callback once`);
      if (callbacksInUse.has(c)) throw new NaluError(`${name}: this ${kind} is already in use by another fit`, 'BUSY');
    });
    for (const c of callbacks)
      if (typeof c.setModel === 'function') {
        callbacksInUse.add(c);
        this.#claimed.push(c);
      }

    const net = this.#netFor('fit', mx);
    const history = new History();
    history.warnings.push(...this.#placeSchedules(net, mx.rows, batchSize, epochs));
    for (const w of history.warnings) {
      process.emitWarning(w, 'NaluWarning');
      if (verbose === 1) console.log(`Warning: ${w}`);
    }
    // A box, so that a thrown undefined (or any non-Error) is kept and rethrown as it was.
    let callbackError = undefined as { value: unknown } | undefined;
    // Bumped when a stop lets fit stop waiting for its hooks: the chain left behind calls no more.
    let stage = 0;
    // Each hook in order; synchronous until one returns a promise (then the rest await it), so
    // that epochs of plain hooks resume the native loop in the same tick. Errors propagate.
    const hooks = (f: (c: Callback) => unknown, from = 0, at = stage): Promise<void> | undefined => {
      for (let i = from; i < callbacks.length && callbackError === undefined && at === stage; i++) {
        let r: unknown;
        this.#inHook++;
        try {
          r = f(callbacks[i]);
        } finally {
          this.#inHook--;
        }
        if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function')
          return Promise.resolve(r as PromiseLike<unknown>).then(() => hooks(f, i + 1, at));
      }
      return undefined;
    };
    // Waits for hooks until a stop from outside them (#release): the hooks go on, unwaited.
    let releaseWait: (() => void) | undefined;
    const wait = (p: Promise<void> | undefined): Promise<void> | undefined => {
      if (!p) return undefined;
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const release = () => {
          if (settled) return;
          settled = true;
          stage++;
          resolve();
        };
        releaseWait = release;
        p.then(
          () => ((settled = true), resolve()),
          (e) => ((settled = true), reject(e)),
        ).finally(() => {
          if (releaseWait === release) releaseWait = undefined;
        });
      });
    };
    // A turn later, so that the synchronous rest of a hook chain that stopped it still runs awaited.
    this.#release = () => {
      const r = releaseWait;
      if (r) setImmediate(r);
    };
    const fail = (e: unknown) => {
      callbackError ??= { value: e };
      net.stop();
    };
    const rethrow = () => {
      if (callbackError !== undefined) throw callbackError.value;
    };
    if (signal?.aborted) {
      history.stopReason = 'aborted';
      return history;
    }
    let aborted = false;
    const abort = () => {
      aborted = true;
      net.stop();
      if (this.#inHook === 0) this.#release?.();
    };
    // Until fit settles (fit's finally removes it): an abort releases a hung onTrainEnd too.
    signal?.addEventListener('abort', abort);
    this.#unlisten = () => signal?.removeEventListener('abort', abort);
    this.#stopRequested = false;
    const batchHooks = callbacks.some((c) => c.onBatchBegin || c.onBatchEnd);
    // onTrainBegin/End run outside the native loop: only epoch and batch hooks make it wait.
    const awaitEpochs = batchHooks || callbacks.some((c) => c.onEpochBegin || c.onEpochEnd);
    const metrics = this.#metrics;
    const layers = this.#layers;
    const print = (epoch: number, logs: EpochLogs) => {
      const shown = Object.entries(logs).filter(([k, v]) => k !== 'regularization' && typeof v === 'number') as [string, number][];
      console.log(`Epoch ${epoch + 1}/${epochs} - ${shown.map(([k, v]) => `${k}: ${v.toPrecision(6)}`).join(' - ')}`);
      for (const w of logs.warnings ?? []) console.log(`Warning: ${w}`);
    };
    // The epoch-end hooks of the epoch the native loop waits at; fit settles after them.
    let pending: Promise<void> = Promise.resolve();
    // Runs on the JS thread for the native loop, which waits (awaitEpochs) until resume(): anything
    // thrown here must stop the fit and resume it, or the fit would never settle.
    const onEvent = (kind: 'begin' | 'end', epoch: number, loss: number, valLoss: number, regularization: number, extras?: NativeEpochExtras) => {
      if (kind !== 'end') return;
      try {
        if (callbackError !== undefined) return net.resume();
        const logs: EpochLogs = { loss, regularization };
        if (!Number.isNaN(valLoss)) logs.valLoss = valLoss;
        Object.assign(logs, metricLogs(metrics, extras ?? {}, val !== undefined));
        if (extras?.constantLayers) logs.warnings = extras.constantLayers.map((i) => constantWarning(layers[i], epoch));
        if (verbose === 1) print(epoch, logs);
        if (!awaitEpochs) return;
        const next = () => (epoch + 1 < epochs && !this.#stopRequested ? hooks((c) => c.onEpochBegin?.(epoch + 1)) : undefined);
        // The epoch's batches, delivered together before its end.
        const losses = extras?.batchLosses ?? new Float32Array(0);
        const batches = (b: number): Promise<void> | undefined => {
          for (; b < losses.length; b++) {
            const k = b;
            const endBatch = () => hooks((c) => c.onBatchEnd?.(k, { loss: losses[k] }));
            const began = hooks((c) => c.onBatchBegin?.(k));
            const done = began ? began.then(endBatch) : endBatch();
            if (done) return done.then(() => batches(k + 1));
          }
          return undefined;
        };
        const end = () => hooks((c) => c.onEpochEnd?.(epoch, { ...logs }));
        const batched = batches(0);
        const ended = batched ? batched.then(end) : end();
        const begun = ended ? ended.then(next) : next();
        if (!begun) return net.resume();
        pending = wait(begun)!.catch(fail).finally(() => net.resume());
      } catch (e) {
        fail(e);
        net.resume();
      }
    };
    let result: NativeFitColumns = { epochs: 0, loss: new Float64Array(0), valLoss: new Float64Array(0), regularization: new Float64Array(0), constantLayers: [], stopReason: 'aborted' };
    try {
      if (callbacks.length)
        try {
          // setModel's promise too: a rejection nobody awaits would end the process.
          await wait(hooks((c) => c.setModel?.(this)));
          await wait(hooks((c) => c.onTrainBegin?.()));
          await wait(hooks((c) => c.onEpochBegin?.(0)));
        } catch (e) {
          fail(e);
        }
      rethrow();
      // A stop, abort or dispose in onTrainBegin or the first onEpochBegin: no epoch runs.
      if (!this.#stopRequested && !aborted && !net.disposed)
        result = await net.fit(
          mx.data,
          my.data,
          mx.rows,
          {
            epochs,
            batchSize,
            shuffle,
            seed,
            throwOnNonFinite: onNonFinite === 'throw',
            ...(reinitialize ? { reinitialize } : {}),
            ...(val ? { xVal: val.x, yVal: val.y, valRows: val.rows } : {}),
            ...(awaitEpochs ? { awaitEpochs } : {}),
            ...(metrics.length ? { errors: true } : {}),
            ...(batchHooks ? { batchLosses: true } : {}),
            columns: true,
          },
          verbose === 1 || awaitEpochs ? onEvent : undefined,
        );
    } finally {
      await pending;
    }
    rethrow();
    for (let i = 0; i < result.epochs; i++) {
      history.epoch.push(i);
      history.loss.push(result.loss[i]);
      history.regularization.push(result.regularization[i]);
      if (val) history.valLoss.push(result.valLoss[i]);
    }
    if (metrics.length) {
      const { mae, mse, valMae, valMse } = result;
      for (let i = 0; i < result.epochs; i++)
        for (const [k, v] of Object.entries(metricLogs(metrics, { mae: mae?.[i], mse: mse?.[i], valMae: valMae?.[i], valMse: valMse?.[i] }, val !== undefined)))
          (history.metrics[k] ??= []).push(v);
    }
    // Each such layer once, at the first epoch it happened.
    const constant = new Set<number>();
    for (const c of result.constantLayers)
      for (const i of c.layers)
        if (!constant.has(i)) {
          constant.add(i);
          history.warnings.push(constantWarning(this.#layers[i], c.epoch));
          process.emitWarning(history.warnings[history.warnings.length - 1], 'NaluWarning');
        }
    history.reinitializedAt.push(...(result.reinitializedAt ?? []));
    history.stopReason = result.stopReason;
    if (verbose === 1 && result.stopReason === 'nonFinite')
      console.log(
        `Epoch ${result.epochs + 1}/${epochs} - stopped: the loss or a weight became non-finite; ` +
          'the weights are those at the start of this epoch',
      );
    if (callbacks.length)
      try {
        const at = stage;
        await wait(hooks((c) => c.onTrainEnd?.(history)));
        // Released from a hung onTrainEnd: its work (restoring the best weights, say) may be undone.
        if (stage !== at) history.stopReason = 'aborted';
      } catch (e) {
        fail(e);
      }
    rethrow();
    return history;
  }

  /**
   * Places each 'epochs' or 'fit' sparsity warm-up at this fit's optimizer steps; returns a warning
   * for a warm-up in steps that this fit never reaches.
   */
  #placeSchedules(net: NativeNetwork, rows: number, batchSize: number, epochs: number): string[] {
    const perEpoch = Math.ceil(rows / Math.min(batchSize, rows));
    const first = net.iterations, total = epochs * perEpoch;
    const warnings: string[] = [];
    this.#layers.forEach((l, i) => {
      const s = l.sparsity;
      if (!s || !(s.sparsityLambda > 0) || total === 0) return;
      if (s.sparsityUnit !== 'steps') {
        const per = s.sparsityUnit === 'fit' ? total : perEpoch;
        net.setSparsitySchedule(i, first + Math.round(s.sparsityStart * per), first + Math.round(s.sparsityEnd * per));
      } else if (s.sparsityStart >= first + total)
        warnings.push(
          `layer '${l.name}': its sparsity regularizer starts at step ${s.sparsityStart}, after this fit's last step ` +
            `(${first + total}), so it stays off; give sparsityUnit 'fit' or 'epochs', or an earlier sparsityStart`,
        );
    });
    return warnings;
  }

  /**
   * Asks a running fit to stop after the current batch (as an AbortSignal does). From a hook's
   * synchronous code (before any await) it takes effect once that epoch's hooks are done; from
   * anywhere else (a timer, a watchdog) fit also stops waiting for a hook still running, which goes
   * on unawaited, and resolves 'aborted'.
   */
  stopTraining(): void {
    this.#stopRequested = true;
    this.#native?.stop();
    if (this.#inHook === 0) this.#release?.();
  }

  /**
   * Copies of every weight, in layer order (a NALU gives [Ŵ, M̂, G], a Dense [kernel, bias]).
   * @throws NaluError BUSY while an epoch runs.
   */
  getWeights(): Tensor[] {
    this.#checkIdle('getWeights');
    return this.#net('getWeights').getWeights().map((w) => ({ data: w.data, shape: w.shape }));
  }

  /**
   * Sets every weight, in getWeights order; shapes must match exactly.
   * @throws TypeError or RangeError naming the tensor that is wrong; NaluError BUSY while an epoch runs.
   */
  setWeights(weights: Tensor[]): void {
    if (!Array.isArray(weights)) throw new TypeError(`setWeights: expected an array of Tensors, received ${describe(weights)}`);
    const specs = this.#specs('setWeights');
    if (weights.length !== specs.length)
      throw new RangeError(`setWeights: expected ${specs.length} tensors (${specs.map((s) => `${s.layer}.${s.name}`).join(', ')}), received ${weights.length}`);
    const data = weights.map((w, i) => {
      const s = specs[i];
      const where = `setWeights[${i}] (${s.layer}.${s.name})`;
      if (w === null || typeof w !== 'object') throw new TypeError(`${where}: expected a Tensor {data: Float32Array, shape}, received ${describe(w)}`);
      // Each property read once, then the snapshot checked: a getter may answer differently twice.
      const { data: d, shape: ws } = w;
      if (!(ArrayBuffer.isView(d) && d instanceof Float32Array))
        throw new TypeError(`${where}: expected a Tensor {data: Float32Array, shape}, received ${describe(w)}`);
      const dims: unknown[] = Array.isArray(ws) ? ws.slice() : [];
      if (!Array.isArray(ws) || dims.length !== s.shape.length || dims.some((v, k) => v !== s.shape[k]))
        throw new RangeError(`${where}: expected shape [${s.shape.join(', ')}], received ${Array.isArray(ws) ? `[${dims.map(describe).join(', ')}]` : describe(ws)}`);
      if (d.length !== s.shape.reduce((a, b) => a * b, 1))
        throw new RangeError(`${where}: expected ${s.shape.reduce((a, b) => a * b, 1)} values, received ${d.length}`);
      return d;
    });
    this.#checkIdle('setWeights');
    this.#net('setWeights').setWeights(data);
  }

  /**
   * The trained model as a formula: each layer's weights snapped to its unit's grid within
   * `tolerance`, composed and simplified, printed as text, LaTeX and JS, and checked against the
   * model and the data (`fidelity`, `exact`); `candidates` are the formulas at other tolerances.
   * A first-layer RNN (last step out) reads as its cell's recurrence; x is then [batch, time, features].
   * @throws TypeError or RangeError naming the option that is wrong; NaluError BUSY while an epoch runs.
   */
  explain(args: ExplainArgs): Explanation {
    return explainModel(this, args);
  }

  /** A text table of the layers, their output shapes and parameter counts, passed to `print` (default console.log) and returned. */
  summary(print: (line: string) => void = console.log): string {
    if (typeof print !== 'function') throw new TypeError(`summary: expected a print function, received ${describe(print)}`);
    const rows: string[][] = [['Layer (type)', 'Output shape', 'Params']];
    let total = 0;
    let d = this.#inputDim('summary');
    for (const l of this.#layers) {
      const n = l.weightSpecs(d).reduce((a, w) => a + w.shape.reduce((p, q) => p * q, 1), 0);
      total += n;
      const time = outputsEveryStep(l) ? 'null, ' : '';
      rows.push([`${l.name} (${l.className})`, `[null, ${time}${l.units}]`, String(n)]);
      d = l.units;
    }
    // Every weight of every unit is trained (clamps and regularizers act on trained weights).
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)) + 2);
    const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('');
    const rule = '_'.repeat(widths.reduce((a, b) => a + b, 0));
    const text = [`Model: ${this.name}`, rule, line(rows[0]), rule.replace(/_/g, '='), ...rows.slice(1).map(line), rule, `Total params: ${total}`, `Trainable params: ${total}`, 'Non-trainable params: 0'].join('\n');
    print(text);
    return text;
  }

  /**
   * Frees the native memory now (or when a running fit stops; that fit resolves 'aborted' without
   * waiting for a hook still running, as stopTraining). The model cannot be used after.
   */
  dispose(): void {
    this.#native?.dispose();
    if (this.#inHook === 0) this.#release?.();
  }

  /** Serializable topology (tfjs-style): {name, layers: each layer's {className, config}}. */
  getConfig(): { name: string; layers: { className: string; config: Record<string, unknown> }[] } {
    return { name: this.name, layers: this.#layers.map((l) => l.serialize()) };
  }

  /** @internal used by io.ts */
  get compiled(): boolean {
    return this.#compiled;
  }
}
