/**
 * Adam with decoupled weight decay (AdamW, as fastai's default optimiser), over a list of
 * parameter arrays updated in place. Deterministic: plain arithmetic, fixed order.
 */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW); 0 = plain Adam. */
  weightDecay?: number;
}

export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(
    private readonly params: Float64Array[],
    options: Omit<AdamOptions, 'lr'> = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }

  get steps(): number {
    return this.t;
  }

  /** One step with learning rate `lr`; `grads[i]` matches `params[i]`. */
  step(grads: readonly Float64Array[], lr: number): void {
    if (grads.length !== this.params.length) throw new RangeError(`${grads.length} gradients for ${this.params.length} parameters`);
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k]!;
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        const update = m[i]! / c1 / (Math.sqrt(v[i]! / c2) + eps);
        p[i] = p[i]! - lr * (update + weightDecay * p[i]!);
      }
    }
  }
}

/**
 * fastai's one-cycle shape, simplified: a linear warm-up over the first `warmup` fraction of steps
 * to `lr`, then cosine annealing to lr / 100 at the last step.
 */
export function oneCycleLr(lr: number, step: number, totalSteps: number, warmup = 0.1): number {
  const warm = Math.max(1, Math.round(totalSteps * warmup));
  if (step < warm) return lr * (0.1 + (0.9 * (step + 1)) / warm);
  const progress = Math.min(1, (step - warm) / Math.max(1, totalSteps - warm - 1));
  const floor = lr / 100;
  return floor + ((lr - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}
