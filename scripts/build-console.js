// Builds the web console into build/console: one minified ES module bundle (the editor and the app),
// its stylesheet (with the chart library's) and page. Run by `npm run build`; recpipe server serves these files at /.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'console');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'console', 'src', 'main.ts')],
  outfile: join(out, 'console.js'),
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
copyFileSync(join(root, 'console', 'index.html'), join(out, 'index.html'));
// One stylesheet: the console's own, then the chart library's (served from here, never from a CDN).
const chartCss = readFileSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'utf8');
writeFileSync(join(out, 'console.css'), `${readFileSync(join(root, 'console', 'style.css'), 'utf8')}\n${chartCss}\n`);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`console: build/console/console.js ${(bytes / 1024).toFixed(0)} KB (minified)`);
