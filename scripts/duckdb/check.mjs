// check.mjs reads a nianbao Parquet dataset with DuckDB — a reader that
// shares no code with nianbao — and compares every cell of every report
// that has an expected.json with it, by SQL. It also holds the dataset to
// what the README promises a journalist: the files and columns of
// dictionary.csv with their types, column names that need no quoting,
// NULL rather than '' or [] for what is not known, cells and checks in
// the partition of their report's year, and the schema version in every
// file's metadata.
//
// usage: node check.mjs [--min F] DATASET_DIR CORPUS_DIR...
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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
const quote = (path) => `'${path.replaceAll("'", "''")}'`;
const pq = (name) => `read_parquet(${quote(resolve(dataset, name))})`;
// The partitioned tables, read as the README says.
const hive = (table) => `read_parquet(${quote(resolve(dataset, table, '*', '*.parquet'))}, hive_partitioning = true)`;
const tables = { reports: pq('reports.parquet'), summary: pq('summary.parquet'), cells: hive('cells'), positions: hive('positions'), checks: hive('checks') };
if (existsSync(resolve(dataset, 'documents.parquet'))) tables.documents = pq('documents.parquet');

async function rows(sql, params) {
  const reader = params ? await con.runAndReadAll(sql, params) : await con.runAndReadAll(sql);
  return reader.getRowObjects();
}

const reports = await rows(`SELECT report_id, source, parse_status FROM ${pq('reports.parquet')}`);
const bySource = new Map(reports.map((r) => [resolve(r.source), r]));

let right = 0, wrong = 0, missing = 0, extra = 0, failures = 0;
// A corpus is a directory of reports' directories, or one report's own.
const cases = [];
for (const corpus of corpora) {
  if (existsSync(join(corpus, 'expected.json'))) cases.push([dirname(corpus), basename(corpus)]);
  else for (const name of readdirSync(corpus).sort()) cases.push([corpus, name]);
}
for (const [corpus, name] of cases) {
  {
    const expPath = join(corpus, name, 'expected.json');
    if (!existsSync(expPath)) continue;
    const exp = JSON.parse(readFileSync(expPath, 'utf8'));
    const rep = bySource.get(resolve(corpus, name, exp.file));
    if (!rep) { console.log(`${name}: not in the dataset`); failures++; continue; }
    const got = new Map();
    for (const c of await rows(`SELECT key, value FROM ${tables.cells} WHERE report_id = $id`, { id: rep.report_id })) {
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
  FROM ${tables.cells}`);
const [chk] = await rows(`SELECT count(*) FILTER (WHERE status = 'fail') AS failed FROM ${tables.checks}`);
console.log(`dataset: ${agg.cells} cells (${agg.numbers} numbers, ${agg.blanks} blank), ${agg.requests} requests received in all, ${chk.failed} failed checks`);

// The promises of the README's dataset section.
const problems = [];
const problem = (msg) => { problems.push(msg); console.log(`  dataset: ${msg}`); };
const dict = await rows(`SELECT "table", key, type FROM read_csv(${quote(resolve(dataset, 'dictionary.csv'))}, header = true, all_varchar = true) WHERE kind = 'column'`);
const keywords = new Map((await rows(`SELECT keyword_name, keyword_category FROM duckdb_keywords()`)).map((k) => [k.keyword_name, k.keyword_category]));
for (const [table, src] of Object.entries(tables)) {
  const got = (await rows(`DESCRIBE SELECT * FROM ${src}`)).map((c) => `${c.column_name} ${c.column_type}`);
  const want = dict.filter((c) => c.table === table).map((c) => `${c.key} ${c.type}`);
  if (got.join(', ') !== want.join(', ')) problem(`${table} has columns\n    ${got.join(', ')}\n  dictionary.csv says\n    ${want.join(', ')}`);
  for (const c of dict.filter((c) => c.table === table)) {
    const kind = keywords.get(c.key);
    if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(c.key) || (kind && kind !== 'unreserved')) problem(`${table}.${c.key}: not snake_case, or a ${kind} keyword`);
    try {
      await rows(`SELECT ${c.key} FROM ${src} WHERE ${c.key} IS NOT NULL GROUP BY ${c.key} ORDER BY ${c.key} LIMIT 1`);
    } catch (e) {
      problem(`${table}.${c.key} does not work unquoted: ${e.message}`);
    }
  }
}
const nulls = {
  reports: `agency = '' OR title = '' OR superseded_by = '' OR document_id = '' OR year <= 0 OR revision <= 0`,
  summary: `agency = '' OR agency_id = ''`,
  cells: `year <= 0`,
  positions: `len(bbox) = 0 OR line <= 0 OR page <= 0 OR table_index <= 0 OR grid_row <= 0 OR grid_col <= 0 OR year <= 0`,
  checks: `year <= 0`,
  documents: `agency = '' OR listed = '' OR page_url = '' OR title = '' OR sha256 = '' OR content_type = '' OR error = '' OR http_status = 0`,
};
for (const [table, cond] of Object.entries(nulls)) {
  if (!tables[table]) continue;
  const [{ n }] = await rows(`SELECT count(*)::INTEGER AS n FROM ${tables[table]} WHERE ${cond}`);
  if (n > 0) problem(`${n} rows of ${table} with '', [] or 0 for unknown (${cond})`);
}
for (const table of ['cells', 'positions', 'checks']) {
  const [{ n }] = await rows(`SELECT count(*)::INTEGER AS n FROM ${tables[table]} t JOIN ${tables.reports} r USING (report_id) WHERE t.year IS DISTINCT FROM r.year`);
  if (n > 0) problem(`${n} rows of ${table} in another year's partition than their report's`);
}
for (const f of await rows(`SELECT file FROM glob(${quote(resolve(dataset, '**', '*.parquet'))})`)) {
  const meta = Object.fromEntries((await rows(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${quote(f.file)})`)).map((m) => [m.k, m.v]));
  if (meta['nianbao.schema_version'] !== '3' || !meta['nianbao.version']) problem(`${f.file}: metadata ${JSON.stringify(meta)}`);
}
console.log(`dataset: ${Object.keys(tables).length} tables checked against dictionary.csv, ${problems.length} problems`);

const n = right + wrong + missing + extra;
const acc = n === 0 ? 1 : right / n;
console.log(`duckdb: ${right} right, ${wrong} wrong, ${missing} missing, ${extra} extra: accuracy ${(100 * acc).toFixed(2)}%`);
if (failures > 0 || acc + 1e-12 < min || problems.length > 0) {
  console.error(`duckdb check failed: accuracy ${(100 * acc).toFixed(2)}% (min ${(100 * min).toFixed(2)}%), ${failures} reports missing, ${problems.length} problems with the dataset`);
  process.exit(1);
}
