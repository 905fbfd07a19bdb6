export type { TaskChange, TaskControl, TaskDefinition, TaskProperties, TaskSpec } from '../sql/task-control.js';
export { TASK_DEFAULTS } from '../sql/task-control.js';

export type TaskState = 'SCHEDULED' | 'EXECUTING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'CANCELLED';
