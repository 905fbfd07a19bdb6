import {
  invalid,
  RecpipeError,
  type BprDraws,
  type BprRates,
  type BprState,
  type RatingRows,
  type EpochHook,
  type Exclusions,
  type HeldOutRatings,
  type FactorModel,
  type Kernels,
  type NeighbourLists,
  type NeighbourTop,
  type NeighbourUser,
  type SvdRates,
  type SvdState,
  type SvdStrata,
  type SvdUserRows,
  type StratumShape,
  checkPiece,
  gatherRows,
  scatterRows,
  type TopNResult,
  type Trainset,
} from '../core/index.js';
import { idsToRows, padRowsTo, popularFirstRows, unpadRowsFrom } from './item-rows.js';
import { LinearMemory } from './linear-memory.js';
import { headBasis, headWidth } from './top-n-heads.js';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';

/** What build/kernels.wasm exports (src/kernels/assembly/index.ts). Addresses are byte offsets. */
interface WasmExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  svdEpoch(
    uFrom: number,
    uTo: number,
    userPtr: number,
    itemIdx: number,
    ratings: number,
    bu: number,
    bi: number,
    P: number,
    Q: number,
    stride: number,
    mu: number,
    biased: number,
    lrBu: number,
    lrBi: number,
    lrPu: number,
    lrQi: number,
    regBu: number,
    regBi: number,
    regPu: number,
    regQi: number,
    sse: number,
  ): number;
  sumRows(matrix: number, width: number, rows: number, nRows: number, out: number): void;
  neighbourEstimates(
    nItems: number,
    ptr: number,
    idx: number,
    sim: number,
    rPtr: number,
    recs: number,
    masks: boolean,
    itemPart: number,
    rated: number,
    devs: number,
    nRated: number,
    k: number,
    minK: number,
    userPart: number,
    cap: number,
    fallback: number,
    sums: number,
    devOf: number,
    marks: number,
    crowded: number,
    n: number,
    rank: number,
    outItems: number,
    out: number,
  ): number;
  gram(nUsers: number, userPtr: number, itemIdx: number, pos: number, n: number, out: number, scratch: number): void;
  invertSpdScratchBytes(n: number): number;
  wrmfSide(
    nRows: number,
    ptr: number,
    idx: number,
    ratings: number,
    F: number,
    H: number,
    HtH: number,
    k: number,
    reg: number,
    alpha: number,
    A: number,
    rhs: number,
  ): number;
  bpmfRows(
    nRows: number,
    ptr: number,
    idx: number,
    ratings: number,
    F: number,
    G: number,
    k: number,
    mu: number,
    alpha: number,
    precision: number,
    priorH: number,
    normals: number,
    A: number,
    z: number,
  ): number;
  invertSpdBlockSize(): number;
  invertSpdBlock(a: number, n: number, k0: number, scratch: number): number;
  bprEpoch(
    n: number,
    users: number,
    pos: number,
    neg: number,
    P: number,
    Q: number,
    bias: number,
    k: number,
    lr: number,
    regPu: number,
    regQi: number,
    regBi: number,
  ): number;
  heldOutSse(
    n: number,
    users: number,
    items: number,
    ratings: number,
    bu: number,
    bi: number,
    P: number,
    Q: number,
    stride: number,
    mean: number,
    biased: number,
    lo: number,
    hi: number,
  ): number;
  topNScratchBytes(nUsers: number, nItems: number, n: number): number;
  panelBoundBytes(nItems: number): number;
  packPanels(
    Q: number,
    bias: number,
    order: number,
    nItems: number,
    k: number,
    biased: number,
    out: number,
    bounds: number,
    tails: number,
  ): void;
  projectRows(X: number, rows: number, k: number, V: number, m: number, heads: number, tails: number): void;
  topN(
    nUsers: number,
    P: number,
    k: number,
    base: number,
    norms: number,
    exPtr: number,
    exIdx: number,
    panels: number,
    order: number,
    bounds: number,
    nItems: number,
    rank: number,
    n: number,
    outItems: number,
    outScores: number,
    lo: number,
    hi: number,
    scratch: number,
    prune: number,
    heads: number,
    m: number,
    userHeads: number,
    userTails: number,
  ): number;
}

export interface WasmKernelOptions {
  /**
   * Skip panels of items whose score bound cannot reach a user's n-th best (default true). The lists
   * are the same either way; false scores every item, the oracle the pruned path is tested against.
   */
  readonly pruneTopN?: boolean;
  /**
   * Lay item rows out most rated first during an SVD fit (default true; item-rows.ts). The model is
   * the same bit for bit either way; false keeps the caller's order, the oracle it is tested against.
   */
  readonly popularFirst?: boolean;
}

/** Items per panel of the top-N kernel (PANEL in assembly/top-n.ts). */
const PANEL = 16;

const stride4 = (k: number): number => Math.ceil(k / 4) * 4;

/**
 * Kernels backed by one instance of the WebAssembly module. Each call copies its typed arrays into the
 * instance's linear memory, runs, and copies results back, so callers keep plain typed arrays. An
 * instance is not reentrant (an `onEpoch` hook must not call back into the same instance).
 */
