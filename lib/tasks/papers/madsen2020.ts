// Published cells of Madsen & Johansen (ICLR 2020) Table 1 in its full appendix form: 6 operations × 11 models,
// each summarising 100 seeds, transcribed from stable-nalu's paper/results/function_task_static_all.tex.
import type { ArithmeticOp } from '../arithmetic';

/** A value with its asymmetric 95 % interval as the paper prints it: value, +plus, −minus. @category Published results */
export interface PublishedValue {
  /** The value. */
  value: number;
  /** Upper half-width: the interval's top is value + plus. */
  plus: number;
  /** Lower half-width: its bottom is value − minus. */
  minus: number;
}

/** One published cell: an operation × model of the table. @category Published results */
export interface PublishedCell {
  /** The operation. */
  op: ArithmeticOp;
  /** nalu benchmark model name */
  model: string;
  /** the paper's name for the model, e.g. 'NAC•,NMU' */
  paperModel: string;
  /** seeds the cell summarises */
  runs: number;
  /** success rate as a fraction, its interval's half-widths as printed (a 93 % cell: value 0.93) */
  success: PublishedValue;
  /** median iteration the successful seeds were solved at; null where the paper prints --- */
  solvedAtMedian: number | null;
  /** mean iteration solved at; null where the paper prints ---, plus/minus NaN where it prints NaN */
  solvedAtMean: PublishedValue | null;
  /** mean sparsity error of the successful seeds; null where the paper prints --- */
  sparsityError: PublishedValue | null;
}

