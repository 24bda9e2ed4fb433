package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/parquet-go/parquet-go"
)

// TestSummary checks summary.parquet: current reports only, a number per
// printed cell, NULL for a blank or absent one, sums over two keys, and
// each column's key in the file's metadata.
func TestSummary(t *testing.T) {
	num := func(v float64) *float64 { return &v }
	cur := &normalize.Report{ID: "cur", Source: "a.html", SHA256: "cur", Format: "html", Template: "2021", Year: 2023, Status: normalize.StatusOK,
		Cells: []normalize.Cell{
			{Table: "t3", Row: "new_received", Col: "total", Value: num(0)},
			{Table: "t3", Row: "carried_over", Col: "total"}, // printed blank
			{Table: "t4", Row: "litigation_direct", Col: "total", Value: num(2)},
			{Table: "t4", Row: "litigation_after_reconsideration", Col: "total", Value: num(3)},
			{Table: "t4", Row: "litigation_direct", Col: "upheld", Value: num(1)},
		}}
	old := &normalize.Report{ID: "old", Source: "a.html", SHA256: "old", Format: "html", Template: "2021", Year: 2023, Status: normalize.StatusOK,
		SupersededBy: "cur", Cells: []normalize.Cell{{Table: "t3", Row: "new_received", Col: "total", Value: num(9)}}}
	dir := filepath.Join(t.TempDir(), "data")
	w, err := Create(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*normalize.Report{old, cur} {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SummaryFile)
	rows, err := parquet.ReadFile[SummaryRow](path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ReportID != "cur" {
		t.Fatalf("summary rows %+v, want the current report only", rows)
	}
	s := rows[0]
	if s.RequestsReceived == nil || *s.RequestsReceived != 0 {
		t.Errorf("requests_received %v, want the printed 0", s.RequestsReceived)
	}
	if s.RequestsCarriedOver != nil || s.Disclosed != nil {
		t.Errorf("blank carried_over %v and absent disclosed %v, want NULL", s.RequestsCarriedOver, s.Disclosed)
	}
	if s.LawsuitsTotal == nil || *s.LawsuitsTotal != 5 || s.LawsuitsUpheld == nil || *s.LawsuitsUpheld != 1 {
		t.Errorf("lawsuits_total %v (want 2+3), lawsuits_upheld %v (want 1 of one printed key)", s.LawsuitsTotal, s.LawsuitsUpheld)
	}
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
	if v, _ := pf.Lookup(MetaColumnPrefix + "requests_received"); v != "t3/new_received/total" {
		t.Errorf("metadata of requests_received: %q", v)
	}
	if v, _ := pf.Lookup(MetaColumnPrefix + "lawsuits_total"); v != "t4/litigation_direct/total+t4/litigation_after_reconsideration/total" {
		t.Errorf("metadata of lawsuits_total: %q", v)
	}
}

// TestSummaryKeysExist checks that every summary column's keys are cells
// of the template: a typo would make a column that is always NULL.
func TestSummaryKeysExist(t *testing.T) {
	rows, cols := map[string]bool{}, map[string]bool{}
	for _, r := range normalize.Rows {
		rows[string(r.Table)+"/"+r.Key] = true
	}
	for _, c := range normalize.Cols {
		cols[string(c.Table)+"/"+c.Key] = true
	}
	for _, c := range summaryColumns {
		for _, k := range c.keys {
			p := strings.Split(k, "/")
			if len(p) != 3 || !rows[p[0]+"/"+p[1]] || !cols[p[0]+"/"+p[2]] {
				t.Errorf("%s: key %s is not a cell of the template", c.name, k)
			}
		}
	}
	if len(summaryColumns) < 20 {
		t.Errorf("%d number columns", len(summaryColumns))
	}
}
