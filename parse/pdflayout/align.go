package pdflayout

import (
	"math"
	"regexp"
	"sort"
	"strings"
)

// A word is a run of glyphs on a line with no wide gap inside.
type word struct {
	text   string
	box    Rect
	size   float64
	glyphs []Glyph
}

// splitWords cuts a line where the gap between glyphs exceeds wordGap
// times the font size.
func splitWords(l line) []word {
	const wordGap = 0.9
	var out []word
	var cur []Glyph
	flush := func() {
		if len(cur) == 0 {
			return
		}
		sub := line{glyphs: cur, box: cur[0].BBox}
		for _, g := range cur {
			sub.box = sub.box.union(g.BBox)
		}
		if t := sub.text(); t != "" {
			out = append(out, word{text: t, box: sub.box, size: sub.size(), glyphs: cur})
		}
		cur = nil
	}
	for i, g := range l.glyphs {
		if i > 0 {
			p := l.glyphs[i-1]
			if g.BBox.X0-p.BBox.X1 > wordGap*max(p.Size, g.Size) {
				flush()
			}
		}
		if g.Text == " " {
			continue
		}
		cur = append(cur, g)
	}
	flush()
	return out
}

// Text-alignment tables: tables printed without ruling lines. Their rows
// are the lines holding numbers; their value columns are where those
// numbers (and the header words above them) line up; labels are the words
// left of the value columns.

var numericRE = regexp.MustCompile(`^[-−+]?\d[\d,]*(\.\d+)?\s*(万元|元|%|％)?$`)

func isNumeric(s string) bool { return numericRE.MatchString(strings.TrimSpace(s)) }

// tline is a text line prepared for table detection.
type tline struct {
	line
	words []word
	data  bool // holds a value: a number that is not the line's first word, or several numbers
}

func prepare(lines []line) []tline {
	out := make([]tline, len(lines))
	for i, l := range lines {
		ws := splitWords(l)
		out[i] = tline{line: l, words: ws, data: len(valueWords(ws)) > 0}
	}
	return out
}

// valueWords returns the words of a line that are values: numbers after
// the line's first word (its label), or every number of a line that starts
// with one and holds another (a row without a label).
func valueWords(ws []word) []word {
	var out []word
	n := 0
	for _, w := range ws {
		if isNumeric(w.text) {
			n++
		}
	}
	for j, w := range ws {
		if isNumeric(w.text) && (j > 0 || n >= 2) {
			out = append(out, w)
		}
	}
	return out
}

// interval is a span of x.
type interval struct{ x0, x1 float64 }

func (iv interval) overlap(x0, x1 float64) float64 { return min(iv.x1, x1) - max(iv.x0, x0) }

// alignRegion is a run of lines read as one table.
type alignRegion struct {
	lines     []tline // top to bottom
	firstData int     // index of the first data line
	cols      []interval
	pageWidth float64
}

// findAlignRegions finds the tables of lines: each starts at a run of data
// lines, takes in the header lines just above it and the label lines
// between its data lines, and ends at a line that reaches into its value
// columns without being a data line.
func findAlignRegions(ls []tline, pageWidth float64) []alignRegion {
	var out []alignRegion
	used := 0 // lines before this index belong to earlier regions
	for i := 0; i < len(ls); i++ {
		if !ls[i].data || i < used {
			continue
		}
		r := alignRegion{}
		// the data lines and the label lines between them
		end := i
		cols := valueCols(ls[i : i+1])
		for j := i + 1; j < len(ls); j++ {
			if ls[j].data {
				cols = valueCols(append(append([]tline{}, ls[i:j]...), ls[j]))
				end = j
				continue
			}
			if reaches(ls[j], cols) || wideParagraph(ls[j], pageWidth) || math.Abs(ls[j].size()-ls[i].size()) > 0.15*ls[i].size() {
				break
			}
		}
		// a single data line is a table only under a header line with
		// words above its values (else it is running text with numbers)
		if end == i && !(i > used && headed(ls[i-1], cols)) {
			continue
		}
		start := i
		size := ls[i].size()
		for start > used && !ls[start-1].data && !wideParagraph(ls[start-1], pageWidth) &&
			math.Abs(ls[start-1].size()-size) <= 0.15*size &&
			ls[start].box.Y0-ls[start-1].box.Y1 < 2.5*ls[start].box.h() {
			start--
		}
		r.lines = ls[start : end+1]
		r.firstData = i - start
		r.cols = valueCols(ls[i : end+1])
		if len(r.cols) == 0 {
			continue
		}
		r.pageWidth = pageWidth
		out = append(out, r)
		used = end + 1
		i = end
	}
	return out
}

