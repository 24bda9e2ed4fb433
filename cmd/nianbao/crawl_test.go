package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/output"
)

// TestCrawlCommand runs nianbao crawl against a small site on loopback and
// reads the documents dataset it writes; a second run finds nothing new.
func TestCrawlCommand(t *testing.T) {
	pdf := []byte("%PDF-1.4 annual report")
	var mu sync.Mutex
	hits := map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("/nb/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><meta charset="utf-8"><title>年报</title></head><body>
<a href="./202403/t20240308_1.htm">某县2023年政府信息公开工作年度报告</a></body></html>`)
	})
	mux.HandleFunc("/nb/202403/t20240308_1.htm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", "Fri, 08 Mar 2024 00:00:00 GMT")
		if r.Header.Get("If-Modified-Since") != "" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, `<html><head><meta name="ArticleTitle" content="某县2023年政府信息公开工作年度报告">
<meta name="PubDate" content="2024-03-08"></head><body><a href="/f/nb.pdf">附件</a></body></html>`)
	})
	mux.HandleFunc("/f/nb.pdf", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.Header.Get("If-None-Match")]++
		mu.Unlock()
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(pdf)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	sites := writeRegistry(t, dir, srv.URL)
	out := filepath.Join(dir, "out")

	var stdout, stderr bytes.Buffer
	if code := run([]string{"crawl", "--sites", sites, "--delay", "0", "--parallel", "2", "--contact", "mailto:ops@example.org", "-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"1 reports found (1 attachments)", "documents: 2 new, 0 changed, 0 unchanged", "0 failed, 0 blocked"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "site=test") {
		t.Errorf("logs do not name the site:\n%s", stderr.String())
	}
	rows, err := parquet.ReadFile[output.DocumentRow](filepath.Join(out, output.DocumentsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("documents.parquet has %d rows, want 2: %+v", len(rows), rows)
	}
	for _, r := range rows {
		if r.Site != "test" || r.Agency != "某县人民政府" || r.Year == nil || *r.Year != 2023 || r.PublishDate == nil ||
			r.Status != "new" || r.Revision != 1 || r.SHA256 == "" {
			t.Errorf("row %+v", r)
		}
	}

	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"crawl", "-q", "--sites", sites, "--delay", "0", "-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "documents: 0 new, 0 changed, 2 unchanged") {
		t.Errorf("second run:\n%s", stdout.String())
	}
	if hits[""] != 1 || hits[`"v1"`] != 1 {
		t.Errorf("PDF requests by If-None-Match: %v; want one plain and one conditional", hits)
	}
}

// writeRegistry writes a registry of one site, "test", whose 年报 column
// is /nb/ on the loopback server at base, and returns its path.
func writeRegistry(t *testing.T, dir, base string) string {
	t.Helper()
	path := filepath.Join(dir, "sites.yaml")
	host := strings.TrimPrefix(base, "http://")
	reg := fmt.Sprintf("sites:\n  - name: test\n    agency: 某县人民政府\n    start: [%s/nb/]\n    hosts: [%q]\n", base, host)
	if err := os.WriteFile(path, []byte(reg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