export function createWasmKernels(module: WasmModule, opts: WasmKernelOptions = {}): Kernels {
  const prune = opts.pruneTopN ?? true;
  const popularFirst = opts.popularFirst ?? true;
  const ex = new wasmApi.Instance(module, {}).exports as unknown as WasmExports;
  const mem = new LinearMemory(ex.memory, ex.heapBase());
  const panels = new PanelCache(ex, mem);
  const resident = new ResidentMatrix(mem);
  let lists: (Instance & { readonly resident: ResidentLists }) | undefined;
  let busy = false;
  const exclusive = <T>(run: () => T): T => {
    if (busy)
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        'WebAssembly kernels are not reentrant: a callback called back into the same kernel instance',
      );
    busy = true;
    try {
      return run();
    } finally {
      busy = false;
    }
  };
  return {
    name: 'wasm',
    svdSgd: (ts, s, rates, nEpochs, onEpoch, heldOut) =>
      exclusive(() => {
        if (fitBytes(ts, s.nFactors, heldOut) <= OWN_MEMORY_ABOVE) {
          panels.invalidate();
          resident.invalidate();
          return svdSgd(ex, mem, ts, s, rates, nEpochs, popularFirst, onEpoch, heldOut);
        }
        // Linear memory never shrinks: a big fit gets an instance of its own, dropped (and its memory
        // freed) on return, rather than pinning hundreds of megabytes under the top-N that follows.
        const own = new wasmApi.Instance(module, {}).exports as unknown as WasmExports;
        svdSgd(own, new LinearMemory(own.memory, own.heapBase()), ts, s, rates, nEpochs, popularFirst, onEpoch, heldOut);
      }),
    topN: (model, users, exclude, n, itemRank) =>
      exclusive(() => {
        resident.invalidate();
        return topN(ex, mem, panels, model, users, exclude, n, itemRank, prune);
      }),
    // An instance of its own: the strata stay resident across calls to the others.
    svdStrata: (shapes, users, nFactors, biased, rates) => svdStrata(module, shapes, users, nFactors, biased, rates),
    sumRows: (matrix, width, rows, out) =>
      exclusive(() => {
        panels.invalidate();
        sumRows(ex, mem, resident, matrix, width, rows, out);
      }),
    // An instance of its own: the lists stay resident while other kernels run between users (a blend's).
    neighbourEstimates: (l, user, out, top) =>
      exclusive(() => {
        if (!lists) {
          const own = new wasmApi.Instance(module, {}).exports as unknown as WasmExports;
          const ownMem = new LinearMemory(own.memory, own.heapBase());
          lists = { ex: own, mem: ownMem, resident: new ResidentLists(ownMem) };
        }
        return neighbourEstimates(lists.ex, lists.mem, lists.resident, l, user, out, top);
      }),
    gram: (rated, pos, n) => exclusive(() => gram(own(n * n * 8), rated, pos, n)),
    invertSpd: (a, n) => exclusive(() => invertSpd(own(n * n * 8), a, n)),
    wrmfSide: (side, F, H, HtH, k, reg, alpha) =>
      exclusive(() => wrmfSide(own((side.nRows + 1 + 2 * side.ratings.length + F.length + H.length) * 4), side, F, H, HtH, k, reg, alpha)),
    bpmfRows: (side, F, G, k, mu, alpha, precision, priorH, normals) =>
      exclusive(() =>
        bpmfRows(
          own((side.nRows + 1 + 2 * side.ratings.length + 2 * (F.length + G.length) + normals.length * 2) * 4),
          side,
          F,
          G,
          k,
          mu,
          alpha,
          precision,
          priorH,
          normals,
        ),
      ),
    bprEpoch: (state, draws, rates) =>
      exclusive(() =>
        bprEpoch(
          own((state.userFactors.length + state.itemFactors.length + state.itemBias.length + 3 * draws.count) * 4),
          state,
          draws,
          rates,
        ),
      ),
  };

  /** This instance, its cached layouts dropped, or for more than OWN_MEMORY_ABOVE bytes an instance of its own (see svdSgd). */
  function own(bytes: number): Instance {
    if (bytes > OWN_MEMORY_ABOVE) {
      const fresh = new wasmApi.Instance(module, {}).exports as unknown as WasmExports;
      return { ex: fresh, mem: new LinearMemory(fresh.memory, fresh.heapBase()) };
    }
    panels.invalidate();
    resident.invalidate();
    return { ex, mem };
  }
}

interface Instance {
  readonly ex: WasmExports;
  readonly mem: LinearMemory;
}

function gram({ ex, mem }: Instance, rated: Exclusions, pos: Int32Array, n: number): Float64Array {
  const nUsers = rated.userPtr.length - 1;
  const nRated = nUsers > 0 ? rated.userPtr[nUsers] : 0;
  let longest = 0;
  for (let u = 0; u < nUsers; u++) longest = Math.max(longest, rated.userPtr[u + 1] - rated.userPtr[u]);
  for (let x = 0; x < nRated; x++) {
    const i = rated.itemIdx[x];
    if (!(i >= 0 && i < pos.length)) throw invalid(`rated item ${i} is outside the ${pos.length} positions`, { item: i });
    if (pos[i] >= n) throw invalid(`item ${i}'s position ${pos[i]} is outside a ${n} × ${n} Gram matrix`, { item: i });
  }
  const at = mem.layout({
    userPtr: (nUsers + 1) * 4,
    itemIdx: nRated * 4,
    pos: pos.length * 4,
    out: n * n * 8,
    scratch: longest * 4,
  });
  mem.i32(at.userPtr, nUsers + 1).set(rated.userPtr.subarray(0, nUsers + 1));
  mem.i32(at.itemIdx, nRated).set(rated.itemIdx.subarray(0, nRated));
  mem.i32(at.pos, pos.length).set(pos);
  ex.gram(nUsers, at.userPtr, at.itemIdx, at.pos, n, at.out, at.scratch);
  return mem.f64(at.out, n * n).slice();
}

