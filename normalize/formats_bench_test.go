package normalize_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
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
