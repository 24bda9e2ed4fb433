package parse

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// allocated runs f and returns how many bytes it allocated: an upper
// bound of its peak memory that does not depend on when the GC ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func hasCode(doc *Document, code Code) bool {
	for _, w := range doc.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

// TestHostileText feeds the HTML and text readers what a hostile or broken
// server sends. Each must come back with a document that says what
// happened, within an allocation budget that fails a regression here
// rather than exhausting the machine.
func TestHostileText(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name   string
		file   string
		data   func() []byte
		budget uint64 // bytes the read may allocate
		code   Code   // a warning the document must carry, if any
		format Format
	}{
		{"rowspan bomb, 60,000 rows", "a.html", func() []byte { return hostile.RowspanBomb(60_000) }, 256 * mib, CodeLimit, FormatHTML},
		{"rowspan bomb, 180,000 rows", "a.html", func() []byte { return hostile.RowspanBomb(180_000) }, 512 * mib, CodeLimit, FormatHTML},
		{"200,000 sibling tables", "a.html", func() []byte { return hostile.ManyTables(200_000) }, 1024 * mib, CodeLimit, FormatHTML},
		{"a million nested divs", "a.html", func() []byte { return hostile.DeepNesting(1_000_000) }, 256 * mib, "", FormatHTML},
		{"100 MB page", "a.html", func() []byte { return hostile.HugePage(100 * mib) }, 1024 * mib, CodeLimit, FormatHTML},
		{"100 MB dump", "a.txt", func() []byte { return hostile.HugeDump(100 * mib) }, 1024 * mib, CodeLimit, FormatText},
		{"a row of a million values", "a.txt", func() []byte { return hostile.WideRow(1_000_000) }, 256 * mib, CodeLimit, FormatText},
		{"one 0xFF byte in undeclared UTF-8", "a.html", hostile.StrayByte, 16 * mib, CodeCharsetMixed, FormatHTML},
		{"one NUL byte near the start", "a.html", hostile.StrayNUL, 16 * mib, CodeCharsetNUL, FormatHTML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data()
			var doc *Document
			var err error
			n := allocated(func() { doc, err = Parse(context.Background(), tt.file, data) })
			if err != nil {
				t.Fatal(err)
			}
			if doc.Format != tt.format {
				t.Errorf("format %s, want %s", doc.Format, tt.format)
			}
			if n > tt.budget {
				t.Errorf("allocated %d MiB for a %d MiB input, budget %d MiB", n>>20, len(data)>>20, tt.budget>>20)
			}
			if tt.code != "" && !hasCode(doc, tt.code) {
				t.Errorf("no %s warning; warnings: %v", tt.code, doc.Warnings)
			}
			if len(doc.Warnings) > MaxWarnings {
				t.Errorf("%d warnings, cap %d", len(doc.Warnings), MaxWarnings)
			}
			if !strings.Contains(doc.Title, "年度报告") {
				t.Errorf("title %q: the report around the attack was lost", doc.Title)
			}
			t.Logf("%d MiB in, %d MiB allocated, %d blocks, %d warnings", len(data)>>20, n>>20, len(doc.Blocks), len(doc.Warnings))
		})
	}
}

// expiring is a context whose time runs out at its n-th look, so a test
// can stop a reader in the middle of a document without timing anything.
type expiring struct {
	context.Context
	n int
}

func (e *expiring) Err() error {
	if e.n--; e.n < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// TestReadersStopInTime checks that a document whose time is up stops
// being read part-way and says so.
func TestReadersStopInTime(t *testing.T) {
	for _, f := range []struct {
		name string
		data []byte
	}{
		{"a.html", hostile.ManyTables(50_000)},
		{"a.txt", hostile.HugeDump(8 << 20)},
	} {
		doc, err := Parse(&expiring{Context: context.Background(), n: 3}, f.name, f.data)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Status != StatusFailed || !hasCode(doc, CodeTimeout) {
			t.Errorf("%s: status %q, warnings %v; want failed with %s", f.name, doc.Status, doc.Warnings, CodeTimeout)
		}
	}
}
