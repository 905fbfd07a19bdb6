import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recommendationsCsv, writeRecommendations } from './recommendations-file.js';

const recs = [
  { user: '1', items: ['10', '007', '-3'], scores: [] },
  { user: 'ann', items: ['x', 'say "hi"', 'a,b'], scores: [] },
  { user: 'b,c', items: ['5'], scores: [] },
  { user: '2', items: ['only'], scores: [] },
  { user: 'u"q', items: [], scores: [] },
  { user: 'é', items: ['ü', '12345678901234567'], scores: [] },
  { user: '0', items: ['0'], scores: [] },
  { user: '0042', items: [], scores: [] },
  { user: '123456789012345', items: [], scores: [] },
  { user: '1234567890123456', items: [], scores: [] },
  { user: '-5', items: [], scores: [] },
];

const canonical = (id: string): string => (/^-?\d{1,15}$/.test(id) ? String(Number(id)) : id);

describe('recommendations CSV', () => {
  it('writes each row as CSV quotes its JSON array: numbers as JSON numbers, text as JSON strings, quoted when needed', () => {
    const lines = recommendationsCsv(recs).toString('utf8').split('\n');
    assert.deepEqual(lines, [
      'USERID,RECOMMENDATIONS',
      '1,"[10,7,-3]"',
      'ann,"[""x"",""say \\""hi\\"""",""a,b""]"',
      '"b,c",[5]',
      '2,"[""only""]"',
      '"u""q",[]',
      'é,"[""ü"",""12345678901234567""]"',
      '0,[0]',
      '42,[]',
      '123456789012345,[]',
      '1234567890123456,[]',
      '-5,[]',
      '',
    ]);
  });
  it('reads back, through a CSV field split and JSON.parse, to the ids given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recpipe-recs-'));
    try {
      const path = join(dir, 'recs.csv');
      await writeRecommendations(path, recs);
      {
        const text = readFileSync(path, 'utf8');
        const rows = [...text.matchAll(/^("(?:[^"]|"")*"|[^,\n]*),("(?:[^"]|"")*"|[^\n]*)$/gm)].slice(1);
        const unquote = (f: string) => (f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f);
        assert.deepEqual(
          rows.map((m) => [unquote(m[1]), (JSON.parse(unquote(m[2])) as unknown[]).map(String)]),
          // Numeric ids (users' too) read back as their number's text.
          recs.map((r) => [canonical(r.user), r.items.map(canonical)]),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
