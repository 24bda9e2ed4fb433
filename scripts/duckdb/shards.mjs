// shards.mjs reads the datasets of `nianbao demo --shard i/n -o ROOT`, for
// every i, as one table per kind through globs over ROOT, and checks them
// against the dataset of one unsharded demo run: the same reports, each in
// exactly one shard, with the same cells and checks.
//
//   node scripts/duckdb/shards.mjs ROOT DIR
import { DuckDBInstance } from '@duckdb/node-api';

const [root, whole] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const rows = async (q) => (await con.runAndReadAll(q)).getRowObjects().map((r) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const sharded = {
  reports: `read_parquet(${q(root + '/shard=*/reports.parquet')}, hive_partitioning = true)`,
  cells: `read_parquet(${q(root + '/shard=*/cells/*/*.parquet')}, hive_partitioning = true)`,
  checks: `read_parquet(${q(root + '/shard=*/checks/*/*.parquet')}, hive_partitioning = true)`,
};
const single = {
  reports: `read_parquet(${q(whole + '/reports.parquet')})`,
  cells: `read_parquet(${q(whole + '/cells/*/*.parquet')}, hive_partitioning = true)`,
  checks: `read_parquet(${q(whole + '/checks/*/*.parquet')}, hive_partitioning = true)`,
};
const failures = [];
const fail = (m) => { failures.push(m); console.log(`  shards: ${m}`); };

const perShard = await rows(`SELECT shard, count(*) AS n FROM ${sharded.reports} GROUP BY shard ORDER BY shard`);
if (perShard.length < 2 || perShard.some((s) => s.n === 0)) fail(`reports per shard ${JSON.stringify(perShard)}: want every shard to hold some`);
const [dup] = await rows(`SELECT count(*) AS n FROM (SELECT report_id FROM ${sharded.reports} GROUP BY report_id HAVING count(DISTINCT shard) > 1)`);
if (dup.n > 0) fail(`${dup.n} reports in more than one shard`);
// The same rows, whatever the shard: EXCEPT both ways is empty (sources
// compared by path: each demo serves on a port of its own).
const cols = {
  reports: "report_id, regexp_replace(source, '^https?://[^/]+', '') AS path, is_current, superseded_by, year, agency_id, parse_status, cell_count, checks_failed",
  cells: 'report_id, key, value, raw, year',
  checks: 'report_id, check_id, status, lhs, rhs, year',
};
for (const t of Object.keys(cols)) {
  const a = `SELECT ${cols[t]} FROM ${sharded[t]}`, b = `SELECT ${cols[t]} FROM ${single[t]}`;
  const [{ n }] = await rows(`SELECT count(*) AS n FROM ((${a} EXCEPT ALL ${b}) UNION ALL (${b} EXCEPT ALL ${a}))`);
  const [{ m }] = await rows(`SELECT count(*) AS m FROM ${sharded[t]}`);
  if (n > 0 || m === 0) fail(`${t}: ${n} rows differ between the shards and one run (${m} rows in the shards)`);
}
console.log(`shards: ${perShard.map((s) => `${s.shard}: ${s.n} reports`).join(', ')}; ${failures.length} problems`);
if (failures.length > 0) process.exit(1);
