package crawl

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// benchSite serves a generated TRS-style column on loopback: lists list
// pages of perList report links each, every report page an HTML table and a
// link to a 50 KB PDF. Pages are generated per request, so the server's
// memory does not grow with the site.
type benchSite struct {
	lists, perList int
	pdf            []byte
}

func newBenchSite(lists, perList int) *benchSite {
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0123456789abcdef"), 50<<10/16)...)
	return &benchSite{lists: lists, perList: perList, pdf: pdf}
}

// fetches is the number of URLs a full crawl fetches.
func (s *benchSite) fetches() int { return s.lists + 1 + 2*s.lists*s.perList } // index.html and the column URL are the same page

func (s *benchSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/nb/" || strings.HasPrefix(p, "/nb/index"):
		n := 0
		if i := strings.IndexByte(p, '_'); i >= 0 {
			n, _ = strconv.Atoi(strings.TrimSuffix(p[i+1:], ".html"))
		}
		if n >= s.lists {
			http.NotFound(w, r)
			return
		}
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div><ul>`)
		for i := range s.perList {
			id := n*s.perList + i
			fmt.Fprintf(&b, `<li><a href="./2024%02d/t2024_%d.html" title="某某局%d年政府信息公开工作年度报告">某某局%d年政府信息公开工作年度报告</a><span>2024-03-08</span></li>`,
				id%12+1, id, 2000+id%25, 2000+id%25)
		}
		fmt.Fprintf(&b, `</ul><script>createPageHTML(%d, %d, "index", "html");</script></body></html>`, s.lists, n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	case strings.HasPrefix(p, "/nb/2024"):
		id := p[strings.LastIndexByte(p, '_')+1 : len(p)-len(".html")]
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" content="某某局%s号政府信息公开工作年度报告"><meta name="PubDate" content="2024-03-08 10:00"><title>年报</title></head>
<body><h1>某某局2023年政府信息公开工作年度报告</h1><p>发布日期：2024-03-08</p>%s%s%s<p>附件：<a href="/files/%s.pdf">年报.pdf</a></p></body></html>`,
			id, reportTable, reportTable, reportTable, id)
	case strings.HasPrefix(p, "/files/"):
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Length", strconv.Itoa(len(p)+len(s.pdf)))
		w.Write([]byte(p)) // makes every PDF distinct
		w.Write(s.pdf)
	default:
		http.NotFound(w, r)
	}
}

// cpuTime returns the process's user and system CPU time so far.
func cpuTime() (user, sys time.Duration) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// peakHeap samples the heap in use until stop is closed.
func peakHeap(stop <-chan struct{}) func() uint64 {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapInuse+ms.StackInuse)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { <-done; return peak }
}

// BenchmarkCrawlSite crawls generated loopback sites with politeness off
// and reports pages per second, CPU time per page (crawler and in-process
// server together; sys-ms/page is the kernel's share), peak heap and the
// process's peak RSS. Run each size in its own process, with -benchtime=1x:
//
//	go test -run '^$' -bench 'CrawlSite/pages=10251$' -benchtime=1x ./crawl/
func BenchmarkCrawlSite(b *testing.B) {
	for _, size := range []struct{ lists, perList int }{{50, 20}, {250, 20}, {500, 20}} {
		site := newBenchSite(size.lists, size.perList)
		b.Run(fmt.Sprintf("pages=%d", site.fetches()), func(b *testing.B) {
			srv := httptest.NewServer(site)
			defer srv.Close()
			host := strings.TrimPrefix(srv.URL, "http://")
			for b.Loop() {
				dir := b.TempDir()
				cfg := Config{
					Registry: &Registry{Sites: []Site{{Name: "bench", Agency: "某某局", Start: []string{srv.URL + "/nb/"}, Hosts: []string{host}}}},
					Dir:      dir,
					Delay:    -1,
					Parallel: 8,
					MaxPages: 1 << 20,
					MaxDocs:  1 << 20,
				}
				runtime.GC()
				stop := make(chan struct{})
				peak := peakHeap(stop)
				user0, sys0 := cpuTime()
				t0 := time.Now()
				sum, err := Run(b.Context(), cfg)
				elapsed := time.Since(t0)
				user1, sys1 := cpuTime()
				user, sys := user1-user0, sys1-sys0
				close(stop)
				if err != nil {
					b.Fatal(err)
				}
				if got := sum.Pages + sum.Attachments; got != site.fetches() || sum.New != 2*size.lists*size.perList {
					b.Fatalf("crawled %d pages and attachments (%+v), want %d", got, sum, site.fetches())
				}
				n := float64(site.fetches())
				b.ReportMetric(n/elapsed.Seconds(), "pages/s")
				b.ReportMetric(float64((user+sys).Microseconds())/1000/n, "cpu-ms/page")
				// System time is mostly file creation in the archive, which
				// varies a lot with the machine's disk and load.
				b.ReportMetric(float64(sys.Microseconds())/1000/n, "sys-ms/page")
				b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
				var ru syscall.Rusage
				syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
				b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB") // process-wide high-water mark
			}
		})
	}
}
