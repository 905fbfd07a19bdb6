import { invalid } from '../errors.js';
import { factorEstimate } from '../model.js';
import { arrayOf } from './neighbours.js';
import type { ExtendedModel, Family, FamilyJson, StoredArray, TimeExtension } from './types.js';

type Timed = ExtendedModel<TimeExtension>;

/** dev_u(t) = sign(t − t_u)·|t − t_u|^β (Koren 2009, eq. 6), days. */
export const drift = (day: number, userDay: number, beta: number): number => {
  const d = day - userDay;
  return d === 0 ? 0 : Math.sign(d) * Math.abs(d) ** beta;
};

/** The bin of a day, clamped to the trained bins (a day before or after training falls into the first or last). */
export const binOf = (e: Pick<TimeExtension, 'firstDay' | 'binDays' | 'nBins'>, day: number): number =>
  Math.min(e.nBins - 1, Math.max(0, Math.floor((day - e.firstDay) / e.binDays)));

/** Position of whole day `day` among user u's rating days, or -1 (a day she did not rate on has no b_{u,t}). */
export function daySlot(e: Pick<TimeExtension, 'userDayPtr' | 'userDays'>, u: number, day: number): number {
  let lo = e.userDayPtr[u];
  let hi = e.userDayPtr[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (e.userDays[mid] === day) return mid;
    if (e.userDays[mid] < day) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const dayBias = (e: TimeExtension, u: number, day: number): number => {
  const s = daySlot(e, u, Math.floor(day));
  return s < 0 ? 0 : e.userDayBias[s];
};

/**
 * timeSVD: r̂(t) = μ + b_u + α_u·dev_u(t) + b_{u,t} + b_i + b_{i,Bin(t)} + q_iᵀp_u. The base's biases are those
 * of "now" (the last training day), so `estimate` and top-N are the base factor model's; an estimate at
 * another time swaps now's time terms for t's.
 */
export const timeFamily: Family<TimeExtension> = {
  kind: 'time',
  factorTopN: true,
  estimate: (m, u, i) => factorEstimate(m, u, i),
  estimateAt(m: Timed, u, i, t) {
    const e = m.extension;
    let est = factorEstimate(m, u, i);
    if (!Number.isFinite(t)) return est;
    const day = t / e.daySeconds;
    if (u >= 0)
      est +=
        e.alpha[u] * (drift(day, e.userDay[u], e.beta) - drift(e.nowDay, e.userDay[u], e.beta)) +
        dayBias(e, u, day) -
        dayBias(e, u, e.nowDay);
    if (i >= 0) est += e.itemBinBias[i * e.nBins + binOf(e, day)] - e.itemBinBias[i * e.nBins + binOf(e, e.nowDay)];
    return est;
  },
  scoreUser(m, u, out) {
    for (let i = 0; i < out.length; i++) out[i] = factorEstimate(m, u, i);
  },
  encode: (e) => ({
    params: { beta: e.beta, daySeconds: e.daySeconds, firstDay: e.firstDay, binDays: e.binDays, nBins: e.nBins, nowDay: e.nowDay },
    arrays: new Map<string, StoredArray>([
      ['alpha', e.alpha],
      ['user-day', e.userDay],
      ['item-bin-bias', e.itemBinBias],
      ['user-day-ptr', e.userDayPtr],
      ['user-days', e.userDays],
      ['user-day-bias', e.userDayBias],
    ]),
  }),
  decode(enc, base) {
    const p = enc.params;
    const num = (name: string, v: FamilyJson | undefined): number => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`timesvd parameter ${name} must be a number`, { parameter: name });
      return v;
    };
    const nBins = num('nBins', p.nBins);
    if (!Number.isSafeInteger(nBins) || nBins < 1) throw invalid('timesvd nBins must be a positive integer', { parameter: 'nBins' });
    const e: TimeExtension = {
      kind: 'time',
      beta: num('beta', p.beta),
      daySeconds: num('daySeconds', p.daySeconds),
      firstDay: num('firstDay', p.firstDay),
      binDays: num('binDays', p.binDays),
      nBins,
      nowDay: num('nowDay', p.nowDay),
      alpha: arrayOf(enc, 'alpha', Float32Array),
      userDay: arrayOf(enc, 'user-day', Float32Array),
      itemBinBias: arrayOf(enc, 'item-bin-bias', Float32Array),
      userDayPtr: arrayOf(enc, 'user-day-ptr', Int32Array),
      userDays: arrayOf(enc, 'user-days', Int32Array),
      userDayBias: arrayOf(enc, 'user-day-bias', Float32Array),
    };
    const nUsers = base.userIds.length;
    const nItems = base.itemIds.length;
    for (const [name, a, want] of [
      ['alpha', e.alpha, nUsers],
      ['user-day', e.userDay, nUsers],
      ['item-bin-bias', e.itemBinBias, nItems * nBins],
    ] as const)
      if (a.length !== want) throw invalid(`timesvd ${name} holds ${a.length} values, expected ${want}`, { array: name });
    const ptr = e.userDayPtr;
    const ok = ptr.length === nUsers + 1 && ptr[0] === 0 && ptr[nUsers] === e.userDays.length && e.userDayBias.length === e.userDays.length;
    if (!ok || ptr.some((p, u) => u > 0 && p < ptr[u - 1]))
      throw invalid(`timesvd user-day-ptr is not a row index over ${nUsers} users and ${e.userDays.length} days`, {
        array: 'user-day-ptr',
      });
    return e;
  },
};
