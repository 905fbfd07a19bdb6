import {
  buildTrainset,
  createRng,
  crossValidate,
  summarize,
  type Algorithm,
  type FoldResult,
  formatCvTable,
  formatRankingTable,
  getAlgorithm,
  kFold,
  allUsers,
  exclusionsOf,
  itemIdRank,
  topNFor,
  recommendationLists,
  type Exclusions,
  type TopNResult,
  type CvResult,
  type Dataset,
  type FactorModel,
  type Kernels,
  type Split,
  type Trainset,
  type UserRecommendations,
  type SvdFitConfig,
  type SvdRates,
  type SvdState,
  svdInitialState,
  svdModelOf,
} from '../core/index.js';

export type Evaluation =
  | { readonly kind: 'kfold'; readonly folds: number }
  | { readonly kind: 'predefined'; readonly splits: Split[] }
  | { readonly kind: 'none' };

export interface TrainingRequest {
  readonly dataset: Dataset;
  readonly algorithm: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly evaluation: Evaluation;
  readonly seed: number;
  /** 0 skips recommendations. */
  readonly topN: number;
}

/** What long work reports while it runs; the CLI draws bars or log lines, jobs write their log. */
export interface TrainingObserver {
  phase(name: 'cv' | 'fit' | 'top-n', total: number): void;
  tick(): void;
  log(line: string): void;
  /** The full fit's training RMSE after each epoch, as it happens (live training curves). */
  epoch?(trainRmse: number): void;
}

export interface TrainingOutcome {
  readonly algorithm: string;
  readonly config: object;
  readonly seed: number;
  readonly cv: CvResult | null;
  readonly model: FactorModel;
  readonly trainset: Trainset;
  readonly fullFit: FullFitReport;
  readonly recommendations: readonly UserRecommendations[];
  readonly topNSeconds: number;
  /** Share of (user, item) estimates the top-N computed (below 1 when the kernel pruned by a bound). */
  readonly topNScored: number;
}

/** The full fit's time and curve; with `parallel`, the named parallel mode and its worker count (else sequential). */
export interface FullFitReport {
  readonly seconds: number;
  readonly trainRmse: readonly number[];
  readonly parallel?: 'dsgd';
  readonly workers?: number;
}

/** Evaluates one split (fit on its train part, score its test part); may run elsewhere, e.g. in a worker. */
export type FoldEvaluator = (
  algorithmId: string,
  params: Readonly<Record<string, unknown>>,
  split: Split,
  fold: number,
  seed: number,
) => Promise<FoldResult>;

export interface TrainingRuntime {
  readonly kernels: Kernels;
  readonly clock: () => number;
  /** Runs folds concurrently when given (worker threads); otherwise folds run here, one after another. */
  readonly evaluateFold?: FoldEvaluator;
  /** Top-n over blocks of users on other threads when given (the same lists as `kernels.topN`); otherwise here. */
  readonly topN?: (model: FactorModel, users: Int32Array, exclude: Exclusions, n: number, itemRank: Int32Array) => Promise<TopNResult>;
  /**
   * SVD's full fit by stratified SGD on other threads (`parallel=dsgd`, ComputePool.svdStrata):
   * updates `state` in place and returns the number of workers. Without it DSGD has one worker,
   * whose one stratum is the sequential fit.
   */
  readonly svdStrata?: (
    ts: Trainset,
    state: SvdState,
    rates: SvdRates,
    nEpochs: number,
    onEpoch: (epoch: number, rmse: number) => void,
  ) => Promise<number>;
}

/**
 * The guide's training container, step by step: cross-validate (printing Surprise's table), fit on
 * every rating, then the top-n unrated items of every user. With folds on other threads
 * (`evaluateFold`), the full fit and the top-n run here while the folds run there: the full fit
 * depends on the dataset and seed alone, so the results are the same; only the phases overlap.
 */
