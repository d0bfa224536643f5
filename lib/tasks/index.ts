// The arithmetic benchmark: tasks, models, runs, statistics, tables and plots; the TS-driven
// sequential MNIST task.
export * from './arithmetic';
export * from './models';
export * from './run';
export * from './group';
export * from './stats';
export * from './summary';
export { successRatePng, successRateSpec, successRateSvg } from './plot';
export * from './experiment';
export { publishedRegistry, type PaperSeeds, type PublishedCell, type PublishedResults, type PublishedValue, type SeedCell, type SeedRun } from './papers';
export * from './compare';
export {
  runSequentialMnist,
  sequentialMnistModel,
  sequentialMnistThresholds,
  type SequentialMnistOperation,
  type SequentialMnistOptions,
  type SequentialMnistResult,
  type SequentialMnistTest,
  type SequentialMnistThreshold,
} from './sequential-mnist';
