package crawl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// A fixture is a government-like site served on loopback. It counts the
// requests it sees per URL (path and query) and the full bodies it sends.
type fixture struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	hits   map[string]int // requests per path?query
	bodies map[string]int // 2xx answers per path?query
	agents map[string]bool
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, routes: map[string]http.HandlerFunc{}, hits: map[string]int{}, bodies: map[string]int{}, agents: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func key(r *http.Request) string {
	if r.URL.RawQuery != "" {
		return r.URL.Path + "?" + r.URL.RawQuery
	}
	return r.URL.Path
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = 200
	}
	return s.ResponseWriter.Write(b)
}

func (f *fixture) serve(w http.ResponseWriter, r *http.Request) {
	k := key(r)
	f.mu.Lock()
	f.hits[k]++
	f.agents[r.UserAgent()] = true
	h := f.routes[k]
	if h == nil {
		h = f.routes[r.URL.Path]
	}
	for p, th := range f.routes {
		if h == nil && strings.HasSuffix(p, "/*") && strings.HasPrefix(r.URL.Path, strings.TrimSuffix(p, "*")) {
			h = th
		}
	}
	f.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	h(rec, r)
	if rec.code >= 200 && rec.code < 300 {
		f.mu.Lock()
		f.bodies[k]++
		f.mu.Unlock()
	}
}

func (f *fixture) handle(p string, h http.HandlerFunc) {
	f.mu.Lock()
	f.routes[p] = h
	f.mu.Unlock()
}

// file serves body at p with an ETag and Last-Modified, answering
// conditional requests with 304 as real servers do.
func (f *fixture) file(p, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	mod := time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)
	f.handle(p, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, "", mod, bytes.NewReader(body))
	})
}

// html serves an HTML page as UTF-8.
func (f *fixture) html(p, body string) { f.file(p, "text/html; charset=utf-8", []byte(body)) }

func (f *fixture) url(p string) string { return f.srv.URL + p }

func (f *fixture) host() string { u, _ := url.Parse(f.srv.URL); return u.Host }

func (f *fixture) site(name string, start ...string) Site {
	var abs []string
	for _, s := range start {
		abs = append(abs, f.url(s))
	}
	return Site{Name: name, Agency: name + "人民政府", Start: abs, Hosts: []string{f.host()}}
}

func (f *fixture) hitsOf(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[k]
}

func (f *fixture) bodiesOf(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[k]
}

// resetCounts forgets the requests seen so far.
func (f *fixture) resetCounts() {
	f.mu.Lock()
	f.hits, f.bodies = map[string]int{}, map[string]int{}
	f.mu.Unlock()
}

// testConfig is a fast, impolite configuration for loopback fixtures.
func testConfig(t *testing.T, dir string, sites ...Site) Config {
	return Config{
		Registry:      &Registry{Sites: sites},
		Dir:           dir,
		Delay:         -1,
		Parallel:      2,
		Timeout:       2 * time.Second,
		MaxRetries:    2,
		RetryBase:     time.Millisecond,
		MaxRetryAfter: time.Second,
		BlockBackoff:  time.Millisecond,
		Logger:        slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
}

func mustRun(t *testing.T, cfg Config) Summary {
	t.Helper()
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum
}

func mustDocuments(t *testing.T, dir string) map[string][]Document {
	t.Helper()
	docs, err := Documents(context.Background(), dir)
	if err != nil {
		t.Fatalf("Documents: %v", err)
	}
	out := map[string][]Document{}
	for _, d := range docs {
		out[d.URL] = append(out[d.URL], d)
	}
	return out
}

// archiveFiles returns the sha256 names of the files in dir's raw archive.
func archiveFiles(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(dir, "raw"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".tmp" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			out[d.Name()] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// reportPage renders a TRS-style article page of an annual report.
func reportPage(title, date string, body string) string {
	return fmt.Sprintf(`<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="%s"><meta name="PubDate" content="%s 09:30">
<meta name="ContentSource" content="办公室"><title>%s_某某县人民政府</title></head>
<body><div class="header"><a href="/">首页</a></div><h1>%s</h1><p>发布日期：%s</p>%s</body></html>`,
		title, date, title, title, date, body)
}

const reportTable = `<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>3</td></tr></table>`

// listPage renders a list page with the given links (href, text) and extra
// markup (pagers, scripts).
func listPage(title string, links [][2]string, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title></head><body><ul>`, title)
	for _, l := range links {
		fmt.Fprintf(&b, `<li><a href="%s" target="_blank">%s</a><span>2024-03-08</span></li>`, l[0], l[1])
	}
	fmt.Fprintf(&b, `</ul>%s<a href="http://127.0.0.2:1/copy.html">政府信息公开工作年度报告 镜像</a></body></html>`, extra)
	return b.String()
}
