// Training callbacks, as tfjs-layers and Keras have them: objects with optional hooks, given to
// fit as one object or an array. fit awaits each hook (and a promise it returns) at its epoch's
// boundary, so that a stop, setWeights or a new learning rate takes effect at that epoch.
import type { History, Sequential } from './model';
import { booleanOption, choiceOption, numberOption, optionalNumberOption, readOptions, type Schema } from './options';
import { describe } from './tensor';

/** An epoch's logs: loss, regularization, the compiled metrics (mae, mse, rmse), and with
 * validation data valLoss and valMae, valMse, valRmse. */
export interface EpochLogs {
  loss: number;
  valLoss?: number;
  /** Sum of the layers' own regularizers (NAU/NMU sparsity…), averaged over the epoch. */
  regularization: number;
  /** What this epoch noticed (a layer whose output went constant), also in History.warnings. */
  warnings?: string[];
  [metric: string]: number | string[] | undefined;
}

/** A hook's result: a promise is awaited, anything else ignored. */
type Awaitable = unknown;

export interface Callback {
  /** Called before onTrainBegin with the model being fitted. */
  setModel?(model: Sequential): void;
  onTrainBegin?(): Awaitable;
  onEpochBegin?(epoch: number): Awaitable;
  onEpochEnd?(epoch: number, logs: EpochLogs): Awaitable;
  /**
   * The batches of an epoch, delivered together after the epoch's last step and before its
   * onEpochEnd (the native loop does not stop per batch): they observe, they cannot change a batch.
   * Asking for them makes fit record every batch's loss.
   */
  onBatchBegin?(batch: number): Awaitable;
  onBatchEnd?(batch: number, logs: { loss: number }): Awaitable;
  /** After the last epoch (or the stop), before fit resolves with the same History. */
  onTrainEnd?(history: History): Awaitable;
}

