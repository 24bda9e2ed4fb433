// Package workers runs jobs in child processes that the parent can kill,
// so that a job which overruns its time or memory, or takes its process
// down (a stack overflow, running out of memory, any fatal runtime error),
// fails alone: its worker is killed and replaced and the other jobs go on.
//
// A goroutine cannot be stopped from outside, and code that does not look
// at its context (a third-party PDF library decoding a stream, say) keeps a
// core busy after its caller has given up. A process can be stopped. The
// price is one gob round trip per job, well under a millisecond for a
// report, and one process start per worker and per kill.
//
// The parent starts each worker with the argv it is given (typically its
// own executable and a hidden subcommand); the worker calls Serve. Requests
// and responses travel as gob values over the worker's stdin and stdout;
// the worker's stderr is kept (its tail) to say why it died.
package workers

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Limits bound one job.
type Limits struct {
	Time   time.Duration // wall time per job; 0 means none
	Memory uint64        // resident memory of a worker, in bytes; 0 means none
}

// MemoryEnv is the environment variable that tells a worker its memory
// limit, so that it can set its Go runtime's soft limit below the hard one
// and collect garbage before it is killed.
const MemoryEnv = "NIANBAO_WORKER_MEMORY"

// pollEvery is how often a busy worker's memory is read: often enough that
// a runaway allocation is stopped within a few hundred MiB of its limit.
const pollEvery = 20 * time.Millisecond

// stderrTail is how much of a worker's stderr is kept to explain its end.
const stderrTail = 4 << 10

// Reasons a job ends without an answer.
const (
	ReasonTime   = "time limit"
	ReasonMemory = "memory limit"
	ReasonDied   = "worker died"
)

// Error is a job that ended without an answer.
type Error struct {
	Reason string // ReasonTime, ReasonMemory or ReasonDied
	Detail string // the worker's last words, or what was exceeded
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Detail
}

// Pool runs jobs on at most n workers.
type Pool[Req, Resp any] struct {
	argv   []string
	limits Limits
	slots  chan struct{} // one per worker that may run
	mu     sync.Mutex
	idle   []*worker
	closed bool
}

// NewPool returns a pool of up to n workers started with argv.
func NewPool[Req, Resp any](argv []string, n int, limits Limits) *Pool[Req, Resp] {
	return &Pool[Req, Resp]{argv: argv, limits: limits, slots: make(chan struct{}, max(n, 1))}
}

// Do runs req on a worker and returns its response. An error is either
// ctx's, or an *Error for a job that overran its limits or crashed its
// worker, or a failure to start a worker at all.
func (p *Pool[Req, Resp]) Do(ctx context.Context, req Req) (Resp, error) {
	var zero Resp
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	defer func() { <-p.slots }()
	w, err := p.take()
	if err != nil {
		return zero, err
	}
	var resp Resp
	err = w.run(ctx, p.limits, req, &resp)
	if err != nil {
		w.kill()
		return zero, err
	}
	p.put(w)
	return resp, nil
}

// Close stops the idle workers. Jobs still running finish first only if
// the caller waits for them.
func (p *Pool[Req, Resp]) Close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	var errs []error
	for _, w := range idle {
		errs = append(errs, w.stop())
	}
	return errors.Join(errs...)
}

func (p *Pool[Req, Resp]) take() (*worker, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return w, nil
	}
	p.mu.Unlock()
	return start(p.argv, p.limits)
}

func (p *Pool[Req, Resp]) put(w *worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		go w.stop()
		return
	}
	p.idle = append(p.idle, w)
}

// worker is one child process.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	enc    *gob.Encoder
	dec    *gob.Decoder
	stderr *tail
	done   chan struct{} // closed when the process has been waited for
	err    error         // its exit status, once done
}

