/** The throughput benchmark's building blocks (the CLI's `bench` and `plan` commands drive them). */
export * from './stats.js';
export * from './corpus.js';
export * from './machine.js';
export * from './measure.js';
export * from './drain.js';
export * from './report.js';
export * from './chart.js';
export * from './accuracy-chart.js';
export * from './planner.js';
export * from './cpu.js';
export * from './redis-cost.js';
export * from './queue-report.js';
export * from './scaling.js';
export * from './plan-backtest.js';
export * from './bracketed-ceiling.js';