const hooks = ['setModel', 'onTrainBegin', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onTrainEnd'] as const;

/** fit's `callbacks`: one object or an array of them, each hook a function. */
export function checkCallbacks(v: unknown): Callback[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((c, i) => {
    const name = Array.isArray(v) ? `callbacks[${i}]` : 'callbacks';
    if (c === null || typeof c !== 'object') throw new TypeError(`${name}: expected a callback object, received ${describe(c)}`);
    // Own keys of a plain object must be hooks (a misspelt one would never run); a class instance
    // keeps its state in own fields and its hooks on the prototype.
    if (Object.getPrototypeOf(c) === Object.prototype)
      for (const k of Object.keys(c))
        if (!(hooks as readonly string[]).includes(k)) throw new RangeError(`${name}: unknown callback '${k}', expected one of ${hooks.join(', ')}`);
    for (const k of hooks) {
      const f = (c as Record<string, unknown>)[k];
      if (f !== undefined && typeof f !== 'function') throw new TypeError(`${name}.${k}: expected a function, received ${describe(f)}`);
    }
    return c as Callback;
  });
}

/** The log key `monitor` names ('val_loss' is valLoss, as Keras spells it). */
function logKey(monitor: string): string {
  return monitor.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function monitored(logs: EpochLogs, monitor: string, who: string): number {
  const v = logs[logKey(monitor)];
  if (typeof v !== 'number')
    throw new RangeError(
      `${who}.monitor: '${monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')})` +
        (logKey(monitor).startsWith('val') ? '; give fit validationData or validationSplit' : ''),
    );
  return v;
}

type Mode = 'auto' | 'min' | 'max';

/** Keras' rule: 'auto' is 'max' for an accuracy, 'min' otherwise. */
function better(mode: Mode, monitor: string, minDelta: number): (v: number, best: number) => boolean {
  const max = mode === 'max' || (mode === 'auto' && /acc/.test(monitor));
  return max ? (v, best) => v - minDelta > best : (v, best) => v + minDelta < best;
}

const monitorOption = (def: string) => ({
  keys: [],
  parse: (args: Record<string, unknown>, where: (k: string) => string, _p: unknown, key: string) => {
    const v = args[key] ?? def;
    if (typeof v !== 'string' || v === '') throw new TypeError(`${where(key)}: expected a log name such as 'loss' or 'valLoss', received ${describe(v)}`);
    return v;
  },
});
const modeOption = () => choiceOption<Mode>('auto', ['auto', 'min', 'max']);

const earlyStoppingSchema = {
  monitor: monitorOption('valLoss'),
  minDelta: numberOption(0, 0, Infinity),
  patience: numberOption(0, 0, 2 ** 30, true),
  mode: modeOption(),
  baseline: optionalNumberOption(-Infinity, Infinity),
  restoreBestWeights: booleanOption(false),
};

export interface EarlyStoppingArgs {
  /** The log to watch: 'loss', 'valLoss' (or 'val_loss'), 'regularization' or a metric. Default 'valLoss'. */
  monitor?: string;
  /** A change smaller than this is no improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** 'min', 'max' or 'auto' (max for accuracies). Default 'auto'. */
  mode?: Mode;
  /** Stop unless the monitor beats this within `patience` epochs. */
  baseline?: number;
  /** At the end, set the weights of the best epoch (when it is not the last). Default false. */
  restoreBestWeights?: boolean;
}

/** Stops fit when the monitored log has stopped improving (tfjs tf.callbacks.earlyStopping, Keras EarlyStopping). */
export class EarlyStopping implements Callback {
  declare readonly monitor: string;
  declare readonly minDelta: number;
  declare readonly patience: number;
  declare readonly mode: Mode;
  declare readonly baseline?: number;
  declare readonly restoreBestWeights: boolean;
  /** The epoch after which it stopped fit (undefined: it did not). */
  stoppedEpoch?: number;
  /** The best epoch and its value so far. */
  bestEpoch?: number;
  best = NaN;
  #model?: Sequential;
  #wait = 0;
  #improved: (v: number, best: number) => boolean;
  #bestWeights?: ReturnType<Sequential['getWeights']>;

  constructor(args: EarlyStoppingArgs = {}) {
    Object.assign(this, readOptions(earlyStoppingSchema, args, 'earlyStopping'));
    this.#improved = better(this.mode, this.monitor, this.minDelta);
  }
  setModel(model: Sequential) {
    this.#model = model;
  }
  onTrainBegin() {
    this.#wait = 0;
    this.stoppedEpoch = this.bestEpoch = undefined;
    this.#bestWeights = undefined;
    this.best = NaN;
  }
  onEpochEnd(epoch: number, logs: EpochLogs) {
    const v = monitored(logs, this.monitor, 'earlyStopping');
    this.#wait++;
    if (Number.isNaN(this.best) || this.#improved(v, this.best)) {
      this.best = v;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.#bestWeights = this.#model!.getWeights();
      // With a baseline, only an epoch that beats it restarts the count (as Keras).
      if (this.baseline === undefined || this.#improved(v, this.baseline)) this.#wait = 0;
      return;
    }
    if (this.#wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.#model!.stopTraining();
    }
  }
  onTrainEnd(history: History) {
    const last = history.epoch[history.epoch.length - 1];
    if (this.#bestWeights && this.bestEpoch !== last) this.#model!.setWeights(this.#bestWeights);
  }
}

export const earlyStopping = (args?: EarlyStoppingArgs) => new EarlyStopping(args);

const reduceSchema = {
  monitor: monitorOption('valLoss'),
  factor: numberOption(0.1, 0, 1),
  patience: numberOption(10, 0, 2 ** 30, true),
  minDelta: numberOption(1e-4, 0, Infinity),
  cooldown: numberOption(0, 0, 2 ** 30, true),
  minLr: numberOption(0, 0, 1e30),
  mode: modeOption(),
};

export interface ReduceLROnPlateauArgs {
  /** Default 'valLoss'. */
  monitor?: string;
  /** New rate = rate × factor, in [0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before a reduction. Default 10. */
  patience?: number;
  /** Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** The rate is never reduced below this. Default 0. */
  minLr?: number;
  /** Default 'auto'. */
  mode?: Mode;
}

/** Multiplies the learning rate by `factor` when the monitored log has stopped improving (Keras ReduceLROnPlateau). */
export class ReduceLROnPlateau implements Callback {
  declare readonly monitor: string;
  declare readonly factor: number;
  declare readonly patience: number;
  declare readonly minDelta: number;
  declare readonly cooldown: number;
  declare readonly minLr: number;
  declare readonly mode: Mode;
  #model?: Sequential;
  #best = NaN;
  #wait = 0;
  #cooling = 0;
  #improved: (v: number, best: number) => boolean;
  constructor(args: ReduceLROnPlateauArgs = {}) {
    Object.assign(this, readOptions(reduceSchema, args, 'reduceLROnPlateau'));
    if (this.factor >= 1) throw new RangeError(`reduceLROnPlateau.factor: expected a number < 1, received ${this.factor}`);
    this.#improved = better(this.mode, this.monitor, this.minDelta);
  }
  setModel(model: Sequential) {
    this.#model = model;
  }
  onTrainBegin() {
    this.#best = NaN;
    this.#wait = this.#cooling = 0;
  }
  onEpochEnd(_epoch: number, logs: EpochLogs) {
    const v = monitored(logs, this.monitor, 'reduceLROnPlateau');
    if (this.#cooling > 0) {
      this.#cooling--;
      this.#wait = 0;
    }
    if (Number.isNaN(this.#best) || this.#improved(v, this.#best)) {
      this.#best = v;
      this.#wait = 0;
    } else if (this.#cooling === 0 && ++this.#wait >= this.patience) {
      const opt = this.#model!.optimizer;
      const lr = Math.max(opt.learningRate * this.factor, this.minLr);
      if (lr < opt.learningRate) opt.learningRate = lr;
      this.#cooling = this.cooldown;
      this.#wait = 0;
    }
  }
}

export const reduceLROnPlateau = (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args);

/** Sets the learning rate before every epoch from schedule(epoch, current rate) (Keras LearningRateScheduler). */
export class LearningRateScheduler implements Callback {
  #model?: Sequential;
  constructor(readonly schedule: (epoch: number, learningRate: number) => number) {
    if (typeof schedule !== 'function') throw new TypeError(`learningRateScheduler: expected a function (epoch, learningRate) => number, received ${describe(schedule)}`);
  }
  setModel(model: Sequential) {
    this.#model = model;
  }
  onEpochBegin(epoch: number) {
    const opt = this.#model!.optimizer;
    opt.learningRate = this.schedule(epoch, opt.learningRate);
  }
}

export const learningRateScheduler = (schedule: (epoch: number, learningRate: number) => number) => new LearningRateScheduler(schedule);

const checkpointSchema = {
  monitor: monitorOption('valLoss'),
  saveBestOnly: booleanOption(false),
  mode: modeOption(),
  everyEpochs: numberOption(1, 1, 2 ** 30, true),
};

export interface ModelCheckpointArgs {
  /** With saveBestOnly: the log that decides. Default 'valLoss'. */
  monitor?: string;
  /** Save only when the monitor improves. Default false (every `everyEpochs` epochs). */
  saveBestOnly?: boolean;
  /** Default 'auto'. */
  mode?: Mode;
  /** Without saveBestOnly: save after every N-th epoch. Default 1. */
  everyEpochs?: number;
}

/** Saves the model (atomically, as model.save) into `dir` during fit (Keras ModelCheckpoint). */
export class ModelCheckpoint implements Callback {
  declare readonly monitor: string;
  declare readonly saveBestOnly: boolean;
  declare readonly mode: Mode;
  declare readonly everyEpochs: number;
  /** The epoch last saved. */
  savedEpoch?: number;
  #model?: Sequential;
  #best = NaN;
  #improved: (v: number, best: number) => boolean;
  constructor(
    readonly dir: string,
    args: ModelCheckpointArgs = {},
  ) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError(`modelCheckpoint.dir: expected a directory path, received ${describe(dir)}`);
    Object.assign(this, readOptions(checkpointSchema, args, 'modelCheckpoint'));
    this.#improved = better(this.mode, this.monitor, 0);
  }
  setModel(model: Sequential) {
    this.#model = model;
  }
  onTrainBegin() {
    this.#best = NaN;
  }
  async onEpochEnd(epoch: number, logs: EpochLogs) {
    if (this.saveBestOnly) {
      const v = monitored(logs, this.monitor, 'modelCheckpoint');
      if (!Number.isNaN(this.#best) && !this.#improved(v, this.#best)) return;
      this.#best = v;
    } else if ((epoch + 1) % this.everyEpochs !== 0) return;
    await this.#model!.save(this.dir);
    this.savedEpoch = epoch;
  }
}

export const modelCheckpoint = (dir: string, args?: ModelCheckpointArgs) => new ModelCheckpoint(dir, args);
