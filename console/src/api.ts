/** The console's calls to its server: same origin, the session cookie, and the CSRF token on every change. */

export interface SessionView {
  id: string;
  role: string;
  database: string | null;
  schema: string | null;
  warehouse: string | null;
}

export interface Me {
  user: string;
  csrfHeader: string;
  csrfToken: string;
  session: SessionView;
}

export interface Column {
  name: string;
  type: string;
}

export interface StatementResult {
  statement: string;
  kind: 'query' | 'command';
  columns: Column[];
  rows: unknown[][];
  rowCount: number;
  message?: string;
  /** A paged result: `rows` are its first rows; the others are asked for by this id (api.resultRows). */
  resultId?: string;
}

export interface RunReply {
  results: StatementResult[];
  session: SessionView;
  elapsedMs: number;
}

export interface Worksheet {
  id: string;
  name: string;
  sql: string;
  updatedOn: string;
}

/** A failed call: the server's code and message, and for SQL the line it named. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly line?: number,
    readonly elapsedMs?: number,
  ) {
    super(message);
  }
}

let csrf: { header: string; token: string } | null = null;

/** One call to the console's routes (pages with routes of their own call them through this). */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf && method !== 'GET') headers[csrf.header] = csrf.token;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; line?: number };
    elapsedMs?: number;
  };
  if (!response.ok) {
    const e = data.error ?? {};
    throw new ApiError(
      response.status,
      e.code ?? 'INTERNAL',
      e.message ?? `${method} ${path}: HTTP ${response.status}`,
      e.line,
      data.elapsedMs,
    );
  }
  return data as T;
}

function remember(me: Me): Me {
  csrf = { header: me.csrfHeader, token: me.csrfToken };
  return me;
}

/**
 * An endpoint's traffic per second or minute from every process of the home (GET
 * /console/api/endpoints/:name/traffic and …/traffic/minutes); the totals are over the points sent.
 */
export interface Traffic {
  t: number[];
  requests: number[];
  errors: number[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  totalRequests: number;
  totalErrors: number;
  processes: number;
}

export type Similar = { available: true; items: string[]; cosines: number[] } | { available: false; reason: string };

const endpointPath = (name: string, rest: string) => `/console/api/endpoints/${encodeURIComponent(name)}/${rest}`;

export const api = {
  me: async () => remember(await call<Me>('GET', '/console/api/me')),
  signIn: async (body: { user?: string; password?: string; apiKey?: string }) =>
    remember(await call<Me>('POST', '/console/api/sign-in', body)),
  signOut: async () => {
    await call('POST', '/console/api/sign-out');
    csrf = null;
  },
  run: (sql: string) => call<RunReply>('POST', '/console/api/statements', { sql }),
  /** As run, but a large result comes with its first rows only (the worksheet grid fetches the rest as it scrolls). */
  runPaged: (sql: string) => call<RunReply>('POST', '/console/api/statements', { sql, paged: true }),
  resultRows: async (id: string, offset: number, limit: number) =>
    (await call<{ rows: unknown[][] }>('GET', `/console/api/results/${encodeURIComponent(id)}?offset=${offset}&limit=${limit}`)).rows,
  worksheets: async () => (await call<{ worksheets: Worksheet[] }>('GET', '/console/api/worksheets')).worksheets,
  saveWorksheet: (w: { id: string; name: string; sql: string }) =>
    call<Worksheet>('PUT', `/console/api/worksheets/${encodeURIComponent(w.id)}`, { name: w.name, sql: w.sql }),
  deleteWorksheet: (id: string) => call('DELETE', `/console/api/worksheets/${encodeURIComponent(id)}`),
  invoke: (endpoint: string, csv: string) =>
    call<{ predictions: number[]; elapsedMs: number }>('POST', endpointPath(endpoint, 'invocations'), { csv }),
  traffic: (endpoint: string, seconds = 120) => call<Traffic>('GET', endpointPath(endpoint, `traffic?seconds=${seconds}`)),
  trafficMinutes: (endpoint: string, minutes = 60) => call<Traffic>('GET', endpointPath(endpoint, `traffic/minutes?minutes=${minutes}`)),
  similar: (endpoint: string, item: string, k = 10) =>
    call<Similar>('GET', endpointPath(endpoint, `similar?item=${encodeURIComponent(item)}&k=${k}`)),
};
