package pdflayout

import (
	"context"
	"math"
	"sort"
)

// Block is one item of a page in reading order: a line of text outside
// tables, or a table.
type Block struct {
	Text  string
	Table *Table
	BBox  Rect
	Size  float64 // largest font size on a text line
}

// Layout arranges a page's glyphs into tables and lines of text outside
// them, top to bottom. Tables come from ruling lines where the page has
// them, else from the alignment of words. prev, if not nil, is the table
// that ended the page before: a table that opens this page without a
// header of its own may continue it and keep its columns.
func Layout(p *Page, prev *Table) []Block {
	blocks, _ := LayoutContext(context.Background(), p, prev)
	return blocks
}

// LayoutContext is Layout for a page whose time may run out: once ctx is
// done it stops building tables and returns the page's lines of text as
// blocks, with ctx's error.
func LayoutContext(ctx context.Context, p *Page, prev *Table) ([]Block, error) {
	st := &stopper{ctx: ctx}
	if st.now() {
		return nil, st.err
	}
	blocks, rest := ruledTables(p, st)
	if st.err != nil {
		blocks, rest = nil, p.Glyphs
	}
	tl := prepare(groupLines(rest), p.Width)
	inTable := make([]bool, len(tl))
	if st.err == nil {
		blocks = append(blocks, alignTables(tl, prev, p.Width, inTable, st)...)
	}
	if st.err != nil {
		blocks = nil
		clear(inTable)
	}
	for i, l := range tl {
		if inTable[i] {
			continue
		}
		if t := l.text(); t != "" {
			blocks = append(blocks, Block{Text: t, BBox: l.box, Size: l.size()})
		}
	}
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].BBox.Y0 < blocks[j].BBox.Y0 })
	return blocks, st.err
}

// ruledTables builds the tables drawn with ruling lines, and returns them
// with the glyphs outside them.
func ruledTables(p *Page, st *stopper) ([]Block, []Glyph) {
	var blocks []Block
	rest := p.Glyphs
	rules := p.Rules
	if len(rules) > maxLayoutRules {
		rules = nil // a page drawn with this many lines is artwork, not a table
	}
	for _, g := range findGrids(rules, st) {
		cg := g.build(st)
		if cg == nil || len(cg.groups) < 2 || cg.cols() < 2 {
			// a frame, or rules between rows only: the columns, if any,
			// come from the alignment of the text
			continue
		}
		box := cg.box()
		var inside []Glyph
		inside, rest = splitGlyphs(rest, box)
		blocks = append(blocks, Block{Table: cg.table(g, inside), BBox: box})
	}
	return blocks, rest
}

// splitGlyphs parts gs into the glyphs whose centre lies in box and the
// others, each in their order.
func splitGlyphs(gs []Glyph, box Rect) (inside, outside []Glyph) {
	n := 0
	for _, g := range gs {
		if contains(box, g.BBox.cx(), g.BBox.cy()) {
			n++
		}
	}
	inside, outside = make([]Glyph, 0, n), make([]Glyph, 0, len(gs)-n)
	for _, g := range gs {
		if contains(box, g.BBox.cx(), g.BBox.cy()) {
			inside = append(inside, g)
		} else {
			outside = append(outside, g)
		}
	}
	return inside, outside
}

// alignTables builds the tables that lines tl print without rulings, and
// marks the lines they take in inTable. prev is as for Layout.
func alignTables(tl []tline, prev *Table, pageWidth float64, inTable []bool, st *stopper) []Block {
	var regions []alignRegion
	if len(tl) <= maxLayoutLines {
		regions = findAlignRegions(tl, pageWidth, st)
	}
	var blocks []Block
	for _, r := range regions {
		t := buildAlignTable(r, prev)
		prev = nil
		if t == nil {
			continue
		}
		top, bottom := r.lines[0].box.Y0, r.lines[len(r.lines)-1].box.Y1
		for i := range tl {
			if tl[i].box.Y0 >= top && tl[i].box.Y1 <= bottom {
				inTable[i] = true
			}
		}
		blocks = append(blocks, Block{Table: t, BBox: t.BBox})
	}
	return blocks
}

// Bounds on what Layout analyses, so that a hostile page cannot make it
// quadratic in a large number: beyond them a page yields text lines only.
const (
	maxLayoutRules = 20000
	maxLayoutLines = 1500
)

func contains(r Rect, x, y float64) bool {
	return x >= r.X0 && x <= r.X1 && y >= r.Y0 && y <= r.Y1
}

func (l line) size() float64 {
	var s float64
	for _, g := range l.glyphs {
		s = max(s, g.Size)
	}
	return s
}

// Continues reports whether next, the first table of a page, can be the
// rest of prev, the last table of the page before: both ruled, or both not, with the
// same column boundaries (an alignment table continues one whose columns
// it took over, see Layout). The caller checks that nothing but page
// furniture lies between them.
func Continues(prev, next *Table) bool {
	if prev == nil || next == nil || prev.Ruled != next.Ruled || len(prev.Rows) == 0 {
		return false
	}
	if !prev.Ruled {
		return sameColumns(prev.vcols, next.vcols)
	}
	if prev.NCols != next.NCols {
		return false
	}
	for i := range prev.Xs {
		if math.Abs(prev.Xs[i]-next.Xs[i]) > 2*snapTol {
			return false
		}
	}
	return true
}

// sameColumns reports whether two alignment tables have the same value
// columns; their label columns may differ (a page holds deeper labels than
// the one before).
func sameColumns(a, b []interval) bool {
	if len(a) == 0 || len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i].x0-b[i].x0) > 2*snapTol && a[i].overlap(b[i].x0, b[i].x1) <= 0 {
			return false
		}
	}
	return true
}

