package parse

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// FuzzParseHTML feeds the HTML and text readers mangled reports. They must
// never panic, and every cell must say where it is.
func FuzzParseHTML(f *testing.F) {
	for _, pat := range []string{"../testdata/reports/*/report.*", "../../shared/corpus/*/report.html"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("<table><tr><td rowspan=3>a<table><td>b</table>c<td colspan=2>d</table>"))
	// The hostile shapes, small: the fuzzer grows them.
	for _, seed := range [][]byte{hostile.RowspanBomb(50), hostile.ManyTables(50), hostile.DeepNesting(500),
		hostile.WideRow(600), hostile.StrayByte(), hostile.StrayNUL()} {
		f.Add(seed)
	}
	f.Add([]byte("<table>x<caption>t</caption><td>1<tr><th>2</table></table><td>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, read := range []func(context.Context, []byte) (*Document, error){ParseHTML, ParseText} {
			doc, err := read(context.Background(), data)
			if err != nil {
				continue
			}
			for _, b := range doc.Blocks {
				if b.Table == nil {
					continue
				}
				for _, r := range b.Table.Rows {
					for _, c := range r.Cells {
						if !c.Loc.InTable() || c.ColSpan < 1 || c.RowSpan < 1 || c.Col < 0 {
							t.Fatalf("cell %q has a bad place: %+v", c.Text, c)
						}
					}
				}
			}
		}
	})
}
