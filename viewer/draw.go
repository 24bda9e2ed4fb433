package viewer

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opengov-cn/nianbao/output"
	"github.com/opengov-cn/nianbao/parse/pdflayout"
)

// maxGlyphsPerDrawing caps the glyphs drawn of one page: a report page has
// a few thousand; a hostile one may draw millions of invisible ones.
const maxGlyphsPerDrawing = 20000

// drawTimeout bounds the reading of one PDF's pages for its drawings: a
// report's few pages take milliseconds.
const drawTimeout = 30 * time.Second

// drawing is a page drawn from the layout engine's own glyphs and rulings,
// with the boxes of the cells printed on it.
type drawing struct {
	page          int
	width, height float64
	glyphs        []pdflayout.Glyph
	rules         []pdflayout.Rule
	boxes         []drawnBox
	cut           bool // the glyphs were capped
}

type drawnBox struct {
	n    int // index among the report's drawn boxes
	key  string
	raw  string
	rect pdflayout.Rect
}

// drawPages draws the pages of a PDF that hold cells, returning the SVG
// of each, the index of each cell's box, and notes on what was left out.
func (g *generator) drawPages(path string, cells []output.CellRow, positions map[string]output.PositionRow) ([]template.HTML, map[string]int, []string) {
	ds, notes := g.drawings(path, cells, positions)
	boxes := map[string]int{}
	var out []template.HTML
	total := 0
	for _, d := range ds {
		svg := d.svg()
		if total+len(svg) > maxDrawingBytes {
			notes = append(notes, fmt.Sprintf("page %d and later not drawn: the drawings would pass %d KB", d.page, maxDrawingBytes>>10))
			break
		}
		total += len(svg)
		for _, b := range d.boxes {
			boxes[b.key] = b.n
		}
		if d.cut {
			notes = append(notes, fmt.Sprintf("page %d: only the first %d glyphs are drawn", d.page, maxGlyphsPerDrawing))
		}
		out = append(out, template.HTML(svg))
	}
	return out, boxes, notes
}

// drawings reads the pages of the PDF at path that the positions name.
func (g *generator) drawings(path string, cells []output.CellRow, positions map[string]output.PositionRow) ([]*drawing, []string) {
	byPage := map[int][]drawnBox{}
	raw := map[string]string{}
	for _, c := range cells {
		raw[c.Key] = c.Raw
	}
	keys := make([]string, 0, len(positions))
	for k := range positions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n := 0
	for _, k := range keys {
		p := positions[k]
		if p.Page == nil || len(p.BBox) != 4 {
			continue
		}
		byPage[int(*p.Page)] = append(byPage[int(*p.Page)], drawnBox{n: n, key: k, raw: raw[k],
			rect: pdflayout.Rect{X0: p.BBox[0], Y0: p.BBox[1], X1: p.BBox[2], Y1: p.BBox[3]}})
		n++
	}
	if len(byPage) == 0 {
		return nil, nil
	}
	b, err := readCapped(path)
	if err != nil {
		return nil, []string{"the source is not drawn: " + err.Error()}
	}
	// The parse read this file in a worker that a timeout kills; here a
	// deadline does, the layout engine looking at its context in every
	// loop that grows with the input.
	ctx, cancel := context.WithTimeout(g.ctx, drawTimeout)
	defer cancel()
	doc, err := pdflayout.Open(ctx, b)
	if err != nil {
		return nil, []string{"the source is not drawn: " + err.Error()}
	}
	pages := make([]int, 0, len(byPage))
	for p := range byPage {
		pages = append(pages, p)
	}
	slices.Sort(pages)
	var notes []string
	if len(pages) > maxDrawnPages {
		notes = append(notes, fmt.Sprintf("only the first %d of the %d pages holding cells are drawn", maxDrawnPages, len(pages)))
		pages = pages[:maxDrawnPages]
	}
	var out []*drawing
	for _, pn := range pages {
		if pn < 1 || pn > doc.NumPages() {
			notes = append(notes, fmt.Sprintf("page %d is named by a cell but the file has %d pages", pn, doc.NumPages()))
			continue
		}
		p, err := doc.Page(ctx, pn)
		if err != nil {
			notes = append(notes, fmt.Sprintf("page %d not drawn: %v", pn, err))
			continue
		}
		d := &drawing{page: pn, width: p.Width, height: p.Height, glyphs: p.Glyphs, rules: p.Rules, boxes: byPage[pn]}
		if len(d.glyphs) > maxGlyphsPerDrawing {
			d.glyphs, d.cut = d.glyphs[:maxGlyphsPerDrawing], true
		}
		out = append(out, d)
	}
	return out, notes
}