export async function runTraining(req: TrainingRequest, rt: TrainingRuntime, obs: TrainingObserver): Promise<TrainingOutcome> {
  const algo = getAlgorithm(req.algorithm);
  const config = algo.parseConfig(req.params);
  const splits =
    req.evaluation.kind === 'kfold'
      ? kFold(req.dataset, req.evaluation.folds, createRng(req.seed))
      : req.evaluation.kind === 'predefined'
        ? req.evaluation.splits
        : [];
  let cv: CvResult | null = null;
  if (splits.length > 0 && rt.evaluateFold) {
    const folds = foldsElsewhere(rt.evaluateFold, algo, req, splits);
    // Awaited after the fit; marked handled now so a fold failing during the fit is not an unhandled rejection.
    folds.result.catch(() => undefined);
    const fitted = await fitAndRank(req, rt, obs, algo, config);
    obs.phase('cv', splits.length);
    folds.follow(() => obs.tick());
    cv = await folds.result;
    obs.log(cvReport(cv));
    return { ...fitted, cv };
  }
  if (splits.length > 0) {
    obs.phase('cv', splits.length * algo.epochs(config));
    cv = crossValidate(algo, config, splits, { seed: req.seed, kernels: rt.kernels, clock: rt.clock, onEpoch: () => obs.tick() });
    obs.log(cvReport(cv));
  }
  return { ...(await fitAndRank(req, rt, obs, algo, config)), cv };
}

/** Surprise's table, and the ranking table when the folds were ranked. */
function cvReport(cv: CvResult): string {
  const ranking = cv.ranking ? `\n\n${formatRankingTable(cv.ranking, cv.algorithm)} (mean over the folds' test parts)` : '';
  return formatCvTable(cv) + ranking;
}

/**
 * Every fold sent to `evaluate` at once (the pool queues what its workers cannot take yet).
 * `follow(tick)` ticks once per fold finished so far and then once per fold as it finishes: the
 * progress shown once this thread is free of the full fit.
 */
function foldsElsewhere(evaluate: FoldEvaluator, algo: Algorithm, req: TrainingRequest, splits: readonly Split[]) {
  let finished = 0;
  let onFold: (() => void) | null = null;
  const result = Promise.all(
    splits.map((split, f) =>
      evaluate(algo.id, req.params, split, f + 1, req.seed).then((r) => {
        finished++;
        onFold?.();
        return r;
      }),
    ),
  ).then((folds) => summarize(algo.displayName, folds));
  const follow = (tick: () => void): void => {
    for (let f = 0; f < finished; f++) tick();
    onFold = tick;
  };
  return { result, follow };
}

/** The full fit on every rating, then every user's top-n. */
async function fitAndRank(
  req: TrainingRequest,
  rt: TrainingRuntime,
  obs: TrainingObserver,
  algo: Algorithm,
  config: object,
): Promise<Omit<TrainingOutcome, 'cv'>> {
  obs.phase('fit', algo.epochs(config));
  const t0 = rt.clock();
  const { trainset } = buildTrainset(req.dataset);
  const trainRmse: number[] = [];
  const onEpoch = (_: number, r: number): void => {
    trainRmse.push(r);
    obs.epoch?.(r);
    obs.tick();
  };
  const dsgd = algo.id === 'svd' && (config as SvdFitConfig).parallel === 'dsgd';
  let model: FactorModel;
  let workers = 1;
  if (dsgd && rt.svdStrata) {
    const c = config as SvdFitConfig;
    const state = svdInitialState(trainset, c, createRng(req.seed), { shared: true });
    workers = await rt.svdStrata(trainset, state, c, c.nEpochs, onEpoch);
    model = svdModelOf(trainset, state);
  } else {
    model = algo.fit(trainset, config, { rng: createRng(req.seed), kernels: rt.kernels, onEpoch });
  }
  const t1 = rt.clock();
  let recommendations: UserRecommendations[] = [];
  let topNScored = 0;
  if (req.topN > 0) {
    obs.phase('top-n', 1);
    const args = [model, allUsers(model), exclusionsOf(trainset), req.topN, itemIdRank(model.itemIds)] as const;
    const top = rt.topN ? await rt.topN(...args) : topNFor(...args, rt.kernels);
    recommendations = recommendationLists(model, req.topN, top);
    topNScored = top.computed === undefined ? 1 : Math.min(1, top.computed / (args[1].length * model.itemIds.length));
    obs.tick();
  }
  const t2 = rt.clock();
  return {
    algorithm: algo.id,
    config,
    seed: req.seed,
    model,
    trainset,
    fullFit: { seconds: (t1 - t0) / 1000, trainRmse, ...(dsgd ? { parallel: 'dsgd', workers } : {}) },
    recommendations,
    topNSeconds: (t2 - t1) / 1000,
    topNScored,
  };
}
