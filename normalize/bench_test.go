package normalize_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// benchReports reads the HTML reports of the real corpus, or the fixtures
// when the corpus is absent.
func benchReports(b *testing.B) (names []string, docs [][]byte) {
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
			return names, docs
		}
	}
	b.Skip("no HTML reports found")
	return nil, nil
}

// BenchmarkPipeline measures parse + normalize + checks over the HTML
// reports, one report per iteration. The target is 300 reports/s on one
// core: run with -cpu 1.
func BenchmarkPipeline(b *testing.B) {
	names, docs := benchReports(b)
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

// BenchmarkNormalize times Normalize alone (mapping, checks) over the
// same reports, parsed once before the timer starts, so that normalize's
// share can be measured apart from the parsers'. Labels matched for one
// report are cached for the next, as in a batch.
func BenchmarkNormalize(b *testing.B) {
	benchNormalize(b, func() {})
}

// BenchmarkNormalizeCold is BenchmarkNormalize with the shared label
// caches emptied before every report: the cost of a report whose labels
// no report before it printed.
func BenchmarkNormalizeCold(b *testing.B) {
	benchNormalize(b, normalize.ResetLabelCaches)
}

func benchNormalize(b *testing.B, before func()) {
	names, data := benchReports(b)
	docs := make([]*parse.Document, len(data))
	for i := range data {
		doc, err := parse.Parse(context.Background(), names[i], data[i])
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = doc
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(docs)
		before()
		r := normalize.Normalize(docs[k], normalize.Source{Path: names[k]})
		if len(r.Cells) == 0 {
			b.Fatalf("%s: no cells", names[k])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
