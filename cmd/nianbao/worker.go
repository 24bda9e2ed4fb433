package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/opengov-cn/nianbao/internal/workers"
	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// workerCommand is the hidden subcommand a worker process runs.
const workerCommand = "__worker"

// Per-document budgets. A report takes milliseconds and a few MiB; these
// stop only what no report needs.
var (
	// DocTimeLimit is the wall time one document may take, after which its
	// worker is killed. It is above parse.PDFTimeLimit so that the reader's
	// own, gentler limit (which keeps what was read) acts first.
	DocTimeLimit = parse.PDFTimeLimit + 30*time.Second
)

// DocMemoryLimit is the resident memory of one worker process: a report
// needs tens of MiB, a scan's page images a few hundred.
const DocMemoryLimit = 1 << 30

// crashEnv names a file suffix on which a worker crashes the way a
// reader's stack overflow would, past any recover: the tests' stand-in for
// the input that kills a process, since every such input found is fixed.
const crashEnv = "NIANBAO_TEST_WORKER_CRASH"

func crash() {
	go panic("crash requested by " + crashEnv)
	select {}
}

// job is one document for a worker: the file, and where to keep its
// report. The worker writes that cache entry itself and sends back only
// the report's digest, so the whole report never crosses to the parent:
// encoding it, and the parent decoding it, would be serial work that
// limits what more workers gain.
type job struct {
	Path  string
	Cache string // cache entry to write; "" sends back the whole report
}

// parsed is a worker's answer: the report without its cells and checks
// (the whole report when the job had no cache entry), and how many there
// were, for the log.
type parsed struct {
	Report       wireReport
	Cells        int
	ChecksFailed int
	Err          string // the cache entry could not be written
}

// process runs one job in this process.
func process(ctx context.Context, j job) parsed {
	r := normalize.ProcessFile(ctx, j.Path)
	if ctx.Err() != nil {
		return interrupted(ctx)
	}
	return finish(j, r)
}

// interrupted is the answer of a job the run's end cut short: not the
// document's doing, so nothing is cached (the next run parses it) and the
// run stops.
func interrupted(ctx context.Context) parsed {
	return parsed{Err: "interrupted: " + context.Cause(ctx).Error()}
}

// finish writes r's cache entry, if the job has one, and makes the answer.
func finish(j job, r *normalize.Report) parsed {
	p := parsed{Cells: len(r.Cells), ChecksFailed: countFailed(r.Checks)}
	if j.Cache == "" {
		p.Report = toWire(r)
		return p
	}
	if err := writeCacheEntry(j.Cache, r); err != nil {
		p.Err = err.Error()
	}
	head := *r
	head.Cells, head.Checks = nil, nil
	p.Report = toWire(&head)
	return p
}

func countFailed(checks []normalize.Check) int {
	n := 0
	for _, c := range checks {
		if c.Status == normalize.CheckFail {
			n++
		}
	}
	return n
}