function bprEpoch({ ex, mem }: Instance, s: BprState, d: BprDraws, r: BprRates): number {
  const k = s.nFactors;
  const nUsers = s.userFactors.length / k;
  const nItems = s.itemFactors.length / k;
  if (!Number.isInteger(nUsers) || !Number.isInteger(nItems)) throw invalid(`BPR factors are not rows of ${k}`, { nFactors: k });
  expectLength('itemBias', s.itemBias, nItems);
  for (const [name, a, bound] of [
    ['users', d.users, nUsers],
    ['pos', d.pos, nItems],
    ['neg', d.neg, nItems],
  ] as const) {
    if (a.length < d.count) throw invalid(`BPR draws: ${name} has ${a.length} entries, fewer than ${d.count}`, { array: name });
    for (let x = 0; x < d.count; x++)
      if (!(a[x] >= 0 && a[x] < bound)) throw invalid(`BPR draws: ${name}[${x}] = ${a[x]} is outside 0…${bound - 1}`, { array: name });
  }
  const at = mem.layout({
    users: d.count * 4,
    pos: d.count * 4,
    neg: d.count * 4,
    P: s.userFactors.length * 4,
    Q: s.itemFactors.length * 4,
    bias: nItems * 4,
  });
  mem.i32(at.users, d.count).set(d.users.subarray(0, d.count));
  mem.i32(at.pos, d.count).set(d.pos.subarray(0, d.count));
  mem.i32(at.neg, d.count).set(d.neg.subarray(0, d.count));
  mem.f32(at.P, s.userFactors.length).set(s.userFactors);
  mem.f32(at.Q, s.itemFactors.length).set(s.itemFactors);
  mem.f32(at.bias, nItems).set(s.itemBias);
  const loss = ex.bprEpoch(d.count, at.users, at.pos, at.neg, at.P, at.Q, at.bias, k, r.lr, r.regPu, r.regQi, r.regBi);
  s.userFactors.set(mem.f32(at.P, s.userFactors.length));
  s.itemFactors.set(mem.f32(at.Q, s.itemFactors.length));
  s.itemBias.set(mem.f32(at.bias, nItems));
  return loss;
}

/** Checks a side's entries against the other side's nOther rows and lays its CSR out from the heap's base. */
function placeRows(mem: LinearMemory, side: RatingRows, nOther: number, who: string) {
  const { nRows, ptr, idx, ratings } = side;
  const nEntries = nRows > 0 ? ptr[nRows] : 0;
  for (let p = 0; p < nEntries; p++)
    if (!(idx[p] >= 0 && idx[p] < nOther))
      throw invalid(`${who}: entry ${p} names row ${idx[p]} of the other side's ${nOther}`, { entry: p });
  const at = mem.layout({ ptr: (nRows + 1) * 4, idx: nEntries * 4, ratings: nEntries * 4 });
  mem.i32(at.ptr, nRows + 1).set(ptr.subarray(0, nRows + 1));
  mem.i32(at.idx, nEntries).set(idx.subarray(0, nEntries));
  mem.f32(at.ratings, nEntries).set(ratings.subarray(0, nEntries));
  return at;
}

function bpmfRows(
  { ex, mem }: Instance,
  side: RatingRows,
  F: Float64Array,
  G: Float64Array,
  k: number,
  mu: number,
  alpha: number,
  precision: Float64Array,
  priorH: Float64Array,
  normals: Float64Array,
): number {
  const { nRows } = side;
  const d = k + 1;
  const nOther = G.length / d;
  expectLength('F', F, nRows * d);
  expectLength('precision', precision, d * d);
  expectLength('priorH', priorH, d);
  expectLength('normals', normals, nRows * d);
  if (!Number.isInteger(nOther)) throw invalid(`BPMF: the other side's rows are not rows of ${d}`, { nFactors: k });
  const rows = placeRows(mem, side, nOther, 'BPMF');
  const at = mem.layout(
    {
      F: F.length * 8,
      G: G.length * 8,
      precision: d * d * 8,
      priorH: d * 8,
      normals: normals.length * 8,
      A: d * d * 8,
      z: d * 8,
    },
    rows.end,
  );
  mem.f64(at.G, G.length).set(G);
  mem.f64(at.precision, d * d).set(precision);
  mem.f64(at.priorH, d).set(priorH);
  mem.f64(at.normals, normals.length).set(normals);
  const failed = ex.bpmfRows(
    nRows,
    rows.ptr,
    rows.idx,
    rows.ratings,
    at.F,
    at.G,
    k,
    mu,
    alpha,
    at.precision,
    at.priorH,
    at.normals,
    at.A,
    at.z,
  );
  // Rows from a failed one on are left as they were, as the reference leaves them.
  F.set(mem.f64(at.F, (failed < 0 ? nRows : failed) * d));
  return failed;
}

function wrmfSide(
  { ex, mem }: Instance,
  side: RatingRows,
  F: Float32Array,
  H: Float32Array,
  HtH: Float64Array,
  k: number,
  reg: number,
  alpha: number,
): number {
  const { nRows } = side;
  const nOther = H.length / k;
  expectLength('F', F, nRows * k);
  expectLength('HtH', HtH, k * k);
  if (!Number.isInteger(nOther)) throw invalid(`WRMF: the other side's factors are not rows of ${k}`, { nFactors: k });
  const rows = placeRows(mem, side, nOther, 'WRMF');
  const at = mem.layout(
    {
      F: nRows * k * 4,
      H: H.length * 4,
      HtH: k * k * 8,
      A: k * k * 8,
      rhs: k * 8,
    },
    rows.end,
  );
  mem.f32(at.H, H.length).set(H);
  mem.f64(at.HtH, k * k).set(HtH);
  const failed = ex.wrmfSide(nRows, rows.ptr, rows.idx, rows.ratings, at.F, at.H, at.HtH, k, reg, alpha, at.A, at.rhs);
  // Rows from a failed one on are left as they were, as the reference leaves them.
  F.set(mem.f32(at.F, (failed < 0 ? nRows : failed) * k));
  return failed;
}

