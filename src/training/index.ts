export {
  runTraining,
  type Evaluation,
  type FullFitReport,
  type TrainingObserver,
  type TrainingOutcome,
  type TrainingRequest,
  type TrainingRuntime,
} from './pipeline.js';
export { formatRecommendations, writeRecommendations, idToJson } from './recommendations-file.js';
