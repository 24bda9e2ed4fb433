package parse

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseDOCX reads the DOCX reports of the formats set and the
// fixtures, one report per iteration, to compare with BenchmarkParseHTML.
func BenchmarkParseDOCX(b *testing.B) {
	var docs [][]byte
	for _, pat := range []string{"../../shared/formats/*/*.docx", "../testdata/word/*/report.docx"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, data)
		}
	}
	if len(docs) == 0 {
		b.Skip("no DOCX reports found")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseDOCX(context.Background(), docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

// sameReport names one report as published in HTML and as the DOCX the
// formats set made of that very page (../shared/formats/README.md), so
// the two readers are timed on the same tables and text.
var sameReport = []struct{ format, path string }{
	{"html", "../../shared/corpus/pingtan-2023/report.html"},
	{"docx", "../../shared/formats/pingtan-2023-docx/report.docx"},
}

// BenchmarkSameReport times Parse (sniffing, the reader, the title rule)
// on one report in each format, so that issue 11's "the DOCX path is at
// least as fast per report as HTML" is read as the ratio of the two
// sub-benchmarks of one run.
func BenchmarkSameReport(b *testing.B) {
	for _, f := range sameReport {
		b.Run("format="+f.format, func(b *testing.B) {
			data, err := os.ReadFile(f.path)
			if err != nil {
				b.Skip("the shared corpus is not here: ", err)
			}
			b.ReportAllocs()
			for b.Loop() {
				doc, err := Parse(context.Background(), filepath.Base(f.path), data)
				if err != nil || len(doc.Blocks) == 0 {
					b.Fatalf("%s: %v, %d blocks", f.path, err, len(doc.Blocks))
				}
			}
		})
	}
}
