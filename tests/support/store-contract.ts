import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArtifactStore } from '../../src/artifacts/store.js';

export interface StoreFixture {
  readonly store: ArtifactStore;
  /** A fresh location where no artifact exists yet. */
  location(name: string): string;
}

const files = [
  { name: 'manifest.json', bytes: Buffer.from('{"a":1}\n') },
  { name: 'data.f32', bytes: new Uint8Array(new Float32Array([1.5, -2, 3.25]).buffer) },
  { name: 'empty.bin', bytes: new Uint8Array(0) },
];

/** The behaviour every ArtifactStore must show; a new store gets its coverage from one call. */
export function describeArtifactStore(name: string, fixture: () => StoreFixture): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    it('reads back every file it created, byte for byte', async () => {
      const { store, location } = fixture();
      const at = location('a');
      await store.create(at, files);
      for (const f of files) assert.deepEqual(new Uint8Array(await store.read(at, f.name)), new Uint8Array(f.bytes));
    });

    it('shows every byte to onChunk, in order', async () => {
      const { store, location } = fixture();
      const at = location('chunks');
      const big = new Uint8Array(1_000_003).map((_, i) => (i * 31) & 0xff);
      await store.create(at, [{ name: 'big.bin', bytes: big }]);
      const chunks: Uint8Array[] = [];
      const bytes = await store.read(at, 'big.bin', (c) => chunks.push(Uint8Array.from(c)));
      assert.deepEqual(new Uint8Array(bytes), big);
      assert.deepEqual(new Uint8Array(Buffer.concat(chunks)), big);
    });

    it('refuses to create over an existing artifact and leaves it intact', async () => {
      const { store, location } = fixture();
      const at = location('b');
      await store.create(at, files);
      await assert.rejects(store.create(at, [{ name: 'manifest.json', bytes: Buffer.from('other') }]), { code: 'CONFLICT' });
      assert.equal(Buffer.from(await store.read(at, 'manifest.json')).toString(), '{"a":1}\n');
    });

    it('lets exactly one of two concurrent creates win, with all of its files', async () => {
      const { store, location } = fixture();
      const at = location('c');
      const mine = (tag: string) => files.map((f) => (f.name === 'manifest.json' ? { ...f, bytes: Buffer.from(tag) } : f));
      const results = await Promise.allSettled([store.create(at, mine('one')), store.create(at, mine('two'))]);
      const failed = results.filter((r) => r.status === 'rejected');
      assert.equal(failed.length, 1);
      assert.equal((failed[0] as PromiseRejectedResult).reason.code, 'CONFLICT');
      assert.match(Buffer.from(await store.read(at, 'manifest.json')).toString(), /^(one|two)$/);
      assert.equal((await store.read(at, 'data.f32')).byteLength, 12);
    });

    it('answers NOT_FOUND naming the file or the artifact', async () => {
      const { store, location } = fixture();
      const at = location('d');
      await assert.rejects(
        store.read(at, 'manifest.json'),
        (e: Error & { code: string }) => e.code === 'NOT_FOUND' && e.message.includes(at),
      );
      await store.create(at, files);
      await assert.rejects(
        store.read(at, 'nope.bin'),
        (e: Error & { code: string }) => e.code === 'NOT_FOUND' && e.message.includes('nope.bin'),
      );
    });
  });
}
