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

  async execute(sql: string, bindings?: unknown[]): Promise<SqlRun> {
    const body = { sql, sessionId: this.#session.id, ...(bindings === undefined ? {} : { bindings }) };
    const run = await requestJson<SqlRun>(this.url, 'POST', '/api/v1/statements', { body, key: this.key });
    this.#session = run.session;
    return { results: run.results, session: run.session };
  }

  /** The session stays on the server (which drops idle ones); there is no connection to release. */
  async close(): Promise<void> {}
}
