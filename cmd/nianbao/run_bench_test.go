//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"
	"unsafe"

	"github.com/opengov-cn/nianbao/cmd/nianbao/internal/benchsite"
)

// BenchmarkRun runs 'nianbao run' as a user would, on a generated loopback
// site (cmd/nianbao/internal/benchsite) of 2,000 and 8,000 reports, half
// HTML pages and half PDF attachments behind article pages, with
// politeness off (--delay 0 --parallel 8): on one CPU with -j 1 (this
// process and its workers pinned to it, GOMAXPROCS 1), and on two CPUs
// with -j 1 and -j 2. Run it with -benchtime=1x; one iteration is a whole
// run from an empty dataset directory:
//
//	go test -run '^$' -bench BenchmarkRun -benchtime 1x ./cmd/nianbao/
//
// Every iteration is followed by a second, cron-like run on the same
// directory (everything unchanged, nothing parsed), which is not timed but
// measures the work of a run that does not depend on parsing: the
// incremental crawl and the serial tail of reading the report cache back
// and writing the Parquet files. Metrics, per run:
//
//   - reports/s: the whole first run (crawl, parse, dataset).
//   - parse-reports/s: its parse-and-write phase alone (summary.json's
//     seconds − crawl_seconds).
//   - worker-reports/s: that phase less the second run's (the serial tail
//     of cache reads and Parquet writing): the rate of the workers' phase,
//     what -j should scale.
//   - crawl-s, parse-s, tail-s: the phases' seconds (tail-s is the second
//     run's parse-and-write phase).
//   - parent-cpu-s, worker-cpu-s: CPU time of this process (crawler,
//     in-process site, parent of the pipeline) and of the workers.
//   - parent-heap-MiB: peak heap in use of this process (sampled every
//     5 ms); parent-live-MiB: peak live heap after a collection;
//     parent-rss-MiB: this process's peak resident memory during the run
//     (VmHWM, reset before it), which includes the in-process site.
//   - worker-rss-MiB: the largest peak resident memory (VmHWM) of any
//     worker process; workers-rss-MiB: the peak of all workers' resident
//     memory together.
//   - children-maxrss-MiB: getrusage(RUSAGE_CHILDREN)'s maxrss. It is the
//     largest of every child of the benchmark process so far, not of this
//     run's, and Linux charges a child started with vfork (as os/exec
//     does) with the parent's memory it shared until exec: it says more
//     about this process than about the workers. worker-rss-MiB is theirs.
//   - tail-retained-MiB: the most the second run's heap retains, read
//     after a forced collection every 200 ms (retainedEvery): what the
//     build from the cache and the dataset writer hold, without the
//     floating garbage that parent-live-MiB counts;
//     tail-retained-p90-MiB: the 90th percentile of those samples while
//     the dataset is written (the writer's heap rises and falls with its
//     spills, and a longer run samples its tops more often).
//
// The numbers of reports can be replaced, for a quick look:
// NIANBAO_BENCH_REPORTS=200,800. The table printed at the end gives the
// speed-up of the parse phase on two CPUs over one, and the 8,000 / 2,000
// ratios of peak memory. It starts with a check of the machine: how much
// more work two busy goroutines get through than one; on a busy machine,
// or one whose two CPUs are hyperthreads of one core, that is well below
// 2, and so is any speed-up.
func BenchmarkRun(b *testing.B) {
	fx, err := benchsite.Load(filepath.Join("..", "..", "testdata"))
	if errors.Is(err, fs.ErrNotExist) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range fx.Skipped {
		b.Logf("fixture skipped: %s", s)
	}
	asNianbaoTB(b)
	probe := cpuParallelism()
	var mu sync.Mutex
	results := map[benchConfig]runResult{}
	sizes := benchSizes(b, []int{2000, 8000})
	configs := []benchConfig{{cpus: 1, jobs: 1}, {cpus: 2, jobs: 1}, {cpus: 2, jobs: 2}}
	for _, n := range sizes {
		site := benchsite.New(fx, n)
		srv := httptest.NewServer(site)
		reg := filepath.Join(b.TempDir(), "sites.yaml")
		if err := os.WriteFile(reg, site.Registry(srv.URL), 0o644); err != nil {
			b.Fatal(err)
		}
		for _, c := range configs {
			b.Run(fmt.Sprintf("reports=%d/cpus=%d/j=%d", n, c.cpus, c.jobs), func(b *testing.B) {
				restore, err := useCPUs(c.cpus)
				if err != nil {
					b.Skip(err)
				}
				defer restore()
				var sum runResult
				iters := 0
				for b.Loop() {
					r := benchRunOnce(b, site, reg, c.jobs)
					sum.add(r)
					iters++
				}
				r := sum.div(iters)
				r.report(b)
				c.reports = n
				mu.Lock()
				results[c] = r
				mu.Unlock()
			})
		}
		srv.Close()
	}
	if len(results) > 0 {
		// Printed, not logged: a benchmark's own log shows only with -v
		// when it has sub-benchmarks.
		fmt.Print("\n" + resultTable(results, sizes, configs, probe) + "\n")
	}
}

