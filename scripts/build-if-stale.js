#!/usr/bin/env node
// `npm run quickstart` builds only when a source changed since the last build: the newest file
// under src/, bench/, tests/ and console/ (and the build's config) against the stamp the last build left.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs);
}

const inputs = ['src', 'bench', 'tests', 'console', 'tsconfig.json', 'asconfig.json', 'package.json', 'package-lock.json'].map((p) => join(root, p)).filter(existsSync);
const changed = Math.max(...inputs.map(newest));
if (existsSync(stamp) && statSync(stamp).mtimeMs >= changed) {
  console.error('recpipe: build is up to date');
} else {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString() + '\n');
}
