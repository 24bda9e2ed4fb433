// check.mjs reads a nianbao Parquet dataset with DuckDB — a reader that
// shares no code with nianbao — and compares every cell of every report
// that has an expected.json with it, by SQL.
//
// usage: node check.mjs [--min F] DATASET_DIR CORPUS_DIR...
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
let min = 1;
if (args[0] === '--min') { min = Number(args[1]); args.splice(0, 2); }
if (min > 1) min /= 100;
const [dataset, ...corpora] = args;
if (!dataset || corpora.length === 0) {
  console.error('usage: node check.mjs [--min F] DATASET_DIR CORPUS_DIR...');
  process.exit(2);
}

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const pq = (name) => `read_parquet('${resolve(dataset, name).replaceAll("'", "''")}')`;

async function rows(sql, params) {
  const reader = params ? await con.runAndReadAll(sql, params) : await con.runAndReadAll(sql);
  return reader.getRowObjects();
}

const reports = await rows(`SELECT report_id, source, parse_status FROM ${pq('reports.parquet')}`);
const bySource = new Map(reports.map((r) => [resolve(r.source), r]));

let right = 0, wrong = 0, missing = 0, extra = 0, failures = 0;
for (const corpus of corpora) {
  for (const name of readdirSync(corpus).sort()) {
    const expPath = join(corpus, name, 'expected.json');
    if (!existsSync(expPath)) continue;
    const exp = JSON.parse(readFileSync(expPath, 'utf8'));
    const rep = bySource.get(resolve(corpus, name, exp.file));
    if (!rep) { console.log(`${name}: not in the dataset`); failures++; continue; }
    const got = new Map();
    for (const c of await rows(`SELECT key, value FROM ${pq('cells.parquet')} WHERE report_id = $id`, { id: rep.report_id })) {
      got.set(c.key, c.value);
    }
    const unscored = new Set(exp.unscored || []);
    let r = 0, w = 0, m = 0, x = 0;
    for (const [key, want] of Object.entries(exp.cells)) {
      if (!got.has(key)) { m++; continue; }
      const v = got.get(key);
      const same = want === null ? v === null : v !== null && Math.abs(v - want) <= 1e-9 * Math.max(1, Math.abs(want));
      if (same) r++; else { w++; console.log(`  ${name}: ${key} expected ${want}, DuckDB read ${v}`); }
    }
    for (const key of got.keys()) if (!(key in exp.cells) && !unscored.has(key)) x++;
    console.log(`${name} [${rep.parse_status}]: ${r} right, ${w} wrong, ${m} missing, ${x} extra`);
    right += r; wrong += w; missing += m; extra += x;
  }
}

// The kind of question a journalist asks, answered from the files alone.
const [agg] = await rows(`
  SELECT count(*) AS cells, count(value) AS numbers, count(*) - count(value) AS blanks,
         sum(value) FILTER (WHERE key = 't3/new_received/total') AS requests
  FROM ${pq('cells.parquet')}`);
const [chk] = await rows(`SELECT count(*) FILTER (WHERE status = 'fail') AS failed FROM ${pq('checks.parquet')}`);
console.log(`dataset: ${agg.cells} cells (${agg.numbers} numbers, ${agg.blanks} blank), ${agg.requests} requests received in all, ${chk.failed} failed checks`);

const n = right + wrong + missing + extra;
const acc = n === 0 ? 1 : right / n;
console.log(`duckdb: ${right} right, ${wrong} wrong, ${missing} missing, ${extra} extra: accuracy ${(100 * acc).toFixed(2)}%`);
if (failures > 0 || acc + 1e-12 < min) {
  console.error(`duckdb check failed: accuracy ${(100 * acc).toFixed(2)}% (min ${(100 * min).toFixed(2)}%), ${failures} reports missing`);
  process.exit(1);
}
