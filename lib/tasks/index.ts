// The arithmetic benchmark: tasks, models, runs, statistics, tables and plots.
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
