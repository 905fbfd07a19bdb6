export { ManualClock, systemClock, type Clock } from './clock.js';
export { parseSchedule, type Schedule } from './schedule.js';
export { TaskScheduler, type SchedulerOptions, type TaskHost } from './scheduler.js';
export { HISTORY_TABLE, TASKS_TABLE, TaskStore } from './task-store.js';
export type { TaskState } from './task.js';
