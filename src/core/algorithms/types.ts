import type { Trainset } from '../dataset.js';
import type { HeldOutRatings, Kernels } from '../kernels.js';
import type { FactorModel } from '../model.js';
import type { Rng } from '../random.js';

export interface FitContext {
  readonly rng: Rng;
  readonly kernels: Kernels;
  /**
   * Training-curve hook: called after each epoch with that epoch's training figure (RMSE; the loss of a
   * ranking model) and, from algorithms that can give it cheaply, `current`: the model as it stands
   * after the epoch (valid during the call). An algorithm whose kernel scores `heldOut` itself hands
   * over that RMSE as `heldOutRmse`.
   */
  readonly onEpoch?: (epoch: number, trainRmse: number, current?: () => FactorModel, heldOutRmse?: number) => void;
  /** Ratings to score after each epoch for a held-out curve, by the trainset's inner ids. */
  readonly heldOut?: HeldOutRatings;
}

/**
 * An algorithm supplies only its config and its fit; prediction, fallbacks for unknown ids,
 * clipping and top-N are shared (see model.ts). Configs are plain JSON objects.
 */
export interface Algorithm<C extends object = object> {
  readonly id: string;
  /** Surprise's class name, used in the cross-validation table. */
  readonly displayName: string;
  readonly defaults: Readonly<C>;
  /**
   * Whether its fit with this config reads the ratings' timestamps (Trainset.timestamps), so readers
   * must keep them: always for timeSVD, for a blend when one of its components does.
   */
  usesTimestamps?(config: C): boolean;
  /** Its estimates are relevance scores for ranking, not ratings: no RMSE, `evaluate` ranks. */
  readonly ranksOnly?: boolean;
  /** Validates user input (Surprise's parameter names accepted) into a complete config. */
  parseConfig(raw: Readonly<Record<string, unknown>>): C;
  fit(ts: Trainset, config: C, ctx: FitContext): FactorModel;
  /** Number of epochs `fit` will report through onEpoch (for progress bars). */
  epochs(config: C): number;
}
