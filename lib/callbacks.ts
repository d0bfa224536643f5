// Training callbacks, as tfjs-layers and Keras have them: objects with optional hooks, given to
// fit as one object or an array. fit awaits each hook (and a promise it returns) at its epoch's
// boundary, so that a stop, setWeights or a new learning rate takes effect at that epoch.
import type { History, Sequential } from './model';
import { booleanOption, choiceOption, numberOption, optionalNumberOption, readOptions } from './options';
import { describe } from './tensor';

/** An epoch's logs: loss, regularization, the compiled metrics (mae, mse, rmse), and with
 * validation data valLoss and valMae, valMse, valRmse.
 * @category Callbacks
 */
export interface EpochLogs {
  /** The mean training loss of the epoch's batches (before their steps). */
  loss: number;
  /** The loss on the validation data after the epoch (with validationData or validationSplit). */
  valLoss?: number;
  /** Sum of the layers' own regularizers (NAU/NMU sparsity…), averaged over the epoch. */
  regularization: number;
  /** What this epoch noticed (a layer whose output went constant), also in History.warnings. */
  warnings?: string[];
  [metric: string]: number | string[] | undefined;
}

/** A hook's result: a promise is awaited, anything else ignored. */
type Awaitable = unknown;

/**
 * A training callback: an object with optional hooks, given to fit({callbacks}). Each hook may return a promise,
 * which fit awaits; a hook that throws stops fit, which rejects with its error. Epochs and batches count from 0.
 * @category Callbacks
 */
export interface Callback {
  /**
   * Called before onTrainBegin with the model being fitted (a promise it returns is awaited). A
   * callback with setModel serves one fit at a time: a concurrent second fit is refused with BUSY.
   */
  setModel?(model: Sequential): Awaitable;
  /** Before the first epoch. */
  onTrainBegin?(): Awaitable;
  /** Before epoch `epoch`; a stopTraining() here stops fit before it. */
  onEpochBegin?(epoch: number): Awaitable;
  /** After epoch `epoch`, with its logs; the next epoch waits for it. */
  onEpochEnd?(epoch: number, logs: EpochLogs): Awaitable;
  /**
   * The batches of an epoch, delivered together after the epoch's last step and before its
   * onEpochEnd (the native loop does not stop per batch): they observe, they cannot change a batch.
   * Asking for them makes fit record every batch's loss.
   */
  onBatchBegin?(batch: number): Awaitable;
  /** After batch `batch`, with its loss (delivered with onBatchBegin, see there). */
  onBatchEnd?(batch: number, logs: { loss: number }): Awaitable;
  /** After the last epoch (or the stop), before fit resolves with the same History. */
  onTrainEnd?(history: History): Awaitable;
}