// alignLabels gives t and next, alignment tables with the same value
// columns, the same label columns: the one with fewer gets empty label
// columns before its values, its last label column's cells spanning them.
func (t *Table) alignLabels(next *Table) {
	switch d := len(next.lcols) - len(t.lcols); {
	case d > 0:
		widenLabels(t.Rows, len(t.lcols), d)
		t.lcols, t.NCols, t.Xs = next.lcols, next.NCols, next.Xs
	case d < 0:
		widenLabels(next.Rows, len(next.lcols), -d)
		next.lcols, next.NCols, next.Xs = t.lcols, t.NCols, t.Xs
	}
}

// widenLabels inserts d label columns after the nl of rows.
func widenLabels(rows []Row, nl, d int) {
	for _, r := range rows {
		for i := range r.Cells {
			c := &r.Cells[i]
			switch {
			case c.Col >= nl:
				c.Col += d
			case c.Col+c.ColSpan == nl:
				c.ColSpan += d
			}
		}
	}
}

// Append adds the rows of next, a continuation of t on the following page,
// to t. A label cell that a page break cut in two is printed once, above
// the break: an empty cell of next's first row under a cell of t's last row
// with the same columns becomes a Continued copy of it when that cell spans
// several rows or is left open by the break (no ruling under it). Cells
// that hold numbers are never copied.
func (t *Table) Append(next *Table) {
	if !t.Ruled && !next.Ruled {
		t.alignLabels(next)
	}
	if len(t.Rows) == 0 {
		t.Rows = next.Rows
		return
	}
	if len(next.Rows) > 0 && splitRowTail(t.Rows[len(t.Rows)-1], next.Rows[0]) {
		joinRowTail(&t.Rows[len(t.Rows)-1], next.Rows[0])
		next.Rows = next.Rows[1:]
	}
	first := len(t.Rows)
	last := t.Rows[first-1]
	t.Rows = append(t.Rows, next.Rows...) // BBox stays that of the first page's part
	if len(next.Rows) == 0 {
		return
	}
	for _, up := range last.Cells {
		if !(up.OpenBottom || up.RowSpan > 1) || up.Text == "" || numeric(up.Text) {
			continue
		}
		var n int
		for _, c := range next.Rows[0].Cells {
			if c.Col == up.Col && c.ColSpan == up.ColSpan && c.Text == "" {
				n = c.RowSpan
			}
		}
		if n == 0 {
			continue
		}
		for ri := first; ri < first+n && ri < len(t.Rows); ri++ {
			for ci := range t.Rows[ri].Cells {
				if c := &t.Rows[ri].Cells[ci]; c.Col == up.Col && c.ColSpan == up.ColSpan {
					c.Text, c.Continued, c.RowSpan = up.Text, true, up.RowSpan+n
				}
			}
		}
		t.growSpan(first, up, n)
	}
}

// growSpan adds n rows to the span of the cell up, the last-row copy of a
// cell whose origin lies at or above row first-1.
func (t *Table) growSpan(first int, up Cell, n int) {
	for ri := first - 1; ri >= 0; ri-- {
		for ci := range t.Rows[ri].Cells {
			c := &t.Rows[ri].Cells[ci]
			if c.Col == up.Col && c.ColSpan == up.ColSpan {
				c.RowSpan += n
				if !c.Continued {
					return
				}
			}
		}
	}
}

// numeric reports whether s looks like a value rather than a label: it
// holds a digit and no CJK character.
func numeric(s string) bool {
	digit := false
	for _, r := range s {
		if wide(r) {
			return false
		}
		if r >= '0' && r <= '9' {
			digit = true
		}
	}
	return digit
}

// splitRowTail reports whether head, the first row on a new page, is the
// rest of last, a row the page break cut in two: head holds no number, its
// texts sit in cells shaped like label cells of last (same columns), and
// every column where last prints a number is empty in head. A head without
// any text is the empty lower part of a row whose text all printed above
// the break (LibreOffice splits rows so); it is part of last too.
func splitRowTail(last, head Row) bool {
	if blankRow(head) {
		return true
	}
	byCol := map[[2]int]Cell{}
	for _, c := range last.Cells {
		byCol[[2]int{c.Col, c.ColSpan}] = c
	}
	any := false
	for _, c := range head.Cells {
		if c.Continued || c.Text == "" {
			continue
		}
		up, ok := byCol[[2]int{c.Col, c.ColSpan}]
		if !ok || up.Continued || up.Text == "" || numeric(up.Text) || numeric(c.Text) {
			return false
		}
		any = true
	}
	if !any {
		return false
	}
	for _, c := range last.Cells {
		if !numeric(c.Text) {
			continue
		}
		for _, h := range head.Cells {
			if h.Col < c.Col+c.ColSpan && c.Col < h.Col+h.ColSpan && h.Text != "" {
				return false
			}
		}
	}
	return true
}

// blankRow reports whether no cell of r holds text.
func blankRow(r Row) bool {
	for _, c := range r.Cells {
		if c.Text != "" {
			return false
		}
	}
	return true
}

// joinRowTail appends the texts of head to the matching cells of last.
func joinRowTail(last *Row, head Row) {
	for _, h := range head.Cells {
		if h.Continued || h.Text == "" {
			continue
		}
		for i := range last.Cells {
			c := &last.Cells[i]
			if c.Col == h.Col && c.ColSpan == h.ColSpan {
				c.Text = joinLines([]line{{glyphs: []Glyph{{Text: c.Text}}}, {glyphs: []Glyph{{Text: h.Text}}}})
			}
		}
	}
}
