import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Predictor, baseline, buildTrainset, createRng, referenceKernels, type FactorModel } from '../core/index.js';
import { ARTIFACT_FORMAT_VERSION, describeTrainingData, fingerprintTrainset, readArtifact, writeArtifact } from './index.js';
import { TINY_CONFIG, tinyModel, tinyTrainset, writeTinyArtifact } from '../../tests/support/tiny-model-fixture.js';
import { ratingsFromText } from '../../tests/support/ratings-text.js';

const root = mkdtempSync(join(tmpdir(), 'recpipe-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `model-${n++}`);
const info = (source = 'test') => ({
  hyperparameters: {},
  trainingData: { source, trainset: tinyTrainset() },
  createdAt: '2024-05-06T07:08:09Z',
});

/** Every known pair plus unknown users and items, through the model's own Predictor. */
function allPredictions(m: FactorModel): number[] {
  const p = new Predictor(m);
  const users = [...m.userIds, 'nobody'];
  const items = [...m.itemIds, 'no-such-item'];
  return users.flatMap((u) => items.map((i) => p.predict(u, i)));
}

const pick = (e?: { dtype: string; shape: readonly number[]; bytes: number }) => e && { dtype: e.dtype, shape: e.shape, bytes: e.bytes };

const readInt32le = (path: string): Int32Array => {
  const b = readFileSync(path);
  return Int32Array.from({ length: b.length / 4 }, (_, i) => b.readInt32LE(i * 4));
};

/** Replaces `file` and its manifest entry's size and checksum, as a writer with a bug would. */
function rewriteListed(dir: string, file: string, bytes: Uint8Array): void {
  writeFileSync(join(dir, file), bytes);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const files = manifest.files.map((f: { name: string }) => (f.name === file ? { ...f, bytes: bytes.byteLength, sha256 } : f));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, files }));
}

const rejectsNaming = (file: string, pattern: RegExp) => (e: Error & { code: string }) =>
  e.code === 'INVALID_ARGUMENT' && e.message.includes(file) && pattern.test(e.message);

