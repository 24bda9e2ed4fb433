package parse_test

import (
	"context"
	"os"
	"testing"

	"github.com/opengov-cn/nianbao/parse"
)

// BenchmarkOFD times the reading of an OFD fixture, in pages per second:
// unzip, XML, glyphs and rulings, layout.
func BenchmarkOFD(b *testing.B) {
	data, err := os.ReadFile("../testdata/ofd/gopdf-2021-ruled-ofd/report.ofd")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	pages := 0
	b.ReportAllocs()
	for b.Loop() {
		doc, err := parse.ParseOFD(ctx, data)
		if err != nil || doc.Status != parse.StatusOK {
			b.Fatalf("parse: %v %q", err, doc.Status)
		}
		pages += doc.Pages()
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
