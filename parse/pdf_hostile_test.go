package parse

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// hasText reports whether a paragraph or cell of doc holds s.
func hasText(doc *Document, s string) bool {
	for _, b := range doc.Blocks {
		if strings.Contains(b.Text, s) {
			return true
		}
		if b.Table == nil {
			continue
		}
		for _, r := range b.Table.Rows {
			for _, c := range r.Cells {
				if strings.Contains(c.Text, s) {
					return true
				}
			}
		}
	}
	return false
}

// TestHostilePDF feeds the PDF reader files built to crash it or exhaust
// the machine: input nested far deeper than any reader may recurse, a
// string of 60 MB, widths and CMaps that expand to billions of codes,
// more pages than the cap, grids whose every cell meets every ruling.
// Each must come back with a status and a warning that say what happened,
// within an allocation budget, and with a stack that cannot grow past
// 64 MiB, so that a reader that recurses on the input fails here rather
// than eating the machine.
func TestHostilePDF(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	const mib = 1 << 20
	tests := []struct {
		name   string
		data   func() []byte
		budget uint64 // bytes the read may allocate
		status Status
		code   Code   // a warning the document must carry, if any
		text   string // text the document must hold, if any
	}{
		{"ten million nested arrays", func() []byte { return hostile.DeepArray(10_000_000) }, 64 * mib, StatusNeedsOCR, CodePDFPage, ""},
		{"a million nested arrays in a cross-reference stream's /Index", func() []byte { return hostile.DeepXrefIndex(1_000_000) }, 64 * mib, StatusOK, CodePDFRepaired, hostile.TextLine},
		{"a million dictionaries in arrays in dictionaries", func() []byte { return hostile.DeepDict(1_000_000) }, 128 * mib, StatusOK, "", hostile.TextLine},
		{"forms nested 100 deep", func() []byte { return hostile.DeepForms(100) }, 16 * mib, StatusNeedsOCR, CodeLimit, ""},
		{"a page tree 100 levels deep", func() []byte { return hostile.DeepPageTree(100) }, 16 * mib, StatusFailed, CodePDFCorrupt, ""},
		{"contents in 100,000 nested arrays", func() []byte { return hostile.DeepContents(100_000) }, 16 * mib, StatusFailed, CodePDFCorrupt, ""},
		{"a string of 60 MB", func() []byte { return hostile.HugeString(60 << 20) }, 256 * mib, StatusOK, CodeLimit, "AAAA"},
		{"65,535 width ranges of 65,536 codes", func() []byte { return hostile.HugeWidths(65_535) }, 64 * mib, StatusNeedsOCR, CodeLimit, ""},
		{"65,535 vertical metrics ranges", func() []byte { return hostile.HugeW2(65_535) }, 64 * mib, StatusNeedsOCR, CodeLimit, ""},
		{"200,000 ToUnicode ranges", func() []byte { return hostile.HugeToUnicode(200_000) }, 128 * mib, StatusNeedsOCR, CodeLimit, ""},
		{"10,000 pages", func() []byte { return hostile.ManyPages(10_000) }, 384 * mib, StatusOK, CodeLimit, hostile.TextLine},
		{"dense grids", func() []byte { return hostile.DenseGrid(3, 200) }, 512 * mib, StatusOK, CodeLimit, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data()
			var doc *Document
			var err error
			n := allocated(func() { doc, err = Parse(context.Background(), "a.pdf", data) })
			if err != nil {
				t.Fatal(err)
			}
			if doc.Status != tt.status {
				t.Errorf("status %q, want %q; warnings %v", doc.Status, tt.status, doc.Warnings)
			}
			if tt.code != "" && !hasCode(doc, tt.code) {
				t.Errorf("no %s warning; warnings: %v", tt.code, doc.Warnings)
			}
			if tt.text != "" && !hasText(doc, tt.text) {
				t.Errorf("text %q not read; %d blocks", tt.text, len(doc.Blocks))
			}
			if n > tt.budget {
				t.Errorf("allocated %d MiB for a %d KiB file, budget %d MiB", n>>20, len(data)>>10, tt.budget>>20)
			}
			if len(doc.Warnings) > MaxWarnings {
				t.Errorf("%d warnings, cap %d", len(doc.Warnings), MaxWarnings)
			}
			t.Logf("%d KiB in, %d MiB allocated, %s, %d blocks, %d warnings", len(data)>>10, n>>20, doc.Status, len(doc.Blocks), len(doc.Warnings))
		})
	}
}

// readings lists a document's title, paragraphs and table cells with where
// they were printed, to compare two readings of one report.
func readings(doc *Document) []string {
	out := []string{doc.Title}
	for _, b := range doc.Blocks {
		if b.Table == nil {
			out = append(out, fmt.Sprintf("%v %q", b.Loc, b.Text))
			continue
		}
		for _, r := range b.Table.Rows {
			for _, c := range r.Cells {
				out = append(out, fmt.Sprintf("%v %q %d %d %v", c.Loc, c.Text, c.ColSpan, c.RowSpan, c.Continued))
			}
		}
	}
	return out
}