function invertSpd({ ex, mem }: Instance, a: Float64Array, n: number): number {
  expectLength('matrix', a, n * n);
  const at = mem.layout({ a: n * n * 8, scratch: ex.invertSpdScratchBytes(n) });
  mem.f64(at.a, n * n).set(a);
  let failed = -1;
  for (let k0 = 0; k0 < n && failed < 0; k0 += ex.invertSpdBlockSize()) failed = ex.invertSpdBlock(at.a, n, k0, at.scratch);
  a.set(mem.f64(at.a, n * n));
  return failed;
}

function sumRows(
  ex: WasmExports,
  mem: LinearMemory,
  resident: ResidentMatrix,
  matrix: Float32Array,
  width: number,
  rows: Int32Array,
  out: Float64Array,
): void {
  const height = width > 0 ? matrix.length / width : 0;
  if (!Number.isInteger(height)) throw invalid(`a matrix of ${matrix.length} values has no rows of ${width}`, { width });
  if (out.length < width) throw invalid(`sumRows output holds ${out.length} values, a row ${width}`, { width });
  for (const r of rows) if (!(r >= 0 && r < height)) throw invalid(`row ${r} is outside the matrix's ${height} rows`, { row: r });
  const fixed = resident.place(matrix);
  const at = mem.layout({ rows: rows.length * 4, out: width * 8 }, fixed);
  mem.i32(at.rows, rows.length).set(rows);
  ex.sumRows(resident.at, width, at.rows, rows.length, at.out);
  out.set(mem.f64(at.out, width));
}

/**
 * One matrix kept at the bottom of linear memory between `sumRows` calls with the same array (EASE's
 * weights, 16 MB, summed for user after user), in the place the top-N panels take: whichever is placed
 * drops the other. Keyed by identity, as the panels are.
 */
class ResidentMatrix {
  private matrix: Float32Array | null = null;
  at = 0;
  private end = 0;

  constructor(private readonly mem: LinearMemory) {}

  invalidate(): void {
    this.matrix = null;
  }

  place(matrix: Float32Array): number {
    if (this.matrix === matrix) return this.end;
    const at = this.mem.layout({ matrix: matrix.length * 4 });
    this.mem.f32(at.matrix, matrix.length).set(matrix);
    Object.assign(this, { matrix, at: at.matrix, end: at.end });
    return at.end;
  }
}

function neighbourEstimates(
  ex: WasmExports,
  mem: LinearMemory,
  resident: ResidentLists,
  lists: NeighbourLists,
  user: NeighbourUser,
  out: Float64Array,
  top?: NeighbourTop,
): number {
  const nItems = lists.ptr.length - 1;
  const { rated, devs } = user;
  const n = top ? top.n : 0;
  if (out.length < (top ? n : nItems)) throw invalid(`neighbourEstimates output holds ${out.length} values`, { length: out.length });
  if (devs.length !== rated.length) throw invalid(`${rated.length} rated items with ${devs.length} deviations`);
  for (const j of rated) if (!(j >= 0 && j < nItems)) throw invalid(`rated item ${j} is outside the ${nItems} items`, { item: j });
  if (top) expectLength('skip', top.skip, nItems);
  if (top && (top.items.length < n || !(n >= 1))) throw invalid(`a top-${n} list needs n ≥ 1 and room for n items`, { n });
  const fixed = resident.place(lists, top?.itemRank);
  const at = mem.layout({ rated: rated.length * 4, devs: rated.length * 8, items: n * 4, out: (top ? n : nItems) * 8 }, fixed);
  mem.i32(at.rated, rated.length).set(rated);
  mem.f64(at.devs, rated.length).set(devs);
  const r = resident.at;
  if (top) new Uint8Array(mem.i32(r.marks, 0).buffer, r.marks, nItems).set(top.skip);
  const count = ex.neighbourEstimates(
    nItems,
    r.ptr,
    r.idx,
    r.sim,
    r.rPtr,
    r.recs,
    resident.masks,
    r.itemPart,
    at.rated,
    at.devs,
    rated.length,
    user.k,
    user.minK,
    user.userPart,
    user.cap,
    user.fallback,
    r.sums,
    r.devOf,
    r.marks,
    r.crowded,
    n,
    r.rank,
    at.items,
    at.out,
  );
  if (!top) {
    out.set(mem.f64(at.out, nItems));
    return nItems;
  }
  out.set(mem.f64(at.out, count));
  top.items.set(mem.i32(at.items, count));
  return count;
}

/**
 * Item-based neighbour lists kept in linear memory between `neighbourEstimates` calls with the same lists
 * (user after user), with the per-item scratch the kernel leaves cleared. Keyed by identity.
 */
class ResidentLists {
  private lists: NeighbourLists | null = null;
  at = { ptr: 0, idx: 0, sim: 0, rPtr: 0, recs: 0, itemPart: 0, sums: 0, devOf: 0, marks: 0, crowded: 0, rank: 0 };
  private rank: Int32Array | null = null;
  /** Whether the records carry list positions (every list short enough, ids small enough). */
  masks = false;
  private end = 0;

  constructor(private readonly mem: LinearMemory) {}

  /** Places the lists (and the tie-break ranks) unless they are there; returns the first free byte after them. */
  place(l: NeighbourLists, rank?: Int32Array): number {
    if (this.lists !== l) this.placeLists(l);
    if (rank && rank !== this.rank) {
      expectLength('item ranks', rank, l.ptr.length - 1);
      this.mem.i32(this.at.rank, rank.length).set(rank);
      this.rank = rank;
    }
    return this.end;
  }

