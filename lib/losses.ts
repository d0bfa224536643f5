// Losses (computed natively): the mean over every element of the batch. Each declares its options
// once in `options`.
import type { NativeOptions } from '../binding';
import { configOf, nativeOptionsOf, numberOption, readOptions, type Schema } from './options';
import { namedClasses, type Serialized } from './registry';

export abstract class Loss {
  static readonly className: string;
  static readonly nativeType: string;
  static readonly options: Schema = {};
  constructor(args: Record<string, unknown> = {}) {
    const { className, options } = this.constructor as typeof Loss;
    Object.assign(this, readOptions(options, args, className));
  }
  toNative(): NativeOptions & { type: string } {
    const { nativeType, options } = this.constructor as typeof Loss;
    return { type: nativeType, ...nativeOptionsOf(options, this as never) };
  }
  getConfig(): Record<string, unknown> {
    return configOf((this.constructor as typeof Loss).options, this as never);
  }
  serialize(): Serialized {
    return { className: (this.constructor as typeof Loss).className, config: this.getConfig() };
  }
}

/** 'mse': mean((ŷ − y)²). */
export class MeanSquaredError extends Loss {
  static readonly className = 'MeanSquaredError';
  static readonly nativeType = 'mse';
}

/** 'mae': mean(|ŷ − y|). */
export class MeanAbsoluteError extends Loss {
  static readonly className = 'MeanAbsoluteError';
  static readonly nativeType = 'mae';
}

/** 'huber': ½e² for |e| ≤ δ, else δ(|e| − ½δ). */
export class Huber extends Loss {
  static readonly className = 'Huber';
  static readonly nativeType = 'huber';
  static override readonly options = { delta: numberOption(1, 1e-30, 1e30) };
  declare readonly delta: number;
  constructor(args: { delta?: number } = {}) {
    super(args);
  }
}

const losses = namedClasses('loss', Loss, [MeanSquaredError, MeanAbsoluteError, Huber]);
/** By native name ('mse'), as compile({loss}) takes them. */
export const lossRegistry = losses.registry;

export type LossLike = 'mse' | 'mae' | 'huber' | Loss;

/** Resolves a loss name ('mse'), a Loss instance, or a serialized {className, config}. */
export function getLoss(v: unknown, name = 'loss'): Loss {
  return losses.resolve(v, name);
}
