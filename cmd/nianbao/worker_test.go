package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/opengov-cn/nianbao/internal/workers"
	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// asNianbao makes this test binary start its workers as "nianbao", the
// name testscript.Main dispatches to main.
func asNianbao(t *testing.T) {
	link := filepath.Join(t.TempDir(), "nianbao")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	old := os.Args[0]
	os.Args[0] = link
	t.Cleanup(func() { os.Args[0] = old })
}

// TestProcessorIsolates runs good reports among documents that hang,
// bloat and crash their workers: each bad one fails alone with a code that
// says why, the good ones are read, and the order of the inputs is kept.
func TestProcessorIsolates(t *testing.T) {
	asNianbao(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.html", hostile.Report())
	paths := []string{
		good,
		write("bloat.html", hostile.HugePage(60<<20)),
		write("crash.html", hostile.Report()),
		write("good2.html", hostile.Report()),
	}
	t.Setenv(crashEnv, "crash.html")
	p, err := newProcessor(2, true, workers.Limits{Time: time.Minute, Memory: 48 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var got []parsed
	cache := t.TempDir()
	jobs := make([]job, len(paths))
	for i, p := range paths {
		jobs[i] = job{Path: p, Cache: filepath.Join(cache, filepath.Base(p)+".gob")}
	}
	err = p.each(context.Background(), jobs, func(i int, r parsed) error {
		if len(got) != i {
			t.Errorf("report %d handed over in place %d", i, len(got))
		}
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status normalize.Status
		code   string
	}{
		{normalize.StatusPartial, ""}, // hostile.Report prints table three only
		{normalize.StatusFailed, string(normalize.CodeMemory)},
		{normalize.StatusFailed, string(normalize.CodeCrash)},
		{normalize.StatusPartial, ""}, // hostile.Report prints table three only
	}
	for i, w := range want {
		r := got[i].Report.Report
		if got[i].Err != "" {
			t.Errorf("%s: %s", paths[i], got[i].Err)
		}
		if _, err := os.Stat(jobs[i].Cache); err != nil {
			t.Errorf("%s: no cache entry: %v", paths[i], err)
		}
		if r.Status != w.status {
			t.Errorf("%s: status %s, want %s (%v)", paths[i], r.Status, w.status, r.Warnings)
		}
		if w.code != "" && (len(r.Warnings) == 0 || string(r.Warnings[0].Code) != w.code || r.ID == "") {
			t.Errorf("%s: warnings %v, id %q; want %s and an id", paths[i], r.Warnings, r.ID, w.code)
		}
	}
	if got[0].Cells == 0 || got[3].Cells == 0 {
		t.Error("the good reports lost their cells")
	}
}

// TestProcessorTimeLimit checks that a document over its time ends as
// document.timeout and leaves nothing of itself running.
func TestProcessorTimeLimit(t *testing.T) {
	asNianbao(t)
	path := filepath.Join(t.TempDir(), "huge.txt")
	if err := os.WriteFile(path, hostile.HugeDump(60<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	// The dump takes the reader about a second; a millisecond is too little
	// on any machine.
	p, err := newProcessor(1, true, workers.Limits{Time: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r := p.one(context.Background(), job{Path: path}).Report.Report
	p.Close()
	if r.Status != normalize.StatusFailed || len(r.Warnings) != 1 || r.Warnings[0].Code != normalize.CodeTimeout {
		t.Fatalf("status %s, warnings %v; want failed with %s", r.Status, r.Warnings, normalize.CodeTimeout)
	}
	// The worker was killed and waited for: no goroutine of the job is
	// left in this process either (give exiting goroutines a moment).
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines after the job, %d before", runtime.NumGoroutine(), before)
}

// TestInterruptedJobLeavesNoCacheEntry checks that a job the run's end
// cuts short is not cached as the document's failure: the next run must
// parse it.
func TestInterruptedJobLeavesNoCacheEntry(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "a.html")
	os.WriteFile(doc, hostile.Report(), 0o644)
	entry := filepath.Join(dir, "cache", "ab", "abcd.gob")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, isolate := range []bool{true, false} {
		p := &processor{jobs: 1}
		if isolate { // a worker that never answers
			p.pool = workers.NewPool[job, parsed]([]string{"sleep", "30"}, 1, workers.Limits{})
		}
		got := p.one(ctx, job{Path: doc, Cache: entry})
		p.Close()
		if got.Err == "" || fileExists(entry) {
			t.Errorf("isolate=%v: answer %+v, cache entry left: %v", isolate, got, fileExists(entry))
		}
	}
}
