// Losses (computed natively): the mean over every element of the batch.
import type { NativeOptions } from '../binding';
import { Registry, checkNumber, checkOptions, type Serialized } from './registry';

export abstract class Loss {
  static readonly className: string;
  abstract toNative(): NativeOptions & { type: string };
  getConfig(): Record<string, unknown> {
    return {};
  }
  serialize(): Serialized {
    return { className: (this.constructor as typeof Loss).className, config: this.getConfig() };
  }
}

/** 'mse': mean((ŷ − y)²). */
export class MeanSquaredError extends Loss {
  static readonly className = 'MeanSquaredError';
  toNative() {
    return { type: 'mse' };
  }
}

/** 'mae': mean(|ŷ − y|). */
export class MeanAbsoluteError extends Loss {
  static readonly className = 'MeanAbsoluteError';
  toNative() {
    return { type: 'mae' };
  }
}

/** 'huber': ½e² for |e| ≤ δ, else δ(|e| − ½δ). */
export class Huber extends Loss {
  static readonly className = 'Huber';
  readonly delta: number;
  constructor(args: { delta?: number } = {}) {
    super();
    this.delta = checkNumber(checkOptions(args, 'Huber options').delta ?? 1, 'Huber.delta', 1e-30, 1e30);
  }
  toNative() {
    return { type: 'huber', delta: this.delta };
  }
  getConfig() {
    return { delta: this.delta };
  }
}

type LossClass = new (config?: never) => Loss;
export const lossRegistry = new Registry<LossClass>('loss');
lossRegistry.register('mse', MeanSquaredError);
lossRegistry.register('mae', MeanAbsoluteError);
lossRegistry.register('huber', Huber as LossClass);
const byClassName = new Registry<LossClass>('loss class');
for (const c of [MeanSquaredError, MeanAbsoluteError, Huber]) byClassName.register(c.className, c as LossClass);

export type LossLike = 'mse' | 'mae' | 'huber' | Loss;

/** Resolves a loss name ('mse'), a Loss instance, or a serialized {className, config}. */
export function getLoss(v: unknown, name = 'loss'): Loss {
  if (v instanceof Loss) return v;
  if (typeof v === 'string') return new (lossRegistry.get(v, name))();
  const s = checkOptions(v, name) as unknown as Serialized;
  const C = byClassName.get(s.className, `${name}.className`) as unknown as new (c: unknown) => Loss;
  return new C(checkOptions(s.config, `${name}.config`));
}