  private placeLists(l: NeighbourLists): void {
    const nItems = l.ptr.length - 1;
    expectLength('neighbour ids', l.idx, l.ptr[nItems]);
    expectLength('neighbour similarities', l.sim, l.idx.length);
    expectLength('reversed list starts', l.rPtr, nItems + 1);
    expectLength('reversed owners', l.rOwner, l.idx.length);
    expectLength('reversed similarities', l.rSim, l.idx.length);
    expectLength('item parts', l.itemPart, nItems);
    const nnz = l.idx.length;
    let longest = 0;
    for (let i = 0; i < nItems; i++) longest = Math.max(longest, l.ptr[i + 1] - l.ptr[i]);
    const masks = longest <= MASK_POSITIONS && nItems < 2 ** 25;
    const at = this.mem.layout({
      ptr: (nItems + 1) * 4,
      idx: nnz * 4,
      sim: nnz * 4,
      rPtr: (nItems + 1) * 4,
      recs: nnz * 8,
      itemPart: nItems * 4,
      sums: nItems * 32,
      devOf: nItems * 8,
      marks: nItems,
      crowded: nItems * 4,
      rank: nItems * 4,
    });
    this.mem.i32(at.ptr, nItems + 1).set(l.ptr);
    this.mem.i32(at.idx, nnz).set(l.idx);
    this.mem.f32(at.sim, nnz).set(l.sim);
    this.mem.i32(at.rPtr, nItems + 1).set(l.rPtr);
    // Each record: owner (× 128 + the position of this neighbour in the owner's list, with masks) and similarity.
    const recs = this.mem.i32(at.recs, 2 * nnz);
    const recSim = this.mem.f32(at.recs, 2 * nnz);
    // Filled owner by owner, as the reversed lists are (owners ascending within each neighbour's row);
    // checking each record's owner also keeps every id the kernel reads inside the items.
    const fill = l.rPtr.slice(0, nItems);
    for (let i = 0; i < nItems; i++)
      for (let p = l.ptr[i]; p < l.ptr[i + 1]; p++) {
        const j = l.idx[p];
        const t = fill[j]++;
        if (!(j >= 0 && j < nItems) || t >= l.rPtr[j + 1] || l.rOwner[t] !== i)
          throw invalid(`the reversed neighbour lists do not match the lists at item ${i}`, { item: i });
        recs[2 * t] = masks ? i * MASK_POSITIONS + (p - l.ptr[i]) : i;
        recSim[2 * t + 1] = l.rSim[t];
      }
    this.mem.f32(at.itemPart, nItems).set(l.itemPart);
    this.mem.f64(at.sums, nItems * 4).fill(0);
    this.mem.f64(at.devOf, nItems).fill(Number.NaN);
    Object.assign(this, { lists: l, at, end: at.end, masks, rank: null });
  }
}

/** List positions the kernel's bit masks hold (assembly/neighbour-estimates.ts). */
const MASK_POSITIONS = 128;

/** Fits whose arrays need more linear memory than this run in an instance of their own. */
const OWN_MEMORY_ABOVE = 64 * 2 ** 20;

/** Linear memory one fit lays out (see `svdSgd`). */
function fitBytes(ts: Trainset, k: number, heldOut?: HeldOutRatings): number {
  return (ts.nUsers + 1 + ts.nUsers + ts.nItems + 2 * ts.nRatings + (ts.nUsers + ts.nItems) * stride4(k) + 3 * (heldOut?.size ?? 0)) * 4;
}

function svdSgd(
  ex: WasmExports,
  mem: LinearMemory,
  ts: Trainset,
  s: SvdState,
  r: SvdRates,
  nEpochs: number,
  popularFirst: boolean,
  onEpoch?: EpochHook,
  heldOut?: HeldOutRatings,
): void {
  const { nUsers, nItems, nRatings } = ts;
  const k = s.nFactors;
  const stride = stride4(k);
  expectLength('userBias', s.userBias, nUsers);
  expectLength('itemBias', s.itemBias, nItems);
  expectLength('userFactors', s.userFactors, nUsers * k);
  expectLength('itemFactors', s.itemFactors, nItems * k);
  const at = mem.layout({
    userPtr: (nUsers + 1) * 4,
    itemIdx: nRatings * 4,
    ratings: nRatings * 4,
    bu: nUsers * 4,
    bi: nItems * 4,
    P: nUsers * stride * 4,
    Q: nItems * stride * 4,
    hUsers: (heldOut?.size ?? 0) * 4,
    hItems: (heldOut?.size ?? 0) * 4,
    hRatings: (heldOut?.size ?? 0) * 4,
  });
  // Item i's bias, factors and mentions live at row rows[i] (null: row i) while the fit runs.
  const rows = popularFirst ? popularFirstRows(ts.itemIdx, nRatings, nItems) : null;
  mem.i32(at.userPtr, nUsers + 1).set(ts.userPtr.subarray(0, nUsers + 1));
  if (rows) idsToRows(ts.itemIdx, nRatings, rows, mem.i32(at.itemIdx, nRatings));
  else mem.i32(at.itemIdx, nRatings).set(ts.itemIdx.subarray(0, nRatings));
  mem.f32(at.ratings, nRatings).set(ts.ratings.subarray(0, nRatings));
  mem.f32(at.bu, nUsers).set(s.userBias);
  padRowsTo(s.itemBias, 1, mem.f32(at.bi, nItems), 1, rows);
  padRowsTo(s.userFactors, k, mem.f32(at.P, nUsers * stride), stride, null);
  padRowsTo(s.itemFactors, k, mem.f32(at.Q, nItems * stride), stride, rows);
  const nHeld = heldOut?.size ?? 0;
  if (heldOut) {
    for (const name of ['users', 'items', 'ratings'] as const)
      if (heldOut[name].length < nHeld)
        throw invalid(`held-out ${name} has ${heldOut[name].length} entries, fewer than its size ${nHeld}`, { array: name });
    // Grouped by the side with more rows (items, on MovieLens), then the other: its rows are read once
    // each, in memory order, and the smaller side's stay in cache, so a pass costs a few percent of an
    // epoch rather than a cache miss per rating. The sum's order only moves its rounding.
    const [major, minor] = nItems >= nUsers ? [heldOut.items, heldOut.users] : [heldOut.users, heldOut.items];
    const order = Int32Array.from({ length: nHeld }, (_, x) => x).sort((a, b) => major[a] - major[b] || minor[a] - minor[b]);
    const users = mem.i32(at.hUsers, nHeld);
    const items = mem.i32(at.hItems, nHeld);
    const ratings = mem.f32(at.hRatings, nHeld);
    order.forEach((x, k) => {
      users[k] = heldOut.users[x];
      items[k] = heldOut.items[x];
      ratings[k] = heldOut.ratings[x];
    });
    if (rows) idsToRows(items, nHeld, rows, items);
  }
  const mu = s.biased ? ts.globalMean : 0;
  const heldOutRmse = (): number =>
    Math.sqrt(
      ex.heldOutSse(
        nHeld,
        at.hUsers,
        at.hItems,
        at.hRatings,
        at.bu,
        at.bi,
        at.P,
        at.Q,
        stride,
        ts.globalMean,
        s.biased ? 1 : 0,
        ts.scale.min,
        ts.scale.max,
      ) / nHeld,
    );
  const sync = (): void => {
    s.userBias.set(mem.f32(at.bu, nUsers));
    unpadRowsFrom(mem.f32(at.bi, nItems), 1, s.itemBias, 1, rows);
    unpadRowsFrom(mem.f32(at.P, nUsers * stride), stride, s.userFactors, k, null);
    unpadRowsFrom(mem.f32(at.Q, nItems * stride), stride, s.itemFactors, k, rows);
  };
  const chunks = userChunks(ts.userPtr, nUsers);
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    const sse = svdEpoch(ex, chunks, at, stride, mu, s.biased, r);
    onEpoch?.(epoch + 1, Math.sqrt(sse / nRatings), sync, heldOut ? heldOutRmse() : undefined);
  }
  sync();
}

