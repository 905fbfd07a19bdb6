export { createSession, getSession, sessionView } from './sessions.js';
export { runStatements, RequestTooLarge, type StatementsReply } from './statements.js';
export { health } from './health.js';
export { listJobs, describeJob, jobLogs, jobCurves, stopJob, startJob, waitForJob } from './training-jobs.js';