func start(argv []string, limits Limits) (*worker, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), MemoryEnv+"="+strconv.FormatUint(limits.Memory, 10))
	if os.Getenv("GOMAXPROCS") == "" {
		// A worker handles one job at a time: more Go threads only make
		// its garbage collector compete with the other workers for cores
		// (measured: one process does 650 reports/s with 1, 341-457 with 2).
		cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
	}
	// Its own process group, so that anything it starts dies with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	w := &worker{cmd: cmd, stdin: stdin, stderr: &tail{}, done: make(chan struct{})}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting worker %s: %w", argv[0], err)
	}
	w.enc, w.dec = gob.NewEncoder(stdin), gob.NewDecoder(bufio.NewReader(stdout))
	go func() {
		w.err = cmd.Wait()
		close(w.done)
	}()
	return w, nil
}

// run sends one request and waits for its answer within limits.
func (w *worker) run(ctx context.Context, limits Limits, req, resp any) error {
	answered := make(chan error, 1)
	go func() {
		if err := w.enc.Encode(req); err != nil {
			answered <- err
			return
		}
		answered <- w.dec.Decode(resp)
	}()
	var deadline <-chan time.Time
	if limits.Time > 0 {
		t := time.NewTimer(limits.Time)
		defer t.Stop()
		deadline = t.C
	}
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	for {
		select {
		case err := <-answered:
			if err != nil {
				return w.died(err)
			}
			return nil
		case <-deadline:
			return &Error{Reason: ReasonTime, Detail: fmt.Sprintf("no answer within %v; worker killed", limits.Time)}
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
			if limits.Memory == 0 {
				continue
			}
			if rss := residentBytes(w.cmd.Process.Pid); rss > limits.Memory {
				return &Error{Reason: ReasonMemory, Detail: fmt.Sprintf("worker used %d MiB, limit %d MiB; worker killed", rss>>20, limits.Memory>>20)}
			}
		}
	}
}

// died explains a broken pipe by how the worker ended.
func (w *worker) died(err error) error {
	select {
	case <-w.done:
	case <-time.After(time.Second):
	}
	detail := strings.TrimSpace(w.stderr.String())
	if i := strings.Index(detail, "fatal error:"); i >= 0 {
		detail = detail[i:]
	}
	if j := strings.IndexByte(detail, '\n'); j > 0 && strings.HasPrefix(detail, "fatal error:") {
		detail = detail[:j]
	}
	if detail == "" {
		detail = err.Error()
		if w.err != nil {
			detail = w.err.Error()
		}
	}
	return &Error{Reason: ReasonDied, Detail: detail}
}

// kill ends the worker and everything it started, and waits for it.
func (w *worker) kill() {
	_ = syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
	_ = w.cmd.Process.Kill()
	<-w.done
}

// stop asks an idle worker to finish by closing its input.
func (w *worker) stop() error {
	w.stdin.Close()
	select {
	case <-w.done:
		return nil
	case <-time.After(5 * time.Second):
		w.kill()
		return errors.New("worker did not stop; killed")
	}
}

// residentBytes reads a process's resident set size from /proc; 0 where
// that cannot be read (then no memory limit is enforced).
func residentBytes(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// tail keeps the first and the last stderrTail bytes written to it: a Go
// crash says what it was at the top ("fatal error: stack overflow") and
// then prints every goroutine's stack.
type tail struct {
	mu   sync.Mutex
	head []byte
	buf  []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := min(len(p), stderrTail-len(t.head)); n > 0 {
		t.head = append(t.head, p[:n]...)
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*stderrTail {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-stderrTail:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if string(t.head) == string(t.buf) {
		return string(t.head)
	}
	return string(t.head) + "\n…\n" + string(t.buf[max(0, len(t.buf)-stderrTail):])
}

// Serve is a worker's main loop: it answers requests from r on w with
// handle until r ends. It sets the Go runtime's soft memory limit from
// MemoryEnv, a little below the parent's hard one.
func Serve[Req, Resp any](ctx context.Context, r io.Reader, w io.Writer, handle func(context.Context, Req) Resp) error {
	setSoftLimit()
	dec := gob.NewDecoder(bufio.NewReader(r))
	out := bufio.NewWriter(w)
	enc := gob.NewEncoder(out)
	for {
		var req Req
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("worker: reading a request: %w", err)
		}
		if err := enc.Encode(handle(ctx, req)); err != nil {
			return fmt.Errorf("worker: writing a response: %w", err)
		}
		if err := out.Flush(); err != nil {
			return err
		}
	}
}
