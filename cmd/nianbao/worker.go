package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
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

// job is one document for a worker.
type job struct {
	Path string
}

// runWorker is the worker's main loop: documents in on stdin, reports out
// on stdout.
func runWorker(ctx context.Context, stdin io.Reader, stdout io.Writer) int {
	crashOn := os.Getenv(crashEnv)
	err := workers.Serve(ctx, stdin, stdout, func(ctx context.Context, j job) wireReport {
		if crashOn != "" && strings.HasSuffix(j.Path, crashOn) {
			crash()
		}
		return toWire(normalize.ProcessFile(ctx, j.Path))
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
	pool   *workers.Pool[job, wireReport]
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
	p.pool = workers.NewPool[job, wireReport]([]string{self, workerCommand}, p.jobs, limits)
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

// one processes one document.
func (p *processor) one(ctx context.Context, path string) *normalize.Report {
	if p.pool == nil {
		return normalize.ProcessFile(ctx, path)
	}
	w, err := p.pool.Do(ctx, job{Path: path})
	if err == nil && w.Report != nil {
		return w.report()
	}
	if err == nil {
		err = errors.New("worker answered without a report")
	}
	code := normalize.CodeCrash
	var we *workers.Error
	if errors.As(err, &we) {
		switch we.Reason {
		case workers.ReasonTime:
			code = normalize.CodeTimeout
		case workers.ReasonMemory:
			code = normalize.CodeMemory
		}
	}
	return normalize.Failed(normalize.Source{Path: path, SHA256: fileSHA256(path)}, code, err)
}

// each processes paths on up to p.jobs workers at once and hands the
// reports to fn in the order of paths, from one goroutine. At most
// 2×jobs reports wait to be handed over, so memory does not grow with
// the number of documents.
func (p *processor) each(ctx context.Context, paths []string, fn func(i int, r *normalize.Report) error) error {
	type result struct {
		i int
		r *normalize.Report
	}
	window := make(chan chan result, 2*p.jobs)
	go func() {
		defer close(window)
		sem := make(chan struct{}, p.jobs)
		var wg sync.WaitGroup
		defer wg.Wait()
		for i, path := range paths {
			if ctx.Err() != nil {
				return
			}
			ch := make(chan result, 1)
			select {
			case window <- ch:
			case <-ctx.Done():
				return
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				ch <- result{i, p.one(ctx, path)}
			}()
		}
	}()
	var err error
	for ch := range window {
		res := <-ch
		if err == nil {
			err = fn(res.i, res.r)
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
