package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// TestProgressOffTerminal checks that a run whose stderr is not a terminal
// logs progress lines (no bars, no control characters), and that -q
// silences them.
func TestProgressOffTerminal(t *testing.T) {
	asNianbao(t)
	old := progressEvery
	progressEvery = 20 * time.Millisecond
	t.Cleanup(func() { progressEvery = old })
	dir := t.TempDir()
	// Dumps that take the reader a good fraction of a second; each its own
	// bytes (the same bytes twice are one report).
	for i := range 3 {
		name := "big" + string(rune('a'+i)) + ".txt"
		os.WriteFile(filepath.Join(dir, name), append(hostile.HugeDump(30<<20), name...), 0o644)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"parse", "-j", "1", "-o", filepath.Join(dir, "out"), dir}, &stdout, &stderr); code != exitFailed && code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, "msg=progress") || !strings.Contains(log, "documents.done=") || !strings.Contains(log, "documents.of=3") {
		t.Errorf("no progress line:\n%s", log)
	}
	if strings.ContainsAny(log, "\r\x1b") {
		t.Errorf("terminal control characters off a terminal:\n%q", log)
	}
	stderr.Reset()
	run([]string{"parse", "-q", "-j", "1", "-o", filepath.Join(dir, "out2"), dir}, &stdout, &stderr)
	if strings.Contains(stderr.String(), "progress") {
		t.Errorf("-q still logs progress:\n%s", stderr.String())
	}
}
