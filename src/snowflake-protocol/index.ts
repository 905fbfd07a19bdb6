export { bindSql, MAX_ARRAY_VALUES, type Binding, type BoundSql } from './binds.js';
export { SF_CODES, USER_DISABLED, USER_LOCKED, sfErrorOf, type SfError } from './errors.js';
export { QueryRegistry, type QueryRecord, type QueryStatus } from './queries.js';
export { PARAMETERS, chunkBody, contextOf, fail, inProgressReply, monitoringReply, ok, queryReply, type SfReply } from './replies.js';
export { encodeResult, type RowType } from './rowset.js';
export { SfTokens, snowflakeLoginFile, type IssuedTokens, type SfContext, type SfLogin, type TokenLookup } from './tokens.js';
export { checkLoginJwt, type JwtCheck } from './jwt.js';
export { StageGrants, UPLOAD_BUCKET, stageGrantFile, transferData, type StageGrant } from './transfers.js';
export { BIND_STAGE_CREATE, BindFiles, bindPut, bindStageId, type TakenBinds } from './bind-stage.js';
