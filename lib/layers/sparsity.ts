// Options of the NAU/NMU sparsity regularizer (Madsen & Johansen 2020): λ·R with the linear
// warm-up λ = sparsityLambda · clamp((t − sparsityStart) / (sparsityEnd − sparsityStart), 0, 1),
// t = optimizer steps taken. Defaults are the paper's static-task values.
import { groupOption } from '../options';
import { checkNumber } from '../registry';

export interface SparsityArgs {
  /** λ̂, the regularizer's full strength. Default 10 (0 turns it off). */
  sparsityLambda?: number;
  /** Optimizer step where the warm-up starts (λ = 0 before). Default 1e6. */
  sparsityStart?: number;
  /** Optimizer step where λ reaches λ̂. Default 2e6. */
  sparsityEnd?: number;
}

export interface Sparsity {
  sparsityLambda: number;
  sparsityStart: number;
  sparsityEnd: number;
}

/** The `sparsity` field of a unit; `when`: the units that have it only in some variants. */
export function sparsityOption(when?: Parameters<typeof groupOption>[2]) {
  return groupOption<Sparsity>(
    ['sparsityLambda', 'sparsityStart', 'sparsityEnd'],
    (args, where) => {
      const sparsityLambda = checkNumber(args.sparsityLambda ?? 10, where('sparsityLambda'), 0, 1e30);
      const sparsityStart = checkNumber(args.sparsityStart ?? 1e6, where('sparsityStart'), 0, 1e18);
      const sparsityEnd = checkNumber(args.sparsityEnd ?? 2e6, where('sparsityEnd'), 0, 1e18);
      if (sparsityEnd < sparsityStart)
        throw new RangeError(`${where('sparsityEnd')}: expected a number >= sparsityStart (${sparsityStart}), received ${sparsityEnd}`);
      return { sparsityLambda, sparsityStart, sparsityEnd };
    },
    when,
  );
}
