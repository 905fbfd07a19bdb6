import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { downloadMovieLens, verifyMovieLens } from './movielens.js';
import { syntheticMovieLens } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'recpipe-ml-'));
const sample = syntheticMovieLens(20, 50, 10, 3);
const enc = (s: string) => new TextEncoder().encode(s);
const hashes = {
  'ratings.csv': createHash('sha256').update(sample.ratingsCsv).digest('hex'),
  'movies.csv': createHash('sha256').update(sample.moviesCsv).digest('hex'),
};
const zip = zipSync({
  'ml-latest-small/ratings.csv': enc(sample.ratingsCsv),
  'ml-latest-small/movies.csv': enc(sample.moviesCsv),
  'ml-latest-small/README.txt': enc('readme'),
});
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ml.zip') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.byteLength });
      res.end(zip);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('downloadMovieLens', () => {
  it('downloads, checks checksums, extracts the files and reports progress', async () => {
    const out = join(dir, 'ok');
    let last = [0, 0];
    await downloadMovieLens(out, { url: `${base}/ml.zip`, sha256: hashes, onProgress: (r, t) => (last = [r, t]) });
    assert.equal(readFileSync(join(out, 'ratings.csv'), 'utf8'), sample.ratingsCsv);
    assert.deepEqual(last, [zip.byteLength, zip.byteLength]);
    assert.equal(await verifyMovieLens(out, hashes), true);
  });
  it('refuses a file whose checksum differs and writes nothing', async () => {
    const out = join(dir, 'bad');
    await assert.rejects(
      downloadMovieLens(out, { url: `${base}/ml.zip`, sha256: { ...hashes, 'movies.csv': '0'.repeat(64) } }),
      /movies\.csv has sha256 [0-9a-f]{64}, expected 0{64}/,
    );
    assert.equal(await verifyMovieLens(out, hashes), false);
  });
  it('names the HTTP status of a failed download', async () => {
    await assert.rejects(downloadMovieLens(join(dir, 'x'), { url: `${base}/missing.zip`, sha256: hashes }), /answered 404/);
  });
});
