// Losses (computed natively): the mean over every element of the batch. Each declares its options
// once in `options`.
import type { NativeOptions } from '../binding';
import { configOf, nativeOptionsOf, numberOption, readOptions, type Schema } from './options';
import { namedClasses, type Serialized } from './registry';

/** A loss, computed natively: the mean over every element of the batch. Use a subclass, or its name in compile({loss}). @category Losses */
export abstract class Loss {
  /** The class name model.json records ('MeanSquaredError'). */
  static readonly className: string;
  /** The name compile takes ('mse'). */
  static readonly nativeType: string;
  /** @internal */
  static readonly options: Schema = {};
  /** @throws TypeError or RangeError naming an option that is wrong or unknown. */
  constructor(args: Record<string, unknown> = {}) {
    const { className, options } = this.constructor as typeof Loss;
    Object.assign(this, readOptions(options, args, className));
  }
  /** @internal */
  toNative(): NativeOptions & { type: string } {
    const { nativeType, options } = this.constructor as typeof Loss;
    return { type: nativeType, ...nativeOptionsOf(options, this as never) };
  }
  /** Its options, as model.json holds them. */
  getConfig(): Record<string, unknown> {
    return configOf((this.constructor as typeof Loss).options, this as never);
  }
  /** {className, config}, as model.json holds it. */
  serialize(): Serialized {
    return { className: (this.constructor as typeof Loss).className, config: this.getConfig() };
  }
}

/** 'mse': mean((ŷ − y)²). @category Losses */
export class MeanSquaredError extends Loss {
  static readonly className = 'MeanSquaredError';
  static readonly nativeType = 'mse';
}

/** 'mae': mean(|ŷ − y|). @category Losses */
export class MeanAbsoluteError extends Loss {
  static readonly className = 'MeanAbsoluteError';
  static readonly nativeType = 'mae';
}

/** 'huber': ½e² for |e| ≤ δ, else δ(|e| − ½δ). @category Losses */
export class Huber extends Loss {
  static readonly className = 'Huber';
  static readonly nativeType = 'huber';
  static override readonly options = { delta: numberOption(1, 1e-30, 1e30) };
  /** δ, where the loss turns from quadratic to linear. */
  declare readonly delta: number;
  /** `delta`: δ > 0. Default 1. */
  constructor(args: { delta?: number } = {}) {
    super(args);
  }
}

const losses = namedClasses('loss', Loss, [MeanSquaredError, MeanAbsoluteError, Huber]);
/** The loss classes by native name ('mse'), as compile({loss}) takes them. @category Losses */
export const lossRegistry = losses.registry;

/** What compile({loss}) takes: a name or a Loss. @category Losses */
export type LossLike = 'mse' | 'mae' | 'huber' | Loss;

/**
 * Resolves a loss name ('mse'), a Loss instance, or a serialized {className, config}.
 * @throws TypeError or RangeError naming `name` (an unknown name lists the valid ones).
 * @category Losses
 */
export function getLoss(v: unknown, name = 'loss'): Loss {
  return losses.resolve(v, name);
}
