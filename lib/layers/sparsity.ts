// Options of the NAU/NMU sparsity regularizer (Madsen & Johansen 2020): λ·R with the linear
// warm-up λ = sparsityLambda · clamp((t − start) / (end − start), 0, 1), t = optimizer steps taken.
// start and end are optimizer steps, epochs of each fit, or fractions of each fit (sparsityUnit).
import { groupOption } from '../options';
import { checkChoice, checkNumber } from '../registry';

/** What sparsityStart and sparsityEnd count: 'steps', 'epochs' or 'fit' (fractions of a fit). @category Layers */
export type SparsityUnit = 'steps' | 'epochs' | 'fit';

/**
 * The sparsity regularizer options of the NAU/NMU family (NAU, NMU, NACMul weight 'nmu', NMRU, GatedNAUNMU):
 * λ·R with the linear warm-up λ = λ̂·clamp((t − start) / (end − start), 0, 1) (Madsen & Johansen 2020).
 * @category Layers
 */
export interface SparsityArgs {
  /** λ̂, the regularizer's full strength (0 turns it off). Default: the unit's paper's. */
  sparsityLambda?: number;
  /** Where the warm-up starts (λ = 0 before), in sparsityUnit. */
  sparsityStart?: number;
  /** Where λ reaches λ̂, in sparsityUnit. */
  sparsityEnd?: number;
  /**
   * 'steps': optimizer steps, counted over the model's life (the benchmark's; trainOnBatch too);
   * 'epochs': epochs of each fit; 'fit': fractions of each fit's steps, in [0, 1]. A fit places an
   * 'epochs' or 'fit' warm-up at its own steps; outside a fit such a regularizer is off. Default
   * 'steps' when sparsityStart or sparsityEnd is given, else 'fit'.
   */
  sparsityUnit?: SparsityUnit;
}

/** A unit's sparsity regularizer, its defaults filled in (SparsityArgs). @category Layers */
export interface Sparsity {
  /** λ̂ (0: off). */
  sparsityLambda: number;
  /** Where the warm-up starts, in sparsityUnit. */
  sparsityStart: number;
  /** Where λ reaches λ̂, in sparsityUnit. */
  sparsityEnd: number;
  /** What start and end count. */
  sparsityUnit: SparsityUnit;
}

/** A unit's defaults for a plain fit: λ̂ and the warm-up as fractions of the fit. */
export interface SparsityDefaults {
  lambda: number;
  start: number;
  end: number;
}

/** The NMU's static-task schedule, 10⁶ → 2·10⁶ of 5·10⁶ steps, as fractions of a fit. */
export const nmuSparsity: SparsityDefaults = { lambda: 10, start: 0.2, end: 0.4 };
/** The NAU's, λ̂ 0.01 over 5·10³ → 5·10⁴ of 5·10⁶ steps (stable-nalu function_task_static.sh). */
export const nauSparsity: SparsityDefaults = { lambda: 0.01, start: 0.001, end: 0.01 };

/** The `sparsity` field of a unit; `when`: the units that have it only in some variants. */
export function sparsityOption(defaults: SparsityDefaults, when?: Parameters<typeof groupOption>[2]) {
  const option = groupOption<Sparsity>(
    ['sparsityLambda', 'sparsityStart', 'sparsityEnd', 'sparsityUnit'],
    (args, where) => {
      const given = args.sparsityStart !== undefined || args.sparsityEnd !== undefined;
      const sparsityUnit = checkChoice(args.sparsityUnit ?? (given ? 'steps' : 'fit'), where('sparsityUnit'), ['steps', 'epochs', 'fit'] as const);
      const hi = sparsityUnit === 'fit' ? 1 : 1e18;
      const fit = sparsityUnit === 'fit' && !given;
      const sparsityLambda = checkNumber(args.sparsityLambda ?? defaults.lambda, where('sparsityLambda'), 0, 1e30);
      const sparsityStart = checkNumber(args.sparsityStart ?? (fit ? defaults.start : 0), where('sparsityStart'), 0, hi);
      const sparsityEnd = checkNumber(args.sparsityEnd ?? (fit ? defaults.end : sparsityStart), where('sparsityEnd'), 0, hi);
      if (sparsityEnd < sparsityStart)
        throw new RangeError(`${where('sparsityEnd')}: expected a number >= sparsityStart (${sparsityStart}), received ${sparsityEnd}`);
      return { sparsityLambda, sparsityStart, sparsityEnd, sparsityUnit };
    },
    when,
  );
  // The native unit counts steps: an 'epochs' or 'fit' warm-up is off until a fit places it.
  option.native = (v) => {
    if (!v) return {};
    const placed = v.sparsityUnit === 'steps';
    return { sparsityLambda: v.sparsityLambda, sparsityStart: placed ? v.sparsityStart : 1e18, sparsityEnd: placed ? v.sparsityEnd : 1e18 };
  };
  return option;
}
