// Published results the benchmark's tables can be compared with, by id (`--compare madsen2020`).
import { Registry } from '../../registry';
import { madsen2020, type PublishedCell } from './madsen2020';

export type { PublishedCell, PublishedValue } from './madsen2020';

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
}

/** The published tables by id: 'madsen2020' (Madsen & Johansen 2020, Table 1 of the appendix). @category Published results */
export const publishedRegistry = new Registry<PublishedResults>('published results');
publishedRegistry.register('madsen2020', { ...madsen2020, task: 'static' });
