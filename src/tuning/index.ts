export { parseSearchRequest, DEFAULT_TIME_BUDGET_SECONDS, type SearchPlan } from './search-request.js';
export {
  runSearch,
  candidateEvaluator,
  formatTrial,
  type BestTrial,
  type SearchObserver,
  type SearchReport,
  type SearchRuntime,
} from './run-search.js';
export { formatTrialTable, rankTrials } from './trial-table.js';