/** Ratings per call of the module's `svdEpoch` (at least; a user's ratings are never split). */
const CHUNK_RATINGS = 1 << 16;

/**
 * Users split into runs of about CHUNK_RATINGS ratings: boundaries from 0 to nUsers. V8 swaps a
 * function's baseline code for optimised code only between calls, so one call per epoch would run
 * the whole first epoch of a fit at the baseline tier (twice as slow); short calls switch within ms.
 */
function userChunks(userPtr: Int32Array, nUsers: number): Int32Array {
  const bounds = [0];
  for (let u = 1; u <= nUsers; u++) if (u === nUsers || userPtr[u] - userPtr[bounds[bounds.length - 1]] >= CHUNK_RATINGS) bounds.push(u);
  return Int32Array.from(bounds);
}

/**
 * One epoch of the module's `svdEpoch` over the CSR and parameters at these addresses, users chunk
 * by chunk in order (`userChunks`); returns its SSE, summed in the same order as one call would.
 */
function svdEpoch(
  ex: WasmExports,
  chunks: Int32Array,
  at: { readonly [K in 'userPtr' | 'itemIdx' | 'ratings' | 'bu' | 'bi' | 'P' | 'Q']: number },
  stride: number,
  mu: number,
  biased: boolean,
  r: SvdRates,
): number {
  const { lrBu, lrBi, lrPu, lrQi, regBu, regBi, regPu, regQi } = r;
  let sse = 0;
  for (let c = 0; c + 1 < chunks.length; c++)
    sse = ex.svdEpoch(
      chunks[c],
      chunks[c + 1],
      at.userPtr,
      at.itemIdx,
      at.ratings,
      at.bu,
      at.bi,
      at.P,
      at.Q,
      stride,
      mu,
      biased ? 1 : 0,
      lrBu,
      lrBi,
      lrPu,
      lrQi,
      regBu,
      regBi,
      regPu,
      regQi,
      sse,
    );
  return sse;
}

/**
 * A user block's strata laid out once in a fresh instance's memory, filled piece by piece by `load`,
 * with the block's biases and factors; each pass copies one item block in, runs `svdEpoch` on its
 * stratum and copies it back.
 */
function svdStrata(
  module: WasmModule,
  shapes: readonly StratumShape[],
  users: SvdUserRows,
  k: number,
  biased: boolean,
  r: SvdRates,
): SvdStrata {
  const ex = new wasmApi.Instance(module, {}).exports as unknown as WasmExports;
  const mem = new LinearMemory(ex.memory, ex.heapBase());
  const stride = stride4(k);
  const nUsers = users.rows.length;
  for (const row of users.rows)
    if (!(row >= 0 && row < users.userBias.length)) throw invalid(`user row ${row} is outside the ${users.userBias.length} users`, { row });
  expectLength('userFactors', users.userFactors, users.userBias.length * k);
  const maxItems = Math.max(0, ...shapes.map((s) => s.nItems));
  const sizes: Record<string, number> = { bu: nUsers * 4, P: nUsers * stride * 4, bi: maxItems * 4, Q: maxItems * stride * 4 };
  shapes.forEach((s, b) => {
    if (s.userPtr.length !== nUsers + 1)
      throw invalid(`stratum ${b} has ${s.userPtr.length - 1} users, its user block ${nUsers}`, { stratum: b });
    Object.assign(sizes, { [`userPtr${b}`]: (nUsers + 1) * 4, [`itemIdx${b}`]: s.nRatings * 4, [`ratings${b}`]: s.nRatings * 4 });
  });
  const at = mem.layout(sizes);
  shapes.forEach((s, b) => mem.i32(at[`userPtr${b}`], nUsers + 1).set(s.userPtr));
  // Fresh linear memory is zero, so the padding lanes of P start (and stay) zero.
  gatherRows(users.userBias, 1, users.rows, mem.f32(at.bu, nUsers));
  gatherRows(users.userFactors, k, users.rows, mem.f32(at.P, nUsers * stride), stride);
  const chunks = shapes.map((s) => userChunks(s.userPtr, nUsers));
  return {
    load(b, from, itemIdx, ratings) {
      checkPiece(shapes, b, from, itemIdx, ratings);
      mem.i32(at[`itemIdx${b}`] + from * 4, itemIdx.length).set(itemIdx);
      mem.f32(at[`ratings${b}`] + from * 4, ratings.length).set(ratings);
    },
    run(b, itemBias, itemFactors) {
      const n = shapes[b].nItems;
      expectLength('itemBias', itemBias, n);
      expectLength('itemFactors', itemFactors, n * k);
      mem.f32(at.bi, n).set(itemBias);
      padRowsTo(itemFactors, k, mem.f32(at.Q, n * stride), stride, null);
      const csr = { userPtr: at[`userPtr${b}`], itemIdx: at[`itemIdx${b}`], ratings: at[`ratings${b}`] };
      const mu = biased ? shapes[b].globalMean : 0;
      const sse = svdEpoch(ex, chunks[b], { bu: at.bu, bi: at.bi, P: at.P, Q: at.Q, ...csr }, stride, mu, biased, r);
      itemBias.set(mem.f32(at.bi, n));
      unpadRowsFrom(mem.f32(at.Q, n * stride), stride, itemFactors, k, null);
      return sse;
    },
    saveUsers() {
      scatterRows(mem.f32(at.bu, nUsers), 1, users.rows, users.userBias);
      scatterRows(mem.f32(at.P, nUsers * stride), k, users.rows, users.userFactors, stride);
    },
  };
}

