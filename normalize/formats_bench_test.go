package normalize_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// BenchmarkPipelineSameReport is BenchmarkPipeline (parse, normalize,
// checks) on one report as published in HTML and as the DOCX the formats
// set made of that page, so that the two paths are compared per report
// in one run (issue 11: the DOCX path at least as fast as HTML).
func BenchmarkPipelineSameReport(b *testing.B) {
	for _, f := range []struct{ format, path string }{
		{"html", "../../shared/corpus/pingtan-2023/report.html"},
		{"docx", "../../shared/formats/pingtan-2023-docx/report.docx"},
	} {
		b.Run("format="+f.format, func(b *testing.B) {
			data, err := os.ReadFile(f.path)
			if err != nil {
				b.Skip("the shared corpus is not here: ", err)
			}
			ctx := context.Background()
			src := normalize.Source{Path: filepath.Base(f.path)}
			b.ReportAllocs()
			for b.Loop() {
				r := normalize.Process(ctx, src, data)
				if len(r.Cells) == 0 {
					b.Fatalf("%s: no cells", f.path)
				}
			}
		})
	}
}

// BenchmarkNormalizeAfterParse times Normalize on one and the same
// document (the HTML report's) right after a parse of the report as HTML
// and as DOCX, untimed: the difference is what the parse leaves in the
// caches for the normalizing that follows it (a DOCX's document.xml is
// 13 times the HTML's bytes), which BenchmarkPipelineSameReport counts
// on top of the two parses.
func BenchmarkNormalizeAfterParse(b *testing.B) {
	html, err1 := os.ReadFile("../../shared/corpus/pingtan-2023/report.html")
	docx, err2 := os.ReadFile("../../shared/formats/pingtan-2023-docx/report.docx")
	if err1 != nil || err2 != nil {
		b.Skip("the shared corpus is not here")
	}
	ctx := context.Background()
	doc, err := parse.Parse(ctx, "report.html", html)
	if err != nil {
		b.Fatal(err)
	}
	src := normalize.Source{Path: "report.html", SHA256: "0"}
	for _, before := range []struct {
		name string
		data []byte
	}{{"report.html", html}, {"report.docx", docx}} {
		b.Run("after="+filepath.Ext(before.name)[1:], func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				if _, err := parse.Parse(ctx, before.name, before.data); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				normalize.Normalize(doc, src)
			}
		})
	}
}
