import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalid } from '../core/errors.js';
import { requestJson } from './http-json.js';
import type { SessionContext, SessionInit, SqlClient, SqlRun } from './sql-client.js';

/** Talks to a running recpipe server; keeps one server-side session across statements. */
export class HttpSqlClient implements SqlClient {
  readonly mode = 'http';
  #session: SessionContext;

  private constructor(
    readonly url: string,
    session: SessionContext,
    readonly description: string,
    private readonly key?: string,
  ) {
    this.#session = session;
  }

  /** Opens a session on the server at `url` (e.g. `http://127.0.0.1:7878`). */
  static async open(url: string, init: SessionInit = {}, key?: string): Promise<HttpSqlClient> {
    const base = url.replace(/\/+$/, '');
    const session = await requestJson<SessionContext>(base, 'POST', '/api/v1/sessions', { body: init, key });
    return new HttpSqlClient(base, session, `connected to recpipe server at ${base}`, key);
  }

  get session(): SessionContext {
    return this.#session;
  }

  /** `resultFormat: 'columns'` has query results come back in `columnData`, one array per column. */
  async execute(sql: string, bindings?: unknown[], opts: { resultFormat?: 'rows' | 'columns' } = {}): Promise<SqlRun> {
    const put = parsePut(sql);
    if (put !== null) return this.upload(put);
    const body = { sql, sessionId: this.#session.id, ...(bindings === undefined ? {} : { bindings }), ...opts };
    const run = await requestJson<SqlRun>(this.url, 'POST', '/api/v1/statements', { body, key: this.key });
    this.#session = run.session;
    return { results: run.results, session: run.session };
  }

  /** PUT 'file:///local' @stage: the file is this machine's, so the client reads it and uploads it. */
  private async upload(put: { path: string; target: string }): Promise<SqlRun> {
    const content = (await readFile(put.path)).toString('base64');
    const body = { target: put.target, name: basename(put.path), content, sessionId: this.#session.id };
    const run = await requestJson<SqlRun>(this.url, 'POST', '/api/v1/stages/files', { body, key: this.key });
    this.#session = run.session;
    return { results: run.results, session: run.session };
  }

  /** The session stays on the server (which drops idle ones); there is no connection to release. */
  async close(): Promise<void> {}
}

/** `PUT 'file:///path' @target` or `PUT file:///path @target` (options after the target are ignored), else null. */
function parsePut(sql: string): { path: string; target: string } | null {
  const m = /^\s*put\s+(?:'([^']+)'|(file:\/\/\S+))\s+(@\S+)/i.exec(sql);
  if (!m) return null;
  const url = m[1] ?? m[2];
  try {
    return { path: fileURLToPath(url), target: m[3].replace(/;$/, '') };
  } catch {
    throw invalid(`PUT source '${url}' must be a file:// URL such as 'file:///data/ratings.csv'`);
  }
}
