package parse

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// tableStart handles the elements that build a table's rows and cells.
func (r *docxReader) tableStart(local, attrs []byte) {
	if string(local) == "tbl" {
		r.openTable()
		return
	}
	g := r.grid()
	if g == nil {
		return
	}
	switch string(local) {
	case "tr":
		g.cell = noCell
		g.rows = append(g.rows, docxRow{line: r.pcount + 1, first: len(g.cells)})
	case "trPr":
		r.inTrPr = true
	case "gridBefore":
		if row := r.openRow(); row != nil && r.inTrPr {
			row.before = min(max(atoiOr(xmlAttr(attrs, "val"), 0), 0), MaxGridCols)
		}
	case "tc":
		if len(g.rows) == 0 { // a cell outside any row gets a row of its own
			g.rows = append(g.rows, docxRow{line: r.pcount + 1, first: len(g.cells)})
		}
		if g.ncells++; g.ncells > MaxTableCells {
			g.cell = sinkCell
			return
		}
		g.rows[len(g.rows)-1].ncel++
		g.cell = len(g.cells)
		g.cells = append(g.cells, docxCell{span: 1, tstart: len(g.text), tend: len(g.text)})
	case "gridSpan":
		if c := g.open(); c != nil {
			c.span = attrInt(attrs, "val", 1, maxColSpan)
		}
	case "vMerge":
		if c := g.open(); c != nil {
			c.vmerge = vmergeContinue // w:val absent means continue
			if string(xmlAttrRaw(attrs, "val")) == "restart" {
				c.vmerge = vmergeRestart
			}
		}
	}
}

// open returns the open cell, nil between cells and past the cap. The
// pointer is good until the next cell opens.
func (g *docxTable) open() *docxCell {
	if g.cell >= 0 {
		return &g.cells[g.cell]
	}
	return nil
}

// grid returns the innermost open table when it is read as a grid.
func (r *docxReader) grid() *docxTable {
	if len(r.tables) == 0 || r.tables[len(r.tables)-1].layout {
		return nil
	}
	return r.tables[len(r.tables)-1]
}

// inGridCell reports whether text now goes to a cell of a grid table
// (or, past the cap, nowhere) rather than to a paragraph.
func (r *docxReader) inGridCell() bool {
	g := r.grid()
	return g != nil && g.cell != noCell
}

// cellWrite adds b to the open cell of the innermost grid, if there is
// one, reporting whether there is.
func (r *docxReader) cellWrite(b []byte) bool {
	g := r.grid()
	if g == nil || g.cell == noCell {
		return false
	}
	if g.cell >= 0 {
		g.text = append(g.text, b...)
		g.cells[g.cell].tend = len(g.text)
	}
	return true
}

// openRow returns the last row of the innermost grid table.
func (r *docxReader) openRow() *docxRow {
	if g := r.grid(); g != nil && len(g.rows) > 0 {
		return &g.rows[len(g.rows)-1]
	}
	return nil
}

// openTable starts a table. One that starts inside a grid turns that grid
// into layout, as the HTML reader does: a table holding tables arranges
// them on the page and is not itself a table of values.
func (r *docxReader) openTable() {
	if g := r.grid(); g != nil {
		r.toLayout(g)
	}
	var t *docxTable
	if n := len(r.tables); n < cap(r.tables) && r.tables[:n+1][n] != nil {
		t = r.tables[:n+1][n] // a table closed before: its buffers are reused
		*t = docxTable{rows: t.rows[:0], cells: t.cells[:0], text: t.text[:0]}
	} else {
		t = &docxTable{}
	}
	t.line, t.cell = r.pcount+1, noCell
	r.tables = append(r.tables, t)
}

// toLayout writes what a grid holds so far as paragraphs, one per line of
// each cell, and reads the rest of it as paragraphs too.
func (r *docxReader) toLayout(g *docxTable) {
	for _, row := range g.rows {
		for _, c := range g.cells[row.first : row.first+row.ncel] {
			r.para = append(r.para[:0], g.text[c.tstart:c.tend]...)
			r.pLine, r.pHeading = row.line, false
			r.flush()
		}
	}
	g.layout, g.rows, g.cells, g.text, g.cell = true, g.rows[:0], g.cells[:0], g.text[:0], noCell
}

// closeTable ends the innermost table; a grid becomes a Table block.
func (r *docxReader) closeTable() {
	g := r.tables[len(r.tables)-1]
	r.tables = r.tables[:len(r.tables)-1]
	if g.layout {
		return
	}
	idx := r.grids
	r.grids++
	b := docxGrid{table: idx, budget: min(MaxTableCells, maxDOCXCells-r.cells), above: r.above[:0], cur: r.cur[:0], text: r.ctext[:0]}
	out := b.build(g)
	r.above, r.cur, r.ctext = b.above, b.cur, b.text
	r.cells += b.made
	loc := lineLoc(g.line, idx, -1, -1)
	if g.ncells > MaxTableCells || b.full {
		r.doc.Warnings = append(r.doc.Warnings, limitWarning(fmt.Sprintf("table %d's cells (merged copies included), columns, or the document's cells (cap %d)", idx+1, maxDOCXCells),
			MaxTableCells, loc))
	}
	if b.mergedText > 0 && !r.merged {
		r.merged = true
		r.doc.Warnings = append(r.doc.Warnings, Warning{Code: CodeDOCXMergedText,
			Message: fmt.Sprintf("%d vertically merged continuation cells hold text of their own; as in Word, only the merged cell's first text is read", b.mergedText), Loc: loc})
	}
	r.addBlock(Block{Table: out, Loc: loc})
}

