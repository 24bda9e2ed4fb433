package parse

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseHTML reads the HTML reports of the real corpus (the
// fixtures when it is absent), one report per iteration.
func BenchmarkParseHTML(b *testing.B) {
	var docs [][]byte
	for _, pat := range []string{"../../shared/corpus/*/report.html", "../testdata/reports/*/report.html"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, data)
		}
		if len(docs) > 0 {
			break
		}
	}
	if len(docs) == 0 {
		b.Skip("no HTML reports found")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseHTML(context.Background(), docs[i%len(docs)]); err != nil {
			b.Fatal(err)
		}
	}
}
