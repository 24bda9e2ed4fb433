// bench.mjs times queries in DuckDB: each query is run once to warm the
// file cache, then --runs times; it prints, as JSON, per query the median
// and every time in milliseconds, the first column of the first row of
// its result (rows), and the profile of one run (EXPLAIN ANALYZE) with
// the Parquet scan's row groups and rows read. output's
// BenchmarkWriteDataset runs it on the old layout and the new.
//
// usage: node bench.mjs [--runs N] [--threads N] QUERY...
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
let runs = 5, threads = 0;
while (args[0]?.startsWith('--')) {
  const [flag, v] = args.splice(0, 2);
  if (flag === '--runs') runs = Number(v);
  else if (flag === '--threads') threads = Number(v);
  else { console.error(`unknown flag ${flag}`); process.exit(2); }
}
if (args.length === 0 || !(runs >= 1)) {
  console.error('usage: node bench.mjs [--runs N] [--threads N] QUERY...');
  process.exit(2);
}

const db = await DuckDBInstance.create(':memory:', threads > 0 ? { threads: String(threads) } : {});
const con = await db.connect();
// Each query from a fresh metadata cache, as a new session would read it.
await con.run(`SET parquet_metadata_cache = false`);

const out = [];
for (const sql of args) {
  const first = (await con.runAndReadAll(sql)).getRows()[0]?.[0];
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await con.runAndReadAll(sql);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const plan = (await con.runAndReadAll(`EXPLAIN ANALYZE ${sql}`)).getRows().map((r) => String(r[1])).join('\n');
  out.push({ sql, rows: String(first), median_ms: sorted[Math.floor(sorted.length / 2)], ms, explain_analyze: plan });
}
console.log(JSON.stringify(out, null, 1));
