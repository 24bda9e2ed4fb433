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
