import { factorEstimate } from '../model.js';
import type { Family, ImplicitExtension } from './types.js';

/**
 * Factor models of implicit feedback (WRMF, BPR): the base holds μ = 0, no user biases and (BPR)
 * item biases, so the base estimate b_i + p_uᵀq_i is the relevance score itself. An unknown user
 * scores b_i (item popularity as BPR learnt it), an unknown item p_uᵀ0 = 0. Scores are never clipped.
 */
export const implicitFamily: Family<ImplicitExtension> = {
  kind: 'implicit',
  factorTopN: true,
  ranksOnly: true,
  estimate: (m, u, i) => factorEstimate(m, u, i),
  scoreUser(m, u, out) {
    for (let i = 0; i < out.length; i++) out[i] = factorEstimate(m, u, i);
  },
  encode: () => ({ params: {}, arrays: new Map() }),
  decode: () => ({ kind: 'implicit' }),
};