// docxCellChunk is how many output cells are allocated at once: as many
// as stay under 32 KiB.
const docxCellChunk = 32 << 10 / int(unsafe.Sizeof(Cell{}))

// docxGrid resolves a table's merges into grid cells.
type docxGrid struct {
	table      int
	budget     int // cells this table may still make
	made       int
	full       bool
	mergedText int // continuation cells with text of their own

	above, cur []int32 // per grid column, 1 + the index of the origin covering it in the row above and in this row; 0 for none
	text       []byte  // the cells' folded text
}

// build places each cell at its grid column (after w:gridBefore and the
// spans to its left), joins each w:vMerge continuation to the cell above
// it that starts at the same column with the same span, and writes the
// rows: own cells, and a Continued copy of the cell above where a merge
// covers the row. Tracked-deleted rows are dropped. The cells' text is
// folded into one buffer and made one string, which they share.
func (b *docxGrid) build(g *docxTable) *Table {
	out := &Table{Index: b.table}
	kept := g.rows[:0]
	for _, row := range g.rows {
		if !row.deleted {
			kept = append(kept, row)
		}
	}
	n := 0
	for ri := range kept {
		b.place(g, &kept[ri])
		n += kept[ri].ncel
	}
	// The text of the cells written as themselves, in the order written.
	type span struct{ s, e int }
	spans := make([]span, 0, n)
	made := b.made
	for _, row := range kept {
		for _, c := range g.cells[row.first : row.first+row.ncel] {
			if c.col < 0 || made >= b.budget {
				break
			}
			made++
			if c.origin == 0 {
				s := len(b.text)
				b.text = appendCellText(b.text, g.text[c.tstart:c.tend])
				spans = append(spans, span{s, len(b.text)})
			}
		}
	}
	text := string(b.text)
	if len(kept) > 0 { // an empty table has nil rows, as it always had
		out.Rows = make([]Row, 0, len(kept))
	}
	// The cells are allocated in chunks under the allocator's large-object
	// size (32 KiB), which zeroes fresh pages for every table otherwise.
	var all []Cell
	left := made - b.made
	k := 0
	for ri := range kept {
		row := &kept[ri]
		o := Row{Loc: lineLoc(row.line, b.table, ri, -1)}
		if all == nil || cap(all)-len(all) < row.ncel { // an empty row has empty cells, not nil
			all = make([]Cell, 0, max(row.ncel, min(left, docxCellChunk)))
		}
		lo := len(all)
		for ci := row.first; ci < row.first+row.ncel; ci++ {
			c := &g.cells[ci]
			if c.col < 0 {
				break
			}
			if b.made >= b.budget {
				b.full = true
				break
			}
			b.made++
			left--
			if c.origin != 0 {
				var cp Cell // the origin's, from a row above, when it was made
				if o := &g.cells[c.origin-1]; o.outRow != 0 {
					cp = out.Rows[o.outRow-1].Cells[o.outCol-1]
				}
				cp.Continued = true
				cp.Loc.Row, cp.Loc.Line = ri+1, row.line
				all = append(all, cp)
				continue
			}
			all = append(all, Cell{Text: text[spans[k].s:spans[k].e], Col: c.col, ColSpan: c.span, RowSpan: c.rowspan,
				Loc: lineLoc(row.line, b.table, ri, c.col)})
			c.outRow, c.outCol = int32(ri+1), int32(len(all)-lo)
			k++
		}
		o.Cells = all[lo:len(all):len(all)]
		out.Rows = append(out.Rows, o)
	}
	return out
}

// place gives the cells of row their grid columns and origins (0 for a
// cell that is its own; the rowspan is counted on the origin), given the
// origins covering each column in the row above (b.above), and leaves
// this row's in b.above. A cell past MaxGridCols gets column -1 and ends
// the row.
func (b *docxGrid) place(g *docxTable, row *docxRow) {
	cur := b.cur[:0]
	col := row.before
	cells := g.cells[row.first : row.first+row.ncel]
	for ci := range cells {
		c := &cells[ci]
		if col+c.span > MaxGridCols {
			b.full = true
			for k := ci; k < len(cells); k++ {
				cells[k].col = -1
			}
			break
		}
		c.col, c.origin, c.rowspan, c.outRow, c.outCol = col, 0, 1, 0, 0
		origin := int32(row.first + ci + 1)
		if a := b.above; c.vmerge == vmergeContinue && col < len(a) && a[col] != 0 {
			if o := &g.cells[a[col]-1]; o.col == col && o.span == c.span {
				origin, c.origin = a[col], a[col]
				o.rowspan++
				if hasNonSpace(g.text[c.tstart:c.tend]) {
					b.mergedText++
				}
			}
		}
		for len(cur) < col+c.span {
			cur = append(cur, 0)
		}
		for k := col; k < col+c.span; k++ {
			cur[k] = origin
		}
		col += c.span
	}
	b.above, b.cur = cur, b.above
}

