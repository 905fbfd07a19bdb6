import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * A stand-in remote service for tests and the bench, run as a child process (so its own work never
 * shares the caller's event loop). It speaks Snowflake's external-function protocol on these paths:
 *   /echo   → each row's arguments as an array      /sum  → the sum of the numeric arguments
 *   /flaky  → 429 on a batch's first POST, then /sum  /async → 202, 202 on the first GET poll, then /sum
 *   /short  → one row fewer than sent                /score → a deterministic float per row (bench)
 * A function declared with HEADERS = ('delay-ms' = 'N') is answered N ms late (a slow remote).
 * GET /log returns what it received (method, path, headers, row count); it prints its port on stdout.
 */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly rows: number;
}

const log: Seen[] = [];
const seenBatches = new Map<string, number>();
type Row = [number, ...unknown[]];

const answers: Record<string, (rows: Row[]) => unknown[][]> = {
  '/echo': (rows) => rows.map(([n, ...args]) => [n, args]),
  '/sum': (rows) => rows.map(([n, ...args]) => [n, args.reduce((s: number, a) => s + Number(a), 0)]),
  '/short': (rows) => rows.slice(1).map(([n]) => [n, 0]),
  '/score': (rows) => rows.map(([n, , u, i]) => [n, ((Number(u) * 31 + Number(i) * 17) % 45) / 10 + 0.5]),
};

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

function send(req: IncomingMessage, res: ServerResponse, status: number, payload: unknown): void {
  const text = Buffer.from(JSON.stringify(payload));
  const gzip = String(req.headers['accept-encoding'] ?? '').includes('gzip') && text.length > 256;
  res.writeHead(status, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
  res.end(gzip ? gzipSync(text, { level: 1 }) : text);
}

const pending = new Map<string, Row[]>();
const quiet = process.argv.includes('--quiet');

const server = createServer((req, res) => {
  void (async () => {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === '/log') return send(req, res, 200, log);
    const batch = String(req.headers['sf-external-function-query-batch-id'] ?? '');
    const text = req.method === 'POST' ? await body(req) : '';
    const rows = text ? (JSON.parse(text) as { data: Row[] }).data : (pending.get(batch) ?? []);
    if (!quiet) log.push({ method: req.method ?? '', path, headers: req.headers, rows: rows.length });
    const delay = Number(req.headers['sf-custom-delay-ms'] ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const count = (seenBatches.get(batch) ?? 0) + 1;
    seenBatches.set(batch, count);
    if (path === '/flaky' && count === 1) return send(req, res, 429, { message: 'slow down' });
    if (path === '/async') {
      if (req.method === 'POST') pending.set(batch, rows);
      if (count < 3) return send(req, res, 202, { status: 'working' });
      return send(req, res, 200, { data: answers['/sum'](pending.get(batch) ?? []) });
    }
    const answer = answers[path === '/flaky' ? '/sum' : path];
    if (!answer) return send(req, res, 404, { message: `no such path ${path}` });
    send(req, res, 200, { data: answer(rows) });
  })().catch((e: unknown) => send(req, res, 400, { message: String(e) }));
});

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
