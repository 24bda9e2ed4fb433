package normalize_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// FuzzPipeline feeds mangled HTML and text reports through parse and
// normalize: whatever the bytes, no panic, and every cell key is well
// formed. PDFs have their own fuzz target in parse/pdflayout.
func FuzzPipeline(f *testing.F) {
	for _, pat := range []string{"../testdata/reports/*/report.*", "../../shared/corpus/*/report.html", "../../shared/corpus/*/report.txt"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(filepath.Base(p), data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		doc, err := parse.Parse(context.Background(), name, data)
		if err != nil {
			return
		}
		r := normalize.Normalize(doc, normalize.Source{Path: name})
		for _, c := range r.Cells {
			if c.Table == "" || c.Row == "" || c.Col == "" {
				t.Fatalf("malformed cell key %q", c.Key())
			}
		}
	})
}
