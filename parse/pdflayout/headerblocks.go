package pdflayout

import (
	"math"
	"sort"
)

// A header printed without rulings whose cells are centred vertically
// (LibreOffice Writer does so) sets the lines of a cell of one line, two
// and three lines half a line apart: the page's lines then cut across the
// cells, and the words of neighbouring columns run into one another on
// lines that are no row of the header. headerBlocks reads such a header
// cell by cell instead: the glyphs that touch side by side or stack line
// under line are one cell's text.

// Tolerances of the header blocks, in font sizes.
const (
	// blockGap: glyphs of one line of a cell are at most this far apart
	// (CJK text sets them edge to edge; neighbouring cells are further).
	blockGap = 0.2
	// blockRow: glyphs whose tops differ by at most this are on one line.
	blockRow = 0.3
	// blockStack: a cell's next line starts at most this far below its
	// line above (a line's height is its font size in Writer).
	blockStack = 0.25
	// blockTop: blocks whose first lines start this close are set side by
	// side on one row of the reading.
	blockTop = 0.25
)

// maxBlockGlyphs bounds the glyphs headerBlocks joins pairwise: a header
// holds a few hundred.
const maxBlockGlyphs = 2000

// headerBlocks returns the header lines regrouped into cells, as lines
// whose words are whole cells (their lines joined top to bottom), the
// cells whose first lines start at the same height on one line. It
// returns nil for a header of more than maxBlockGlyphs glyphs.
func headerBlocks(lines []tline) []tline {
	var gs []Glyph
	for _, l := range lines {
		gs = append(gs, l.glyphs...)
	}
	if len(gs) == 0 || len(gs) > maxBlockGlyphs {
		return nil
	}
	sets := newUnionFind(len(gs))
	for i := range gs {
		for j := i + 1; j < len(gs); j++ {
			if joined(gs[i], gs[j]) || joined(gs[j], gs[i]) {
				sets.union(i, j)
			}
		}
	}
	byRoot := map[int][]Glyph{}
	var roots []int
	for i, g := range gs {
		r := sets.find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], g)
	}
	var blocks []word
	for _, r := range roots {
		if w, ok := blockWord(byRoot[r]); ok {
			blocks = append(blocks, w)
		}
	}
	return blockLines(blocks)
}

// joined reports whether glyph b follows a on a cell's line or starts
// the cell's next line under it.
func joined(a, b Glyph) bool {
	size := max(a.Size, b.Size)
	sameLine := math.Abs(a.BBox.Y0-b.BBox.Y0) <= blockRow*size
	if sameLine {
		return b.BBox.X0 >= a.BBox.X0 && b.BBox.X0-a.BBox.X1 <= blockGap*size
	}
	below := b.BBox.Y0 - a.BBox.Y1
	return below >= -blockRow*size && below <= blockStack*size &&
		min(a.BBox.X1, b.BBox.X1) > max(a.BBox.X0, b.BBox.X0)
}

// blockWord is a cell's glyphs as one word, its lines joined.
func blockWord(gs []Glyph) (word, bool) {
	ls := groupLines(gs)
	text := joinLines(ls)
	if text == "" {
		return word{}, false
	}
	box := gs[0].BBox
	for _, g := range gs {
		box = box.union(g.BBox)
	}
	return word{text: text, box: box, size: ls[0].size(), glyphs: gs}, true
}

// blockLines sets blocks whose tops lie within blockTop font sizes on one
// line, left to right, the lines top to bottom.
func blockLines(blocks []word) []tline {
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].box.Y0 < blocks[j].box.Y0 })
	var out []tline
	for _, b := range blocks {
		if n := len(out); n > 0 && b.box.Y0-out[n-1].words[0].box.Y0 <= blockTop*b.size {
			l := &out[n-1]
			l.words = append(l.words, b)
			l.glyphs = append(l.glyphs, b.glyphs...)
			l.box = l.box.union(b.box)
			continue
		}
		out = append(out, tline{line: line{glyphs: append([]Glyph(nil), b.glyphs...), box: b.box, band: b.box}, words: []word{b}})
	}
	for i := range out {
		ws := out[i].words
		sort.SliceStable(ws, func(a, b int) bool { return ws[a].box.X0 < ws[b].box.X0 })
	}
	return out
}

// leafHeaders counts the value columns of t that a header cell of their
// own names: cells of one value column above the first body row.
func leafHeaders(t *Table, bodyRows int) int {
	named := map[int]bool{}
	for _, r := range t.Rows[:max(len(t.Rows)-bodyRows, 0)] {
		for _, c := range r.Cells {
			if c.ColSpan == 1 && c.Col >= len(t.lcols) && c.Text != "" {
				named[c.Col] = true
			}
		}
	}
	return len(named)
}