// glyphsIn is the text of the glyphs whose centre lies in r, in drawing
// order: what a reader sees inside a marked box.
func glyphsIn(glyphs []pdflayout.Glyph, r pdflayout.Rect) string {
	var b strings.Builder
	for _, gl := range glyphs {
		cx, cy := (gl.BBox.X0+gl.BBox.X1)/2, (gl.BBox.Y0+gl.BBox.Y1)/2
		if cx >= r.X0 && cx <= r.X1 && cy >= r.Y0 && cy <= r.Y1 {
			b.WriteString(gl.Text)
		}
	}
	return b.String()
}

// f formats a coordinate to 1/100 pt, enough on a page drawn a few
// hundred pixels wide.
func f(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}

// svg draws the page: rulings as lines, glyphs as text in their em boxes
// (a run of glyphs on one baseline as one text element with a position
// per glyph), the cells' boxes on top. Every string is escaped.
func (d *drawing) svg() string {
	var b strings.Builder
	w, h := d.width, d.height
	if !(w > 0) || !(h > 0) || w > 20000 || h > 20000 {
		w, h = 595, 842
	}
	fmt.Fprintf(&b, `<svg class="page" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" data-page="%d" role="img" aria-label="page %d of the source">`, f(w), f(h), d.page, d.page)
	fmt.Fprintf(&b, `<rect class="paper" width="%s" height="%s"/><g class="rules">`, f(w), f(h))
	for _, r := range d.rules {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, f(r.X0), f(r.Y0), f(r.X1), f(r.Y1))
	}
	b.WriteString(`</g><g class="glyphs">`)
	for i := 0; i < len(d.glyphs); {
		g0 := d.glyphs[i]
		j := i + 1
		if g0.Dir == 0 && !g0.Vertical {
			for j < len(d.glyphs) {
				gj := d.glyphs[j]
				if gj.Dir != 0 || gj.Vertical || math.Abs(gj.BBox.Y1-g0.BBox.Y1) > 0.01 || math.Abs(gj.Size-g0.Size) > 0.01 ||
					gj.BBox.X0 < d.glyphs[j-1].BBox.X0 || len([]rune(gj.Text)) != 1 || len([]rune(g0.Text)) != 1 {
					break
				}
				j++
			}
		}
		size := g0.BBox.Y1 - g0.BBox.Y0
		if size <= 0 {
			size = g0.Size
		}
		var xs []string
		var text strings.Builder
		for _, gl := range d.glyphs[i:j] {
			xs = append(xs, f(gl.BBox.X0))
			text.WriteString(gl.Text)
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s">%s</text>`, strings.Join(xs, " "), f(g0.BBox.Y1-size*0.12), f(size), html.EscapeString(svgText(text.String())))
		i = j
	}
	b.WriteString(`</g><g class="boxes">`)
	for _, bx := range d.boxes {
		r := bx.rect
		fmt.Fprintf(&b, `<rect class="box" id="b%d" data-key="%s" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
			bx.n, html.EscapeString(bx.key), f(r.X0), f(r.Y0), f(r.X1-r.X0), f(r.Y1-r.Y0), html.EscapeString(bx.key+" = "+bx.raw))
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

// svgText drops what XML cannot hold (control characters), keeping the
// text valid in an inline SVG.
func svgText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