// headed reports whether l is a header line over columns cols: two or
// more words, one of them above a value column.
func headed(l tline, cols []interval) bool {
	if l.data || len(l.words) < 2 {
		return false
	}
	for _, w := range l.words[1:] {
		for _, c := range cols {
			if c.overlap(w.box.X0, w.box.X1) > 0 {
				return true
			}
		}
	}
	return false
}

// wideParagraph reports a line of running text: one word across most of
// the page.
func wideParagraph(l tline, pageWidth float64) bool {
	return len(l.words) == 1 && l.box.w() > 0.6*pageWidth
}

// reaches reports whether a line has a word over the value columns.
func reaches(l tline, cols []interval) bool {
	if len(cols) == 0 {
		return false
	}
	left := cols[0].x0 - 2
	for _, w := range l.words {
		if w.box.X1 > left {
			return true
		}
	}
	return false
}

// valueCols merges the x extents of the numbers of data lines (all but a
// line's first word) into column intervals, left to right.
func valueCols(ls []tline) []interval {
	var ivs []interval
	for _, l := range ls {
		for _, w := range valueWords(l.words) {
			ivs = append(ivs, interval{w.box.X0, w.box.X1})
		}
	}
	return mergeIntervals(ivs, 1)
}

func mergeIntervals(ivs []interval, tol float64) []interval {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].x0 < ivs[j].x0 })
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && iv.x0 <= out[n-1].x1+tol {
			out[n-1].x1 = max(out[n-1].x1, iv.x1)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// fits reports whether word box b and column c mostly coincide: the
// narrower of the two lies at least 70% inside the other.
func fits(x0, x1 float64, c interval) bool {
	return c.overlap(x0, x1) >= 0.7*min(x1-x0, c.x1-c.x0)
}

// buildAlignTable turns a region into a table. When prev, an alignment
// table that ended the page before, has columns that this region's values
// fall into and the region prints no header of its own, the region is the
// rest of prev and keeps prev's columns (blank columns included).
func buildAlignTable(r alignRegion, prev *Table) *Table {
	if len(r.cols) == 0 {
		return nil
	}
	header, body := r.lines[:r.firstData], r.lines[r.firstData:]
	if prev != nil && !prev.Ruled && len(prev.vcols) > 0 && !hasHeader(header) && within(r.cols, prev.vcols) {
		return alignTable(r.lines, nil, body, prev.vcols, cluster(append(labelColumns(body, prev.vcols[0].x0-1), prev.lcols...)), r.pageWidth)
	}
	cols := r.cols
	// header words over no column add blank columns (a column printed
	// without any value)
	for _, l := range header {
		if len(l.words) < 2 {
			continue
		}
		for _, w := range l.words {
			if w.box.X0 < cols[0].x0-2 {
				continue
			}
			free := true
			for _, c := range cols {
				free = free && c.overlap(w.box.X0, w.box.X1) <= 0
			}
			if free {
				cols = append(cols, interval{w.box.X0, w.box.X1})
			}
		}
	}
	cols = mergeIntervals(cols, 1)
	return alignTable(r.lines, header, body, cols, labelColumns(body, cols[0].x0-1), r.pageWidth)
}

func hasHeader(header []tline) bool {
	for _, l := range header {
		if len(l.words) >= 2 {
			return true
		}
	}
	return false
}

// within reports whether every column of cols overlaps exactly one of prev.
func within(cols, prev []interval) bool {
	for _, c := range cols {
		n := 0
		for _, p := range prev {
			if p.overlap(c.x0-1, c.x1+1) > 0 {
				n++
			}
		}
		if n != 1 {
			return false
		}
	}
	return true
}

func alignTable(lines, header, body []tline, cols []interval, labelCols []float64, pageWidth float64) *Table {
	labelRight := cols[0].x0 - 1
	t := &Table{NCols: len(labelCols) + len(cols), vcols: cols, lcols: labelCols}
	t.Xs = append(t.Xs, labelCols...)
	for _, c := range cols {
		t.Xs = append(t.Xs, c.x0)
	}
	t.Xs = append(t.Xs, cols[len(cols)-1].x1)
	t.BBox = lines[0].box
	for _, l := range lines {
		t.BBox = t.BBox.union(l.box)
	}
	t.Rows = append(t.Rows, headerRows(header, cols, len(labelCols), labelRight, t.BBox.X0, t.BBox.X1, pageWidth)...)
	t.Rows = append(t.Rows, bodyRows(body, cols, labelCols, labelRight)...)
	return t
}

// labelColumns returns the left edges of the label columns: the distinct
// starting x of label words left of the value columns.
func labelColumns(body []tline, labelRight float64) []float64 {
	var xs []float64
	for _, l := range body {
		for _, w := range l.words {
			if w.box.X1 <= labelRight+2 {
				xs = append(xs, w.box.X0)
			}
		}
	}
	if len(xs) == 0 {
		return []float64{labelRight - 1}
	}
	return cluster(xs)
}

// headerRows builds the rows above the first data line. Words of
// multi-word lines that fit one value column are that column's leaf
// header (stacked words joined top to bottom) and widen it; then a word
// over several columns is a spanning header (a row per line), a word
// astride the label zone's edge is a caption row of its own, and a word
// left of the value columns belongs to the label header.
func headerRows(header []tline, cols []interval, nLabel int, labelRight, x0, x1, pageWidth float64) []Row {
	if len(header) == 0 {
		return nil
	}
	wide := append([]interval(nil), cols...)
	leaf := make([][]string, len(cols))
	leafBox := make([]Rect, len(cols))
	var labelBox Rect
	addBox := func(r *Rect, b Rect) {
		if *r == (Rect{}) {
			*r = b
		} else {
			*r = r.union(b)
		}
	}
	done := map[[2]int]bool{}
	for li, l := range header {
		if len(l.words) < 2 {
			continue
		}
		for wi, w := range l.words {
			if w.box.X1 <= labelRight+2 {
				continue
			}
			if ci := fitOne(w, cols); ci >= 0 && !spansBelow(header, li, wi) {
				leaf[ci] = append(leaf[ci], w.text)
				addBox(&leafBox[ci], w.box)
				wide[ci] = interval{min(wide[ci].x0, w.box.X0), max(wide[ci].x1, w.box.X1)}
				done[[2]int{li, wi}] = true
			}
		}
	}
	var rows []Row
	var labelHead []string
	box := Rect{}
	centre := (x0 + x1) / 2
	for li, l := range header {
		if li == 0 {
			box = l.box
		}
		box = box.union(l.box)
		var spanRow Row
		for wi, w := range l.words {
			switch {
			case done[[2]int{li, wi}]:
			case len(l.words) == 1 && li+1 < len(header) && w.box.X0 > x0+2*w.size &&
				(math.Abs(w.box.cx()-centre) < 0.1*(x1-x0) || math.Abs(w.box.cx()-pageWidth/2) < 0.03*pageWidth):
				// a caption centred over the table, above its header
				rows = append(rows, Row{Cells: []Cell{{Text: w.text, Col: 0, ColSpan: nLabel + len(cols), RowSpan: 1, BBox: w.box}}, BBox: l.box})
			case w.box.X1 <= labelRight+2:
				labelHead = append(labelHead, w.text)
				addBox(&labelBox, w.box)
			case w.box.X0 < labelRight-2:
				rows = append(rows, Row{Cells: []Cell{{Text: w.text, Col: 0, ColSpan: nLabel + len(cols), RowSpan: 1, BBox: w.box}}, BBox: l.box})
			default:
				if ci := fitOne(w, wide); ci >= 0 && !spansBelow(header, li, wi) {
					leaf[ci] = append(leaf[ci], w.text)
					addBox(&leafBox[ci], w.box)
					continue
				}
				var over []int
				for ci, c := range wide {
					if c.overlap(w.box.X0, w.box.X1) > 0 {
						over = append(over, ci)
					}
				}
				if len(over) > 0 {
					spanRow.Cells = append(spanRow.Cells, Cell{Text: w.text, Col: nLabel + over[0], ColSpan: over[len(over)-1] - over[0] + 1, RowSpan: 1, BBox: w.box})
				}
			}
		}
		if len(spanRow.Cells) > 0 {
			spanRow.BBox = l.box
			rows = append(rows, spanRow)
		}
	}
	leafRow := Row{BBox: box}
	if labelBox == (Rect{}) {
		labelBox = Rect{box.X0, box.Y0, labelRight, box.Y1}
	}
	leafRow.Cells = append(leafRow.Cells, Cell{Text: joinWords(labelHead), Col: 0, ColSpan: nLabel, RowSpan: 1, BBox: labelBox})
	found := len(labelHead) > 0
	for ci, c := range cols {
		if leafBox[ci] == (Rect{}) {
			leafBox[ci] = Rect{c.x0, box.Y0, c.x1, box.Y1}
		}
		leafRow.Cells = append(leafRow.Cells, Cell{Text: joinWords(leaf[ci]), Col: nLabel + ci, ColSpan: 1, RowSpan: 1, BBox: leafBox[ci]})
		found = found || len(leaf[ci]) > 0
	}
	if found {
		rows = append(rows, leafRow)
	}
	return rows
}

// spansBelow reports whether word wi of header line li stands over a
// group: some lower header line has two or more words within the word's
// territory (the space up to half way to its neighbours on its line, at
// most its own width to either side).
func spansBelow(header []tline, li, wi int) bool {
	ws := header[li].words
	w := ws[wi].box
	lo, hi := w.X0-w.w(), w.X1+w.w()
	if wi > 0 {
		lo = max(lo, (ws[wi-1].box.X1+w.X0)/2)
	}
	if wi+1 < len(ws) {
		hi = min(hi, (w.X1+ws[wi+1].box.X0)/2)
	}
	for _, l := range header[li+1:] {
		n := 0
		for _, w := range l.words {
			if c := w.box.cx(); c > lo && c < hi {
				n++
			}
		}
		if n >= 2 {
			return true
		}
	}
	return false
}

// fitOne returns the one column word w fits (mostly inside it, or it
// mostly inside w without reaching another column), or -1.
func fitOne(w word, cols []interval) int {
	hit := -1
	for ci, c := range cols {
		if c.overlap(w.box.X0, w.box.X1) <= 0 {
			continue
		}
		if hit >= 0 || !fits(w.box.X0, w.box.X1, c) {
			return -1
		}
		hit = ci
	}
	return hit
}

func joinWords(ws []string) string {
	var ls []line
	for _, w := range ws {
		ls = append(ls, line{glyphs: []Glyph{{Text: w}}})
	}
	return joinLines(ls)
}

// bodyRows builds a row per data line. Label lines between data lines go
// to the data line whose band (half way to its neighbours) holds them; a
// label that sits on a line of its own left of deeper labels is a group
// label and spans the neighbouring rows that have no label of that depth.
func bodyRows(body []tline, cols []interval, labelCols []float64, labelRight float64) []Row {
	var data []int
	for i, l := range body {
		if l.data {
			data = append(data, i)
		}
	}
	n := len(data)
	nl := len(labelCols)
	labels := make([][][]string, n) // row → label column → texts
	fromOwnLine := make([][]bool, n)
	vals := make([][]string, n)
	boxes := make([]Rect, n)
	cellBox := make([][]Rect, n) // row → grid column → box of the words in it
	for k := range labels {
		labels[k] = make([][]string, nl)
		fromOwnLine[k] = make([]bool, nl)
		vals[k] = make([]string, len(cols))
		boxes[k] = body[data[k]].box
		cellBox[k] = make([]Rect, nl+len(cols))
	}
	grow := func(k, c int, r Rect) {
		if cellBox[k][c] == (Rect{}) {
			cellBox[k][c] = r
		} else {
			cellBox[k][c] = cellBox[k][c].union(r)
		}
	}
	rowOf := func(y float64) int {
		for k := 0; k < n-1; k++ {
			mid := (body[data[k]].box.cy() + body[data[k+1]].box.cy()) / 2
			if y < mid {
				return k
			}
		}
		return n - 1
	}
	for _, l := range body {
		k := rowOf(l.box.cy())
		boxes[k] = boxes[k].union(l.box)
		for _, w := range splitAtColumns(l.words, labelCols) {
			if w.box.X1 <= labelRight+2 {
				c := labelCol(labelCols, w.box.X0)
				labels[k][c] = append(labels[k][c], w.text)
				fromOwnLine[k][c] = fromOwnLine[k][c] || !l.data
				grow(k, c, w.box)
				continue
			}
			for ci, c := range cols {
				if c.overlap(w.box.X0, w.box.X1) > 0 {
					vals[k][ci] = strings.TrimSpace(vals[k][ci] + " " + w.text)
					grow(k, nl+ci, w.box)
					break
				}
			}
		}
	}
	// a cell without words is placed where its column crosses its row
	colX := func(c int) (float64, float64) {
		if c >= nl {
			return cols[c-nl].x0, cols[c-nl].x1
		}
		if c+1 < nl {
			return labelCols[c], labelCols[c+1]
		}
		return labelCols[c], labelRight
	}
	rows := make([]Row, n)
	for k := range rows {
		rows[k].BBox = boxes[k]
		for c := 0; c < nl+len(cols); c++ {
			text := ""
			if c < nl {
				text = joinWords(labels[k][c])
			} else {
				text = vals[k][c-nl]
			}
			box := cellBox[k][c]
			if box == (Rect{}) {
				x0, x1 := colX(c)
				box = Rect{x0, boxes[k].Y0, x1, boxes[k].Y1}
			}
			rows[k].Cells = append(rows[k].Cells, Cell{Text: text, Col: c, ColSpan: 1, RowSpan: 1, BBox: box})
		}
	}
	spreadGroups(rows, fromOwnLine, nl)
	// the label columns to the right of a row's own label are one cell
	for k := range rows {
		rows[k].Cells = mergeLabelCells(rows[k].Cells, nl)
	}
	return rows
}

// spreadGroups turns group labels (a label with a deeper label to its right
// in the same row, or on a line of its own) into cells spanning the
// neighbouring rows that have no label at that depth or shallower.
func spreadGroups(rows []Row, ownLine [][]bool, nl int) {
	claimed := make([][]bool, len(rows))
	for k := range claimed {
		claimed[k] = make([]bool, nl)
	}
	free := func(k, c int) bool {
		if claimed[k][c] {
			return false
		}
		for d := 0; d <= c; d++ {
			if rows[k].Cells[d].Text != "" {
				return false
			}
		}
		deeper := false
		for d := c + 1; d < nl; d++ {
			deeper = deeper || rows[k].Cells[d].Text != ""
		}
		return deeper
	}
	for k := range rows {
		for c := 0; c < nl-1; c++ {
			cell := rows[k].Cells[c]
			if cell.Text == "" || claimed[k][c] {
				continue
			}
			deeper := false
			for d := c + 1; d < nl; d++ {
				deeper = deeper || rows[k].Cells[d].Text != ""
			}
			if !deeper {
				continue
			}
			first, last := k, k
			if ownLine[k][c] {
				for first > 0 && free(first-1, c) {
					first--
				}
			}
			for last+1 < len(rows) && free(last+1, c) {
				last++
			}
			box := cell.BBox
			for j := first; j <= last; j++ {
				box = box.union(rows[j].Cells[c].BBox)
			}
			for j := first; j <= last; j++ {
				claimed[j][c] = true
				rows[j].Cells[c] = Cell{Text: cell.Text, Col: c, ColSpan: 1, RowSpan: last - first + 1, Continued: j != first, BBox: box}
			}
		}
	}
}

// mergeLabelCells joins a row's label columns right of its last label
// into that label's cell, so that a long label starting in a shallow
// column is one cell.
func mergeLabelCells(cells []Cell, nl int) []Cell {
	last := -1
	for c := 0; c < nl; c++ {
		if cells[c].Text != "" {
			last = c
		}
	}
	if last < 0 || last == nl-1 {
		return cells
	}
	cells[last].ColSpan = nl - last
	for c := last + 1; c < nl; c++ {
		cells[last].BBox = cells[last].BBox.union(cells[c].BBox)
	}
	return append(cells[:last+1], cells[nl:]...)
}

func labelCol(labelCols []float64, x float64) int {
	c := 0
	for i, lx := range labelCols {
		if x >= lx-snapTol {
			c = i
		}
	}
	return c
}

// splitAtColumns splits words that run over the start of a label column
// with a gap just before it ("（三）不予 1.属于国家秘密").
func splitAtColumns(ws []word, labelCols []float64) []word {
	var out []word
	for _, w := range ws {
		start := 0
		for i := 1; i < len(w.glyphs); i++ {
			g, p := w.glyphs[i], w.glyphs[i-1]
			if g.BBox.X0-p.BBox.X1 < 0.2*g.Size {
				continue
			}
			for _, x := range labelCols {
				if math.Abs(g.BBox.X0-x) <= 1.5 && x > w.glyphs[start].BBox.X0+snapTol {
					out = append(out, wordOf(w.glyphs[start:i]))
					start = i
					break
				}
			}
		}
		if start == 0 {
			out = append(out, w)
		} else {
			out = append(out, wordOf(w.glyphs[start:]))
		}
	}
	return out
}

func wordOf(gs []Glyph) word {
	l := line{glyphs: gs, box: gs[0].BBox}
	for _, g := range gs {
		l.box = l.box.union(g.BBox)
	}
	return word{text: l.text(), box: l.box, size: l.size(), glyphs: gs}
}
