package viewer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
	"github.com/opengov-cn/nianbao/parse"
)

var benchSite = flag.String("benchsite", "", "BenchmarkGenerate: write the site into this directory (and keep it) rather than a temporary one")

// benchReports is the size of BenchmarkGenerate's national dataset.
const benchReports = 100_000

// BenchmarkGenerate writes the site of a synthetic national dataset of
// 100,000 reports (synthDataset: 31 provinces, 5 years, t3 and t4 of each
// report; the dataset is written before the timer starts). Run it with
// -benchtime 1x:
//
//	go test -run '^$' -bench BenchmarkGenerate -benchtime 1x ./viewer/
//
// Metrics: total-MB, the site's bytes; largest-page-KB, its largest HTML
// or JSON file; index-KB, what the index loads before any choice
// (index.html and data/index.js, without the shared assets); files.
func BenchmarkGenerate(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "data")
	start := time.Now()
	if err := synthDataset(dir, benchReports); err != nil {
		b.Fatal(err)
	}
	b.Logf("dataset of %d reports written in %v", benchReports, time.Since(start))
	var st Stats
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "site")
		if *benchSite != "" {
			out = *benchSite
		}
		var err error
		if st, err = Generate(context.Background(), dir, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Bytes)/(1<<20), "total-MB")
	b.ReportMetric(float64(st.LargestBytes)/1024, "largest-page-KB")
	b.ReportMetric(float64(st.IndexBytes)/1024, "index-KB")
	b.ReportMetric(float64(st.Files), "files")
	b.Logf("largest page %s (%d bytes); %d agencies", st.Largest, st.LargestBytes, st.Agencies)
}

var benchProvinces = provinces[:31]

// synthDataset writes a dataset of n synthetic reports into dir: agencies
// of every province, five years each, t3 and t4 printed with the
// template's own arithmetic (checked by normalize.Checks) except where a
// report is made to break it, some partial and some unreadable.
func synthDataset(dir string, n int) error {
	w, err := output.Create(dir, output.Options{Version: "bench"})
	if err != nil {
		return err
	}
	agencies := n / 5
	for i := range n {
		if err := w.Write(synthReport(i, agencies)); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

func synthReport(i, agencies int) *normalize.Report {
	rng := rand.New(rand.NewPCG(uint64(i), 13))
	sum := sha256.Sum256([]byte("site report " + strconv.Itoa(i)))
	sha := hex.EncodeToString(sum[:])
	a := i % agencies
	prov := benchProvinces[a%len(benchProvinces)]
	name := fmt.Sprintf("%s第%d市第%d县人民政府", prov, a/len(benchProvinces)%40+1, a/len(benchProvinces)/40+1)
	if a%3 == 1 {
		name = fmt.Sprintf("%s第%d县教育局", prov, a/len(benchProvinces)+1)
	}
	aid := sha256.Sum256([]byte(name))
	r := &normalize.Report{ID: sha[:16], SHA256: sha, Format: "pdf", Status: normalize.StatusOK, Year: 2019 + i/agencies%5,
		Agency: name, AgencyID: hex.EncodeToString(aid[:6]), Source: fmt.Sprintf("https://gov%d.example.cn/nb/%s.pdf", a, sha[:12])}
	r.Title = fmt.Sprintf("%s%d年政府信息公开工作年度报告", name, r.Year)
	if i%40 == 39 {
		r.Status, r.Template = normalize.StatusFailed, normalize.TemplateUnknown
		r.Warnings = []parse.Warning{{Code: normalize.CodeTablesNone, Message: "no table of the national template"}}
		return r
	}
	r.Template = normalize.Template2021
	if r.Year < 2021 {
		r.Template = normalize.Template2019
	}
	if i%15 == 3 {
		r.Status = normalize.StatusPartial
	}
	y := 100.0
	for _, row := range normalize.Rows {
		if row.Table != normalize.T3 && row.Table != normalize.T4 || row.Templates != "" && row.Templates != r.Template {
			continue
		}
		cols := []string{"total"}
		if row.Table == normalize.T4 {
			cols = []string{"upheld", "corrected", "other", "pending", "total"}
		}
		sumRow := 0.0
		for ci, col := range cols {
			v := float64(rng.IntN(30))
			if col == "total" && row.Table == normalize.T4 {
				v = sumRow
				if i%17 == 5 {
					v++ // breaks t4.sum
				}
			}
			sumRow += v
			c := normalize.Cell{Table: row.Table, Row: row.Key, Col: col, Value: &v, Raw: strconv.FormatFloat(v, 'f', -1, 64), Label: row.Label,
				Loc: parse.Loc{Page: 2, Table: 2, Row: 3, Col: ci + 2, BBox: [4]float64{100 + 50*float64(ci), y, 150 + 50*float64(ci), y + 15}}}
			r.Cells = append(r.Cells, c)
		}
		y += 15
	}
	r.Checks = normalize.Checks(r.Cells)
	return r
}

// TestSynthDataset keeps the benchmark's generator working: a small
// dataset of it makes a site with every report's page.
func TestSynthDataset(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := synthDataset(dir, 200); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	st, err := Generate(context.Background(), dir, out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Reports != 200 || st.Agencies != 40 {
		t.Errorf("%d reports of %d agencies; want 200 of 40", st.Reports, st.Agencies)
	}
	for i := range 200 {
		r := synthReport(i, 40)
		if _, err := os.Stat(filepath.Join(out, "r", r.ID+".html")); err != nil {
			t.Error(err)
		}
	}
}