function topN(
  ex: WasmExports,
  mem: LinearMemory,
  cache: PanelCache,
  model: FactorModel,
  users: Int32Array,
  exclude: Exclusions,
  n: number,
  itemRank: Int32Array,
  prune: boolean,
): TopNResult {
  const nList = users.length;
  const nItems = model.itemIds.length;
  const nUsers = model.userIds.length;
  const k = model.nFactors;
  if (n <= 0 || nList === 0)
    return { items: new Int32Array(Math.max(0, nList * n)).fill(-1), scores: new Float32Array(Math.max(0, nList * n)).fill(Number.NaN) };
  expectLength('itemRank', itemRank, nItems);
  expectLength('userFactors', model.userFactors, nUsers * k);
  expectLength('userBias', model.userBias, nUsers);
  if (exclude.userPtr.length < nUsers + 1)
    throw invalid(`exclusions cover ${exclude.userPtr.length - 1} users, the model has ${nUsers}`, { users: nUsers });
  const fixed = cache.place(model, itemRank);
  const m = cache.headWidth;
  let nExcluded = 0;
  for (let ux = 0; ux < nList; ux++) {
    const u = users[ux];
    if (!(u >= 0 && u < nUsers))
      throw invalid(`top-N user index ${u} at position ${ux} is outside the model's ${nUsers} users`, { user: u });
    nExcluded += exclude.userPtr[u + 1] - exclude.userPtr[u];
  }
  const at = mem.layout(
    {
      P: nList * k * 4,
      base: nList * 4,
      norms: nList * 8,
      exPtr: (nList + 1) * 4,
      exIdx: nExcluded * 4,
      items: nList * n * 4,
      scores: nList * n * 4,
      scratch: ex.topNScratchBytes(nList, nItems, n),
      heads: nList * m * 4,
      tails: nList * 8,
    },
    fixed,
  );
  const P = mem.f32(at.P, nList * k);
  const base = mem.f32(at.base, nList);
  const norms = mem.f64(at.norms, nList);
  const exPtr = mem.i32(at.exPtr, nList + 1);
  const exIdx = mem.i32(at.exIdx, nExcluded);
  exPtr[0] = 0;
  for (let ux = 0, x = 0; ux < nList; ux++) {
    const u = users[ux];
    P.set(model.userFactors.subarray(u * k, (u + 1) * k), ux * k);
    base[ux] = model.biased ? model.globalMean + model.userBias[u] : 0;
    norms[ux] = norm(model.userFactors, u * k, k);
    for (let e = exclude.userPtr[u]; e < exclude.userPtr[u + 1]; e++, x++) {
      const i = exclude.itemIdx[e];
      if (!(i >= 0 && i < nItems))
        throw invalid(`excluded item index ${i} of user ${u} is outside the model's ${nItems} items`, { user: u, item: i });
      exIdx[x] = cache.position[i];
    }
    exPtr[ux + 1] = x;
  }
  if (m > 0) ex.projectRows(at.P, nList, k, cache.basisAt, m, at.heads, at.tails);
  const panelsScored = ex.topN(
    nList,
    at.P,
    k,
    at.base,
    at.norms,
    at.exPtr,
    at.exIdx,
    cache.panelsAt,
    cache.orderAt,
    cache.boundsAt,
    nItems,
    cache.rankAt,
    n,
    at.items,
    at.scores,
    model.scale.min,
    model.scale.max,
    at.scratch,
    prune ? 1 : 0,
    cache.headsAt,
    m,
    at.heads,
    at.tails,
  );
  return {
    items: mem.i32(at.items, nList * n).slice(),
    scores: mem.f32(at.scores, nList * n).slice(),
    computed: panelsScored * PANEL,
  };
}

/** ‖a[from … from + k)‖ in f64. */
function norm(a: Float32Array, from: number, k: number): number {
  let s = 0;
  for (let f = from; f < from + k; f++) s += a[f] * a[f];
  return Math.sqrt(s);
}

