import snowflake from 'snowflake-sdk';

/** The real snowflake-sdk, promisified: how the Snowflake-protocol tests and bench talk to recpipe. */
export interface SfConnection {
  execute(
    sqlText: string,
    binds?: unknown[],
    options?: Record<string, unknown>,
  ): Promise<{ rows: Record<string, unknown>[]; statement: SfStatement }>;
  resultsOf(queryId: string): Promise<Record<string, unknown>[]>;
  destroy(): Promise<void>;
  raw: snowflake.Connection;
}

export interface SfStatement {
  getQueryId(): string;
  getNumUpdatedRows(): number | undefined;
  getColumns(): { getName(): string; getType(): string; getScale(): number }[];
}

let configured = false;

export async function connectDriver(
  url: string,
  username: string,
  password: string,
  extra: Record<string, unknown> = {},
): Promise<SfConnection> {
  if (!configured) {
    snowflake.configure({ logLevel: 'OFF' as never });
    configured = true;
  }
  const raw = snowflake.createConnection({
    account: 'recpipe',
    username,
    password,
    accessUrl: url,
    ...extra,
  } as snowflake.ConnectionOptions);
  await new Promise<void>((resolve, reject) => raw.connect((e) => (e ? reject(e) : resolve())));
  return {
    raw,
    execute: (sqlText, binds, options = {}) =>
      new Promise((resolve, reject) => {
        raw.execute({
          sqlText,
          ...(binds === undefined ? {} : { binds: binds as snowflake.Binds }),
          ...options,
          complete: (e, statement, rows) =>
            e ? reject(e) : resolve({ rows: (rows ?? []) as Record<string, unknown>[], statement: statement as unknown as SfStatement }),
        });
      }),
    resultsOf: async (queryId) => {
      const statement = (await raw.getResultsFromQueryId({ queryId })) as unknown as { streamRows(): NodeJS.ReadableStream };
      const rows: Record<string, unknown>[] = [];
      for await (const row of statement.streamRows()) rows.push(row as unknown as Record<string, unknown>);
      return rows;
    },
    destroy: () => new Promise<void>((resolve, reject) => raw.destroy((e) => (e ? reject(e) : resolve()))),
  };
}

/** One raw Snowflake-protocol request (for what a driver would never send: bad tokens, bad bodies). */
export async function sfRequest(
  url: string,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Snowflake Token="${token}"` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
