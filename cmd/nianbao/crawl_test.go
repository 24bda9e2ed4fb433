package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/gofrs/flock"
	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/crawl"
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

// TestCrawlCommandHostile runs nianbao crawl against a site that sends raw
// bytes and more attachments than the caps allow: the closing lines say
// which cap stopped the crawl, and documents.parquet holds valid UTF-8
// only.
func TestCrawlCommandHostile(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/nb/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><meta charset="utf-8"><title>年报</title></head><body>
<a href="/nb/moved.htm">某县2022年政府信息公开工作年度报告</a>`)
		for i := range 50 {
			fmt.Fprintf(w, "<a href=\"/f/%d.pdf\">某县2023年政府信息公开工作年度报告（%d）</a>\n", i, i)
		}
		fmt.Fprint(w, `</body></html>`)
	})
	mux.HandleFunc("/nb/moved.htm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://\xff\xfe/x")
		w.WriteHeader(http.StatusFound)
	})
	mux.HandleFunc("/f/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", "\"\xff\"")
		fmt.Fprint(w, "%PDF-1.4 "+r.URL.Path)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dir := t.TempDir()
	sites := writeRegistry(t, dir, srv.URL)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := run([]string{"crawl", "--sites", sites, "--delay", "0", "--max-docs", "5", "--max-bytes", "1MiB", "--disk-budget", "1GB", "-o", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{
		"documents: 4 new",              // the redirect is the fifth document, and fails
		"1 failed",                      // the redirect to a raw-byte host
		"5 with invalid UTF-8 replaced", // the redirect's error and four ETags
		"46 over the document cap (--max-docs)",
		"0 over the byte cap (--max-bytes), 0 over the disk budget (--disk-budget)",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "document cap reached") {
		t.Errorf("log does not say the document cap was reached:\n%s", stderr.String())
	}
	rows, err := parquet.ReadFile[output.DocumentRow](filepath.Join(out, output.DocumentsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Errorf("documents.parquet has %d rows, want 5", len(rows))
	}
	for _, r := range rows {
		v := reflect.ValueOf(r)
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.String && !utf8.ValidString(f.String()) {
				t.Errorf("row %s: %s %q is not valid UTF-8", r.URL, v.Type().Field(i).Name, f.String())
			}
		}
	}
}

// TestCrawlCommandLocked checks that a crawl of a directory another crawl
// holds fails at once, naming the holder, and requests nothing.
func TestCrawlCommandLocked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request %s while the directory is locked", r.URL)
	}))
	defer srv.Close()
	dir := t.TempDir()
	sites := writeRegistry(t, dir, srv.URL)
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	lock := flock.New(filepath.Join(out, crawl.LockFile))
	if ok, err := lock.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock: %v, %v", ok, err)
	}
	defer lock.Close()
	const holder = "pid 4242 since 2026-01-01T00:00:00Z"
	if err := os.WriteFile(lock.Path(), []byte(holder+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"crawl", "--sites", sites, "--delay", "0", "-o", out}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d, want 1\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if want := "crawl directory " + out + " is being used by " + holder; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"1048576", 1 << 20}, {"500MB", 500e6}, {"2GiB", 2 << 30}, {"2gib", 2 << 30}, {"1.5G", 3 << 29},
		{"64k", 64 << 10}, {"10 kB", 10e3}, {"7B", 7}, {"1TB", 1e12}, {"3TiB", 3 << 40},
	} {
		if got, err := parseSize(tc.in); err != nil || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "MB", "-1MB", "0", "0.1", "12XB", "1e9", "1.2.3GB", "99999999TiB"} {
		if got, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d; want an error", bad, got)
		}
	}
}
