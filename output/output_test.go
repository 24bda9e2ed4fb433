package output

import (
	"os"
	"path/filepath"
	"runtime"
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

func TestWriteAndReadBack(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if err := w.Write(report(id, 6)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cells, err := parquet.ReadFile[CellRow](filepath.Join(dir, "cells.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 12 {
		t.Fatalf("read %d cells, want 12", len(cells))
	}
	nulls := 0
	for _, c := range cells {
		if c.Value == nil {
			nulls++
		}
	}
	if nulls != 4 {
		t.Errorf("%d null values, want 4 (blank must stay null)", nulls)
	}
	reps, err := parquet.ReadFile[ReportRow](filepath.Join(dir, "reports.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 || reps[1].ReportID != "b" || *reps[0].Year != 2023 || len(reps[0].Warnings) != 1 {
		t.Errorf("reports read back wrong: %+v", reps)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestAbortKeepsPreviousDataset(t *testing.T) {
	dir := t.TempDir()
	w, _ := Create(dir)
	w.Write(report("old", 3))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "cells.parquet"))

	w, _ = Create(dir)
	w.Write(report("new", 5))
	w.Abort() // a crash or interrupt mid-run
	after, _ := os.ReadFile(filepath.Join(dir, "cells.parquet"))
	if string(before) != string(after) {
		t.Error("an aborted run changed the dataset already written")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("dir has %d entries after abort, want the 4 files of the first run", len(entries))
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

// BenchmarkWrite streams reports into a dataset. Memory per report must
// not grow with the number of reports: compare B/op at -benchtime 100x
// and 10000x.
func BenchmarkWrite(b *testing.B) {
	w, err := Create(b.TempDir())
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
	// What the writer holds on to just before closing: the buffered row
	// group and the file metadata, not the rows already written.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "retained-MiB")
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}
