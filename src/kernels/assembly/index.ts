// WebAssembly entry: the hot loops of recpipe's kernels (see src/kernels/wasm-kernels.ts for the
// JavaScript side, which lays typed arrays out in linear memory from `heapBase()` upwards).
export { heldOutSse, svdEpoch } from './svd-sgd';
export { packPanels, panelBoundBytes, projectRows, topN, topNScratchBytes } from './top-n';
export { sumRows } from './sum-rows';
export { gram, invertSpdBlock, invertSpdBlockSize, invertSpdScratchBytes } from './spd-inverse';

/** First free byte of linear memory: nothing is allocated by the module itself (runtime: stub, no `new`). */
export function heapBase(): usize {
  return __heap_base;
}
export { bprEpoch } from './bpr-sgd';
export { wrmfSide } from './wrmf-side';
export { bpmfRows } from './bpmf-rows';
export { neighbourEstimates } from './neighbour-estimates';
