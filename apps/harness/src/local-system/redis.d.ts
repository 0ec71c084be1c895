import { type RedisServerHandle } from '@hourglass/core';
export interface DemoRedis {
    url: string;
    origin: 'REDIS_URL' | 'localhost:6379' | 'spawned';
    server?: RedisServerHandle;
}
export declare function findOrStartRedis(env: NodeJS.ProcessEnv): Promise<DemoRedis>;
//# sourceMappingURL=redis.d.ts.map