// A benchConfig is one sub-benchmark: reports on cpus CPUs with -j jobs.
type benchConfig struct{ reports, cpus, jobs int }

// benchSizesEnv overrides BenchmarkRun's numbers of reports, for a quick
// look: NIANBAO_BENCH_REPORTS=200,800.
const benchSizesEnv = "NIANBAO_BENCH_REPORTS"

func benchSizes(b *testing.B, def []int) []int {
	v := os.Getenv(benchSizesEnv)
	if v == "" {
		return def
	}
	var sizes []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 {
			b.Fatalf("%s=%q: want numbers of reports, comma-separated", benchSizesEnv, v)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// runResult is what one benchmarked run measured.
type runResult struct {
	reports, documents                                 int
	elapsed, crawl, parse, tail                        float64 // seconds
	parentCPU, workerCPU                               float64 // seconds
	heapInuse, heapLive, parentRSS, workerRSS, workers float64 // MiB
	childrenMaxRSS                                     float64 // MiB
	tailRetained, tailRetainedP90                      float64 // MiB
}

func (r *runResult) add(o runResult) {
	r.reports, r.documents = o.reports, o.documents
	r.elapsed += o.elapsed
	r.crawl += o.crawl
	r.parse += o.parse
	r.tail += o.tail
	r.parentCPU += o.parentCPU
	r.workerCPU += o.workerCPU
	r.heapInuse = max(r.heapInuse, o.heapInuse)
	r.heapLive = max(r.heapLive, o.heapLive)
	r.parentRSS = max(r.parentRSS, o.parentRSS)
	r.workerRSS = max(r.workerRSS, o.workerRSS)
	r.workers = max(r.workers, o.workers)
	r.childrenMaxRSS = max(r.childrenMaxRSS, o.childrenMaxRSS)
	r.tailRetained = max(r.tailRetained, o.tailRetained)
	r.tailRetainedP90 = max(r.tailRetainedP90, o.tailRetainedP90)
}

// div turns the sums of add into means; peaks stay peaks.
func (r runResult) div(n int) runResult {
	if n == 0 {
		return r
	}
	f := float64(n)
	r.elapsed, r.crawl, r.parse, r.tail = r.elapsed/f, r.crawl/f, r.parse/f, r.tail/f
	r.parentCPU, r.workerCPU = r.parentCPU/f, r.workerCPU/f
	return r
}

func (r runResult) workerPhase() float64 { return max(r.parse-r.tail, 1e-9) }

func (r runResult) report(b *testing.B) {
	n := float64(r.reports)
	b.ReportMetric(n/r.elapsed, "reports/s")
	b.ReportMetric(n/r.parse, "parse-reports/s")
	b.ReportMetric(n/r.workerPhase(), "worker-reports/s")
	b.ReportMetric(r.crawl, "crawl-s")
	b.ReportMetric(r.parse, "parse-s")
	b.ReportMetric(r.tail, "tail-s")
	b.ReportMetric(r.parentCPU, "parent-cpu-s")
	b.ReportMetric(r.workerCPU, "worker-cpu-s")
	b.ReportMetric(r.heapInuse, "parent-heap-MiB")
	b.ReportMetric(r.heapLive, "parent-live-MiB")
	b.ReportMetric(r.parentRSS, "parent-rss-MiB")
	b.ReportMetric(r.workerRSS, "worker-rss-MiB")
	b.ReportMetric(r.workers, "workers-rss-MiB")
	b.ReportMetric(r.childrenMaxRSS, "children-maxrss-MiB")
	b.ReportMetric(r.tailRetained, "tail-retained-MiB")
	b.ReportMetric(r.tailRetainedP90, "tail-retained-p90-MiB")
}

// benchRunOnce runs the pipeline on site into a new dataset directory,
// then once more on the same directory, and removes it.
func benchRunOnce(b *testing.B, site *benchsite.Site, reg string, j int) runResult {
	dir, err := os.MkdirTemp(b.TempDir(), "run")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "data")
	args := []string{"run", "-q", "--sites", reg, "--delay", "0", "--parallel", "8", "-j", strconv.Itoa(j), "-o", out}
	var stdout, stderr bytes.Buffer

	runtime.GC()
	self0, children0 := rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
	hwmReset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil // resets VmHWM
	stop := sampleMemory(5*time.Millisecond, 0)
	t0 := time.Now()
	code := run(args, &stdout, &stderr)
	elapsed := time.Since(t0)
	peak := stop()
	self1, children1 := rusage(syscall.RUSAGE_SELF), rusage(syscall.RUSAGE_CHILDREN)
	if code != 0 {
		b.Fatalf("nianbao %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	first := readSummaryTB(b, out)
	want := site.Documents()
	if c := first.Crawl; first.Reports != site.Reports() || first.Wrappers != site.PDFs() || c.New != want || c.Parsed != want || c.FromCache != 0 {
		b.Fatalf("first run: %d reports, %d link pages, %d new, %d parsed, %d from the cache; want %d, %d, %d, %d, 0\n%s",
			first.Reports, first.Wrappers, c.New, c.Parsed, c.FromCache, site.Reports(), site.PDFs(), want, want, stdout.String())
	}
	r := runResult{
		reports: site.Reports(), documents: want,
		elapsed: elapsed.Seconds(), crawl: first.Crawl.CrawlSecond, parse: first.Seconds - first.Crawl.CrawlSecond,
		parentCPU: cpuSeconds(self1) - cpuSeconds(self0), workerCPU: cpuSeconds(children1) - cpuSeconds(children0),
		heapInuse: mib(peak.heapInuse), heapLive: mib(peak.heapLive), parentRSS: mib(peak.parentRSS),
		workerRSS: mib(peak.workerHWM), workers: mib(peak.workersRSS), childrenMaxRSS: float64(children1.Maxrss) / 1024,
	}
	if hwmReset {
		if hwm := procStatusBytes("self", "VmHWM"); hwm > 0 {
			r.parentRSS = mib(hwm)
		}
	}

	b.StopTimer()
	defer b.StartTimer()
	stdout.Reset()
	stderr.Reset()
	stop = sampleMemory(5*time.Millisecond, retainedEvery)
	code = run(args, &stdout, &stderr)
	peaks := stop()
	r.tailRetained, r.tailRetainedP90 = mib(peaks.retained), mib(peaks.retainedP90)
	if code != 0 {
		b.Fatalf("second run: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	second := readSummaryTB(b, out)
	if c := second.Crawl; c.Parsed != 0 || c.FromCache != want || second.Reports != site.Reports() {
		b.Fatalf("second run: %d parsed, %d from the cache, %d reports; want 0, %d, %d", c.Parsed, c.FromCache, second.Reports, want, site.Reports())
	}
	r.tail = second.Seconds - second.Crawl.CrawlSecond
	return r
}

// resultTable prints the runs, the speed-up of the parse phase on two
// CPUs over one, and how memory changes with the number of reports.
func resultTable(res map[benchConfig]runResult, sizes []int, configs []benchConfig, probe float64) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "CPU check: %d CPUs; two busy goroutines got through %.2f× the work of one in the same time", runtime.NumCPU(), probe)
	if probe < 1.8 {
		sb.WriteString(" (the machine is busy, or its CPUs are not independent: speed-ups below are capped by that)")
	}
	sb.WriteString("\n")
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "reports\tCPUs\t-j\trun s\tcrawl s\tparse s\ttail s\treports/s\tparse r/s\tworker r/s\tparent CPU s\tworker CPU s\theap MiB\tlive MiB\tparent RSS MiB\tworker RSS MiB\tworkers RSS MiB\t")
	for _, n := range sizes {
		for _, c := range configs {
			c.reports = n
			r, ok := res[c]
			if !ok {
				continue
			}
			fmt.Fprintf(tw, "%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%.0f\t%.1f\t%.1f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t\n",
				n, c.cpus, c.jobs, r.elapsed, r.crawl, r.parse, r.tail, float64(n)/r.elapsed, float64(n)/r.parse, float64(n)/r.workerPhase(),
				r.parentCPU, r.workerCPU, r.heapInuse, r.heapLive, r.parentRSS, r.workerRSS, r.workers)
		}
	}
	tw.Flush()
	speedup := func(n int, a, c benchConfig, what string) {
		a.reports, c.reports = n, n
		ra, okA := res[a]
		rc, okC := res[c]
		if okA && okC {
			fmt.Fprintf(&sb, "%d reports, %s: parse phase %.2f× as fast, workers' phase %.2f×, whole run %.2f×\n",
				n, what, ra.parse/rc.parse, ra.workerPhase()/rc.workerPhase(), ra.elapsed/rc.elapsed)
		}
	}
	for _, n := range sizes {
		speedup(n, benchConfig{cpus: 1, jobs: 1}, benchConfig{cpus: 2, jobs: 2}, "2 CPUs -j 2 over 1 CPU -j 1 (issue 9 wants ≥ 1.7×)")
		speedup(n, benchConfig{cpus: 2, jobs: 1}, benchConfig{cpus: 2, jobs: 2}, "-j 2 over -j 1, both on 2 CPUs")
	}
	if len(sizes) >= 2 {
		lo, hi := sizes[0], sizes[len(sizes)-1]
		for _, c := range configs {
			a, okA := res[benchConfig{lo, c.cpus, c.jobs}]
			r, okR := res[benchConfig{hi, c.cpus, c.jobs}]
			if okA && okR {
				fmt.Fprintf(&sb, "%d CPUs -j %d, %d vs %d reports: parent heap %.2f×, live heap %.2f×, retained heap (second run) peak %.2f×, p90 %.2f×, parent RSS %.2f×, worker RSS %.2f× (flat is 1×)\n",
					c.cpus, c.jobs, hi, lo, r.heapInuse/a.heapInuse, r.heapLive/a.heapLive, r.tailRetained/a.tailRetained, r.tailRetainedP90/a.tailRetainedP90,
					r.parentRSS/a.parentRSS, r.workerRSS/a.workerRSS)
			}
		}
	}
	return sb.String()
}

// cpuParallelism measures how much more work two busy goroutines do than
// one in the same time: about 2 on an idle machine with two real CPUs.
func cpuParallelism() float64 {
	if runtime.GOMAXPROCS(0) < 2 {
		return 1
	}
	spin := func(d time.Duration) (n int) {
		x := uint64(1)
		for t0 := time.Now(); time.Since(t0) < d; n++ {
			for range 10000 {
				x = x*6364136223846793005 + 1442695040888963407
			}
		}
		if x == 0 {
			n++ // keep x alive
		}
		return n
	}
	const d = 200 * time.Millisecond
	one := spin(d)
	var two [2]int
	var wg sync.WaitGroup
	for i := range two {
		wg.Go(func() { two[i] = spin(d) })
	}
	wg.Wait()
	return float64(two[0]+two[1]) / float64(max(one, 1))
}

// useCPUs runs this process, and the workers it starts from now on, on n
// of the CPUs it may use, with GOMAXPROCS n; restore undoes both. It fails
// if there are fewer than n.
func useCPUs(n int) (restore func(), err error) {
	var all cpuMask
	if err := all.get(); err != nil {
		return nil, err
	}
	var some cpuMask
	k := 0
	for cpu := 0; cpu < len(all)*64 && k < n; cpu++ {
		if all[cpu/64]&(1<<(cpu%64)) != 0 {
			some[cpu/64] |= 1 << (cpu % 64)
			k++
		}
	}
	if k < n {
		return nil, fmt.Errorf("%d CPUs wanted, %d available", n, k)
	}
	procs := runtime.GOMAXPROCS(n)
	some.setAll()
	return func() {
		all.setAll()
		runtime.GOMAXPROCS(procs)
	}, nil
}

// cpuMask is a Linux CPU set, of up to 1024 CPUs.
type cpuMask [16]uint64

func (m *cpuMask) get() error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
	if e != 0 {
		return e
	}
	return nil
}

// setAll sets the mask of every thread of this process. Threads, and the
// processes they start, inherit the mask of the thread that starts them;
// going over the threads three times catches those started meanwhile.
func (m *cpuMask) setAll() {
	for range 3 {
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, t := range tasks {
			if tid, err := strconv.Atoi(t.Name()); err == nil {
				syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid), unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
			}
		}
	}
}