// runWorker is the worker's main loop: documents in on stdin, reports out
// on stdout.
func runWorker(ctx context.Context, stdin io.Reader, stdout io.Writer) int {
	crashOn := os.Getenv(crashEnv)
	err := workers.Serve(ctx, stdin, stdout, func(ctx context.Context, j job) parsed {
		if crashOn != "" && strings.HasSuffix(j.Path, crashOn) {
			crash()
		}
		return process(ctx, j)
	})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

// processor runs documents through the pipeline, on worker processes when
// isolate is set (a document that hangs, bloats or crashes its worker
// fails alone), else in this process.
type processor struct {
	jobs   int
	limits workers.Limits
	pool   *workers.Pool[job, parsed]
}

func newProcessor(jobs int, isolate bool, limits workers.Limits) (*processor, error) {
	p := &processor{jobs: max(jobs, 1), limits: limits}
	if !isolate {
		return p, nil
	}
	self, err := selfPath()
	if err != nil {
		return nil, err
	}
	p.pool = workers.NewPool[job, parsed]([]string{self, workerCommand}, p.jobs, limits)
	return p, nil
}

// selfPath is how to start this program again: its own argv[0], which
// (unlike /proc/self/exe) also names the command in test harnesses that
// run one binary under several names.
func selfPath() (string, error) {
	if filepath.Base(os.Args[0]) == os.Args[0] {
		return exec.LookPath(os.Args[0])
	}
	return filepath.Abs(os.Args[0])
}

func (p *processor) Close() error {
	if p.pool == nil {
		return nil
	}
	return p.pool.Close()
}

// one processes one document. A worker that fails (time, memory, crash)
// leaves a failed report, which this process writes to the cache.
func (p *processor) one(ctx context.Context, j job) parsed {
	if p.pool == nil {
		return process(ctx, j)
	}
	w, err := p.pool.Do(ctx, j)
	if ctx.Err() != nil {
		return interrupted(ctx)
	}
	var we *workers.Error
	switch {
	case err == nil && w.Report.Report != nil:
		w.Report.report()
		return w
	case err == nil:
		err = errors.New("worker answered without a report")
	case !errors.As(err, &we):
		// The pool failed (a worker could not be started), not the
		// document: nothing is cached, and the run stops.
		return parsed{Err: err.Error()}
	}
	code := normalize.CodeCrash
	if we != nil {
		switch we.Reason {
		case workers.ReasonTime:
			code = normalize.CodeTimeout
		case workers.ReasonMemory:
			code = normalize.CodeMemory
		}
	}
	return finish(j, normalize.Failed(normalize.Source{Path: j.Path, SHA256: fileSHA256(j.Path)}, code, err))
}

// each processes jobs on up to p.jobs workers at once and hands the
// answers to fn in the order of jobs, from one goroutine.
func (p *processor) each(ctx context.Context, jobs []job, fn func(i int, r parsed) error) error {
	return inOrder(ctx, len(jobs), p.jobs, func(i int) parsed { return p.one(ctx, jobs[i]) }, fn)
}

// inOrder runs do(i) for every i in [0, n) on up to jobs goroutines at
// once and hands the results to fn in the order of i, from the calling
// goroutine. At most 2×jobs results wait to be handed over, so memory
// does not grow with n. It stops at fn's first error or when ctx is done.
func inOrder[T any](ctx context.Context, n, jobs int, do func(i int) T, fn func(i int, v T) error) error {
	return inOrderSeq(ctx, func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}, jobs, do, fn)
}

// inOrderSeq is inOrder over the items seq yields, which it takes from
// another goroutine, no faster than fn consumes the results.
func inOrderSeq[J, T any](ctx context.Context, seq iter.Seq[J], jobs int, do func(J) T, fn func(J, T) error) error {
	jobs = max(jobs, 1)
	type slot struct {
		item J
		v    chan T
	}
	window := make(chan slot, 2*jobs)
	stop := make(chan struct{})
	go func() {
		defer close(window)
		sem := make(chan struct{}, jobs)
		var wg sync.WaitGroup
		defer wg.Wait()
		for item := range seq {
			// Once fn failed or ctx is done, no more work starts: the
			// select below may otherwise pick a free window place first.
			select {
			case <-ctx.Done():
				return
			case <-stop:
				return
			default:
			}
			s := slot{item, make(chan T, 1)}
			select {
			case window <- s:
			case <-ctx.Done():
				return
			case <-stop:
				return
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				s.v <- do(s.item)
			}()
		}
	}()
	var err error
	for s := range window {
		v := <-s.v
		if err == nil {
			if err = fn(s.item, v); err != nil {
				close(stop)
			}
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// defaultJobs is how many documents are parsed at once: one per core.
func defaultJobs() int { return runtime.NumCPU() }

// fileSHA256 hashes a file the worker could not report on, so that its
// failed report still has its id; "" if it cannot be read.
func fileSHA256(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
