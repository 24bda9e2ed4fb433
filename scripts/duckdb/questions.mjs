// questions.mjs runs the README's "Questions in SQL" on the demo dataset
// and checks each answer against what the demo site printed
// (internal/demo/expected.json).
//
//   node scripts/duckdb/questions.mjs README.md internal/demo/expected.json DIR
//
// DIR holds demo-data/, as `nianbao demo -o DIR/demo-data` leaves it.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [readme, expectedPath, dir] = process.argv.slice(2);
const section = readFileSync(readme, 'utf8').split('## Questions in SQL')[1].split('\n## ')[0];
const queries = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
const expected = JSON.parse(readFileSync(expectedPath, 'utf8')).reports;
process.chdir(dir);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const run = async (q) => (await con.runAndReadAll(q)).getRowObjects().map((r) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));

const readable = expected.filter((e) => e.status === 'ok');
const cur = (e) => e.revised ?? e;
const failures = [];
const check = (name, ok, detail) => { if (!ok) failures.push(`${name}: ${detail}`); };
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

if (queries.length !== 5) failures.push(`want 5 queries in the README, found ${queries.length}`);
const [q1, q2, q3, q4, q5] = await Promise.all(queries.map(run));

// 1: every agency with a withheld request, each total positive.
check('1 withheld', q1.length > 0 && q1.every((r) => r.withheld > 0), JSON.stringify(q1.slice(0, 3)));

// 2: exactly the planted in-report failures of the current versions.
const want2 = readable.flatMap((e) => cur(e).failing_checks.map((c) => `${e.agency} ${e.year} ${c}`));
const got2 = q2.map((r) => `${r.agency} ${r.year} ${r.check_id}`);
check('2 arithmetic', same(want2, got2), `got ${JSON.stringify(got2)}, want ${JSON.stringify(want2)}`);

// 3: requests per agency and year are the printed totals.
const want3 = readable.map((e) => `${e.agency} ${e.year} ${cur(e).cells['t3/new_received/total']}`);
const got3 = q3.map((r) => `${r.agency} ${r.year} ${r.requests}`);
check('3 year over year', same(want3, got3), `got ${JSON.stringify(got3)}, want ${JSON.stringify(want3)}`);

// 4: the late report and the revised one, each listed once.
const want4 = [...expected.filter((e) => e.late).map((e) => `x.late ${e.agency} ${e.year}`),
  ...expected.filter((e) => e.revised).map((e) => `x.revised ${e.agency} ${e.year}`)];
const got4 = q4.map((r) => `${r.check_id} ${r.agency} ${r.year}`);
check('4 late or revised', same(want4, got4), `got ${JSON.stringify(got4)}, want ${JSON.stringify(want4)}`);

// 5: the agency whose carry-over does not match, in the year it breaks.
const want5 = expected.filter((e) => e.carry_over === 'mismatch').map((e) => `${e.agency} ${e.year}`);
const got5 = q5.map((r) => `${r.agency} ${r.year}`);
check('5 carry-over', same(want5, got5), `got ${JSON.stringify(got5)}, want ${JSON.stringify(want5)}`);

if (failures.length) {
  console.error('questions: ' + failures.join('\n  '));
  process.exit(1);
}
console.log(`questions: ${queries.length} README queries answered as the demo site says`);
