package parse

import "fmt"

// tableStart handles the elements that build a table's rows and cells.
func (r *docxReader) tableStart(t *xmlToken) {
	if string(t.local) == "tbl" {
		r.openTable()
		return
	}
	g := r.grid()
	if g == nil {
		return
	}
	switch string(t.local) {
	case "tr":
		g.cell = nil
		g.rows = append(g.rows, docxRow{line: r.pcount + 1})
	case "trPr":
		r.inTrPr = true
	case "gridBefore":
		if row := r.openRow(); row != nil && r.inTrPr {
			row.before = min(max(atoiOr(xmlAttr(t.attrs, "val"), 0), 0), MaxGridCols)
		}
	case "tc":
		if len(g.rows) == 0 { // a cell outside any row gets a row of its own
			g.rows = append(g.rows, docxRow{line: r.pcount + 1})
		}
		if g.cells++; g.cells > MaxTableCells {
			g.sink.text = g.sink.text[:0]
			g.cell = &g.sink
			return
		}
		row := &g.rows[len(g.rows)-1]
		row.cells = append(row.cells, docxCell{span: 1})
		g.cell = &row.cells[len(row.cells)-1]
	case "gridSpan":
		if g.cell != nil {
			g.cell.span = attrInt(t, "val", 1, maxColSpan)
		}
	case "vMerge":
		if g.cell != nil {
			g.cell.vmerge = vmergeContinue // w:val absent means continue
			if string(xmlAttrRaw(t.attrs, "val")) == "restart" {
				g.cell.vmerge = vmergeRestart
			}
		}
	}
}

// grid returns the innermost open table when it is read as a grid.
func (r *docxReader) grid() *docxTable {
	if len(r.tables) == 0 || r.tables[len(r.tables)-1].layout {
		return nil
	}
	return r.tables[len(r.tables)-1]
}

// gridCell returns the open cell of the innermost grid table, if any.
func (r *docxReader) gridCell() *docxCell {
	if g := r.grid(); g != nil {
		return g.cell
	}
	return nil
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
	r.tables = append(r.tables, &docxTable{line: r.pcount + 1})
}

// toLayout writes what a grid holds so far as paragraphs, one per line of
// each cell, and reads the rest of it as paragraphs too.
func (r *docxReader) toLayout(g *docxTable) {
	for ri := range g.rows {
		row := &g.rows[ri]
		for ci := range row.cells {
			r.para = append(r.para[:0], row.cells[ci].text...)
			r.pLine, r.pHeading = row.line, false
			r.flush()
		}
	}
	g.layout, g.rows, g.cell = true, nil, nil
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
	b := docxGrid{table: idx, budget: min(MaxTableCells, maxDOCXCells-r.cells)}
	out := b.build(g.rows)
	r.cells += b.made
	loc := lineLoc(g.line, idx, -1, -1)
	if g.cells > MaxTableCells || b.full {
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

// docxGrid resolves a table's merges into grid cells.
type docxGrid struct {
	table      int
	budget     int // cells this table may still make
	made       int
	full       bool
	mergedText int // continuation cells with text of their own
}

// build places each cell at its grid column (after w:gridBefore and the
// spans to its left), joins each w:vMerge continuation to the cell above
// it that starts at the same column with the same span, and writes the
// rows: own cells, and a Continued copy of the cell above where a merge
// covers the row. Tracked-deleted rows are dropped.
func (b *docxGrid) build(rows []docxRow) *Table {
	out := &Table{Index: b.table}
	var above []*docxCell // per grid column, the origin covering it in the row above
	kept := rows[:0]
	for _, row := range rows {
		if !row.deleted {
			kept = append(kept, row)
		}
	}
	for ri := range kept {
		above = b.place(&kept[ri], above)
	}
	for ri := range kept {
		row := &kept[ri]
		o := Row{Loc: lineLoc(row.line, b.table, ri, -1), Cells: make([]Cell, 0, len(row.cells))}
		for ci := range row.cells {
			c := &row.cells[ci]
			if c.col < 0 {
				break
			}
			if b.made >= b.budget {
				b.full = true
				break
			}
			b.made++
			if c.origin != c {
				cp := c.origin.out
				cp.Continued = true
				cp.Loc.Row, cp.Loc.Line = ri+1, row.line
				o.Cells = append(o.Cells, cp)
				continue
			}
			c.out = Cell{Text: cellText(string(c.text)), Col: c.col, ColSpan: c.span, RowSpan: c.rowspan,
				Loc: lineLoc(row.line, b.table, ri, c.col)}
			o.Cells = append(o.Cells, c.out)
		}
		out.Rows = append(out.Rows, o)
	}
	return out
}

// place gives the cells of row their grid columns and origins, given the
// origins covering each column in the row above, and returns this row's.
// A cell past MaxGridCols gets column -1 and ends the row.
func (b *docxGrid) place(row *docxRow, above []*docxCell) []*docxCell {
	cur := make([]*docxCell, 0, len(above))
	col := row.before
	for ci := range row.cells {
		c := &row.cells[ci]
		if col+c.span > MaxGridCols {
			b.full = true
			for k := ci; k < len(row.cells); k++ {
				row.cells[k].col = -1
			}
			break
		}
		c.col, c.origin, c.rowspan = col, c, 1
		if c.vmerge == vmergeContinue && col < len(above) && above[col] != nil &&
			above[col].col == col && above[col].span == c.span {
			c.origin = above[col]
			c.origin.rowspan++
			if len(cellText(string(c.text))) > 0 {
				b.mergedText++
			}
		}
		for len(cur) < col+c.span {
			cur = append(cur, nil)
		}
		for k := col; k < col+c.span; k++ {
			cur[k] = c.origin
		}
		col += c.span
	}
	return cur
}
