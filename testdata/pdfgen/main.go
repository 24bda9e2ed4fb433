// Command pdfgen regenerates the PDF test fixtures in testdata/pdf.
//
// Each fixture is a table spec (fixtures.go): template, year, agency, the
// cells of 表二/表三/表四 (seeded numbers plus deliberate blanks and
// broken identities) and layout switches (ruled or not, vertical and
// wrapped labels, page splits, 8-column 表三, local sub-rows, Kangxi
// radicals). From the spec it renders a PDF the way real producers do and
// writes testdata/pdf/<name>/report.pdf next to an expected.json derived
// from the same spec, so the expected cells are right by construction.
//
// Producers:
//
//   - gopdf: signintech/gopdf drawing text and rulings directly, with an
//     embedded TrueType subset (Type0, Identity-H, ToUnicode);
//   - libreoffice: soffice --headless --infilter="HTML (StarWriter)"
//     --convert-to pdf from the site-style HTML;
//   - wkhtmltopdf: the same HTML through Qt WebKit;
//   - cmap: a hand-written PDF using the non-embedded STSong-Light through
//     the predefined CMaps UniGB-UCS2-H and GBK-EUC-H, without ToUnicode;
//   - qpdf: encrypted copies of a gopdf rendering;
//   - scan: pdftoppm rasters of a gopdf rendering as an image-only PDF.
//
// Run from the repository root:
//
//	go run ./testdata/pdfgen            # all fixtures
//	go run ./testdata/pdfgen -only lo-2021-pagesplit,wk-2019-kangxi
//	go run ./testdata/pdfgen -demo internal/demo   # the demo site (demo.go)
//
// Fixtures whose tool is missing are skipped with a message and their
// committed files are left alone. See README.md for the tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "testdata/pdf", "output directory (one folder per fixture)")
	only := flag.String("only", "", "comma-separated fixture names to regenerate (default all)")
	font := flag.String("font", "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", "CJK TrueType font embedded by the gopdf producer (Debian fonts-arphic-gbsn00lp)")
	html := flag.Bool("html", false, "also write the HTML given to the converters (report.html, not committed)")
	demo := flag.String("demo", "", "write internal/demo's fixture site into `dir` (site/, testdata/, expected.json) instead of the fixtures")
	flag.Parse()

	want := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	g := &gen{out: *out, font: *font, keepHTML: *html}
	ctx := context.Background()
	if *demo != "" {
		if err := g.demo(ctx, *demo); err != nil {
			fmt.Fprintf(os.Stderr, "demo: %v\n", err)
			os.Exit(1)
		}
		return
	}
	failed := false
	for i := range fixtures {
		f := &fixtures[i]
		if len(want) > 0 && !want[f.Name] {
			continue
		}
		if err := g.build(ctx, f); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f.Name, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

type gen struct {
	out, font string
	keepHTML  bool
}

// skip reports a fixture that cannot be built here.
type skip string

func (s skip) Error() string { return string(s) }

func (g *gen) build(ctx context.Context, f *Fixture) error {
	r := f.Report
	v := r.Generate()
	doc := r.BuildDoc(v)
	var pdf []byte
	var err error
	switch f.Producer {
	case prodGopdf:
		pdf, err = g.gopdf(r, doc)
	case prodCMap:
		c := &cmapCanvas{tableSize: tableSize(r)}
		l := &Layouter{C: c, TableSize: tableSize(r), Ruled: r.Layout.Ruled, BreakBefore: r.Layout.BreakBefore}
		if err = l.Render(doc); err == nil {
			pdf = c.Bytes(doc.Title, fixedDate)
		}
	case prodLO, prodWK:
		o := HTMLOptions{Font: "AR PL SungtiL GB", Ruled: r.Layout.Ruled, TableFont: "9pt"}
		tool := "soffice"
		if f.Producer == prodWK {
			tool = "wkhtmltopdf"
			if r.Layout.Kangxi {
				o.Font = "AR PL UMing CN" // has glyphs for the Kangxi radicals
			}
		}
		if r.Layout.OffPage {
			// Site chrome positioned partly left of the page: the first
			// characters are drawn at negative x, outside the MediaBox.
			o.OffPage = `<div style="position:absolute; top:0px; left:-160px; white-space:nowrap; font-size:10.5pt">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报 &gt; 正文</div>`
		}
		page := doc.HTML(o)
		if g.keepHTML {
			os.MkdirAll(filepath.Join(g.out, f.Name), 0o755)
			os.WriteFile(filepath.Join(g.out, f.Name, "report.html"), []byte(page), 0o644)
		}
		if !have(tool) {
			return g.skipped(f, tool)
		}
		if f.Producer == prodLO {
			pdf, err = viaLibreOffice(ctx, f.Name, page)
		} else {
			pdf, err = viaWkhtmltopdf(ctx, f.Name, page)
		}
	case prodQPDF:
		if !have("qpdf") {
			return g.skipped(f, "qpdf")
		}
		var plain []byte
		if plain, err = g.gopdf(r, doc); err == nil {
			pdf, err = encrypt(ctx, plain, f.UserPW, f.OwnerPW, f.Bits, f.QPDFArgs...)
		}
	case prodScanned:
		if !have("pdftoppm") {
			return g.skipped(f, "pdftoppm")
		}
		var plain []byte
		if plain, err = g.gopdf(r, doc); err == nil {
			var imgs []grayImage
			if imgs, err = rasterize(ctx, plain, 100); err == nil {
				pdf = imagePDF(imgs, fixedDate)
			}
		}
	default:
		err = fmt.Errorf("unknown producer %q", f.Producer)
	}
	var sk skip
	if errors.As(err, &sk) {
		fmt.Printf("%-32s skipped: %s (committed files left as they are)\n", f.Name, sk)
		return nil
	}
	if err != nil {
		return err
	}
	dir := filepath.Join(g.out, f.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.pdf"), pdf, 0o644); err != nil {
		return err
	}
	e := &Expected{File: "report.pdf", Format: "pdf", Template: r.Template, Year: r.Year, Agency: r.Agency, Notes: r.Notes}
	if !f.NoCells {
		e.Cells = v
		e.Failing = r.FailingIdentities(v)
	}
	if err := writeExpected(dir, e); err != nil {
		return err
	}
	fmt.Printf("%-32s %-12s %7d bytes  %d cells  %d failing identities\n", f.Name, f.Producer, len(pdf), len(cellsOf(e)), len(e.Failing))
	return nil
}

func cellsOf(e *Expected) []string {
	if e.Cells == nil {
		return nil
	}
	return e.Cells.order
}

func (g *gen) skipped(f *Fixture, tool string) error {
	fmt.Printf("%-32s skipped: %s not installed (committed files left as they are)\n", f.Name, tool)
	return nil
}

func tableSize(r *Report) float64 {
	if r.Layout.FontSize > 0 {
		return r.Layout.FontSize
	}
	return 9
}

func (g *gen) gopdf(r *Report, doc *Doc) ([]byte, error) {
	if _, err := os.Stat(g.font); err != nil {
		return nil, skip(fmt.Sprintf("font %s not found (apt-get install fonts-arphic-gbsn00lp or pass -font)", g.font))
	}
	c, err := newGopdfCanvas(g.font, doc.Title, r.Agency, fixedTime)
	if err != nil {
		return nil, err
	}
	l := &Layouter{C: c, TableSize: tableSize(r), Ruled: r.Layout.Ruled, BreakBefore: r.Layout.BreakBefore}
	if err := l.Render(doc); err != nil {
		return nil, err
	}
	return c.Bytes()
}
