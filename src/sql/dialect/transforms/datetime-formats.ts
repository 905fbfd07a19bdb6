/** Snowflake's date and time format elements (longest first) and DuckDB's strftime equivalents. */
const ELEMENTS: [string, string][] = [
  ['YYYY', '%Y'],
  ['MMMM', '%B'],
  ['HH24', '%H'],
  ['HH12', '%I'],
  ['TZH:TZM', '%z'],
  ['MON', '%b'],
  ['FF9', '%n'],
  ['FF6', '%f'],
  ['FF3', '%g'],
  ['YY', '%y'],
  ['MM', '%m'],
  ['DD', '%d'],
  ['DY', '%a'],
  ['HH', '%H'],
  ['MI', '%M'],
  ['SS', '%S'],
  ['AM', '%p'],
  ['PM', '%p'],
  ['FF', '%n'],
];

/**
 * A Snowflake format (`YYYY/MM/DD HH24:MI`, case-insensitive, `"text"` quoted) as a strftime
 * format (`%Y/%m/%d %H:%M`); anything else is kept as written (`%` escaped).
 */
export function strftimeFormat(format: string): string {
  let out = '';
  let i = 0;
  while (i < format.length) {
    if (format[i] === '"') {
      const close = format.indexOf('"', i + 1);
      const end = close < 0 ? format.length : close;
      out += format.slice(i + 1, end).replace(/%/g, '%%');
      i = end + 1;
      continue;
    }
    const rest = format.slice(i).toUpperCase();
    const hit = ELEMENTS.find(([e]) => rest.startsWith(e));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
    } else {
      out += format[i] === '%' ? '%%' : format[i];
      i++;
    }
  }
  return out;
}
