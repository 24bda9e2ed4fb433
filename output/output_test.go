package output

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

func report(id string, cells int) *normalize.Report {
	r := &normalize.Report{ID: id, Source: id + ".html", SHA256: id, Format: "html", Template: "2021",
		Year: 2023, Agency: "某县人民政府", Status: normalize.StatusOK,
		Warnings: []parse.Warning{{Code: "x", Message: "a warning", Loc: parse.Loc{Table: 1, Row: 2, Col: 3}}}}
	for i := 0; i < cells; i++ {
		v := float64(i)
		c := normalize.Cell{Table: "t3", Row: "new_received", Col: "total", Value: &v, Raw: "1", Label: "一、本年新收", Loc: parse.Loc{Table: 1, Row: i}}
		if i%3 == 0 {
			c.Value = nil // blank stays null
		}
		r.Cells = append(r.Cells, c)
	}
	r.Checks = normalize.Checks(r.Cells)
	return r
}

// readTable reads every partition of the table dir (CellsDir,
// ChecksDir or PositionsDir) of the dataset at dir, with the year of each row's partition.
func readTable[T any](t testing.TB, dir, table string) ([]T, []*int32) {
	t.Helper()
	parts, err := Partitions(dir, table)
	if err != nil {
		t.Fatal(err)
	}
	var rows []T
	var years []*int32
	for _, p := range parts {
		got, err := parquet.ReadFile[T](p.Path)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, got...)
		for range got {
			years = append(years, p.Year)
		}
	}
	return rows, years
}

func TestWriteAndReadBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	w, err := Create(dir, Options{Version: "v9.9.9"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if err := w.Write(report(id, 6)); err != nil {
			t.Fatal(err)
		}
	}
	pdf := report("p", 2)
	pdf.Format, pdf.Year, pdf.Agency, pdf.Title = "pdf", 0, "", ""
	pdf.Cells[0].Loc = parse.Loc{Page: 2, Table: 1, Row: 1, Col: 2, BBox: [4]float64{10, 20, 30, 40}}
	pdf.Cells[1].Loc = parse.Loc{Page: 3}
	if err := w.Write(pdf); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cells, years := readTable[CellRow](t, dir, CellsDir)
	if len(cells) != 14 {
		t.Fatalf("read %d cells, want 14", len(cells))
	}
	nulls := 0
	for i, c := range cells {
		if c.Value == nil {
			nulls++
		}
		if (years[i] == nil) != (c.ReportID == "p") || years[i] != nil && *years[i] != 2023 {
			t.Errorf("cell %d of %s in partition %v", i, c.ReportID, years[i])
		}
		if c.TableID != "t3" || c.RowKey != "new_received" || c.ColKey != "total" || c.Key != "t3/new_received/total" {
			t.Errorf("cell %d: %+v", i, c)
		}
	}
	if nulls != 5 {
		t.Errorf("%d null values, want 5 (blank must stay null)", nulls)
	}
	// Positions are 1-based, NULL when not known; bbox only off a PDF page.
	pos, _ := readTable[PositionRow](t, dir, PositionsDir)
	if len(pos) != 14 {
		t.Fatalf("read %d positions, want 14", len(pos))
	}
	a := pos[0] // sorted by report, then key: a's first cell
	if a.ReportID != "a" || a.Key != "t3/new_received/total" || a.TableIndex == nil || *a.TableIndex != 1 || a.GridRow != nil || a.GridCol != nil || a.Line != nil || a.Page != nil || a.BBox != nil {
		t.Errorf("a's first cell: %+v", a)
	}
	if a := pos[1]; a.GridRow == nil || *a.GridRow != 1 {
		t.Errorf("a's second cell: %+v", a)
	}
	p0, p1 := pos[12], pos[13]
	if p0.ReportID != "p" || p0.Page == nil || *p0.Page != 2 || *p0.GridRow != 1 || *p0.GridCol != 2 || !slices.Equal(p0.BBox, []float64{10, 20, 30, 40}) {
		t.Errorf("pdf cell: %+v", p0)
	}
	if p1.Page == nil || *p1.Page != 3 || p1.TableIndex != nil || p1.BBox != nil {
		t.Errorf("pdf cell without a place in a table: %+v", p1)
	}
	reps, err := parquet.ReadFile[ReportRow](filepath.Join(dir, ReportsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 3 || reps[1].ReportID != "b" || *reps[0].Year != 2023 || len(reps[0].Warnings) != 1 || *reps[0].Agency != "某县人民政府" || reps[0].CellCount != 6 {
		t.Errorf("reports read back wrong: %+v", reps)
	}
	if p := reps[2]; p.Year != nil || p.Agency != nil || p.Title != nil {
		t.Errorf("unknown year, agency and title must be NULL: %+v", p)
	}
	checks, years := readTable[CheckRow](t, dir, ChecksDir)
	known := slices.IndexFunc(years, func(y *int32) bool { return y == nil })
	if known != 6 || !slices.IsSortedFunc(checks[:known], func(a, b CheckRow) int { return compareChecks(&a, &b) }) {
		t.Errorf("checks: %+v", checks)
	}
	if _, err := os.Stat(filepath.Join(dir, DictionaryCSVFile)); err != nil {
		t.Error(err)
	}
	filepath.Walk(dir+"/", func(p string, fi os.FileInfo, err error) error {
		if err == nil && (strings.Contains(fi.Name(), "tmp") || strings.HasPrefix(fi.Name(), ".sort")) {
			t.Errorf("temporary file left behind: %s", p)
		}
		return err
	})
}

// TestEmptyTables: a dataset without a cell or a check still has a file
// of each, which a glob finds, with the columns.
func TestEmptyTables(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	w, err := Create(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	failed := &normalize.Report{ID: "f", Source: "f.pdf", Format: "pdf", Template: "unknown", Status: normalize.StatusFailed}
	if err := w.Write(failed); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{CellsDir, ChecksDir, PositionsDir} {
		parts, err := Partitions(dir, table)
		if err != nil || len(parts) != 1 || parts[0].Year != nil {
			t.Fatalf("%s: %v, %v", table, parts, err)
		}
		f, err := os.Open(parts[0].Path)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		pf, err := parquet.OpenFile(f, fi.Size())
		if err != nil || pf.NumRows() != 0 || len(pf.Schema().Fields()) < 8 {
			t.Errorf("%s: %v rows, %v", parts[0].Path, pf, err)
		}
		f.Close()
	}
}

// TestMetadata checks that every Parquet file of a dataset says its
// schema version and the version of nianbao that wrote it.
func TestMetadata(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	w, err := Create(dir, Options{Version: "v1.2.3+abc"})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(report("a", 3))
	if err := w.WriteDocuments([]DocumentRow{{URL: "u", Site: "s", Kind: "report", Status: "new"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.Walk(dir+"/", func(p string, fi os.FileInfo, err error) error {
		if strings.HasSuffix(p, ".parquet") {
			files = append(files, p)
		}
		return err
	})
	if len(files) != 6 {
		t.Fatalf("Parquet files: %v", files)
	}
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		pf, err := parquet.OpenFile(f, fi.Size())
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := pf.Lookup(MetaSchemaVersion); v != SchemaVersion {
			t.Errorf("%s: %s = %q", p, MetaSchemaVersion, v)
		}
		if v, _ := pf.Lookup(MetaVersion); v != "v1.2.3+abc" {
			t.Errorf("%s: %s = %q", p, MetaVersion, v)
		}
		f.Close()
	}
}

// TestSortedPartitions writes a dataset too big for the memory of the
// sort as it is set here, so that every partition is spilled to runs and
// merged in several passes; each file must hold its year's rows exactly,
// sorted by (key, report_id), equal rows in the order written, and its row
// groups' statistics must say the key ranges, which do not overlap.
func TestSortedPartitions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	w, err := Create(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.cells.maxHeld, w.cells.maxFan = 500, 3
	w.checks.maxHeld, w.checks.maxFan = 100, 4
	w.cells.opts = append(w.cells.opts, parquet.MaxRowsPerRowGroup(700))
	want := map[string][]CellRow{} // by partition, in the order written
	var ids []string
	for i := range 120 {
		r := synthReport(i)
		if i == 7 {
			ids = append(ids, r.ID)
			if err := w.Write(r); err != nil { // written twice: equal rows
				t.Fatal(err)
			}
			for _, c := range r.Cells {
				want[partitionName(r.Year)] = append(want[partitionName(r.Year)], w.cellRow(&utf8Fixer{}, r.ID, &c))
			}
		}
		ids = append(ids, r.ID)
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Cells {
			want[partitionName(r.Year)] = append(want[partitionName(r.Year)], w.cellRow(&utf8Fixer{}, r.ID, &c))
		}
	}
	if w.cells.nruns < 20 {
		t.Fatalf("only %d runs: the test does not exercise the merge", w.cells.nruns)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	parts, err := Partitions(dir, CellsDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != len(want) {
		t.Errorf("%d partitions, want %d", len(parts), len(want))
	}
	for _, p := range parts {
		got, err := parquet.ReadFile[CellRow](p.Path)
		if err != nil {
			t.Fatal(err)
		}
		exp := want[filepath.Base(filepath.Dir(p.Path))]
		slices.SortStableFunc(exp, func(a, b CellRow) int { return compareCells(&a, &b) })
		if len(got) != len(exp) {
			t.Fatalf("%s: %d rows, want %d", p.Path, len(got), len(exp))
		}
		for i := range got {
			if g, e := fmt.Sprint(row(got[i])), fmt.Sprint(row(exp[i])); g != e {
				t.Fatalf("%s row %d:\n got %s\nwant %s", p.Path, i, g, e)
			}
		}
		checkRowGroups(t, p.Path, "key", len(exp) > 700)
	}
	checks, _ := readTable[CheckRow](t, dir, ChecksDir)
	if len(checks) != 121*len(synthReport(0).Checks) && len(checks) < 1000 {
		t.Errorf("%d checks", len(checks))
	}
	parts, _ = Partitions(dir, ChecksDir)
	for _, p := range parts {
		checkRowGroups(t, p.Path, "check_id", false)
	}
}

// row formats a cell with the values its pointers point to.
func row(c CellRow) string {
	v := func(p any) string {
		switch p := p.(type) {
		case *float64:
			if p != nil {
				return fmt.Sprint(*p)
			}
		case *int32:
			if p != nil {
				return fmt.Sprint(*p)
			}
		}
		return "NULL"
	}
	return fmt.Sprintf("%s %s %s %s %s %s %q %q", c.ReportID, c.TableID, c.RowKey, c.ColKey, c.Key, v(c.Value), c.Raw, c.Label)
}

// checkRowGroups checks that the row groups of a Parquet file have
// min/max statistics on column, in increasing ranges.
func checkRowGroups(t *testing.T, path, column string, several bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	leaf, ok := pf.Schema().Lookup(column)
	if !ok {
		t.Fatalf("%s: no column %s", path, column)
	}
	groups := pf.Metadata().RowGroups
	if several && len(groups) < 2 {
		t.Errorf("%s: %d row groups", path, len(groups))
	}
	prevMax := ""
	for i, g := range groups {
		st := g.Columns[leaf.ColumnIndex].MetaData.Statistics
		lo, hi := string(st.MinValue), string(st.MaxValue)
		if st.MinValue == nil || st.MaxValue == nil || lo > hi || lo < prevMax {
			t.Errorf("%s: row group %d: %s in [%q, %q] after %q", path, i, column, lo, hi, prevMax)
		}
		if len(g.SortingColumns) != 2 {
			t.Errorf("%s: row group %d declares sorting columns %v", path, i, g.SortingColumns)
		}
		prevMax = hi
	}
}

func TestAbortKeepsPreviousDataset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	w, _ := Create(dir, Options{})
	w.Write(report("old", 3))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cellsFile := filepath.Join(dir, CellsDir, "year=2023", partFile)
	before, _ := os.ReadFile(cellsFile)

	w, _ = Create(dir, Options{})
	w.Write(report("new", 5))
	w.Abort() // a crash or interrupt mid-run
	after, _ := os.ReadFile(cellsFile)
	if len(before) == 0 || string(before) != string(after) {
		t.Error("an aborted run changed the dataset already written")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 7 {
		t.Errorf("dir has %d entries after abort, want the 7 of the first run", len(entries))
	}
}

func TestDictionaryInREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), Dictionary()) {
		t.Error("README.md does not contain the current data dictionary; paste the output of `go run ./cmd/nianbao dict` into it")
	}
}

// TestColumnsDocumented holds the dictionary's Columns to the schemas of
// the files, name by name and in order, and every name to ASCII
// snake_case that no SQL dialect reserves.
func TestColumnsDocumented(t *testing.T) {
	schemas := map[string]*parquet.Schema{
		TableReports: parquet.SchemaOf(ReportRow{}), TableCells: parquet.SchemaOf(CellRow{}),
		TableChecks: parquet.SchemaOf(CheckRow{}), TableDocuments: parquet.SchemaOf(documentRecord{}),
		TablePositions: parquet.SchemaOf(PositionRow{}), TableSummary: parquet.SchemaOf(SummaryRow{}),
		TableSites: parquet.SchemaOf(SiteRow{}),
	}
	for table, s := range schemas {
		var got, want []string
		for _, f := range s.Fields() {
			got = append(got, f.Name())
		}
		if table == TableCells || table == TableChecks || table == TablePositions {
			got = append(got, "year") // the partition's
		}
		for _, c := range Columns {
			if c.Table == table {
				want = append(want, c.Name)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the file has columns\n%v\nthe dictionary\n%v", table, got, want)
		}
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	for _, c := range Columns {
		if !snake.MatchString(c.Name) || reservedSQL[strings.ToUpper(c.Name)] {
			t.Errorf("%s.%s: want snake_case that is no reserved word of SQL", c.Table, c.Name)
		}
	}
}

// reservedSQL are words reserved by SQL:2016 or by DuckDB, PostgreSQL,
// MySQL, SQLite or SQL Server that a column of this dataset might be
// tempted to take. (KEY, VALUE and YEAR are reserved by some and accepted
// unquoted by DuckDB, PostgreSQL and SQLite; scripts/duckdb/check.mjs
// checks them in DuckDB.)
var reservedSQL = map[string]bool{
	"TABLE": true, "ROW": true, "ROWS": true, "COLUMN": true, "COL": false, "ORDER": true, "GROUP": true, "USER": true,
	"CHECK": true, "SELECT": true, "FROM": true, "WHERE": true, "INDEX": true, "LIMIT": true, "OFFSET": true, "RANGE": true,
	"DEFAULT": true, "CASE": true, "END": true, "TO": true, "AS": true, "ON": true, "IN": true, "IS": true, "ALL": true,
	"ANY": true, "DESC": true, "ASC": true, "LEFT": true, "RIGHT": true, "UNION": true, "WINDOW": true, "LINES": true,
	"DATE": true, "TIME": true, "TIMESTAMP": true, "INTERVAL": true, "SOURCE": false, "REFERENCES": true, "PRIMARY": true,
}

func TestDictionaryCSV(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(DictionaryCSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], DictionaryHeader) {
		t.Fatalf("header %v", rows[0])
	}
	kinds := map[string]int{}
	keys := map[string]bool{}
	for _, r := range rows[1:] {
		kinds[r[0]]++
		keys[r[0]+" "+r[1]+" "+r[2]] = true
	}
	if kinds["column"] != len(Columns) || kinds["row"] < 30 || kinds["col"] < 20 || kinds["check"] < 5 || kinds["warning"] < 30 || kinds["table"] != 3 {
		t.Errorf("kinds %v", kinds)
	}
	for _, k := range []string{"column cells key", "row t3 new_received", "col t2 fee_amount_wan", "check t3 t3.balance.<col>", "warning  output.invalid_utf8"} {
		if !keys[k] {
			t.Errorf("no %q", k)
		}
	}
	for _, r := range rows[1:] {
		if r[0] == "col" && r[2] == "fee_amount_wan" && r[5] != "万元" || r[0] == "col" && r[2] == "natural_person" && r[5] != "count" {
			t.Errorf("unit of %v", r)
		}
	}
}

// BenchmarkWrite streams reports into a dataset. Memory per report must
// not grow with the number of reports: compare B/op at -benchtime 100x
// and 10000x. See also BenchmarkWriteDataset.
func BenchmarkWrite(b *testing.B) {
	w, err := Create(filepath.Join(b.TempDir(), "data"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := report("r", 200)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := w.Write(r); err != nil {
			b.Fatal(err)
		}
	}
	// What the writer holds on to just before closing: the rows it sorts
	// and the buffered row group, not the rows already written.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "retained-MiB")
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}
