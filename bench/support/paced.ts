import { Agent, request } from 'node:http';

/** One answer of a paced run: when its request left, how long it took, and what came back. */
export interface PacedAnswer {
  readonly sentAt: number;
  readonly latency: number;
  /** 0 when the request failed before any answer. */
  readonly status: number;
  readonly text: string;
}

/** POST `body` and collect the whole answer. */
export function post(url: string, type: string, body: string, agent: Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': type } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Open-loop load at a steady rate: request k is sent at t0 + k/rate (timers permitting) whatever
 * the server is doing, so a stalled server shows up in the latencies instead of slowing the load
 * (no coordinated omission). Latency runs from each request's send to its complete answer.
 * `during(elapsedMs)` is called between sends (to deploy an update mid-run).
 */
export async function pacedCsv(
  url: string,
  body: string,
  rate: number,
  seconds: number,
  during?: (elapsedMs: number) => void,
): Promise<{ answers: PacedAnswer[]; latencies: number[]; rate: number }> {
  const pool = new Agent({ keepAlive: true, maxSockets: 64 });
  const total = rate * seconds;
  const answers: PacedAnswer[] = [];
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    for (; sent < total && t0 + (sent * 1000) / rate <= performance.now(); sent++) {
      const sentAt = performance.now();
      inFlight.push(
        post(url, 'text/csv', body, pool).then(
          (r) => void answers.push({ sentAt, latency: performance.now() - sentAt, ...r }),
          (e: Error) => void answers.push({ sentAt, latency: performance.now() - sentAt, status: 0, text: e.message }),
        ),
      );
    }
    during?.(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + (sent * 1000) / rate - performance.now())));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - t0) / 1000;
  pool.destroy();
  return { answers, latencies: answers.map((a) => a.latency), rate: total / elapsed };
}
