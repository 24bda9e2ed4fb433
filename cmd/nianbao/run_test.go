package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/internal/demo"
	"github.com/opengov-cn/nianbao/output"
)

// demoRun serves the demo site and returns the arguments of a run against it.
func demoRun(t *testing.T) (*demo.Site, []string) {
	site := demo.New()
	srv := httptest.NewServer(site.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	reg := filepath.Join(dir, "sites.yaml")
	if err := os.WriteFile(reg, site.Registry(srv.URL), 0o644); err != nil {
		t.Fatal(err)
	}
	return site, []string{"run", "-q", "--sites", reg, "--delay", "0", "-o", filepath.Join(dir, "data")}
}

func readSummary(t *testing.T, dir string) summary {
	b, err := os.ReadFile(filepath.Join(dir, summaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var s summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func outDir(args []string) string { return args[len(args)-1] }

// TestRunIncremental runs the pipeline on the demo site, then again after
// a report is revised: the second run fetches and parses only the revised
// report, and the dataset keeps both versions, the new one current.
func TestRunIncremental(t *testing.T) {
	asNianbao(t)
	site, args := demoRun(t)
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("first run: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	first := readSummary(t, outDir(args))
	if first.Crawl.New != 24 || first.Crawl.Parsed != 24 || first.Reports != len(demo.Expected()) {
		t.Errorf("first run: %d new, %d parsed, %d reports; want 24, 24, %d", first.Crawl.New, first.Crawl.Parsed, first.Reports, len(demo.Expected()))
	}
	site.Advance()
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	second := readSummary(t, outDir(args))
	if c := second.Crawl; c.Changed != 1 || c.New != 0 || c.Parsed != 1 || c.FromCache != 24 {
		t.Errorf("second run: %d changed, %d new, %d parsed, %d from cache; want 1, 0, 1, 24", c.Changed, c.New, c.Parsed, c.FromCache)
	}
	rows, err := parquet.ReadFile[output.ReportRow](filepath.Join(outDir(args), "reports.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	bySource := map[string][]output.ReportRow{}
	current := 0
	for _, r := range rows {
		bySource[r.Source] = append(bySource[r.Source], r)
		if r.IsCurrent {
			current++
		}
	}
	if current != len(demo.Expected()) {
		t.Errorf("%d current reports, want %d", current, len(demo.Expected()))
	}
	revised := 0
	for src, rs := range bySource {
		if len(rs) == 1 {
			continue
		}
		revised++
		var cur, old *output.ReportRow
		for i := range rs {
			if rs[i].IsCurrent {
				cur = &rs[i]
			} else {
				old = &rs[i]
			}
		}
		if cur == nil || old == nil || old.SupersededBy == nil || *old.SupersededBy != cur.ReportID {
			t.Errorf("%s: versions %+v: want one current and one superseded by it", src, rs)
		}
	}
	if revised != 1 {
		t.Errorf("%d revised reports, want 1", revised)
	}
	checkDemoCells(t, outDir(args), rows)
}

// checkDemoCells compares the headline cells of every current report with
// what the demo site says they are: a printed 0 must be 0, not blank.
func checkDemoCells(t *testing.T, dir string, reports []output.ReportRow) {
	parts, err := output.Partitions(dir, output.CellsDir)
	if err != nil {
		t.Fatal(err)
	}
	var cells []output.CellRow
	for _, p := range parts {
		rows, err := parquet.ReadFile[output.CellRow](p.Path)
		if err != nil {
			t.Fatal(err)
		}
		cells = append(cells, rows...)
	}
	type place struct {
		agency string
		year   int32
	}
	current := map[string]place{}
	for _, r := range reports {
		if r.IsCurrent && r.Year != nil && r.Agency != nil {
			current[r.ReportID] = place{*r.Agency, *r.Year}
		}
	}
	got := map[place]map[string]*float64{}
	for _, c := range cells {
		p, ok := current[c.ReportID]
		if !ok {
			continue
		}
		if got[p] == nil {
			got[p] = map[string]*float64{}
		}
		got[p][c.Key] = c.Value
	}
	checked := 0
	for _, e := range demo.Expected() {
		want := e.Cells
		if e.Revised != nil {
			want = e.Revised.Cells
		}
		have := got[place{e.Agency, int32(e.Year)}]
		for key, v := range want {
			checked++
			if g := have[key]; g == nil || *g != v {
				t.Errorf("%s %d %s: got %s, want %v", e.Agency, e.Year, key, fmtVal(g), v)
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d headline cells checked", checked)
	}
}

// TestRunKilledAndResumed kills a run after some documents are parsed; the
// next run leaves a complete dataset and parses only the rest: the
// documents parsed before the kill (at least those handed over, maybe a
// few more the workers had finished) come from the cache.
func TestRunKilledAndResumed(t *testing.T) {
	asNianbao(t)
	_, args := demoRun(t)
	const killed = 5
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), killAfter+"=5")
	if err := cmd.Run(); err == nil {
		t.Fatal("the run was not killed")
	}
	if _, err := os.Stat(filepath.Join(outDir(args), "reports.parquet")); !os.IsNotExist(err) {
		t.Fatalf("a killed first run left a dataset: %v", err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("resumed run: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	s := readSummary(t, outDir(args))
	const docs = 24 // every body the demo crawl fetches: reports, an earlier version, article pages
	if s.Reports != len(demo.Expected()) || s.Crawl.FromCache < killed || s.Crawl.FromCache >= docs || s.Crawl.FromCache+s.Crawl.Parsed != docs {
		t.Errorf("resumed run: %d reports, %d from cache, %d parsed; want %d, ≥ %d and the rest of %d",
			s.Reports, s.Crawl.FromCache, s.Crawl.Parsed, len(demo.Expected()), killed, docs)
	}
}
