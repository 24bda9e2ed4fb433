package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/output"
)

// TestParseCrawled crawls a loopback site whose reports are a fixture HTML
// page and a fixture PDF attachment, then parses the crawl: every report
// gets its URL as source, and the cells are those of the fixtures.
func TestParseCrawled(t *testing.T) {
	page, err := os.ReadFile("../../testdata/reports/html-2021-utf8-nodecl-split-labels/report.html")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile("../../testdata/pdf/gopdf-2021-ruled/report.pdf")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/nb/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><meta charset="utf-8"></head><body>
<a href="./202401/t20240110_1.htm">某县2023年政府信息公开工作年度报告</a>
<a href="./202401/t20240111_2.htm">某局2023年政府信息公开工作年度报告</a></body></html>`)
	})
	mux.HandleFunc("/nb/202401/t20240110_1.htm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("/nb/202401/t20240111_2.htm", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="某局2023年政府信息公开工作年度报告"></head>
<body><p>某局2023年政府信息公开工作年度报告</p><a href="/f/report.pdf">附件：年度报告.pdf</a></body></html>`)
	})
	mux.HandleFunc("/f/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(pdf)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	sites := writeRegistry(t, dir, srv.URL)
	crawled, data := filepath.Join(dir, "crawl"), filepath.Join(dir, "data")

	var stdout, stderr bytes.Buffer
	if code := run([]string{"crawl", "-q", "--sites", sites, "--delay", "0", "-o", crawled}, &stdout, &stderr); code != 0 {
		t.Fatalf("crawl: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if code := run([]string{"parse", "-q", "--crawl", crawled, "-o", data}, &stdout, &stderr); code != 0 {
		t.Fatalf("parse: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	reports, err := parquet.ReadFile[output.ReportRow](filepath.Join(data, "reports.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]output.ReportRow{}
	for _, r := range reports {
		got[strings.TrimPrefix(r.Source, srv.URL)] = r
	}
	for path, wantCells := range map[string]int32{"/nb/202401/t20240110_1.htm": 200, "/f/report.pdf": 200} {
		r, ok := got[path]
		switch {
		case !ok:
			t.Errorf("%s not parsed; reports: %v", path, got)
		case r.ParseStatus != "ok" || r.CellCount != wantCells || r.Revision == nil || *r.Revision != 1:
			t.Errorf("%s: status %s, %d cells, revision %v; want ok, %d cells, revision 1", path, r.ParseStatus, r.CellCount, r.Revision, wantCells)
		}
	}
	// The page that only links to the PDF has no tables of its own: as in
	// a run, it is no report.
	if r, ok := got["/nb/202401/t20240111_2.htm"]; ok {
		t.Errorf("the page that links to the report is a report too: status %s", r.ParseStatus)
	}
}

// TestParseLocked runs parse into a dataset another writer holds: it fails
// at once, naming the holder, and leaves the dataset as it was; once the
// holder is done, the same run succeeds.
func TestParseLocked(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	report := "../../testdata/reports/html-2021-utf8-nodecl-split-labels/report.html"
	var stdout, stderr bytes.Buffer
	if code := run([]string{"parse", "-q", "-o", data, report}, &stdout, &stderr); code != 0 {
		t.Fatalf("parse: exit %d\n%s", code, stderr.String())
	}
	before, _ := os.Readlink(data)
	ds, err := output.OpenDataset(data)
	if err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	code := run([]string{"parse", "-q", "-o", data, report}, &stdout, &stderr)
	want := fmt.Sprintf("nianbao parse: dataset %s is being written by pid %d since ", data, os.Getpid())
	if code != 1 || !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("parse of a locked dataset: exit %d, %q; want 1, %q…", code, stderr.String(), want)
	}
	if after, _ := os.Readlink(data); after != before {
		t.Errorf("the failed run changed the dataset: %s -> %s", before, after)
	}
	ds.Close()
	if code := run([]string{"parse", "-q", "-o", data, report}, &stdout, &stderr); code != 0 {
		t.Fatalf("parse after the lock was released: exit %d\n%s", code, stderr.String())
	}
}
