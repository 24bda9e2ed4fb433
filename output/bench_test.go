package output

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// BenchmarkWriteDataset writes the dataset of a synthetic national batch
// (synthReport) of 5,000 and of 20,000 reports, and the same batch in the
// layout of schema 1 (one cells.parquet in the order written, no
// dictionary encoding) to compare with. Run it with -benchtime 1x:
//
//	go test -run '^$' -bench BenchmarkWriteDataset -benchtime 1x ./output/
//
// Metrics:
//
//   - cells-KB/1k-reports: the cells table's bytes per 1,000 reports;
//     legacy-cells-KB/1k-reports the same in schema 1, and cells-shrink-x
//     the ratio of the two.
//   - peak-heap-MiB: the most heap in use (objects, live or not yet
//     collected) while writing, sampled every millisecond; peak-live-MiB
//     the most the collector found live. Neither may grow with the number
//     of reports (the first varies more from run to run, with the
//     collector's timing).
//   - cells/report: the batch's cells per report.
//   - duckdb-key-ms, legacy-duckdb-key-ms, duckdb-speedup-x: the median
//     time DuckDB (scripts/duckdb/bench.mjs, through node) takes to answer
//     SELECT count(*) … WHERE key = 't3/new_received/total' on each
//     layout, and the ratio; the log says how many row groups the key's
//     statistics admit in each, of all, and shows the new layout's
//     EXPLAIN ANALYZE (run with -v). Skipped, with a message, without node
//     or without scripts/duckdb/node_modules (npm install there).
func BenchmarkWriteDataset(b *testing.B) {
	for _, n := range []int{5000, 20000} {
		b.Run("reports="+strconv.Itoa(n), func(b *testing.B) {
			var dir, legacy string
			var peak, live uint64
			cells := 0
			for b.Loop() {
				root := b.TempDir()
				dir = filepath.Join(root, "data")
				runtime.GC()
				stop := sampleHeap()
				w, err := Create(dir, Options{Version: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				cells = 0
				for i := range n {
					r := synthReport(i)
					cells += len(r.Cells)
					if err := w.Write(r); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				peak, live = stop()

				b.StopTimer()
				legacy = filepath.Join(root, "legacy")
				if err := writeLegacyBatch(legacy, n); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			perK := func(bytes int64) float64 { return float64(bytes) / 1e3 / (float64(n) / 1e3) }
			size, old := treeSize(b, filepath.Join(dir, CellsDir)), treeSize(b, filepath.Join(legacy, "cells.parquet"))
			b.ReportMetric(perK(size), "cells-KB/1k-reports")
			b.ReportMetric(perK(old), "legacy-cells-KB/1k-reports")
			b.ReportMetric(float64(old)/float64(size), "cells-shrink-x")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(live)/(1<<20), "peak-live-MiB")
			b.ReportMetric(float64(cells)/float64(n), "cells/report")
			b.ReportMetric(0, "ns/op") // one op is one whole batch: the time is in the metrics above
			duckdbKeyFilter(b, filepath.Join(dir, CellsDir, "*", "*.parquet"), filepath.Join(legacy, "cells.parquet"))
		})
	}
}

// writeLegacyBatch writes the synthetic batch of n reports in schema 1.
func writeLegacyBatch(dir string, n int) error {
	if err := os.Mkdir(dir, 0o777); err != nil {
		return err
	}
	lw, err := newLegacyWriter(dir)
	if err != nil {
		return err
	}
	for i := range n {
		if err := lw.write(synthReport(i)); err != nil {
			return err
		}
	}
	return lw.close()
}

// duckdbKeyFilter times DuckDB counting the cells of one key in each
// layout.
func duckdbKeyFilter(b *testing.B, glob, legacy string) {
	script, _ := filepath.Abs("../scripts/duckdb/bench.mjs")
	node, err := exec.LookPath("node")
	if err != nil {
		b.Log("DuckDB timing skipped: no node on PATH")
		return
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "@duckdb", "node-api")); err != nil {
		b.Log("DuckDB timing skipped: run npm install in scripts/duckdb")
		return
	}
	const key = "t3/new_received/total"
	// The row groups whose statistics admit the key, of all: those DuckDB
	// must read.
	groups := `SELECT (count(*) FILTER (WHERE stats_min_value <= '%[2]s' AND stats_max_value >= '%[2]s'))::VARCHAR || '/' || count(*)
		FROM parquet_metadata('%[1]s') WHERE path_in_schema = 'key'`
	out, err := exec.Command(node, script, "--runs", "7",
		fmt.Sprintf("SELECT count(*) AS n FROM read_parquet('%s', hive_partitioning = true) WHERE key = '%s'", glob, key),
		fmt.Sprintf("SELECT count(*) AS n FROM read_parquet('%s') WHERE key = '%s'", legacy, key),
		fmt.Sprintf(groups, glob, key), fmt.Sprintf(groups, legacy, key)).Output()
	if err != nil {
		b.Fatalf("%s: %v\n%s", script, err, out)
	}
	var res []struct {
		Median  float64 `json:"median_ms"`
		Rows    string  `json:"rows"`
		Explain string  `json:"explain_analyze"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res) != 4 {
		b.Fatalf("%s said %s: %v", script, out, err)
	}
	if res[0].Rows != res[1].Rows {
		b.Fatalf("the layouts count %s and %s cells", res[0].Rows, res[1].Rows)
	}
	b.ReportMetric(res[0].Median, "duckdb-key-ms")
	b.ReportMetric(res[1].Median, "legacy-duckdb-key-ms")
	b.ReportMetric(res[1].Median/res[0].Median, "duckdb-speedup-x")
	b.Logf("row groups the key's statistics admit: %s (legacy %s); EXPLAIN ANALYZE:\n%s", res[2].Rows, res[3].Rows, res[0].Explain)
}

// sampleHeap samples the heap every millisecond until the function it
// returns is called, which returns the peaks of the heap in use (objects
// live or not yet collected) and of the live heap (as the last collection
// found it).
func sampleHeap() func() (inUse, live uint64) {
	var (
		mu             sync.Mutex
		peak, peakLive uint64
		done           = make(chan struct{})
		wg             sync.WaitGroup
	)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	read := func() {
		metrics.Read(sample)
		mu.Lock()
		peak = max(peak, sample[0].Value.Uint64())
		peakLive = max(peakLive, sample[1].Value.Uint64())
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() (uint64, uint64) {
		read()
		close(done)
		wg.Wait()
		return peak, peakLive
	}
}

// treeSize is the bytes of the files at or under path.
func treeSize(b *testing.B, path string) int64 {
	var n int64
	err := filepath.Walk(path, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// The agencies of the synthetic batch: 31 provinces' 120 counties each,
// every one publishing a report a year.
var provinces = strings.Fields("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆")

const synthCounties = 120

// synthReport is report i of a synthetic national batch, the same for
// the same i, shaped like the real reports of ../shared/corpus: the
// template's real keys (t2's rows under the columns the template prints
// for them, t3's rows under every applicant column, with 小计 in a third of
// the reports, t4's blocks), some 200 cells; values mostly 0, how often
// and how big depending on the key, as the real ones do (the totals and
// the requests received are rarely 0, the withheld rows almost always);
// now and then a blank. Each agency keeps its format and, for PDFs, its
// page layout (to 1/100 pt) from year to year, and publishes a report a
// year: agency i mod 3,720, year 2019 + i/3,720; 1 in 50 says no year; 1
// in 40 failed, with nothing but its source and a warning.
func synthReport(i int) *normalize.Report {
	rng := rand.New(rand.NewPCG(uint64(i), 0x6e69616e62616f))
	sum := sha256.Sum256([]byte("report " + strconv.Itoa(i)))
	sha := hex.EncodeToString(sum[:])
	agencies := len(provinces) * synthCounties
	agency := i % agencies
	r := &normalize.Report{ID: sha[:16], SHA256: sha, Status: normalize.StatusOK}
	switch agency % 10 {
	case 0, 2, 4, 6, 8:
		r.Format = string(parse.FormatPDF)
	case 9:
		r.Format = string(parse.FormatText)
	default:
		r.Format = string(parse.FormatHTML)
	}
	r.Source = fmt.Sprintf("https://www.gov%d.gov.cn/zwgk/nb/%s.%s", agency, sha[:12], r.Format)
	if i%40 == 39 {
		r.Status, r.Template = normalize.StatusFailed, normalize.TemplateUnknown
		r.Warnings = []parse.Warning{{Code: normalize.CodeTablesNone, Message: "no table of the national template"}}
		return r
	}
	r.Year = 2019 + (i/agencies)%6
	if i%50 == 17 {
		r.Year = 0
	}
	r.Agency = fmt.Sprintf("%s第%d县人民政府", provinces[agency%len(provinces)], agency/len(provinces)+1)
	r.Title = fmt.Sprintf("%s%d年政府信息公开工作年度报告", r.Agency, r.Year)
	r.Template = normalize.Template2021
	if r.Year > 0 && r.Year < 2021 {
		r.Template = normalize.Template2019
	}
	if i%15 == 3 {
		r.Status = normalize.StatusPartial
		r.Warnings = []parse.Warning{{Code: normalize.CodeLabelUnplaced, Message: "label 其他事项 matches no template row", Loc: parse.Loc{Line: 120 + i%50, Table: 2, Row: 14}}}
	}
	subtotal := agency%3 == 0
	layout := rand.New(rand.NewPCG(uint64(agency), 0x6c61796f7574))
	left, top := 50+float64(layout.IntN(4000))/100, 760+float64(layout.IntN(3000))/100
	colW, rowH := 45+float64(layout.IntN(1500))/100, 15+float64(layout.IntN(500))/100
	page := 2
	for ti, t := range normalize.Tables {
		gridRow, y := 2, top-2*rowH
		for _, row := range normalize.Rows {
			if row.Table != t.ID || row.Templates != "" && row.Templates != r.Template {
				continue
			}
			gridRow++
			if y -= rowH; y < 60 {
				page, y = page+1, top
			}
			gridCol := 1
			for _, col := range synthCols(r.Template, t.ID, row.Key) {
				if col.Key == "org_subtotal" && !subtotal {
					continue
				}
				gridCol++
				c := normalize.Cell{Table: t.ID, Row: row.Key, Col: col.Key, Label: row.Label,
					Loc: parse.Loc{Table: ti + 1, Row: gridRow, Col: gridCol}}
				v := synthValue(rng, c.Key(), col.Money)
				switch {
				case rng.IntN(25) == 0:
					c.Raw = []string{"", "/", "—"}[rng.IntN(3)]
				case col.Money:
					c.Value, c.Raw = &v, strconv.FormatFloat(v, 'f', -1, 64)
				default:
					c.Value, c.Raw = &v, strconv.Itoa(int(v))
				}
				if r.Format == string(parse.FormatPDF) {
					x := left + float64(gridCol-1)*colW
					c.Loc.Page, c.Loc.BBox = page, [4]float64{x, y, x + colW, y + rowH}
				} else {
					c.Loc.Line = 80 + 40*ti + 3*gridRow + gridCol
				}
				r.Cells = append(r.Cells, c)
			}
		}
		page++
	}
	r.Checks = normalize.Checks(r.Cells)
	return r
}

// synthCols are the columns printed for a row of a template's table.
func synthCols(template string, table normalize.TableID, row string) []normalize.ColDef {
	var keys []string
	if table == normalize.T2 {
		t21 := template == normalize.Template2021
		switch {
		case strings.HasPrefix(row, "art20_1.") && t21:
			keys = []string{"issued", "repealed", "in_force"}
		case strings.HasPrefix(row, "art20_1."):
			keys = []string{"new_made", "new_published", "total_published"}
		case row == "art20_8.fees" && t21:
			keys = []string{"fee_amount_wan"}
		case row == "art20_9.procurement":
			keys = []string{"procurement_items", "procurement_amount_wan"}
		case t21:
			keys = []string{"decisions"}
		default:
			keys = []string{"prev_year_items", "decisions"}
		}
	}
	var out []normalize.ColDef
	for _, c := range normalize.Cols {
		if c.Table == table && (c.Templates == "" || c.Templates == template) && (keys == nil || slices.Contains(keys, c.Key)) {
			out = append(out, c)
		}
	}
	return out
}

// synthValue is the number printed in a cell of key: 0 but with the
// key's odds, else about the key's size; money with two decimals.
func synthValue(rng *rand.Rand, key string, money bool) float64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	k := h.Sum64()
	odds := math.Pow(float64(k%1000)/1000, 4) // most keys are nearly always 0
	if strings.Contains(key, "/total") || strings.HasPrefix(key, "t3/new_received/") || strings.HasPrefix(key, "t3/result.disclosed/") {
		odds = 0.9
	}
	if rng.Float64() >= odds {
		return 0
	}
	v := math.Floor(math.Exp(float64(k>>10%1000)/1000*6) * (0.5 + rng.Float64()))
	if money {
		return math.Round(v*rng.Float64()*100) / 100
	}
	return v + 1
}
