import { loadDialect, parse, transform, render } from './dist/src/sql/dialect/index.js';
import { sdk } from './dist/src/sql/dialect/polyglot.js';
await loadDialect();
for (const q of process.argv.slice(2)) {
  try {
  const ast = parse(q);
  transform(ast, { session: { database: 'D', schema: 'S', role: 'R', warehouse: null }, action: 'SELECT', refs: [] }, null);
  const g = sdk().generate([ast], 'snowflake');
  console.log('SF  ', g.sql?.[0] ?? g.error);
  console.log('DUCK', render(ast));
  } catch (e) { console.log('ERR', e.message); }
}
