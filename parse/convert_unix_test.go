//go:build unix

package parse

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestParseWordTimeout runs a converter that never finishes: the document
// must fail with a timeout warning in about the time allowed, and the
// converter's children must be gone too (soffice is a launcher whose
// soffice.bin would otherwise live on).
func TestParseWordTimeout(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "child.pid")
	fake := filepath.Join(dir, "soffice")
	script := "#!/bin/sh\nsleep 60 &\necho $! > " + mark + "\nwait\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	saved := lookConverter
	lookConverter = func() string { return fake }
	defer func() { lookConverter = saved }()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	d, err := ParseWord(ctx, "report.doc", []byte{0xD0, 0xCF, 0x11, 0xE0})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v after a 1s limit", took)
	}
	if d.Status != StatusFailed || !hasCode(d, CodeTimeout) {
		t.Errorf("status %q, warnings %v; want failed and %s", d.Status, d.Warnings, CodeTimeout)
	}
	b, err := os.ReadFile(mark)
	if err != nil {
		t.Fatalf("the fake converter did not start its child: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for range 50 { // the kill is delivered at once, the reaping may lag
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Errorf("the converter's child %d outlived the timeout", pid)
}
