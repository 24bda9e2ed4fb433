package crawl

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countrySite answers for many virtual hosts, h0001.gov.test …, each a
// county portal: a home page, a 政务公开 landing, the 年报 column (found
// by discovery) and three reports; pages are made per request, so the
// server's memory does not grow with the number of hosts.
type countrySite struct{}

func (countrySite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := strings.Cut(r.Host, ":")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch p := r.URL.Path; {
	case p == "/robots.txt":
		fmt.Fprint(w, "User-agent: *\nDisallow: /search/\n")
	case p == "/":
		fmt.Fprintf(w, `<html><head><title>%s人民政府</title></head><body><a href="/zwgk/">政务公开</a> <a href="/zfgzbg/">政府工作报告</a> <a href="/news/">新闻</a></body></html>`, host)
	case p == "/zwgk/":
		fmt.Fprint(w, `<html><head><title>政务公开</title></head><body><a href="/zwgk/ndbb/">政府网站工作年度报表</a> <a href="/zwgk/nb/">政府信息<br>公开年报</a></body></html>`)
	case p == "/zwgk/nb/":
		var b strings.Builder
		b.WriteString(`<html><head><meta name="ColumnName" content="政府信息公开年报"><title>政府信息公开年报</title></head><body><ul>`)
		for y := 2021; y <= 2023; y++ {
			fmt.Fprintf(&b, `<li><a href="/zwgk/nb/%d.html">%s%d年政府信息公开工作年度报告</a></li>`, y, host, y)
		}
		b.WriteString(`</ul></body></html>`)
		fmt.Fprint(w, b.String())
	case strings.HasPrefix(p, "/zwgk/nb/") && strings.HasSuffix(p, ".html"):
		y := strings.TrimSuffix(strings.TrimPrefix(p, "/zwgk/nb/"), ".html")
		fmt.Fprintf(w, `<html><head><meta name="ArticleTitle" content="%s%s年政府信息公开工作年度报告"><meta name="PubDate" content="2024-03-01"></head><body><table><tr><td>本年新收</td><td>%s</td></tr></table></body></html>`, host, y, y)
	default:
		http.NotFound(w, r)
	}
}

// countryPages is what the crawl of one host fetches: robots.txt, home,
// landing, column, and three reports (the column again as the crawl's
// start, revalidated).
const countryPages = 8

// BenchmarkCountry crawls a loopback "country" of virtual hosts with
// politeness on (one request in flight per host, 1 s apart) and 256 sites
// at once, every portal found from its home page; it reports hosts/s,
// pages/s, CPU per page, the process's peak RSS and the peak of the Go
// heap found live, at 500 and 2,000 hosts. One server, in a child
// process, answers every host name: the crawler's transport dials it
// whatever the name. Run it with -benchtime 1x, one host count a process
// (the second would start from the first's heap):
//
//	go test -run '^$' -bench 'BenchmarkCountry/hosts=500$' -benchtime 1x ./crawl/
//	go test -run '^$' -bench 'BenchmarkCountry/hosts=2000$' -benchtime 1x ./crawl/
//
// peak-rss-quarter-MB is the peak RSS by the time a quarter of the
// reports are in, and rss-quarter-to-all how much more the whole run's is: the
// growth from 500 to 2,000 hosts done within the 2,000-host run, in the
// steady state of 256 sites at once (the 500-host run alone ends about
// when its first sites do, so its peak is the ramp's).
//
// NIANBAO_HEAP_DIR=DIR also writes heap profiles every 5 s and the memory
// classes every 50 ms into DIR.
func BenchmarkCountry(b *testing.B) {
	addr := startCountry(b)
	dial := &net.Dialer{Timeout: 5 * time.Second}
	var dials atomic.Int64
	loopback := func(ctx context.Context, network, _ string) (net.Conn, error) {
		dials.Add(1)
		return dial.DialContext(ctx, network, addr)
	}
	for _, hosts := range []int{500, 2000} {
		b.Run("hosts="+strconv.Itoa(hosts), func(b *testing.B) {
			for b.Loop() {
				sites := make([]Site, hosts)
				for i := range sites {
					h := fmt.Sprintf("h%04d.gov.test", i)
					sites[i] = Site{Name: h, Agency: h + "人民政府", Start: []string{"http://" + h + "/"}, Hosts: []string{h}, Discover: true}
				}
				cfg := Config{Registry: &Registry{Sites: sites}, Dir: b.TempDir(), Delay: time.Second, Sites: 256,
					Logger: discardLogger()}
				// The crawler's own transport, every connection made to the
				// loopback server.
				cfg.dial = loopback
				// The peak RSS by the time a quarter of the reports are in,
				// read in the same run: how memory grows from there to all
				// of them, in the steady state (the run of 500 hosts alone
				// ends about when its first sites do).
				var quarterRSS atomic.Uint64
				cfg.ProgressEvery = 250 * time.Millisecond
				cfg.OnProgress = func(s Summary) {
					if s.Reports >= 3*hosts/4 && quarterRSS.Load() == 0 { // three reports a host
						quarterRSS.Store(vmHWM())
					}
				}
				if dir := os.Getenv("NIANBAO_HEAP_DIR"); dir != "" {
					// Heap snapshots along the run, to see what grows with the hosts:
					// go tool pprof -sample_index inuse_space DIR/heap-2000-*.pb.gz
					runtime.MemProfileRate = 4096
					var last time.Time
					quarter := cfg.OnProgress
					cfg.OnProgress = func(s Summary) {
						quarter(s)
						if time.Since(last) >= 5*time.Second {
							last = time.Now()
							writeHeap(b, dir, hosts, s.Requests)
						}
					}
					defer sampleMemory(b, dir, hosts)()
				}
				runtime.GC()
				resetHWM()
				stopLive := peakLive()
				dials0 := dials.Load()
				user0, sys0 := cpuTime()
				t0 := time.Now()
				sum, err := Run(b.Context(), cfg)
				elapsed := time.Since(t0)
				user1, sys1 := cpuTime()
				live := stopLive()
				if err != nil {
					b.Fatal(err)
				}
				if sum.Reports != 3*hosts {
					b.Fatalf("%d reports from %d hosts, want %d: %+v", sum.Reports, hosts, 3*hosts, sum)
				}
				pages := float64(sum.Requests)
				b.ReportMetric(float64(hosts)/elapsed.Seconds(), "hosts/s")
				b.ReportMetric(pages/elapsed.Seconds(), "pages/s")
				b.ReportMetric(pages/float64(hosts), "pages/host")
				b.ReportMetric(float64(dials.Load()-dials0)/pages, "dials/page")
				b.ReportMetric(float64((user1-user0+sys1-sys0).Microseconds())/1000/pages, "cpu-ms/page")
				peak := vmHWM()
				b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MB")
				if q := quarterRSS.Load(); q > 0 {
					b.ReportMetric(float64(q)/(1<<20), "peak-rss-quarter-MB")
					b.ReportMetric(float64(peak)/float64(q), "rss-quarter-to-all")
				}
				b.ReportMetric(float64(live)/(1<<20), "peak-live-MB")
				b.ReportMetric(0, "ns/op")
			}
		})
	}
}

