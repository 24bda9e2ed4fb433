package normalize_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
)

// BenchmarkPipeline measures parse + normalize + checks over the HTML
// reports of the real corpus (the fixtures when the corpus is absent),
// one report per iteration. The target is 300 reports/s on one core:
// run with -cpu 1.
func BenchmarkPipeline(b *testing.B) {
	var docs [][]byte
	var names []string
	for _, pat := range []string{"../../shared/corpus/*/report.html", "../testdata/reports/*/report.html"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			docs, names = append(docs, data), append(names, p)
		}
		if len(docs) > 0 {
			break
		}
	}
	if len(docs) == 0 {
		b.Skip("no HTML reports found")
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(docs)
		r := normalize.Process(ctx, normalize.Source{Path: names[k]}, docs[k])
		if len(r.Cells) == 0 {
			b.Fatalf("%s: no cells", names[k])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