export const madsen2020: { id: 'madsen2020'; title: string; source: string; cells: PublishedCell[] } = {
  id: 'madsen2020',
  title: 'Madsen & Johansen 2020, arithmetic datasets (static function task), appendix Table 1: all models and operations',
  source:
    'A. Madsen & A. R. Johansen, "Neural Arithmetic Units", ICLR 2020, Table 1 in its full appendix form ' +
    '(tab:function-task-static-defaults-all); transcribed from github.com/AndreasMadsen/stable-nalu ' +
    'paper/results/function_task_static_all.tex at commit b3296ace137ffa4854edeef3759f1578b7650210',
  cells: [
    { op: 'mul', model: 'nac-mul-nmu', paperModel: 'NAC•,NMU', runs: 100, success: { value: 0.93, plus: 0.04, minus: 0.07 }, solvedAtMedian: 1.8e6, solvedAtMean: { value: 2.0e6, plus: 1.0e5, minus: 9.7e4 }, sparsityError: { value: 9.5e-7, plus: 4.2e-7, minus: 4.2e-7 } },
    { op: 'mul', model: 'nac-mul-sigma', paperModel: 'NAC•,σ', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 2.5e6, solvedAtMean: { value: 2.6e6, plus: 8.8e4, minus: 7.2e4 }, sparsityError: { value: 4.6e-5, plus: 5.0e-6, minus: 5.6e-6 } },
    { op: 'mul', model: 'nac-mul', paperModel: 'NAC•', runs: 100, success: { value: 0.31, plus: 0.10, minus: 0.08 }, solvedAtMedian: 2.8e6, solvedAtMean: { value: 3.0e6, plus: 2.9e5, minus: 2.4e5 }, sparsityError: { value: 5.8e-4, plus: 4.8e-4, minus: 2.6e-4 } },
    { op: 'mul', model: 'nac', paperModel: 'NAC₊', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'mul', model: 'gated-nau-nmu', paperModel: 'Gated NAU/NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'mul', model: 'linear', paperModel: 'Linear', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'mul', model: 'nalu', paperModel: 'NALU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'mul', model: 'nau', paperModel: 'NAU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'mul', model: 'nmu', paperModel: 'NMU', runs: 100, success: { value: 0.98, plus: 0.01, minus: 0.05 }, solvedAtMedian: 1.4e6, solvedAtMean: { value: 1.5e6, plus: 5.0e4, minus: 6.6e4 }, sparsityError: { value: 4.2e-7, plus: 2.9e-8, minus: 2.9e-8 } },
    { op: 'mul', model: 'relu', paperModel: 'ReLU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'mul', model: 'relu6', paperModel: 'ReLU6', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'nac-mul-nmu', paperModel: 'NAC•,NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'nac-mul-sigma', paperModel: 'NAC•,σ', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'nac-mul', paperModel: 'NAC•', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'nac', paperModel: 'NAC₊', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'gated-nau-nmu', paperModel: 'Gated NAU/NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'linear', paperModel: 'Linear', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'nalu', paperModel: 'NALU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'nau', paperModel: 'NAU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'nmu', paperModel: 'NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'relu', paperModel: 'ReLU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'div', model: 'relu6', paperModel: 'ReLU6', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'add', model: 'nac-mul-nmu', paperModel: 'NAC•,NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'add', model: 'nac-mul-sigma', paperModel: 'NAC•,σ', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'add', model: 'nac-mul', paperModel: 'NAC•', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'add', model: 'nac', paperModel: 'NAC₊', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 2.5e5, solvedAtMean: { value: 4.9e5, plus: 5.2e4, minus: 4.5e4 }, sparsityError: { value: 2.3e-1, plus: 6.5e-3, minus: 6.5e-3 } },
    { op: 'add', model: 'gated-nau-nmu', paperModel: 'Gated NAU/NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'add', model: 'linear', paperModel: 'Linear', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 6.1e4, solvedAtMean: { value: 6.3e4, plus: 2.5e3, minus: 3.3e3 }, sparsityError: { value: 2.5e-1, plus: 3.6e-4, minus: 3.6e-4 } },
    { op: 'add', model: 'nalu', paperModel: 'NALU', runs: 100, success: { value: 0.14, plus: 0.08, minus: 0.05 }, solvedAtMedian: 1.5e6, solvedAtMean: { value: 1.6e6, plus: 3.8e5, minus: 3.3e5 }, sparsityError: { value: 1.7e-1, plus: 2.7e-2, minus: 2.5e-2 } },
    { op: 'add', model: 'nau', paperModel: 'NAU', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 1.8e4, solvedAtMean: { value: 3.9e5, plus: 4.5e4, minus: 3.7e4 }, sparsityError: { value: 3.2e-5, plus: 1.3e-5, minus: 1.3e-5 } },
    { op: 'add', model: 'nmu', paperModel: 'NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'add', model: 'relu', paperModel: 'ReLU', runs: 100, success: { value: 0.62, plus: 0.09, minus: 0.10 }, solvedAtMedian: 6.2e4, solvedAtMean: { value: 7.6e4, plus: 8.3e3, minus: 7.0e3 }, sparsityError: { value: 2.5e-1, plus: 2.4e-3, minus: 2.4e-3 } },
    { op: 'add', model: 'relu6', paperModel: 'ReLU6', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sub', model: 'nac-mul-nmu', paperModel: 'NAC•,NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sub', model: 'nac-mul-sigma', paperModel: 'NAC•,σ', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sub', model: 'nac-mul', paperModel: 'NAC•', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sub', model: 'nac', paperModel: 'NAC₊', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 9.0e3, solvedAtMean: { value: 3.7e5, plus: 3.8e4, minus: 3.8e4 }, sparsityError: { value: 2.3e-1, plus: 5.4e-3, minus: 5.4e-3 } },
    { op: 'sub', model: 'gated-nau-nmu', paperModel: 'Gated NAU/NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sub', model: 'linear', paperModel: 'Linear', runs: 100, success: { value: 0.07, plus: 0.07, minus: 0.04 }, solvedAtMedian: 3.3e6, solvedAtMean: { value: 1.4e6, plus: 7.0e5, minus: 6.1e5 }, sparsityError: { value: 1.8e-1, plus: 7.2e-2, minus: 5.8e-2 } },
    { op: 'sub', model: 'nalu', paperModel: 'NALU', runs: 100, success: { value: 0.14, plus: 0.08, minus: 0.05 }, solvedAtMedian: 1.9e6, solvedAtMean: { value: 1.9e6, plus: 4.4e5, minus: 4.5e5 }, sparsityError: { value: 2.1e-1, plus: 2.2e-2, minus: 2.2e-2 } },
    { op: 'sub', model: 'nau', paperModel: 'NAU', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 5.0e3, solvedAtMean: { value: 1.6e5, plus: 1.7e4, minus: 1.6e4 }, sparsityError: { value: 6.6e-2, plus: 2.5e-2, minus: 1.9e-2 } },
    { op: 'sub', model: 'nmu', paperModel: 'NMU', runs: 100, success: { value: 0.56, plus: 0.09, minus: 0.10 }, solvedAtMedian: 1.0e6, solvedAtMean: { value: 1.0e6, plus: 5.8e2, minus: 5.8e2 }, sparsityError: { value: 3.4e-4, plus: 3.2e-5, minus: 2.6e-5 } },
    { op: 'sub', model: 'relu', paperModel: 'ReLU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sub', model: 'relu6', paperModel: 'ReLU6', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    // The paper prints this interval as NaN·10^-Inf: its formatter applied to a zero half-width (all solved seeds at one step).
    { op: 'sqrt', model: 'nac-mul-nmu', paperModel: 'NAC•,NMU', runs: 100, success: { value: 0.03, plus: 0.05, minus: 0.02 }, solvedAtMedian: 1.0e6, solvedAtMean: { value: 1.0e6, plus: NaN, minus: NaN }, sparsityError: { value: 1.7e-1, plus: 8.3e-3, minus: 8.1e-3 } },
    { op: 'sqrt', model: 'nac-mul-sigma', paperModel: 'NAC•,σ', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sqrt', model: 'nac-mul', paperModel: 'NAC•', runs: 100, success: { value: 0.07, plus: 0.07, minus: 0.04 }, solvedAtMedian: 4.0e5, solvedAtMean: { value: 1.5e6, plus: 6.0e5, minus: 5.6e5 }, sparsityError: { value: 2.4e-1, plus: 1.7e-2, minus: 1.7e-2 } },
    { op: 'sqrt', model: 'nac', paperModel: 'NAC₊', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sqrt', model: 'gated-nau-nmu', paperModel: 'Gated NAU/NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sqrt', model: 'linear', paperModel: 'Linear', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sqrt', model: 'nalu', paperModel: 'NALU', runs: 100, success: { value: 0.02, plus: 0.05, minus: 0.01 }, solvedAtMedian: 2.6e6, solvedAtMean: { value: 3.3e6, plus: 1.8e6, minus: 2.2e6 }, sparsityError: { value: 5.0e-1, plus: 2.5e-6, minus: 8.0e-6 } },
    { op: 'sqrt', model: 'nau', paperModel: 'NAU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sqrt', model: 'nmu', paperModel: 'NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sqrt', model: 'relu', paperModel: 'ReLU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'sqrt', model: 'relu6', paperModel: 'ReLU6', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'square', model: 'nac-mul-nmu', paperModel: 'NAC•,NMU', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 1.4e6, solvedAtMean: { value: 1.5e6, plus: 8.4e4, minus: 7.9e4 }, sparsityError: { value: 2.9e-7, plus: 1.4e-8, minus: 1.4e-8 } },
    { op: 'square', model: 'nac-mul-sigma', paperModel: 'NAC•,σ', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 1.9e6, solvedAtMean: { value: 1.9e6, plus: 5.3e4, minus: 6.2e4 }, sparsityError: { value: 1.8e-2, plus: 4.3e-4, minus: 4.3e-4 } },
    { op: 'square', model: 'nac-mul', paperModel: 'NAC•', runs: 100, success: { value: 0.77, plus: 0.07, minus: 0.09 }, solvedAtMedian: 3.3e6, solvedAtMean: { value: 3.2e6, plus: 1.6e5, minus: 2.0e5 }, sparsityError: { value: 1.8e-2, plus: 5.8e-4, minus: 5.7e-4 } },
    { op: 'square', model: 'nac', paperModel: 'NAC₊', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'square', model: 'gated-nau-nmu', paperModel: 'Gated NAU/NMU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'square', model: 'linear', paperModel: 'Linear', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'square', model: 'nalu', paperModel: 'NALU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'square', model: 'nau', paperModel: 'NAU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'square', model: 'nmu', paperModel: 'NMU', runs: 100, success: { value: 1, plus: 0, minus: 0.04 }, solvedAtMedian: 1.2e6, solvedAtMean: { value: 1.3e6, plus: 3.1e4, minus: 3.6e4 }, sparsityError: { value: 3.7e-5, plus: 5.4e-5, minus: 3.7e-5 } },
    { op: 'square', model: 'relu', paperModel: 'ReLU', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
    { op: 'square', model: 'relu6', paperModel: 'ReLU6', runs: 100, success: { value: 0, plus: 0.04, minus: 0 }, solvedAtMedian: null, solvedAtMean: null, sparsityError: null },
  ],
};
