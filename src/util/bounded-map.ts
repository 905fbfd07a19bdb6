/**
 * A map that forgets its oldest entry once it holds `capacity`: for caches of values that are
 * cheap to make again, where first in, first out keeps the bookkeeping off the hit path.
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    if (!this.#map.has(key) && this.#map.size >= this.capacity) this.#map.delete(this.#map.keys().next().value as K);
    this.#map.set(key, value);
  }

  get size(): number {
    return this.#map.size;
  }
}