// asNianbaoTB is asNianbao (worker_test.go) for benchmarks too: this test
// binary starts its workers as "nianbao", the name TestMain's
// testscript.Main dispatches to main.
func asNianbaoTB(tb testing.TB) {
	link := filepath.Join(tb.TempDir(), "nianbao")
	self, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink(self, link); err != nil {
		tb.Fatal(err)
	}
	old := os.Args[0]
	os.Args[0] = link
	tb.Cleanup(func() { os.Args[0] = old })
}

func readSummaryTB(tb testing.TB, dir string) summary {
	b, err := os.ReadFile(filepath.Join(dir, summaryFile))
	if err != nil {
		tb.Fatal(err)
	}
	var s summary
	if err := json.Unmarshal(b, &s); err != nil {
		tb.Fatal(err)
	}
	if s.Crawl == nil {
		tb.Fatalf("%s: no crawl summary", dir)
	}
	return s
}

func rusage(who int) syscall.Rusage {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return ru
}

func cpuSeconds(ru syscall.Rusage) float64 {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// memPeaks are the peaks sampleMemory saw.
type memPeaks struct {
	heapInuse, heapLive uint64 // this process's Go heap
	parentRSS           uint64 // this process's resident memory, as sampled
	workerHWM           uint64 // the largest VmHWM of a child process
	workersRSS          uint64 // the children's resident memory together
	retained            uint64 // the live heap right after a forced collection
	retainedP90         uint64 // the 90th percentile of those of the writing
}

// retainedEvery is how often the untimed second run forces a collection
// to read what its heap retains. The peak of the live heap the runtime
// reports is that of its last collection, which counts what was
// allocated while it marked (the floating garbage of a busy writer): a
// run with more collections meets a higher peak by chance. A forced,
// completed collection counts what is reachable.
const retainedEvery = 200 * time.Millisecond

// sampleMemory samples this process's heap every period, and the resident
// memory of this process and of its children (the workers) every fourth
// period, until the returned function is called; that returns the peaks.
func sampleMemory(period, gcEvery time.Duration) (stop func() memPeaks) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/gc/heap/live:bytes"},
	}
	var p memPeaks
	done := make(chan struct{})
	finished := make(chan struct{})
	hwm := map[int]uint64{}
	self := procComm("self")
	lastGC := time.Now()
	var retained []uint64
	go func() {
		defer close(finished)
		t := time.NewTicker(period)
		defer t.Stop()
		for tick := 0; ; tick++ {
			metrics.Read(samples)
			p.heapInuse = max(p.heapInuse, samples[0].Value.Uint64()+samples[1].Value.Uint64())
			p.heapLive = max(p.heapLive, samples[2].Value.Uint64())
			if gcEvery > 0 && time.Since(lastGC) >= gcEvery {
				runtime.GC()
				metrics.Read(samples[2:])
				p.retained = max(p.retained, samples[2].Value.Uint64())
				retained = append(retained, samples[2].Value.Uint64())
				lastGC = time.Now()
			}
			if tick%4 == 0 {
				p.parentRSS = max(p.parentRSS, procStatusBytes("self", "VmRSS"))
				var sum uint64
				for _, pid := range childPIDs() {
					id := strconv.Itoa(pid)
					if procComm(id) == self {
						// Started but not yet a worker: until it execs, it
						// shares this process's memory (vfork).
						continue
					}
					sum += procStatusBytes(id, "VmRSS")
					hwm[pid] = max(hwm[pid], procStatusBytes(id, "VmHWM"))
				}
				p.workersRSS = max(p.workersRSS, sum)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() memPeaks {
		close(done)
		<-finished
		for _, v := range hwm {
			p.workerHWM = max(p.workerHWM, v)
		}
		p.retainedP90 = writingP90(retained)
		return p
	}
}

// writingP90 is the 90th percentile of the retained heap over the samples
// taken while the dataset was written: those above a tenth of the peak
// (the crawl before holds a few MiB). The writer's heap goes up and down
// with its spills; its peak sample rises with the number of samples, a
// longer run's, more than with what it holds.
func writingP90(samples []uint64) uint64 {
	var peak uint64
	for _, v := range samples {
		peak = max(peak, v)
	}
	var w []uint64
	for _, v := range samples {
		if v > peak/10 {
			w = append(w, v)
		}
	}
	if len(w) == 0 {
		return 0
	}
	slices.Sort(w)
	return w[len(w)*9/10]
}

// childPIDs lists this process's children, from every thread's
// /proc/self/task/TID/children.
func childPIDs() []int {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	var pids []int
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// procComm is a process's command name.
func procComm(pid string) string {
	b, _ := os.ReadFile("/proc/" + pid + "/comm")
	return strings.TrimSpace(string(b))
}

// procStatusBytes reads a "Name:  N kB" field of /proc/PID/status, in
// bytes; 0 if it cannot be read.
func procStatusBytes(pid, field string) uint64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			kib, _ := strconv.ParseUint(f[0], 10, 64)
			return kib << 10
		}
	}
	return 0
}
