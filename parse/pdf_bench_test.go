package parse_test

import (
	"context"
	"os"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// BenchmarkPDFToChecks times the whole table extraction of the corpus PDF
// per page: open, layout, cells, canonical cells and arithmetic checks.
func BenchmarkPDFToChecks(b *testing.B) {
	data, err := os.ReadFile("../../shared/corpus/huaian-hongze-2023/report.pdf")
	if err != nil {
		b.Skip(err)
	}
	ctx := context.Background()
	doc, err := parse.ParsePDF(ctx, data)
	if err != nil || doc.Status != parse.StatusOK {
		b.Fatalf("parse: %v %q", err, doc.Status)
	}
	pages := doc.Pages()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		doc, err := parse.ParsePDF(ctx, data)
		if err != nil {
			b.Fatal(err)
		}
		r := normalize.Normalize(doc, normalize.Source{})
		if len(normalize.Checks(r.Cells)) == 0 {
			b.Fatal("no checks")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pages)/1e6, "ms/page")
}
