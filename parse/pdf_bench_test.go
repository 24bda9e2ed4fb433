package parse_test

import (
	"context"
	"os"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// BenchmarkPDFToChecks times the whole table extraction of a PDF per
// page: open, layout, cells, canonical cells and arithmetic checks, for
// the corpus PDF (WPS) and the fixtures printed by Chromium (Skia:
// separately drawn borders, many small text runs) and by LibreOffice.
func BenchmarkPDFToChecks(b *testing.B) {
	for _, bc := range []struct{ name, path string }{
		{"wps", "../../shared/corpus/huaian-hongze-2023/report.pdf"},
		{"chromium", "../testdata/pdfconv/chrome-2021-ruled/report.pdf"},
		{"chromium-unruled", "../testdata/pdfconv/chrome-2021-unruled/report.pdf"},
		{"libreoffice", "../testdata/pdfconv/lo-2021-docx-ruled/report.pdf"},
	} {
		b.Run(bc.name, func(b *testing.B) { benchPDF(b, bc.path) })
	}
}

func benchPDF(b *testing.B, path string) {
	data, err := os.ReadFile(path)
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
	perPage := b.Elapsed().Seconds() / float64(b.N*pages)
	b.ReportMetric(perPage*1e3, "ms/page")
	b.ReportMetric(1/perPage, "pages/s")
}
