/** What `npm run chaos` can be asked to do: the scenarios by name and the run's options. */
export const SCENARIOS = ['kill', 'redis', 'redis-crash', 'api', 'sigterm'];
//# sourceMappingURL=options.js.map