const hooks = ['setModel', 'onTrainBegin', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onTrainEnd'] as const;

/**
 * Validates fit's `callbacks` (one object or an array of them, each hook a function) and returns them as an array.
 * @throws TypeError for a non-object or a hook that is not a function; RangeError for an unknown key of a plain object.
 * @category Callbacks
 */
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

/** The log `monitor` names; `where` names the option that named it. */
function monitored(logs: EpochLogs, monitor: string, where: string): number {
  const v = logs[logKey(monitor)];
  if (typeof v !== 'number')
    throw new RangeError(
      `${where}: '${monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')})` +
        (logKey(monitor).startsWith('val') ? '; give fit validationData or validationSplit' : ''),
    );
  return v;
}

/** @inline */
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

/** Options of EarlyStopping (Keras' names and defaults). @category Callbacks */
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

/** Stops fit when the monitored log has stopped improving (tfjs tf.callbacks.earlyStopping, Keras EarlyStopping). @category Callbacks */
export class EarlyStopping implements Callback {
  /** The log it watches. */
  declare readonly monitor: string;
  /** The least change that counts as an improvement. */
  declare readonly minDelta: number;
  /** Epochs without improvement it waits. */
  declare readonly patience: number;
  /** 'min', 'max' or 'auto'. */
  declare readonly mode: Mode;
  /** The value to beat (undefined: none). */
  declare readonly baseline?: number;
  /** Whether it restores the best epoch's weights at the end. */
  declare readonly restoreBestWeights: boolean;
  /** The epoch after which it stopped fit (undefined: it did not). */
  stoppedEpoch?: number;
  /** The best epoch and its value so far. */
  bestEpoch?: number;
  /** The best value of the monitor so far (NaN before the first epoch). */
  best = NaN;
  #model?: Sequential;
  #wait = 0;
  #improved: (v: number, best: number) => boolean;
  #bestWeights?: ReturnType<Sequential['getWeights']>;

  constructor(args: EarlyStoppingArgs = {}) {
    Object.assign(this, readOptions(earlyStoppingSchema, args, 'earlyStopping'));
    this.#improved = better(this.mode, this.monitor, this.minDelta);
  }
  /** Called by fit with the model it trains. */
  setModel(model: Sequential) {
    this.#model = model;
  }
  /** Resets its state, so that one instance serves several fits. */
  onTrainBegin() {
    this.#wait = 0;
    this.stoppedEpoch = this.bestEpoch = undefined;
    this.#bestWeights = undefined;
    this.best = NaN;
  }
  /**
   * Compares the monitor with the best so far; stops fit after `patience` epochs without improvement.
   * @throws RangeError when the monitor is not in the logs (a val log without validation data).
   */
  onEpochEnd(epoch: number, logs: EpochLogs) {
    const v = monitored(logs, this.monitor, 'earlyStopping.monitor');
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
  /** Restores the best weights (restoreBestWeights), unless the best epoch was the last. */
  onTrainEnd(history: History) {
    const last = history.epoch[history.epoch.length - 1];
    if (this.#bestWeights && this.bestEpoch !== last) this.#model!.setWeights(this.#bestWeights);
  }
}

/** A new EarlyStopping (tf.callbacks.earlyStopping). @category Callbacks */
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

/** Options of ReduceLROnPlateau (Keras' names and defaults). @category Callbacks */
export interface ReduceLROnPlateauArgs {
  /** The log to watch, as EarlyStoppingArgs.monitor. Default 'valLoss'. */
  monitor?: string;
  /** New rate = rate × factor, in [0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before a reduction. Default 10. */
  patience?: number;
  /** A change smaller than this is no improvement. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** The rate is never reduced below this. Default 0. */
  minLr?: number;
  /** 'min', 'max' or 'auto' (max for accuracies). Default 'auto'. */
  mode?: Mode;
}

/** Multiplies the learning rate by `factor` when the monitored log has stopped improving (Keras ReduceLROnPlateau). @category Callbacks */
export class ReduceLROnPlateau implements Callback {
  /** The log it watches. */
  declare readonly monitor: string;
  /** The factor of each reduction. */
  declare readonly factor: number;
  /** Epochs without improvement it waits. */
  declare readonly patience: number;
  /** The least change that counts as an improvement. */
  declare readonly minDelta: number;
  /** Epochs it waits after a reduction. */
  declare readonly cooldown: number;
  /** The floor of the learning rate. */
  declare readonly minLr: number;
  /** 'min', 'max' or 'auto'. */
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
  /** Called by fit with the model it trains. */
  setModel(model: Sequential) {
    this.#model = model;
  }
  /** Resets its state, so that one instance serves several fits. */
  onTrainBegin() {
    this.#best = NaN;
    this.#wait = this.#cooling = 0;
  }
  /**
   * Reduces the learning rate after `patience` epochs without improvement.
   * @throws RangeError when the monitor is not in the logs.
   */
  onEpochEnd(_epoch: number, logs: EpochLogs) {
    const v = monitored(logs, this.monitor, 'reduceLROnPlateau.monitor');
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

/** A new ReduceLROnPlateau. @category Callbacks */
export const reduceLROnPlateau = (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args);

/** Sets the learning rate before every epoch from schedule(epoch, current rate) (Keras LearningRateScheduler). @category Callbacks */
export class LearningRateScheduler implements Callback {
  #model?: Sequential;
  /**
   * @param schedule - (epoch, current rate) → the rate for that epoch.
   * @throws TypeError when schedule is not a function.
   */
  constructor(readonly schedule: (epoch: number, learningRate: number) => number) {
    if (typeof schedule !== 'function') throw new TypeError(`learningRateScheduler: expected a function (epoch, learningRate) => number, received ${describe(schedule)}`);
  }
  /** Called by fit with the model it trains. */
  setModel(model: Sequential) {
    this.#model = model;
  }
  /**
   * Sets the learning rate of epoch `epoch`.
   * @throws TypeError or RangeError when the schedule returns no number ≥ 0.
   */
  onEpochBegin(epoch: number) {
    const opt = this.#model!.optimizer;
    opt.learningRate = this.schedule(epoch, opt.learningRate);
  }
}

/** A new LearningRateScheduler. @category Callbacks */
export const learningRateScheduler = (schedule: (epoch: number, learningRate: number) => number) => new LearningRateScheduler(schedule);

const checkpointSchema = {
  monitor: monitorOption('valLoss'),
  saveBestOnly: booleanOption(false),
  mode: modeOption(),
  everyEpochs: numberOption(1, 1, 2 ** 30, true),
};

/** Options of ModelCheckpoint. @category Callbacks */
export interface ModelCheckpointArgs {
  /** With saveBestOnly: the log that decides. Default 'valLoss'. */
  monitor?: string;
  /** Save only when the monitor improves. Default false (every `everyEpochs` epochs). */
  saveBestOnly?: boolean;
  /** With saveBestOnly: 'min', 'max' or 'auto' (max for accuracies). Default 'auto'. */
  mode?: Mode;
  /** Without saveBestOnly: save after every N-th epoch. Default 1. */
  everyEpochs?: number;
}

/** A field of a checkpoint's dir, Keras' `{name}` or `{name:format}` (format: [0][width][.precision](d|f|e|g)). */
const fieldRe = /\{([A-Za-z_]\w*)(?::(0?)(\d*)(?:\.(\d+))?([dfeg]?))?\}/g;

/** The text of a field's value (Python's format rules, as Keras' filepath; e keeps JS' exponent). */
function formatField(v: number, zero: string, width: string, precision: string, type: string): string {
  const p = precision === '' ? 6 : Number(precision);
  const t = type === 'd' ? String(Math.round(v)) : type === 'f' ? v.toFixed(p) : type === 'e' ? v.toExponential(p) : type === 'g' ? String(Number(v.toPrecision(p))) : String(v);
  return width === '' ? t : t.padStart(Number(width), zero ? '0' : ' ');
}

/** Saves the model (atomically, as model.save) into `dir` during fit (Keras ModelCheckpoint). @category Callbacks */
export class ModelCheckpoint implements Callback {
  /** The log it watches. */
  declare readonly monitor: string;
  /** Whether it saves only when the monitor improves. */
  declare readonly saveBestOnly: boolean;
  /** 'min', 'max' or 'auto'. */
  declare readonly mode: Mode;
  /** Without saveBestOnly: it saves after every N-th epoch. */
  declare readonly everyEpochs: number;
  /** The epoch last saved. */
  savedEpoch?: number;
  /** The directory last saved into (dir with its fields filled in). */
  savedDir?: string;
  #model?: Sequential;
  #best = NaN;
  #improved: (v: number, best: number) => boolean;
  /**
   * @param dir - The directory it saves into (replaced atomically at each save). As Keras' filepath it
   * may name fields, filled in at each save: `{epoch}` (counted from 1, as Keras) and any log, e.g.
   * 'ckpt-{epoch:02d}-{val_loss:.2f}'.
   * @param args - Its options.
   * @throws TypeError for an empty or non-string dir; RangeError for a `{` or `}` that is no field; TypeError or RangeError for a bad option.
   */
  constructor(
    /** The directory it saves into. */
    readonly dir: string,
    args: ModelCheckpointArgs = {},
  ) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError(`modelCheckpoint.dir: expected a directory path, received ${describe(dir)}`);
    const stray = dir.replace(fieldRe, '').match(/[{}]/);
    if (stray)
      throw new RangeError(
        `modelCheckpoint.dir: '${stray[0]}' in ${JSON.stringify(dir)} is not part of a field such as {epoch:02d} or {val_loss:.4f}`,
      );
    Object.assign(this, readOptions(checkpointSchema, args, 'modelCheckpoint'));
    this.#improved = better(this.mode, this.monitor, 0);
  }
  /** Called by fit with the model it trains. */
  setModel(model: Sequential) {
    this.#model = model;
  }
  /** Resets its state, so that one instance serves several fits. */
  onTrainBegin() {
    this.#best = NaN;
  }
  /**
   * Saves the model when the epoch is due (or, with saveBestOnly, the monitor improved).
   * @throws NaluError SAVE_FAILED when the model cannot be written, RangeError when the monitor is not in the logs.
   */
  async onEpochEnd(epoch: number, logs: EpochLogs) {
    if (this.saveBestOnly) {
      const v = monitored(logs, this.monitor, 'modelCheckpoint.monitor');
      if (!Number.isNaN(this.#best) && !this.#improved(v, this.#best)) return;
      this.#best = v;
    } else if ((epoch + 1) % this.everyEpochs !== 0) return;
    const dir = this.dir.replace(fieldRe, (_, name: string, zero = '', width = '', precision = '', type = '') =>
      formatField(name === 'epoch' ? epoch + 1 : monitored(logs, name, 'modelCheckpoint.dir'), zero, width, precision, type),
    );
    await this.#model!.save(dir);
    this.savedEpoch = epoch;
    this.savedDir = dir;
  }
}

/** A new ModelCheckpoint saving into `dir`. @category Callbacks */
export const modelCheckpoint = (dir: string, args?: ModelCheckpointArgs) => new ModelCheckpoint(dir, args);
