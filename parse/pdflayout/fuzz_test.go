package pdflayout

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// corpusPDF is the real report of the shared corpus, read relative to this
// package's directory.
const corpusPDF = "../../../shared/corpus/huaian-hongze-2023/report.pdf"

// mutations returns truncated and bit-flipped versions of data, chosen
// deterministically.
func mutations(data []byte, seed int64) [][]byte {
	var out [][]byte
	for _, frac := range []float64{0.05, 0.3, 0.6, 0.9, 0.995} {
		out = append(out, data[:int(float64(len(data))*frac)])
	}
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < 8; i++ {
		m := append([]byte(nil), data...)
		for k := 0; k < 1+i; k++ {
			p := rng.Intn(len(m))
			m[p] ^= 1 << uint(rng.Intn(8))
		}
		out = append(out, m)
	}
	return out
}

// seedPDFs returns the PDFs available to seed the fuzzer: the corpus report
// and the fixture reports, when present.
func seedPDFs(tb testing.TB) [][]byte {
	paths, _ := filepath.Glob("../../testdata/pdf/*/report.pdf")
	paths = append(paths, corpusPDF)
	var out [][]byte
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			out = append(out, data)
		}
	}
	return out
}

// parseAll runs the whole layout layer over a document, as ParsePDF does:
// pages laid out in turn, a table that opens a page offered the last table
// of the page before to continue.
func parseAll(data []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := Open(ctx, data)
	if err != nil {
		return
	}
	var last *Table
	for n := 1; n <= d.NumPages() && n <= 50; n++ {
		p, _ := d.Page(ctx, n)
		if p == nil {
			continue
		}
		var tail *Table
		blocks, _ := LayoutContext(ctx, p, last)
		for i, b := range blocks {
			if b.Table == nil {
				continue
			}
			if i == 0 && Continues(last, b.Table) {
				last.Append(b.Table)
				tail = last
				continue
			}
			tail = b.Table
		}
		last = tail
	}
}

// hostileSeeds returns small variants of the hostile files of package
// hostile, each well under 100 KB.
func hostileSeeds() [][]byte {
	text := hostile.TextPDF()
	return [][]byte{
		text,
		hostile.DeepArray(1000),
		hostile.DeepXrefIndex(1000),
		hostile.DeepDict(100),
		hostile.DeepForms(20),
		hostile.DeepPageTree(70),
		hostile.DeepContents(100),
		hostile.HugeString(70_000),
		hostile.HugeWidths(100),
		hostile.HugeW2(100),
		hostile.HugeToUnicode(100),
		hostile.ManyPages(20),
		hostile.DenseGrid(2, 20),
		hostile.JunkBefore(text, 500),
		hostile.JunkAfter(text, 50),
		hostile.Version(text, "2.0"),
		hostile.BrokenXref(text),
		hostile.BrokenXref(hostile.JunkBefore(text, 100))[:len(text)-40],
	}
}

func FuzzParsePDF(f *testing.F) {
	// object streams and cross-reference streams, which the fixtures lack
	streams := [][]byte{xrefStreamPDF(flateXref, xsection{}), xrefStreamPDF(pngUpXref, xsection{})}
	for i, data := range append(seedPDFs(f), streams...) {
		f.Add(data)
		for _, m := range mutations(data, int64(i)) {
			f.Add(m)
		}
	}
	for _, data := range hostileSeeds() {
		f.Add(data)
	}
	strictPanics = true
	defer func() { strictPanics = false }()
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan any, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- fmt.Sprintf("%v\n%s", r, debug.Stack())
					return
				}
				done <- nil
			}()
			parseAll(data)
		}()
		select {
		case r := <-done:
			if r != nil {
				t.Fatal(r)
			}
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			panic("parse hung:\n" + string(buf[:runtime.Stack(buf, true)]))
		}
	})
}
