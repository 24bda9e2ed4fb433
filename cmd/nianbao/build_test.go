package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/internal/demo"
	"github.com/opengov-cn/nianbao/output"
	"github.com/parquet-go/parquet-go"
)

// parseDir runs 'nianbao parse -o out dir' and returns out.
func parseDir(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"parse", "-o", out, dir}, extra...), &stdout, &stderr); code != 0 {
		t.Fatalf("parse: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	return out
}

func readRows[T any](t *testing.T, path string) []T {
	t.Helper()
	rows, err := parquet.ReadFile[T](path)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// demoFiles writes the demo site's reports of one site (a series of
// years, for the cross-report checks) into a new directory, as files a
// user would have: the HTML ones as whole pages with their titles (the
// site serves the article bodies inside a page).
func demoFiles(t *testing.T, site string) string {
	t.Helper()
	dir := t.TempDir()
	n := 0
	for _, r := range demo.Expected() {
		if r.Site != site {
			continue
		}
		data, err := os.ReadFile(filepath.Join("..", "..", "internal", "demo", r.File))
		if err != nil {
			t.Fatal(err)
		}
		if r.Format == "html" {
			data = append([]byte("<html><head><title>"+r.Title+"</title></head><body>"), append(data, "</body></html>"...)...)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(r.File)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 3 {
		t.Fatalf("%d demo reports of site %s", n, site)
	}
	return dir
}

// TestParseSameBytesTwice checks that one file given under two paths is
// one report that lists both.
func TestParseSameBytesTwice(t *testing.T) {
	asNianbao(t)
	dir := demoFiles(t, "canglan")
	data, err := os.ReadFile(filepath.Join(dir, "canglan-2021.html"))
	if err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "copy"), 0o777)
	if err := os.WriteFile(filepath.Join(dir, "copy", "again.html"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := parseDir(t, dir)
	rows := readRows[output.ReportRow](t, filepath.Join(out, output.ReportsFile))
	ids := map[string]int{}
	var twice *output.ReportRow
	for i, r := range rows {
		ids[r.ReportID]++
		if len(r.Sources) > 1 {
			twice = &rows[i]
		} else if !slices.Equal(r.Sources, []string{r.Source}) {
			t.Errorf("%s: sources %v, want [source]", r.Source, r.Sources)
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("report_id %s on %d rows", id, n)
		}
	}
	want := []string{filepath.Join(dir, "canglan-2021.html"), filepath.Join(dir, "copy", "again.html")}
	if twice == nil || !slices.Equal(twice.Sources, want) || twice.Source != want[0] {
		t.Fatalf("the copied report: %+v; want one row with sources %v", twice, want)
	}
	if twice.DocumentID == nil || *twice.DocumentID != twice.ReportID {
		t.Errorf("document_id %v, want the report_id %s", twice.DocumentID, twice.ReportID)
	}
}

// TestParseCrossChecks checks that parse runs the cross-report checks
// too, and that a group bigger than groupCap (held as digests, read again
// to be written) gets the same checks as one held whole.
func TestParseCrossChecks(t *testing.T) {
	asNianbao(t)
	dir := demoFiles(t, "chengchuan-jyj")
	checks := func() map[string][]output.CheckRow {
		out := parseDir(t, dir)
		files, _ := filepath.Glob(filepath.Join(out, output.ChecksDir, "year=*", "*.parquet"))
		by := map[string][]output.CheckRow{}
		for _, r := range readRows[output.ReportRow](t, filepath.Join(out, output.ReportsFile)) {
			// The cells too: a report held as a digest is written whole.
			by["cells of "+r.ReportID] = []output.CheckRow{{Message: strconv.Itoa(int(r.CellCount))}}
		}
		for _, f := range files {
			for _, c := range readRows[output.CheckRow](t, f) {
				if strings.HasPrefix(c.CheckID, "x.") {
					by[c.ReportID] = append(by[c.ReportID], c)
				}
			}
		}
		return by
	}
	whole := checks()
	assessed := 0
	for _, cs := range whole {
		for _, c := range cs {
			if c.Status == "pass" || c.Status == "fail" {
				assessed++
			}
		}
	}
	if len(whole) < 2*3 || assessed < 3 {
		t.Fatalf("cross checks of %d reports, %d assessed: want the series checked", len(whole), assessed)
	}
	old := groupCap
	groupCap = 1
	t.Cleanup(func() { groupCap = old })
	if digests := checks(); !reflect.DeepEqual(digests, whole) {
		t.Errorf("checks over digests differ:\n%v\nwant\n%v", digests, whole)
	}
}

// TestParseCrowdedAgencyYear checks that many reports naming one agency
// for one year are not compared with the year before as if one were the
// agency's: their year-to-year checks are not assessable, saying why.
func TestParseCrowdedAgencyYear(t *testing.T) {
	asNianbao(t)
	dir := demoFiles(t, "chengchuan-jyj")
	data, err := os.ReadFile(filepath.Join(dir, "chengchuan-jyj-2023.html"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxPerAgencyYear { // with the original, one more than the most
		copy := append(slices.Clip(data), fmt.Sprintf("<!-- copy %d -->", i)...)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("copy-%d.html", i)), copy, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := parseDir(t, dir)
	files, _ := filepath.Glob(filepath.Join(out, output.ChecksDir, "year=2023", "*.parquet"))
	n := 0
	for _, f := range files {
		for _, c := range readRows[output.CheckRow](t, f) {
			if !strings.HasPrefix(c.CheckID, "x.carry_over.") {
				continue
			}
			n++
			if c.Status != "not_assessable" || !strings.Contains(c.Message, fmt.Sprintf("%d reports name", maxPerAgencyYear+1)) {
				t.Errorf("%s of %s: %s %s", c.CheckID, c.ReportID, c.Status, c.Message)
			}
		}
	}
	if n < maxPerAgencyYear+1 {
		t.Errorf("%d carry-over checks in 2023", n)
	}
}
