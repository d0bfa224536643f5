// Published results the benchmark's tables can be compared with, by id (`--compare madsen2020`).
import { Registry } from '../../registry';
import type { ArithmeticOp } from '../arithmetic';
import { madsen2020, type PublishedCell } from './madsen2020';
import { madsen2020SeedColumns, madsen2020SeedThresholds, madsen2020SeedsLicense, madsen2020SeedsSource } from './madsen2020-seeds';

export type { PublishedCell, PublishedValue } from './madsen2020';

/** One run of a cell, as the per-seed comparison reads it (ours or a paper's). @category Published results */
export interface SeedRun {
  /** Whether its best model's extrapolation MSE is below the paper's threshold. */
  success: boolean;
  /** The step it was first solved at (null: never). */
  solvedAt: number | null;
  /** Interpolation MSE of its best model (Infinity: not finite). */
  interpolation: number;
  /** Extrapolation MSE of its best model (Infinity: not finite). */
  extrapolation: number;
  /** Sparsity error of its best model. */
  sparsity: number;
}

/** The runs of one operation × model. @category Published results */
export interface SeedCell {
  /** The operation. */
  op: ArithmeticOp;
  /** nalu benchmark model name. */
  model: string;
  /** Its runs. */
  runs: SeedRun[];
}

/** A paper's per-seed results. @category Published results */
export interface PaperSeeds {
  /** Where they come from. */
  source: string;
  /** Their licence's text. */
  license: string;
  /** Each operation's success threshold, as the paper's runs were judged. */
  thresholds: Partial<Record<ArithmeticOp, number>>;
  /** Its cells (those absent from its data are not listed). */
  cells: SeedCell[];
}

/** A paper's published table, to compare ours with (`nalu summary --compare <id>`). @category Published results */
export interface PublishedResults {
  /** Its id ('madsen2020'). */
  id: string;
  /** What the table is. */
  title: string;
  /** Where its numbers were transcribed from. */
  source: string;
  /** The task its cells are of. */
  task: string;
  /** Its cells. */
  cells: PublishedCell[];
  /** Its per-seed runs, where published (decoded on first use). */
  seeds?: () => PaperSeeds;
}

const column = (s: string) => s.split(' ').map((v) => (v === 'NA' ? NaN : Math.fround(Number(v))));

let decoded: PaperSeeds | undefined;
/** madsen2020-seeds.ts decoded: NA errors (a diverged run) become Infinity, an NA solved-at null. */
function madsen2020Seeds(): PaperSeeds {
  decoded ??= {
    source: madsen2020SeedsSource,
    license: madsen2020SeedsLicense,
    thresholds: madsen2020SeedThresholds,
    cells: madsen2020SeedColumns.map((c) => {
      const [solvedAt, interpolation, extrapolation, sparsity] = [c.solvedAt, c.interpolation, c.extrapolation, c.sparsity].map(column);
      const inf = (v: number) => (Number.isNaN(v) ? Infinity : v);
      return {
        op: c.op as ArithmeticOp,
        model: c.model,
        runs: [...c.solved].map((s, i) => ({
          success: s === '1',
          solvedAt: Number.isNaN(solvedAt[i]) ? null : solvedAt[i],
          interpolation: inf(interpolation[i]),
          extrapolation: inf(extrapolation[i]),
          sparsity: sparsity[i],
        })),
      };
    }),
  };
  return decoded;
}

/** The published tables by id: 'madsen2020' (Madsen & Johansen 2020, Table 1 of the appendix, with its per-seed runs). @category Published results */
export const publishedRegistry = new Registry<PublishedResults>('published results');
publishedRegistry.register('madsen2020', { ...madsen2020, task: 'static', seeds: madsen2020Seeds });
