import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../tests/support/shared-data.js';
import { timedChild } from './timed-child.js';

/** One phase of the C reference, as it prints it. */
export interface CPhase {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
}

export interface CRun {
  readonly wall: number;
  readonly processCpu?: number | undefined;
  readonly peakRssBytes?: number | undefined;
  readonly phases: Readonly<Record<'load' | 'fit' | 'top-n' | 'write', CPhase>> & { readonly cv?: CPhase };
  readonly folds?: readonly { readonly fitSeconds: number; readonly rmse: number }[];
  readonly trainRmse: number;
  readonly users: number;
  readonly items: number;
}

export interface CReference {
  run(ratings: string, options: { cv?: number; out?: string; threads?: number }): Promise<CRun>;
  close(): void;
}

/**
 * bench/c-reference/svd-pipeline.c compiled with `gcc -O3 -march=native -pthread` into a temporary
 * directory, or null (with the reason on stderr) when the machine has no gcc: benches then print
 * recpipe's figures without the ratio.
 */
export function compileCReference(): CReference | null {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-c-reference-'));
  const binary = join(dir, 'svd-pipeline');
  try {
    execFileSync(
      'gcc',
      ['-O3', '-march=native', '-pthread', '-o', binary, join(repoRoot(), 'bench', 'c-reference', 'svd-pipeline.c'), '-lm'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`no C reference (gcc failed or is missing): ${(e as Error).message.split('\n')[0]}\n`);
    return null;
  }
  return {
    async run(ratings, { cv = 0, out, threads = 2 }) {
      const args = [ratings, '--cv', String(cv), '--threads', String(threads), ...(out ? ['--out', out] : [])];
      const { wall, stdout, processCpu, peakRssBytes } = await timedChild(binary, args);
      const { folds, trainRmse, users, items, ...phases } = JSON.parse(stdout) as Record<string, unknown>;
      return { wall, processCpu, peakRssBytes, phases, folds, trainRmse, users, items } as CRun;
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
