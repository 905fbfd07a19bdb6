export { createSession, getSession, sessionView } from './sessions.js';
export { runStatements, type StatementsReply } from './statements.js';
export { health } from './health.js';