describe('artifacts', () => {
  it('round-trips a model: identical arrays and predictions, a complete manifest', async () => {
    const dir = fresh();
    const { model, manifest } = await writeTinyArtifact(dir);
    const loaded = await readArtifact(dir);
    assert.deepEqual(loaded.model, model);
    assert.deepEqual(allPredictions(loaded.model), allPredictions(model));
    const { uri, ...written } = manifest;
    assert.deepEqual(loaded.manifest, written);
    assert.equal(uri, pathToFileURL(dir).href);
    const m = loaded.manifest;
    assert.equal(m.format, 'recpipe-model');
    assert.equal(m.formatVersion, ARTIFACT_FORMAT_VERSION);
    assert.equal(m.algorithm, 'svd');
    assert.deepEqual(m.hyperparameters, JSON.parse(JSON.stringify(TINY_CONFIG)));
    assert.deepEqual(m.counts, { users: model.userIds.length, items: model.itemIds.length, ratings: tinyTrainset().nRatings });
    assert.equal(m.trainingData.fingerprint, fingerprintTrainset(tinyTrainset()));
    assert.equal(m.seed, 7);
    assert.equal(m.createdAt, '2024-01-02T03:04:05.000Z');
    const factors = m.files.find((f) => f.name === 'item-factors.f32');
    assert.deepEqual(factors?.shape, [model.itemIds.length, 4]);
    assert.equal(factors?.bytes, model.itemIds.length * 4 * 4);
  });

  it('stores which items each user rated when given the trainset, and returns them as rated', async () => {
    const dir = fresh();
    const { model, manifest } = await writeTinyArtifact(dir);
    const ts = tinyTrainset();
    const { rated } = await readArtifact(dir);
    assert.deepEqual(rated, { userPtr: ts.userPtr, itemIdx: ts.itemIdx });
    const entry = (name: string) => manifest.files.find((f) => f.name === name);
    assert.deepEqual(pick(entry('rated-ptr.i32')), {
      dtype: 'int32le',
      shape: [model.userIds.length + 1],
      bytes: (model.userIds.length + 1) * 4,
    });
    assert.deepEqual(pick(entry('rated-items.i32')), { dtype: 'int32le', shape: [ts.nRatings], bytes: ts.nRatings * 4 });
    assert.deepEqual(readInt32le(join(dir, 'rated-items.i32')), ts.itemIdx, 'stored as plain int32le');
  });

  it('writes no rated files from a TrainingDataInfo, and reads such an artifact with rated null', async () => {
    const dir = fresh();
    const described = describeTrainingData('copied', tinyTrainset());
    const manifest = await writeArtifact(dir, tinyModel(), { ...info(), trainingData: described });
    assert.deepEqual(
      manifest.files.map((f) => f.name).filter((f) => f.startsWith('rated-')),
      [],
    );
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('rated-')),
      [],
    );
    const loaded = await readArtifact(dir);
    assert.equal(loaded.rated, null);
    assert.deepEqual(loaded.model, tinyModel());
    assert.deepEqual(loaded.manifest.trainingData, described);
  });

  it("refuses a trainset whose users or items are not the model's, writing nothing", async () => {
    const parent = fresh();
    const other = tinyTrainset(8);
    await assert.rejects(
      writeArtifact(join(parent, 'a'), tinyModel(7), { ...info(), trainingData: { source: 's', trainset: other } }),
      (e: Error & { code: string }) =>
        e.code === 'INVALID_ARGUMENT' && /trainingData\.trainset's (user|item) ids differ from the model's at inner id \d+/.test(e.message),
    );
    assert.throws(() => readdirSync(parent), { code: 'ENOENT' });
  });

  it('reads through a file:// URI and writes through one', async () => {
    const dir = fresh();
    await writeArtifact(pathToFileURL(dir).href, tinyModel(), info());
    assert.deepEqual(allPredictions((await readArtifact(pathToFileURL(dir).href)).model), allPredictions(tinyModel()));
  });

  it('round-trips a factorless baseline model and ids holding newlines and backslashes', async () => {
    const ts = buildTrainset(
      ratingsFromText('user,item,rating\na,x\\y,4\na,2,3\nc,x\\y,1\n3,2,5\n', { source: 'odd-ids' }).dataset,
    ).trainset;
    const fitted = baseline.fit(ts, baseline.parseConfig({}), { rng: createRng(1), kernels: referenceKernels });
    // CSV input cannot hold a newline inside an id, but a warehouse VARCHAR can: set one directly.
    const model = { ...fitted, userIds: ['a\nb', 'c\\n', '3'] };
    assert.equal(model.nFactors, 0);
    const dir = fresh();
    await writeArtifact(dir, model, { ...info(), trainingData: { source: 'odd-ids', trainset: { ...ts, userIds: model.userIds } } });
    const loaded = (await readArtifact(dir)).model;
    assert.deepEqual(loaded, model);
    assert.deepEqual(allPredictions(loaded), allPredictions(model));
  });

  for (const file of ['user-factors.f32', 'item-bias.f32', 'item-ids.txt', 'rated-ptr.i32', 'rated-items.i32']) {
    it(`refuses ${file} with one byte changed, naming it`, async () => {
      const dir = fresh();
      await writeTinyArtifact(dir);
      const bytes = readFileSync(join(dir, file));
      bytes[bytes.length >> 1] ^= 0x01;
      writeFileSync(join(dir, file), bytes);
      await assert.rejects(readArtifact(dir), rejectsNaming(file, /is corrupt: its sha256 is [0-9a-f]{64}, the manifest says/));
    });
  }

  it('refuses a truncated file, naming it and both sizes', async () => {
    const dir = fresh();
    const { manifest } = await writeTinyArtifact(dir);
    const listed = manifest.files.find((f) => f.name === 'user-factors.f32')!.bytes;
    truncateSync(join(dir, 'user-factors.f32'), listed - 4);
    await assert.rejects(
      readArtifact(dir),
      rejectsNaming('user-factors.f32', new RegExp(`is truncated: ${listed - 4} bytes, the manifest says ${listed}`)),
    );
  });

  it('refuses a rated-items CSR that is corrupt yet matches its checksum, naming the file', async () => {
    const ts = tinyTrainset();
    const last = ts.nUsers;
    const cases: [string, (a: Int32Array) => void, RegExp][] = [
      ['rated-ptr.i32', (p) => (p[0] = 1), /starts at 1, expected 0/],
      ['rated-ptr.i32', (p) => (p[5] = p[6] + 1), new RegExp(`decreases at user 5: offset ${ts.userPtr[6] + 1} then ${ts.userPtr[6]}`)],
      ['rated-ptr.i32', (p) => (p[last] -= 1), new RegExp(`ends at ${ts.nRatings - 1}, but rated-items\\.i32 holds ${ts.nRatings} items`)],
      [
        'rated-items.i32',
        (x) => (x[3] = ts.nItems),
        new RegExp(`holds item ${ts.nItems} at entry 3, outside the model's ${ts.nItems} items`),
      ],
      ['rated-items.i32', (x) => (x[0] = -1), /holds item -1 at entry 0/],
    ];
    for (const [file, corrupt, pattern] of cases) {
      const dir = fresh();
      await writeTinyArtifact(dir);
      const values = readInt32le(join(dir, file));
      corrupt(values);
      const bytes = Buffer.alloc(values.length * 4);
      values.forEach((v, i) => bytes.writeInt32LE(v, i * 4));
      rewriteListed(dir, file, bytes);
      await assert.rejects(
        readArtifact(dir),
        rejectsNaming(file, new RegExp(`${file.replace('.', '\\.')} is corrupt: it ${pattern.source}`)),
        String(pattern),
      );
    }
  });

  it('stores the top-n lists it is given, reads them back, and refuses lists that name no item of the model', async () => {
    const model = tinyModel();
    const users = model.userIds.length;
    const items = Int32Array.from({ length: users * 3 }, (_, x) => (x % 3 === 2 && x % 2 === 0 ? -1 : (x * 7) % model.itemIds.length));
    const dir = fresh();
    await writeArtifact(dir, model, { ...info(), topN: { n: 3, items } });
    const read = await readArtifact(dir);
    assert.equal(read.topN?.n, 3);
    assert.deepEqual(read.topN?.items, items);
    assert.equal((await readArtifact((await writeArtifact(fresh(), model, info())).uri)).topN, undefined);
    await assert.rejects(
      writeArtifact(fresh(), model, { ...info(), topN: { n: 3, items: items.map((i, x) => (x === 4 ? model.itemIds.length : i)) } }),
      /topN cannot be stored: it has item index \d+ at user 1, rank 1/,
    );
    const corrupt = readInt32le(join(dir, 'top-n-items.i32'));
    corrupt[0] = -1; // padding before a listed item
    const bytes = Buffer.alloc(corrupt.length * 4);
    corrupt.forEach((v, i) => bytes.writeInt32LE(v, i * 4));
    rewriteListed(dir, 'top-n-items.i32', bytes);
    await assert.rejects(readArtifact(dir), rejectsNaming('top-n-items.i32', /is corrupt: it has item index \d+ at user 0, rank 1/));
  });

  it('refuses a manifest that lists one rated file without the other', async () => {
    const dir = fresh();
    await writeTinyArtifact(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const files = manifest.files.filter((f: { name: string }) => f.name !== 'rated-items.i32');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, files }));
    await assert.rejects(readArtifact(dir), rejectsNaming('rated-items.i32', /does not list rated-items\.i32/));
  });

  it('refuses a missing file, naming it', async () => {
    const dir = fresh();
    await writeTinyArtifact(dir);
    rmSync(join(dir, 'item-ids.txt'));
    await assert.rejects(
      readArtifact(dir),
      (e: Error & { code: string }) => e.code === 'NOT_FOUND' && e.message.includes('item-ids.txt is missing'),
    );
  });

  it('refuses an unknown format version as FAILED_PRECONDITION', async () => {
    const dir = fresh();
    await writeTinyArtifact(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 2 }));
    await assert.rejects(
      readArtifact(dir),
      (e: Error & { code: string }) =>
        e.code === 'FAILED_PRECONDITION' && /format version 2 is not supported; this recpipe reads version 1/.test(e.message),
    );
  });

  it('refuses manifests that are not JSON, not recpipe models, or disagree with the files', async () => {
    const dir = fresh();
    await writeTinyArtifact(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const cases: [unknown, RegExp][] = [
      ['{"format": "recpipe-model",', /manifest\.json is not valid JSON/],
      [{ ...manifest, format: 'mlflow' }, /format is "mlflow", expected "recpipe-model"/],
      [{ ...manifest, globalMean: 'high' }, /globalMean must be a finite number, got "high"/],
      [{ ...manifest, nFactors: 5 }, /user-factors\.f32 is listed as float32le \[\d+×4\], expected float32le \[\d+×5\]/],
      [{ ...manifest, files: manifest.files.slice(1) }, /does not list user-ids\.txt/],
    ];
    for (const [content, pattern] of cases) {
      writeFileSync(join(dir, 'manifest.json'), typeof content === 'string' ? content : JSON.stringify(content));
      await assert.rejects(
        readArtifact(dir),
        (e: Error & { code: string }) => e.code === 'INVALID_ARGUMENT' && pattern.test(e.message),
        String(pattern),
      );
    }
  });

  it('refuses to overwrite an artifact and leaves the first intact', async () => {
    const dir = fresh();
    await writeTinyArtifact(dir, 7);
    await assert.rejects(writeTinyArtifact(dir, 8), { code: 'CONFLICT' });
    assert.deepEqual((await readArtifact(dir)).model, tinyModel(7));
  });

  it('is atomic: concurrent writers leave one complete artifact and no temporary directories', async () => {
    const parent = fresh();
    const dir = join(parent, 'model');
    const results = await Promise.allSettled([writeTinyArtifact(dir, 7), writeTinyArtifact(dir, 8)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.deepEqual(readdirSync(parent), ['model']);
    const winner = results[0].status === 'fulfilled' ? 7 : 8;
    assert.deepEqual((await readArtifact(dir)).model, tinyModel(winner));
  });

  it('writes nothing for a model it refuses (diverged factors, non-JSON hyperparameters)', async () => {
    const parent = fresh();
    const diverged = { ...tinyModel(), itemFactors: tinyModel().itemFactors.map((x, i) => (i === 5 ? Number.NaN : x)) };
    await assert.rejects(writeArtifact(join(parent, 'a'), diverged, info()), /itemFactors\[5\] is NaN/);
    await assert.rejects(
      writeArtifact(join(parent, 'b'), tinyModel(), { ...info(), hyperparameters: { lr: Infinity } }),
      /hyperparameters\.lr: Infinity/,
    );
    assert.throws(() => readdirSync(parent), { code: 'ENOENT' });
  });

  it('fingerprints the ratings, their order and the vocabularies', () => {
    const csv = 'user,item,rating\n1,10,4\n1,11,3\n2,10,5\n';
    const fp = (text: string) => fingerprintTrainset(buildTrainset(ratingsFromText(text, { source: 't' }).dataset).trainset);
    assert.match(fp(csv), /^sha256:[0-9a-f]{64}$/);
    assert.equal(fp(csv), fp(csv));
    assert.notEqual(fp(csv), fp(csv.replace('1,11,3', '1,11,2')));
    assert.notEqual(fp(csv), fp('user,item,rating\n1,11,3\n1,10,4\n2,10,5\n'));
    assert.notEqual(fp(csv), fp(csv.replace(/^2,/m, '3,')));
  });
});