// appendCellText appends the text of a cell as cellText makes it: each
// line folded by foldSpace, the empty ones dropped, joined by "\n".
func appendCellText(dst, s []byte) []byte {
	start := len(dst)
	for len(s) > 0 {
		line := s
		if i := indexNL(s); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = nil
		}
		mark := len(dst)
		if mark > start {
			dst = append(dst, '\n')
		}
		if d := appendFolded(dst, line); len(d) > len(dst) {
			dst = d
		} else {
			dst = dst[:mark]
		}
	}
	return dst
}

func indexNL(s []byte) int {
	for i, c := range s {
		if c == '\n' {
			return i
		}
	}
	return -1
}

// appendFolded appends line as foldSpace makes it: trimmed, each run of
// white space (isSpace) one ASCII space. line is valid UTF-8 (write made
// it so), so the few white-space runes beyond ASCII are told by their
// bytes, without decoding the rest.
func appendFolded(dst, line []byte) []byte {
	start := len(dst)
	run := 0       // start of the run of non-space bytes being read
	space := false // white space since the last run was written
	for i := 0; i < len(line); {
		if !space { // within a run: skip the words that hold no byte of interest
			for i+8 <= len(line) && plainWord(binary.LittleEndian.Uint64(line[i:])) {
				i += 8
			}
			if i == len(line) {
				break
			}
		}
		n := 0
		switch foldClass[line[i]] {
		case foldSpaceByte:
			n = 1
		case foldLead:
			n = spaceLen(line[i:])
		}
		if n == 0 {
			if space {
				if len(dst) > start {
					dst = append(dst, ' ')
				}
				space, run = false, i
			}
			i++
			continue
		}
		if !space {
			dst = append(dst, line[run:i]...)
			space = true
		}
		i += n
	}
	if !space {
		dst = append(dst, line[run:]...)
	}
	return dst
}

// plainWord reports whether none of the eight bytes of x is one
// appendFolded looks at: none is at or below ' ' (ASCII white space and
// the control bytes) or a lead byte of foldClass. Eight bytes are tested
// at once, in the manner of "has a zero byte" (Hacker's Delight 6-1):
// text is mostly of bytes that are neither, and a byte at a time is the
// most of the folding's cost.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	is := func(c uint64) uint64 { y := x ^ ones*c; return (y - ones) &^ y & highs }
	low := (x - ones*0x21) &^ x & highs // a byte below 0x21
	return low|is(0xC2)|is(0xE2)|is(0xE3)|is(0xEF) == 0
}

// foldClass tells the bytes appendFolded looks at twice: ASCII white
// space, and the lead bytes of the white-space runes beyond ASCII.
var foldClass = [256]uint8{' ': foldSpaceByte, '\t': foldSpaceByte, '\n': foldSpaceByte, '\r': foldSpaceByte, '\f': foldSpaceByte, '\v': foldSpaceByte,
	0xC2: foldLead, 0xE2: foldLead, 0xE3: foldLead, 0xEF: foldLead}

const (
	foldSpaceByte = 1
	foldLead      = 2
)

// spaceLen returns the length of the white-space rune (isSpace) b starts
// with, 0 when it starts with another byte. b is valid UTF-8 from a rune's
// start, or within a rune, whose continuation bytes start no white space.
func spaceLen(b []byte) int {
	switch c := b[0]; c {
	case ' ', '\t', '\n', '\r', '\f', '\v':
		return 1
	case 0xC2: // U+00A0
		if len(b) > 1 && b[1] == 0xA0 {
			return 2
		}
	case 0xE3: // U+3000
		if len(b) > 2 && b[1] == 0x80 && b[2] == 0x80 {
			return 3
		}
	case 0xE2: // U+200B
		if len(b) > 2 && b[1] == 0x80 && b[2] == 0x8B {
			return 3
		}
	case 0xEF: // U+FEFF
		if len(b) > 2 && b[1] == 0xBB && b[2] == 0xBF {
			return 3
		}
	}
	return 0
}

// hasNonSpace reports whether s holds anything but white space.
func hasNonSpace(s []byte) bool {
	for i := 0; i < len(s); {
		c, n := rune(s[i]), 1
		if c >= utf8.RuneSelf {
			c, n = utf8.DecodeRune(s[i:])
		}
		if !isSpace(c) {
			return true
		}
		i += n
	}
	return false
}
