package workers

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type job struct {
	Kind string // echo, sleep, alloc, overflow, exit
	N    int
}

// TestMain turns the test binary into a worker when asked to.
func TestMain(m *testing.M) {
	if os.Getenv("WORKERS_TEST_CHILD") == "1" {
		err := Serve(context.Background(), os.Stdin, os.Stdout, handle)
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var sink [][]byte

func handle(_ context.Context, j job) string {
	switch j.Kind {
	case "sleep":
		time.Sleep(time.Duration(j.N) * time.Millisecond)
	case "alloc": // keeps allocating and touching memory until killed
		for {
			b := make([]byte, 16<<20)
			for i := range b {
				b[i] = 1
			}
			sink = append(sink, b)
		}
	case "overflow":
		return recurse(j.N)
	case "exit":
		os.Exit(3)
	case "pid":
		return strings.Repeat("x", 0) + itoa(os.Getpid())
	}
	return j.Kind + itoa(j.N)
}

func recurse(n int) string {
	var pad [256]byte
	if n < 0 {
		return string(pad[:1])
	}
	return recurse(n+1) + string(pad[:0])
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func pool(t *testing.T, n int, lim Limits) *Pool[job, string] {
	t.Setenv("WORKERS_TEST_CHILD", "1")
	p := NewPool[job, string]([]string{os.Args[0]}, n, lim)
	t.Cleanup(func() { p.Close() })
	return p
}

func TestPoolAnswers(t *testing.T) {
	p := pool(t, 2, Limits{Time: 10 * time.Second})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := p.Do(context.Background(), job{Kind: "echo", N: i})
			if err != nil || got != "echo"+itoa(i) {
				t.Errorf("job %d: %q, %v", i, got, err)
			}
		}()
	}
	wg.Wait()
}

// TestPoolKills checks that a job that overruns its limits or crashes its
// worker fails alone, that its worker is gone, and that the next job runs.
func TestPoolKills(t *testing.T) {
	tests := []struct {
		job    job
		lim    Limits
		reason string
		detail string
	}{
		{job{Kind: "sleep", N: 60_000}, Limits{Time: 200 * time.Millisecond}, "time limit", ""},
		{job{Kind: "alloc"}, Limits{Time: time.Minute, Memory: 256 << 20}, "memory limit", ""},
		{job{Kind: "overflow"}, Limits{Time: time.Minute}, "worker died", "stack overflow"},
		{job{Kind: "exit"}, Limits{Time: time.Minute}, "worker died", "exit status 3"},
	}
	for _, tt := range tests {
		t.Run(tt.job.Kind, func(t *testing.T) {
			p := pool(t, 1, tt.lim)
			pid, err := p.Do(context.Background(), job{Kind: "pid"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Do(context.Background(), tt.job)
			var we *Error
			if !errors.As(err, &we) || we.Reason != tt.reason || !strings.Contains(we.Detail, tt.detail) {
				t.Fatalf("err = %v, want %s (%s)", err, tt.reason, tt.detail)
			}
			// The worker that ran the job no longer exists: nothing of the
			// job is still running anywhere.
			if err := syscall.Kill(atoi(pid), 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("worker %s still exists after the job failed (kill -0: %v)", pid, err)
			}
			got, err := p.Do(context.Background(), job{Kind: "echo", N: 7})
			if err != nil || got != "echo7" {
				t.Errorf("next job: %q, %v", got, err)
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