// TestPDFRepairs reads real reports damaged as files from the web are,
// and requires the cells of the undamaged file, with a warning saying
// what was repaired.
func TestPDFRepairs(t *testing.T) {
	for _, fixture := range []string{"gopdf-2021-ruled", "encrypted-empty-pw", "lo-2021-pagesplit"} {
		good := readOrSkip(t, "../testdata/pdf/"+fixture+"/report.pdf")
		want, err := Parse(context.Background(), "a.pdf", good)
		if err != nil || want.Status != StatusOK {
			t.Fatalf("%s: %v %q", fixture, err, want.Status)
		}
		noXref := good[:bytes.LastIndex(good, []byte("\nxref"))+1]
		tests := []struct {
			name   string
			data   []byte
			repair string // in the warning
		}{
			{"500 bytes of junk before the header", hostile.JunkBefore(good, 500), "junk before"},
			{"1000 bytes of junk before the header", hostile.JunkBefore(good, 1000), "junk before"},
			{"an HTML page after the end", hostile.JunkAfter(good, 50), "junk after"},
			{"version 2.0", hostile.Version(good, "2.0"), `"2.0" read as 1.7`},
			{"a broken cross-reference table", hostile.BrokenXref(good), "rebuilt"},
			{"all at once", hostile.JunkBefore(hostile.BrokenXref(hostile.Version(hostile.JunkAfter(good, 10), "2.0")), 300), "rebuilt"},
		}
		if fixture != "encrypted-empty-pw" {
			// (an encrypted file cut before its trailer has lost the
			// /ID its key is made from)
			tests = append(tests, struct {
				name   string
				data   []byte
				repair string
			}{"no cross-reference table and no end", noXref, "rebuilt"})
		}
		for _, tt := range tests {
			t.Run(fixture+"/"+tt.name, func(t *testing.T) {
				doc, err := Parse(context.Background(), "a.pdf", tt.data)
				if err != nil {
					t.Fatal(err)
				}
				if doc.Status != StatusOK {
					t.Fatalf("status %q; warnings %v", doc.Status, doc.Warnings)
				}
				var repaired []string
				for _, w := range doc.Warnings {
					if w.Code == CodePDFRepaired {
						repaired = append(repaired, w.Message)
					}
				}
				if !strings.Contains(strings.Join(repaired, "; "), tt.repair) {
					t.Errorf("repairs %q, want one with %q", repaired, tt.repair)
				}
				got, exp := readings(doc), readings(want)
				if len(got) != len(exp) {
					t.Fatalf("%d cells and paragraphs, want %d", len(got), len(exp))
				}
				for i := range got {
					if got[i] != exp[i] {
						t.Fatalf("item %d: %s, want %s", i, got[i], exp[i])
					}
				}
			})
		}
	}
}

// TestTextPDF reads the hostile package's valid text PDF, set in
// Helvetica without /Widths or /Encoding.
func TestTextPDF(t *testing.T) {
	doc, err := Parse(context.Background(), "a.pdf", hostile.TextPDF())
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != StatusOK || !hasText(doc, hostile.TextLine) || len(doc.Warnings) != 0 {
		t.Errorf("status %q, %d blocks, warnings %v; want the line %q", doc.Status, len(doc.Blocks), doc.Warnings, hostile.TextLine)
	}
}

// countdown is a context whose time runs out at its n-th look at Err, and
// whose Done channel closes then, as a cancelled context's does.
type countdown struct {
	context.Context
	n    atomic.Int64
	done chan struct{}
	once sync.Once
}

func newCountdown(n int64) *countdown {
	c := &countdown{Context: context.Background(), done: make(chan struct{})}
	c.n.Store(n)
	return c
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		c.once.Do(func() { close(c.done) })
		return context.Canceled
	}
	return nil
}

func (c *countdown) Done() <-chan struct{} { return c.done }

// TestPDFStopsMidway stops the reading of a long PDF (a thousand pages of
// dense grids, minutes of work) part-way, by a context that tells its end
// by Err alone and by one that closes its Done channel too. ParsePDF must
// come back failed with a timeout warning, and no goroutine of the
// document may stay behind.
func TestPDFStopsMidway(t *testing.T) {
	data := hostile.DenseGrid(1000, 200)
	for _, tt := range []struct {
		name string
		ctx  func() context.Context
	}{
		{"Err only", func() context.Context { return &expiring{Context: context.Background(), n: 500} }},
		{"Err and Done", func() context.Context { return newCountdown(500) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runtime.GC()
			base := runtime.NumGoroutine()
			doc, err := ParsePDF(tt.ctx(), data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Status != StatusFailed || !hasCode(doc, CodePDFTimeout) {
				t.Errorf("status %q, warnings %v; want failed with %s", doc.Status, doc.Warnings, CodePDFTimeout)
			}
			// The document's goroutine ends at its next look at the
			// context, within milliseconds; the wait is only a bound on a
			// failure, which would take minutes.
			for i := 0; runtime.NumGoroutine() > base; i++ {
				if i == 3000 {
					buf := make([]byte, 1<<16)
					t.Fatalf("%d goroutines, %d before the parse:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