// writeHeap writes a heap profile of the run crawling hosts hosts, after
// requests requests, into dir.
func writeHeap(b *testing.B, dir string, hosts, requests int) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("hosts %d requests %d: rss %d MB (anon %d, file %d), heap in use %d MB, heap sys %d MB, released %d MB, stacks %d MB, sys %d MB, goroutines %d",
		hosts, requests, vmRSS()>>20, procStatus("RssAnon:")>>20, procStatus("RssFile:")>>20, ms.HeapInuse>>20, ms.HeapSys>>20, ms.HeapReleased>>20,
		ms.StackInuse>>20, ms.Sys>>20, runtime.NumGoroutine())
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d-%06d.pb.gz", hosts, requests)))
	if err != nil {
		b.Error(err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Error(err)
	}
}

// peakLive samples the Go heap that the last garbage collection found
// live, every 100 ms, until the function it returns is called, which
// returns the largest: what the crawler holds, without the slack the
// collector leaves above it that peak RSS also counts.
func peakLive() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak }
}

// sampleMemory writes the process's resident memory and the Go runtime's
// view of it every 50 ms into dir until the function it returns is called.
func sampleMemory(b *testing.B, dir string, hosts int) (stop func()) {
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("mem-%d.tsv", hosts)))
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"/memory/classes/total:bytes", "/memory/classes/heap/objects:bytes", "/gc/heap/goal:bytes",
		"/memory/classes/heap/stacks:bytes", "/memory/classes/heap/released:bytes", "/memory/classes/heap/free:bytes",
		"/memory/classes/heap/unused:bytes", "/memory/classes/metadata/other:bytes", "/memory/classes/other:bytes",
		"/memory/classes/os-stacks:bytes", "/memory/classes/profiling/buckets:bytes", "/sched/goroutines:goroutines"}
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	fmt.Fprintln(f, "ms\trss\tanon\ttotal\tobjects\tgoal\tstacks\treleased\tfree\tunused\tmetadata\tother\tos-stacks\tprofiling\tgoroutines")
	done := make(chan struct{})
	finished := make(chan struct{})
	t0 := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(samples)
			fmt.Fprintf(f, "%d\t%d\t%d", time.Since(t0).Milliseconds(), vmRSS()>>20, procStatus("RssAnon:")>>20)
			for i, s := range samples {
				if i == len(samples)-1 {
					fmt.Fprintf(f, "\t%d", s.Value.Uint64())
				} else {
					fmt.Fprintf(f, "\t%d", s.Value.Uint64()>>20)
				}
			}
			fmt.Fprintln(f)
		}
	}()
	return func() { close(done); <-finished; f.Close() }
}

// countryEnv, set in the environment of this test binary, makes it serve
// the loopback country instead of running tests: BenchmarkCountry runs the
// server in a process of its own, so that the memory and CPU it measures
// are the crawler's alone.
const countryEnv = "NIANBAO_COUNTRY_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(countryEnv) != "" {
		serveCountry()
		return
	}
	os.Exit(m.Run())
}

// serveCountry serves countrySite on a loopback port, which it prints on
// the first line of its standard output, until its standard input closes.
func serveCountry() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	srv := &http.Server{Handler: countrySite{}, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintln(os.Stderr, srv.Serve(ln))
	os.Exit(1)
}

// startCountry starts the country's server in a child process and returns
// its address; the child ends with the benchmark.
func startCountry(b *testing.B) string {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), countryEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("country server: %v", err)
	}
	return strings.TrimSpace(addr)
}

// resetHWM resets this process's peak resident memory (Linux; a no-op
// elsewhere), so that each run's peak is its own.
func resetHWM() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// vmHWM is this process's peak resident memory since resetHWM.
func vmHWM() uint64 { return procStatus("VmHWM:") }

// vmRSS is this process's resident memory.
func vmRSS() uint64 { return procStatus("VmRSS:") }

// procStatus reads a size in kB from /proc/self/status, in bytes.
func procStatus(key string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
