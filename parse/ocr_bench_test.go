package parse

import (
	"context"
	"testing"
)

// BenchmarkOCRScan times the reading of a scanned report by OCR, per
// page: page images, deskew, rulings, the engine's page, digit and label
// passes, layout. It needs the OCR engine.
func BenchmarkOCRScan(b *testing.B) {
	data := readOrSkip(b, scanPath)
	ocrOrSkip(b)
	ctx := context.Background()
	pages := 0
	for b.Loop() {
		doc, err := ParsePDF(ctx, data)
		if err != nil || doc.Status != StatusOK {
			b.Fatalf("parse: %v %q", err, doc.Status)
		}
		pages += doc.Pages()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(pages), "s/page")
}
