/**
 * Model names claimed atomically in Redis, as dataset names are (training/dataset-registry.ts).
 * The ownership check against MODELS_DIR (ownership.ts assertMayWriteModel) reads what is on disk,
 * and a new model is on disk only after its registration ran: two keys registering the same NEW
 * name at once would both pass it. So, after that check and before any work, the writer claims the
 * name in one hash (`<prefix>:model-names`: name -> owner hash, '' for a shared model an admin
 * writes) with one Lua step: the first claimant wins, the other gets 409 NAME_TAKEN. One key, so a
 * Redis Cluster runs it too. A claim is kept when a registration fails: the name stays its
 * claimant's, as it would after a registration that worked.
 */
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { ownerForNewModel, type Caller } from './ownership.js';

// KEYS: the claims hash. ARGV: name, claimant ('' = shared). 1: the name is the claimant's now.
const CLAIM_MODEL_NAME = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and current ~= ARGV[2] then return 0 end
if not current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

export class ModelNameClaims {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(): string {
    return `${this.prefix}:model-names`;
  }

  /** Claims `name` for the models `caller` writes (shared for an admin); 409 NAME_TAKEN if another's. */
  async claim(name: string, caller: Caller): Promise<void> {
    const claimant = ownerForNewModel(caller) ?? '';
    if ((await this.redis.eval(CLAIM_MODEL_NAME, 1, this.key(), name, claimant)) === 1) return;
    throw new AppError('NAME_TAKEN', `the model name "${name}" is taken by another key (or is being registered now); choose another name`, {
      details: { name },
    });
  }
}
