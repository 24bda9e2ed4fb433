package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/output"
	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// TestHostileBatch parses the real reports (the fixtures without
// ../shared) with ten hostile files among them, as a national batch
// meets them: the run completes, every good report is read, every hostile
// file ends with a status, peak memory of the whole process tree stays
// under 1 GB, and the wall time under twice the per-document limit.
func TestHostileBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ~250 MB of hostile files")
	}
	asNianbao(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	good := copyReports(t, in)
	attacks := map[string]func() []byte{
		"rowspan.html":  func() []byte { return hostile.RowspanBomb(180_000) },
		"tables.html":   func() []byte { return hostile.ManyTables(200_000) },
		"nested.html":   func() []byte { return hostile.DeepNesting(1_000_000) },
		"huge.html":     func() []byte { return hostile.HugePage(100 << 20) },
		"dump.txt":      func() []byte { return hostile.HugeDump(100 << 20) },
		"deep.pdf":      func() []byte { return hostile.DeepArray(10_000_000) },
		"tj.pdf":        func() []byte { return hostile.HugeString(60 << 20) },
		"widths.pdf":    func() []byte { return hostile.HugeWidths(65_535) },
		"tounicode.pdf": func() []byte { return hostile.HugeToUnicode(200_000) },
		"xrefindex.pdf": func() []byte { return hostile.DeepXrefIndex(1_000_000) },
	}
	for name, gen := range attacks {
		if err := os.WriteFile(filepath.Join(in, "hostile", name), gen(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const limit = 15 * time.Second
	out := filepath.Join(dir, "out")
	cmd := exec.Command(os.Args[0], "parse", "-q", "-j", "2", "--doc-timeout", limit.String(), "--doc-memory", "640MiB", "-o", out, in)
	start := time.Now()
	b, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		t.Fatal(err)
	}
	peak := ru.Maxrss << 10 // KiB on Linux
	t.Logf("%d good reports and %d hostile files in %v; peak RSS of the process tree %d MiB", good, len(attacks), took.Round(time.Millisecond), peak>>20)
	if peak >= 1e9 {
		t.Errorf("peak RSS %d MiB, want under 1 GB", peak>>20)
	}
	if took >= 2*limit {
		t.Errorf("took %v, want under twice the per-document limit (%v)", took, 2*limit)
	}
	rows, err := parquet.ReadFile[output.ReportRow](filepath.Join(out, "reports.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != good+len(attacks) {
		t.Fatalf("%d reports, want %d", len(rows), good+len(attacks))
	}
	for _, r := range rows {
		hostileFile := strings.Contains(r.Source, "/hostile/")
		if !hostileFile && r.ParseStatus != "ok" && r.ParseStatus != "partial" {
			t.Errorf("good report %s: %s %v", r.Source, r.ParseStatus, r.Warnings)
		}
		if hostileFile {
			t.Logf("%s: %s, %d cells; %s", filepath.Base(r.Source), r.ParseStatus, r.CellCount, firstWarning(r.Warnings))
		}
	}
}

func firstWarning(ws []string) string {
	if len(ws) == 0 {
		return "no warning"
	}
	return ws[0]
}

// copyReports copies the real corpus's reports, or the fixtures when the
// corpus is absent, into dir/good, and makes dir/hostile.
func copyReports(t *testing.T, dir string) int {
	var files []string
	for _, pat := range []string{"../../../shared/corpus/*/report.*", "../../testdata/reports/*/report.*", "../../testdata/pdf/*/report.pdf"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	n := 0
	for _, sub := range []string{"good", "hostile"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f))
		if strings.Contains(name, "encrypted-user") || strings.Contains(name, "scanned") {
			continue // unreadable by design; not what this test is about
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "good", name+filepath.Ext(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
