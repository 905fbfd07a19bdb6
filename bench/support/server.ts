import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../tests/support/shared-data.js';

/** A real `recpipe server` child process, so client and server do not share an event loop. */
export async function withServer<T>(home: string, use: (url: string) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'recpipe.js'), 'server', '--home', home, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.on('close', r));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening at (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      void exited.then(() => reject(new Error('recpipe server exited before listening')));
    });
    return await use(url);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
