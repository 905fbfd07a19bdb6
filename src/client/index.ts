export type { SessionContext, SessionInit, SqlClient, SqlRun, StatementResult } from './sql-client.js';
export { HttpSqlClient } from './http-sql-client.js';
export { InProcessSqlClient } from './in-process-sql-client.js';
export { connect, findServer, type ConnectOptions } from './connect.js';
export { splitStatements, endsStatement, type ScriptStatement } from './sql-text.js';
export {
  formatResult,
  formatTable,
  formatCsv,
  formatJson,
  parseOutputFormat,
  OUTPUT_FORMATS,
  type OutputFormat,
} from './format-results.js';
export { runScript, type ScriptOutput } from './run-script.js';
export { runRepl, promptFor, type ReplOptions } from './repl.js';
export { copyIntoStatement, stringLiteral, ON_ERROR_CHOICES, type CopyRequest } from './copy-statement.js';
export { objectNameSql } from './identifiers.js';
export { connectControl, type ControlConnectOptions } from './connect-control.js';
export { HttpControlClient } from './http-control-client.js';
export { InProcessControlClient } from './in-process-control-client.js';
export {
  hasEnded,
  type ControlClient,
  type StartJobRequest,
  type JobObserver,
  type TrainingJob,
  type EndpointDescription,
  type EndpointStatus,
} from './control-client.js';
