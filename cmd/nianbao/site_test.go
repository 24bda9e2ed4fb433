package main

import (
	"bytes"
	"encoding/xml"
	"flag"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/output"
)

// demoSite runs 'nianbao demo' into a temporary directory and returns the
// dataset and the site it ends by writing.
func demoSite(t *testing.T) (dataset, site string) {
	t.Helper()
	dataset = filepath.Join(t.TempDir(), "demo")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"demo", "-q", "-o", dataset}, &stdout, &stderr); code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	site = dataset + "-site"
	if !strings.Contains(stdout.String(), filepath.Join(site, "index.html")) {
		t.Fatalf("demo does not print the site to open:\n%s", stdout.String())
	}
	return dataset, site
}

// readAll reads every partition of a table of the dataset.
func readAll[T any](t *testing.T, dataset, table string) []T {
	t.Helper()
	ps, err := output.Partitions(dataset, table)
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	for _, p := range ps {
		rows, err := parquet.ReadFile[T](p.Path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
	}
	return out
}

func readReports(t *testing.T, dataset string) []output.ReportRow {
	t.Helper()
	rows, err := parquet.ReadFile[output.ReportRow](filepath.Join(dataset, output.ReportsFile))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSitePages checks the demo's site without a browser: a page per
// report, none over 1 MB, and on the PDF drawings every cell's box over
// the glyphs of its printed text.
func TestSitePages(t *testing.T) {
	dataset, site := demoSite(t)
	checkSite(t, dataset, site, 100)
}

var siteData = flag.String("sitedata", "", "TestSitePagesOf: a dataset whose site (DATASET-site, written by 'nianbao site') to check as TestSitePages checks the demo's")

// TestSitePagesOf checks the site of any dataset (-sitedata), e.g. one of
// the real reports of ../shared with their files put in its archive.
func TestSitePagesOf(t *testing.T) {
	if *siteData == "" {
		t.Skip("no -sitedata")
	}
	checkSite(t, *siteData, filepath.Clean(*siteData)+"-site", 1)
}

// checkSite checks the pages of a dataset's site, wanting at least
// perReport boxes or lines checked on each PDF or HTML report with cells.
func checkSite(t *testing.T, dataset, site string, perReport int) {
	reports := readReports(t, dataset)
	for _, r := range reports {
		for _, ext := range []string{".html", ".json"} {
			if _, err := os.Stat(filepath.Join(site, "r", r.ReportID+ext)); err != nil {
				t.Errorf("report %s (%s): %v", r.ReportID, r.Source, err)
			}
		}
	}
	err := filepath.WalkDir(site, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if ext := filepath.Ext(p); err == nil && (ext == ".html" || ext == ".json" || ext == ".js") && fi.Size() > 1<<20 {
			t.Errorf("%s: %d bytes, over 1 MB", p, fi.Size())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	raw := map[string]string{} // report_id + key -> raw
	for _, c := range readAll[output.CellRow](t, dataset, output.CellsDir) {
		raw[c.ReportID+" "+c.Key] = c.Raw
	}
	boxes, pdfs := 0, 0
	for _, r := range reports {
		if r.Format != "pdf" || r.CellCount == 0 {
			continue
		}
		pdfs++
		page, err := os.ReadFile(filepath.Join(site, "r", r.ReportID+".html"))
		if err != nil {
			t.Fatal(err)
		}
		svgs := regexp.MustCompile(`(?s)<svg class="page".*?</svg>`).FindAll(page, -1)
		if len(svgs) == 0 {
			t.Errorf("%s: no page drawn", r.Source)
		}
		for _, svg := range svgs {
			d, err := parseDrawing(svg)
			if err != nil {
				t.Fatalf("%s: drawing: %v", r.Source, err)
			}
			for _, b := range d.boxes {
				want, ok := raw[r.ReportID+" "+b.key]
				if !ok {
					t.Errorf("%s: box of %s, a cell the dataset does not have", r.Source, b.key)
					continue
				}
				if got := d.textIn(b); squeeze(got) != squeeze(want) {
					t.Errorf("%s: box of %s holds %q, the cell's raw text is %q", r.Source, b.key, got, want)
				}
				boxes++
			}
		}
	}
	t.Logf("%d boxes checked on %d PDF reports", boxes, pdfs)
	if pdfs == 0 || boxes < perReport*pdfs {
		t.Errorf("%d boxes checked on %d PDF reports; want at least %d each", boxes, pdfs, perReport)
	}

	// On HTML reports, each cell's source line holds its printed text.
	lines := map[string]int{} // report_id + key -> line
	for _, p := range readAll[output.PositionRow](t, dataset, output.PositionsDir) {
		if p.Line != nil {
			lines[p.ReportID+" "+p.Key] = int(*p.Line)
		}
	}
	shown, htmls := 0, 0
	li := regexp.MustCompile(`<li id="L(\d+)" value="\d+"><code>(.*?)</code>`)
	tag := regexp.MustCompile(`<[^>]*>`)
	mark := regexp.MustCompile(`<mark id="m(\d+)">(.*?)</mark>`)
	tdMark := regexp.MustCompile(`<td id="c\d+" data-key="([^"]*)"[^>]*data-mark="(\d+)"`)
	for _, r := range reports {
		if r.Format != "html" || r.CellCount == 0 {
			continue
		}
		htmls++
		page, err := os.ReadFile(filepath.Join(site, "r", r.ReportID+".html"))
		if err != nil {
			t.Fatal(err)
		}
		text := map[int]string{}
		for _, m := range li.FindAllSubmatch(page, -1) {
			n, _ := strconv.Atoi(string(m[1]))
			text[n] = html.UnescapeString(string(tag.ReplaceAll(m[2], nil)))
		}
		// Each marked value in a line is its own cell's printed text.
		marked := map[string]string{}
		for _, m := range mark.FindAllSubmatch(page, -1) {
			marked[string(m[1])] = html.UnescapeString(string(m[2]))
		}
		n := 0
		for _, m := range tdMark.FindAllSubmatch(page, -1) {
			key := html.UnescapeString(string(m[1]))
			want := strings.TrimSpace(raw[r.ReportID+" "+key])
			if got, ok := marked[string(m[2])]; !ok || got != want {
				t.Errorf("%s: cell %s (%q) marks %q in its line", r.Source, key, want, got)
			}
			n++
		}
		if n < perReport {
			t.Errorf("%s: %d cells' values marked in their lines; want at least %d", r.Source, n, perReport)
		}
		for k, raw := range raw {
			id, key, _ := strings.Cut(k, " ")
			n, ok := lines[k]
			if id != r.ReportID || !ok || raw == "" {
				continue
			}
			if line, ok := text[n]; !ok || !strings.Contains(line, raw) {
				t.Errorf("%s: cell %s (%q) at line %d; the page shows that line as %q", r.Source, key, raw, n, line)
			}
			shown++
		}
	}
	t.Logf("%d source lines checked on %d HTML reports", shown, htmls)
	if htmls == 0 || shown < perReport*htmls {
		t.Errorf("%d source lines checked on %d HTML reports; want at least %d each", shown, htmls, perReport)
	}
}

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// drawnPage is an SVG page drawing read back: its glyphs, each placed by
// its own x in a text element's list, and its boxes.
type drawnPage struct {
	glyphs []drawnGlyph
	boxes  []drawnRect
}

type drawnGlyph struct {
	text       string
	x, y, size float64
}

type drawnRect struct {
	key        string
	x, y, w, h float64
}

func parseDrawing(svg []byte) (*drawnPage, error) {
	var doc struct {
		Groups []struct {
			Class string `xml:"class,attr"`
			Texts []struct {
				X    string `xml:"x,attr"`
				Y    string `xml:"y,attr"`
				Size string `xml:"font-size,attr"`
				Text string `xml:",chardata"`
			} `xml:"text"`
			Rects []struct {
				Key    string `xml:"data-key,attr"`
				X      string `xml:"x,attr"`
				Y      string `xml:"y,attr"`
				Width  string `xml:"width,attr"`
				Height string `xml:"height,attr"`
			} `xml:"rect"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		return nil, err
	}
	num := func(s string) float64 { f, _ := strconv.ParseFloat(s, 64); return f }
	d := &drawnPage{}
	for _, g := range doc.Groups {
		for _, tx := range g.Texts {
			xs := strings.Fields(tx.X)
			for i, r := range []rune(tx.Text) {
				x := num(xs[min(i, len(xs)-1)])
				d.glyphs = append(d.glyphs, drawnGlyph{string(r), x, num(tx.Y), num(tx.Size)})
			}
		}
		if g.Class == "boxes" {
			for _, r := range g.Rects {
				d.boxes = append(d.boxes, drawnRect{r.Key, num(r.X), num(r.Y), num(r.Width), num(r.Height)})
			}
		}
	}
	return d, nil
}

// textIn is the text of the glyphs drawn inside r: a glyph's middle is a
// quarter em right of its x (digits and Latin letters are half an em
// wide) and a third of an em above its baseline.
func (d *drawnPage) textIn(r drawnRect) string {
	var b strings.Builder
	for _, g := range d.glyphs {
		cx, cy := g.x+g.size/4, g.y-g.size/3
		if cx >= r.x && cx <= r.x+r.w && cy >= r.y && cy <= r.y+r.h {
			b.WriteString(g.text)
		}
	}
	return b.String()
}