/**
 * Items by their bound for an average user descending: b_i + ‖q_i‖·(mean ‖p_u‖), or with heads b_i +
 * h_iᵀh̄ + ‖t_i‖·t̄ (h̄ the users' mean head, t̄² their mean ‖p_u‖² less ‖h̄‖²). The panels most likely to
 * hold a user's best come first, so her list fills with high scores early and later panels fall below it,
 * and items of like bound share panels. Any order gives the same lists; this one only decides how much is pruned.
 */
function pruningOrder(model: FactorModel, heads?: { V: Float64Array; m: number; H: Float32Array; tails: Float64Array }): Int32Array {
  const k = model.nFactors;
  const nUsers = model.userIds.length;
  let meanNorm = 0;
  let meanSq = 0;
  const meanP = new Float64Array(k);
  for (let u = 0; u < nUsers; u++) {
    const pn = norm(model.userFactors, u * k, k);
    meanNorm += pn / nUsers;
    meanSq += (pn * pn) / nUsers;
    if (heads) for (let f = 0; f < k; f++) meanP[f] += model.userFactors[u * k + f] / nUsers;
  }
  const bias = (i: number): number => (model.biased ? model.itemBias[i] : 0);
  let key: Float64Array;
  if (heads) {
    const { V, m, H, tails } = heads;
    const hBar = Float64Array.from({ length: m }, (_, a) => V.subarray(a * k, (a + 1) * k).reduce((s, v, f) => s + v * meanP[f], 0));
    const tBar = Math.sqrt(Math.max(0, meanSq - hBar.reduce((s, h) => s + h * h, 0)));
    key = Float64Array.from(model.itemIds, (_, i) => bias(i) + hBar.reduce((s, h, a) => s + h * H[i * m + a], 0) + tails[i] * tBar);
  } else key = Float64Array.from(model.itemIds, (_, i) => bias(i) + norm(model.itemFactors, i * k, k) * meanNorm);
  return Int32Array.from(model.itemIds, (_, i) => i).sort((a, b) => key[b] - key[a] || a - b);
}

/**
 * The item side of top-N (panels and tie-break ranks) stays at the bottom of linear memory between
 * calls for the same model, so serving one user at a time does not re-pack 10⁶ floats per request.
 * Keyed by object identity: models are immutable once fitted, and a caller that edits one in place
 * must pass a new object.
 */
class PanelCache {
  private model: FactorModel | null = null;
  private rank: Int32Array | null = null;
  panelsAt = 0;
  rankAt = 0;
  orderAt = 0;
  boundsAt = 0;
  /** Head panels and basis (`top-n-heads.ts`) and their width; all 0 when the head bound does not pay for this model. */
  headsAt = 0;
  basisAt = 0;
  headWidth = 0;
  /** Panel position of each item (the inverse of the packing order). */
  position = new Int32Array(0);
  private end = 0;

  constructor(
    private readonly ex: WasmExports,
    private readonly mem: LinearMemory,
  ) {}

  invalidate(): void {
    this.model = null;
    this.rank = null;
  }

  /** Lays out and fills the item side unless it is already there; returns the first free byte after it. */
  place(model: FactorModel, rank: Int32Array): number {
    if (this.model === model && this.rank === rank) return this.end;
    this.invalidate();
    const nItems = model.itemIds.length;
    const k = model.nFactors;
    expectLength('itemFactors', model.itemFactors, nItems * k);
    expectLength('itemBias', model.itemBias, nItems);
    const m = headWidth(k);
    const at = this.mem.layout({
      panels: Math.ceil(nItems / PANEL) * (k + 2) * PANEL * 4,
      heads: m > 0 ? Math.ceil(nItems / PANEL) * (m + 2) * PANEL * 4 : 0,
      basis: m * k * 8,
      rank: nItems * 4,
      order: nItems * 4,
      bounds: this.ex.panelBoundBytes(nItems),
    });
    // Rows are staged past the panels and transposed by the module, far faster than strided JS writes.
    const staged = this.mem.layout(
      {
        Q: nItems * k * 4,
        bias: nItems * 4,
        H: nItems * m * 4,
        tails: nItems * 8,
        headBounds: m > 0 ? this.ex.panelBoundBytes(nItems) : 0,
      },
      at.end,
    );
    this.mem.f32(staged.Q, nItems * k).set(model.itemFactors);
    this.mem.f32(staged.bias, nItems).set(model.itemBias);
    let heads: Parameters<typeof pruningOrder>[1];
    if (m > 0) {
      const V = headBasis(model.userFactors, model.userIds.length, k, m);
      this.mem.f64(at.basis, m * k).set(V);
      this.ex.projectRows(staged.Q, nItems, k, at.basis, m, staged.H, staged.tails);
      heads = { V, m, H: this.mem.f32(staged.H, nItems * m), tails: this.mem.f64(staged.tails, nItems) };
    }
    const order = pruningOrder(model, heads);
    this.mem.i32(at.order, nItems).set(order);
    const biased = model.biased ? 1 : 0;
    this.ex.packPanels(staged.Q, staged.bias, at.order, nItems, k, biased, at.panels, at.bounds, 0);
    if (m > 0) this.ex.packPanels(staged.H, staged.bias, at.order, nItems, m, biased, at.heads, staged.headBounds, staged.tails);
    this.mem.i32(at.rank, nItems).set(rank);
    const position = new Int32Array(nItems);
    order.forEach((item, x) => (position[item] = x));
    Object.assign(this, {
      model,
      rank,
      position,
      panelsAt: at.panels,
      rankAt: at.rank,
      orderAt: at.order,
      boundsAt: at.bounds,
      headsAt: m > 0 ? at.heads : 0,
      basisAt: at.basis,
      headWidth: m,
      end: at.end,
    });
    return at.end;
  }
}

function expectLength(name: string, a: ArrayLike<number>, expected: number): void {
  if (a.length !== expected)
    throw invalid(`${name} has ${a.length} entries, expected ${expected}`, { array: name, length: a.length, expected });
}
