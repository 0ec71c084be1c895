import { type ScenarioRunner } from './scenario.js';
export declare const redisScenario: ScenarioRunner;
export declare const redisCrashScenario: ScenarioRunner;
//# sourceMappingURL=redis-restart.d.ts.map