import type { UserRecommendations } from '../core/index.js';
import { writeFileAtomic } from '../util/atomic-file.js';

/** Numeric ids become JSON numbers (MovieLens ids are ints), anything else stays a string. */
export const idToJson = (id: string): string | number => (/^-?\d{1,15}$/.test(id) ? Number(id) : id);

const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The guide's output table as a file: one row per user, recommendations as a JSON array, best first. */
export function formatRecommendations(recs: readonly UserRecommendations[], format: 'csv' | 'json' | 'jsonl'): string {
  const rows = recs.map((r) => ({ user: idToJson(r.user), recommendations: r.items.map(idToJson) }));
  switch (format) {
    case 'json':
      return JSON.stringify(rows, null, 1) + '\n';
    case 'jsonl':
      return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    case 'csv':
      return (
        ['USERID,RECOMMENDATIONS', ...rows.map((r) => `${csvField(String(r.user))},${csvField(JSON.stringify(r.recommendations))}`)].join(
          '\n',
        ) + '\n'
      );
  }
}

export function formatOf(path: string): 'csv' | 'json' | 'jsonl' {
  return path.endsWith('.jsonl') ? 'jsonl' : path.endsWith('.json') ? 'json' : 'csv';
}

export async function writeRecommendations(path: string, recs: readonly UserRecommendations[]): Promise<void> {
  await writeFileAtomic(path, formatRecommendations(recs, formatOf(path)));
}
