// Options of the NAU/NMU sparsity regularizer (Madsen & Johansen 2020): λ·R with the linear
// warm-up λ = sparsityLambda · clamp((t − sparsityStart) / (sparsityEnd − sparsityStart), 0, 1),
// t = optimizer steps taken. Defaults are the paper's static-task values.
import { checkNumber } from '../registry';

export interface SparsityArgs {
  /** λ̂, the regularizer's full strength. Default 10 (0 turns it off). */
  sparsityLambda?: number;
  /** Optimizer step where the warm-up starts (λ = 0 before). Default 1e6. */
  sparsityStart?: number;
  /** Optimizer step where λ reaches λ̂. Default 2e6. */
  sparsityEnd?: number;
}

export const sparsityKeys = ['sparsityLambda', 'sparsityStart', 'sparsityEnd'] as const;

export interface Sparsity {
  sparsityLambda: number;
  sparsityStart: number;
  sparsityEnd: number;
}

export function checkSparsity(args: SparsityArgs, cls: string): Sparsity {
  const sparsityLambda = checkNumber(args.sparsityLambda ?? 10, `${cls}.sparsityLambda`, 0, 1e30);
  const sparsityStart = checkNumber(args.sparsityStart ?? 1e6, `${cls}.sparsityStart`, 0, 1e18);
  const sparsityEnd = checkNumber(args.sparsityEnd ?? 2e6, `${cls}.sparsityEnd`, 0, 1e18);
  if (sparsityEnd < sparsityStart)
    throw new RangeError(`${cls}.sparsityEnd: expected a number >= sparsityStart (${sparsityStart}), received ${sparsityEnd}`);
  return { sparsityLambda, sparsityStart, sparsityEnd };
}
