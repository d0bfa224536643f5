// Published results the benchmark's tables can be compared with, by id (`--compare madsen2020`).
import { Registry } from '../../registry';
import { madsen2020, type PublishedCell } from './madsen2020';

export type { PublishedCell, PublishedValue } from './madsen2020';

export interface PublishedResults {
  id: string;
  title: string;
  source: string;
  /** The task its cells are of. */
  task: string;
  cells: PublishedCell[];
}

export const publishedRegistry = new Registry<PublishedResults>('published results');
publishedRegistry.register('madsen2020', { ...madsen2020, task: 'static' });
