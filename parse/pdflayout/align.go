package pdflayout

import (
	"math"
	"regexp"
	"sort"
	"strings"
)

// Tolerances of the alignment tables. Shares of a font size or of the
// page are plain numbers; distances are in points.
const (
	// wordGap: a gap wider than this many font sizes splits a line into
	// words. A space is a quarter to half an em and CJK text has none;
	// the gutter between two columns is wider than an em.
	wordGap = 0.9
	// sizeTol: the lines of one table differ in font size by at most this
	// share; a heading above a table is set larger than that.
	sizeTol = 0.15
	// headerGap: header lines lie less than this many line heights above
	// the line below them. Rows are set one to two line heights apart;
	// more is the space before a table.
	headerGap = 2.5
	// wideLine: a one-word line wider than this share of the page is
	// running text, not a label (a label column is narrower).
	wideLine = 0.6
	// edgeTol: a word may stand over the edge of a column or the label
	// zone by this much and still count as on its side, for glyph boxes
	// overhang their advance a little.
	edgeTol = 2.0
	// colSlack: column extents closer than this are one column; the label
	// zone ends this much left of the first value column.
	colSlack = 1.0
	// fitShare: a word fits a column when the narrower of the two lies
	// this share inside the other: a header a little wider than its
	// numbers, or numbers wider than a short header.
	fitShare = 0.7
	// A one-word header line is a caption when it starts more than
	// captionIndent font sizes right of the table's left edge and is
	// centred over the table (within captionCentre of its width) or the
	// page (within pageCentre of its width): titles are centred, a label
	// header starts at the left edge.
	captionIndent = 2
	captionCentre = 0.1
	pageCentre    = 0.03
	// A word runs over the start of a label column, and is split there,
	// when one of its glyphs starts within splitTol of the column's left
	// edge after a gap of at least splitGap font sizes: wider than the
	// spacing inside a word, narrower than a space.
	splitGap = 0.2
	splitTol = 1.5
	// baselineTol: glyphs set on one line by one text object share their
	// top to within this (points); a neighbouring cell's line does not.
	baselineTol = 0.5
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

// splitNumberTails splits a word whose last glyphs are a number set off
// by a gap of at least splitGap font sizes ("行政规范性文件 77"): a
// browser prints a narrow table's cells a quarter em apart, closer than a
// word gap, and the number is a value of its own, not part of the label.
// A word across most of the page is running text, whose digits WPS and
// Word set off from CJK by the same quarter em: it stays whole.
func splitNumberTails(ws []word, pageWidth float64) []word {
	var out []word
	for _, w := range ws {
		if w.box.w() > wideLine*pageWidth {
			out = append(out, w) // running text, set off round its digits (CJK autospace)
			continue
		}
		cut := -1
		for i := len(w.glyphs) - 1; i > 0; i-- {
			g, p := w.glyphs[i], w.glyphs[i-1]
			if g.BBox.X0-p.BBox.X1 >= splitGap*g.Size {
				cut = i
				break
			}
		}
		if cut < 0 || isNumeric(w.text) || !lonelyGap(w.glyphs, cut) {
			out = append(out, w)
			continue
		}
		tail := wordOf(w.glyphs[cut:])
		if !isNumeric(tail.text) {
			out = append(out, w)
			continue
		}
		out = append(out, wordOf(w.glyphs[:cut]), tail)
	}
	return out
}

// lonelyGap reports whether the gap before glyph cut is more than twice
// as wide as any other in gs: a cell's edge, not the spacing of justified
// running text, which spreads every gap of a line alike.
func lonelyGap(gs []Glyph, cut int) bool {
	gap := gs[cut].BBox.X0 - gs[cut-1].BBox.X1
	for i := 1; i < len(gs); i++ {
		if i != cut && 2*(gs[i].BBox.X0-gs[i-1].BBox.X1) >= gap {
			return false
		}
	}
	return true
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

func prepare(lines []line, pageWidth float64) []tline {
	out := make([]tline, len(lines))
	for i, l := range lines {
		ws := splitNumberTails(splitWords(l), pageWidth)
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
func findAlignRegions(ls []tline, pageWidth float64, st *stopper) []alignRegion {
	var out []alignRegion
	used := 0 // lines before this index belong to earlier regions
	for i := 0; i < len(ls) && !st.steps(len(ls)); i++ {
		if !ls[i].data || i < used {
			continue
		}
		r := alignRegion{}
		// the data lines and the label lines between them
		end := i
		cols := valueCols(ls[i : i+1])
		for j := i + 1; j < len(ls); j++ {
			if ls[j].data {
				// the columns of lines i to j: merging is associative,
				// so those of i to end are merged with the lines since
				cols = mergeIntervals(append(cols, wordIntervals(ls[end+1:j+1])...), colSlack)
				end = j
				continue
			}
			if reaches(ls[j], cols) || wideParagraph(ls[j], pageWidth) || math.Abs(ls[j].size()-ls[i].size()) > sizeTol*ls[i].size() {
				break
			}
		}
		// a single data line is a table only under a header line with
		// words above its values (else it is running text with numbers)
		if end == i && !headedAbove(ls, used, i, cols) {
			continue
		}
		start := i
		size := ls[i].size()
		for start > used && !ls[start-1].data && !wideHeader(ls[start-1], cols, pageWidth) &&
			math.Abs(ls[start-1].size()-size) <= sizeTol*size &&
			ls[start].box.Y0-ls[start-1].box.Y1 < headerGap*ls[start].box.h() {
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

// maxHeaderLook is how many lines above a lone data line headedAbove
// looks for its header: the words of a wrapped header cell stack over a
// few lines, the lowest of them maybe a single word.
const maxHeaderLook = 3

// headedAbove reports whether one of the few lines just above data line i
// (none before used) is a header line over cols, each line close to the
// one below it.
func headedAbove(ls []tline, used, i int, cols []interval) bool {
	for j := i - 1; j >= used && j >= i-maxHeaderLook; j-- {
		if ls[j].data || ls[j+1].box.Y0-ls[j].box.Y1 >= headerGap*ls[j+1].box.h() {
			return false
		}
		if headed(ls[j], cols) {
			return true
		}
	}
	return false
}

// headed reports whether l is a header line over columns cols: two or
// more words, one of them above a value column.
func headed(l tline, cols []interval) bool {
	if l.data {
		return false
	}
	ws := headerWords(l.words, cols)
	if len(ws) < 2 {
		return false
	}
	for _, w := range ws[1:] {
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
	return len(l.words) == 1 && l.box.w() > wideLine*pageWidth
}

// wideHeader reports whether l, a line above a table, is running text: a
// wide paragraph even once split at the table's columns as header words
// are (a browser's header words may run together across the page).
func wideHeader(l tline, cols []interval, pageWidth float64) bool {
	return wideParagraph(l, pageWidth) && len(headerWords(l.words, cols)) < 2
}

// reaches reports whether a line has a word over the value columns.
func reaches(l tline, cols []interval) bool {
	if len(cols) == 0 {
		return false
	}
	left := cols[0].x0 - edgeTol
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
	return mergeIntervals(wordIntervals(ls), colSlack)
}

// wordIntervals lists the x extents of the numbers of data lines.
func wordIntervals(ls []tline) []interval {
	var ivs []interval
	for _, l := range ls {
		for _, w := range valueWords(l.words) {
			ivs = append(ivs, interval{w.box.X0, w.box.X1})
		}
	}
	return ivs
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
// narrower of the two lies at least fitShare inside the other.
func fits(x0, x1 float64, c interval) bool {
	return c.overlap(x0, x1) >= fitShare*min(x1-x0, c.x1-c.x0)
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
		labels := cluster(append(labelColumns(body, prev.vcols[0].x0-colSlack), prev.lcols...))
		return alignTable(r.lines, nil, body, alignGrid{cols: prev.vcols, labelCols: labels, pageWidth: r.pageWidth})
	}
	blocks := headerBlocks(header)
	splitHeaderWords(header, r.cols)
	t := headedTable(r, header, body)
	if len(blocks) == 0 {
		return t
	}
	// A header whose cells are centred vertically reads better cell by
	// cell (headerblocks.go): keep that reading where it names more
	// columns, or as many in fewer rows.
	bt := headedTable(r, blocks, body)
	n, bn := leafHeaders(t, dataLines(body)), leafHeaders(bt, dataLines(body))
	if bn > n || bn == n && len(bt.Rows) < len(t.Rows) {
		return bt
	}
	return t
}

func dataLines(ls []tline) int {
	n := 0
	for _, l := range ls {
		if l.data {
			n++
		}
	}
	return n
}

// headedTable builds the table of region r read with header lines header.
func headedTable(r alignRegion, header, body []tline) *Table {
	cols := mergeIntervals(blankColumns(header, r.cols), colSlack)
	return alignTable(r.lines, header, body, alignGrid{cols: cols, labelCols: labelColumns(body, cols[0].x0-colSlack), pageWidth: r.pageWidth})
}

// splitHeaderWords splits the header words of two value columns that run
// together, a browser setting its narrow cells a quarter em apart: at a
// gap just before a column's left edge (cells set flush left), or at a gap
// across the middle between two columns (cells centred).
func splitHeaderWords(header []tline, cols []interval) {
	for i := range header {
		header[i].words = headerWords(header[i].words, cols)
	}
}

// headerWords is ws split as splitHeaderWords splits a header line's words.
func headerWords(ws []word, cols []interval) []word {
	edges := make([]float64, len(cols))
	for i, c := range cols {
		edges[i] = c.x0
	}
	return splitBetweenColumns(splitAtColumns(ws, edges), cols)
}

// splitBetweenColumns splits words that are the centred headers of
// neighbouring columns run together: at a glyph boundary on the middle
// between two columns' centres, where the glyphs before it since the last
// cut are centred over the one column and glyphs after it over the other.
// Longer words are left as they are: a header is a few glyphs a column.
func splitBetweenColumns(ws []word, cols []interval) []word {
	var out []word
	for _, w := range ws {
		if len(w.glyphs) > maxCentredWord {
			out = append(out, w)
			continue
		}
		start := 0
		for i := 1; i < len(w.glyphs); i++ {
			if c := centredCut(w.glyphs, start, i, cols); c >= 0 {
				out = append(out, wordOf(w.glyphs[start:i]))
				start = i
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

// maxCentredWord is the longest word splitBetweenColumns looks into; it
// tries every cut of a word against every part after it.
const maxCentredWord = 48

// centredCut returns the column c whose header ends at glyph i of gs and
// the next column's begins there, or -1: the boundary lies on the middle
// between their centres, gs[start:i] is centred over c and some gs[i:j]
// over c+1 (j the end, or a boundary on the middle after c+1).
func centredCut(gs []Glyph, start, i int, cols []interval) int {
	p, g := gs[i-1], gs[i]
	if g.BBox.X0 < p.BBox.X1-edgeTol {
		return -1
	}
	for c := 0; c+1 < len(cols); c++ {
		mid := (centre(cols[c]) + centre(cols[c+1])) / 2
		if mid < p.BBox.X1-edgeTol || mid > g.BBox.X0+edgeTol || !centredOver(gs[start:i], cols[c]) {
			continue
		}
		far := 2*centre(cols[c+1]) - g.BBox.X0 + max(splitTol, g.Size/4) // where a centred part ends at most
		for j := i + 1; j <= len(gs) && gs[j-1].BBox.X1 <= far; j++ {
			if centredOver(gs[i:j], cols[c+1]) {
				return c
			}
		}
	}
	return -1
}

func centre(c interval) float64 { return (c.x0 + c.x1) / 2 }

// centredOver reports whether glyphs gs are centred over column c, within
// a quarter of their size.
func centredOver(gs []Glyph, c interval) bool {
	x0, x1 := gs[0].BBox.X0, gs[len(gs)-1].BBox.X1
	return math.Abs((x0+x1)/2-centre(c)) <= max(splitTol, gs[0].Size/4)
}

// blankColumns adds to cols the columns printed without any value: the
// words of multi-word header lines over no column.
func blankColumns(header []tline, cols []interval) []interval {
	for _, l := range header {
		if len(l.words) < 2 {
			continue
		}
		for _, w := range l.words {
			if w.box.X0 < cols[0].x0-edgeTol {
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
	return cols
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
			if p.overlap(c.x0-colSlack, c.x1+colSlack) > 0 {
				n++
			}
		}
		if n != 1 {
			return false
		}
	}
	return true
}

// alignGrid is the column layout of an alignment table.
type alignGrid struct {
	cols       []interval // value columns, left to right
	labelCols  []float64  // left edges of the label columns
	labelRight float64    // right edge of the label zone
	x0, x1     float64    // the table's left and right edges
	pageWidth  float64
}

// colX returns the extent of grid column c: the label columns, then the
// value columns.
func (g *alignGrid) colX(c int) (float64, float64) {
	nl := len(g.labelCols)
	if c >= nl {
		return g.cols[c-nl].x0, g.cols[c-nl].x1
	}
	if c+1 < nl {
		return g.labelCols[c], g.labelCols[c+1]
	}
	return g.labelCols[c], g.labelRight
}

// alignTable builds the table of lines, whose header and body lines are
// given, on the value and label columns of g.
func alignTable(lines, header, body []tline, g alignGrid) *Table {
	g.labelRight = g.cols[0].x0 - colSlack
	t := &Table{NCols: len(g.labelCols) + len(g.cols), vcols: g.cols, lcols: g.labelCols}
	t.Xs = append(t.Xs, g.labelCols...)
	for _, c := range g.cols {
		t.Xs = append(t.Xs, c.x0)
	}
	t.Xs = append(t.Xs, g.cols[len(g.cols)-1].x1)
	t.BBox = lines[0].box
	for _, l := range lines {
		t.BBox = t.BBox.union(l.box)
	}
	g.x0, g.x1 = t.BBox.X0, t.BBox.X1
	t.Rows = append(t.Rows, g.headerRows(header)...)
	t.Rows = append(t.Rows, g.bodyRows(body)...)
	return t
}

// labelColumns returns the left edges of the label columns: the distinct
// starting x of label words left of the value columns.
func labelColumns(body []tline, labelRight float64) []float64 {
	var xs []float64
	for _, l := range body {
		for _, w := range l.words {
			if w.box.X1 <= labelRight+edgeTol {
				xs = append(xs, w.box.X0)
			}
		}
	}
	if len(xs) == 0 {
		return []float64{labelRight - colSlack}
	}
	return cluster(xs)
}

// headerRows builds the rows above the first data line. Words of
// multi-word lines that fit one value column are that column's leaf
// header (stacked words joined top to bottom) and widen it; then a word
// over several columns is a spanning header (a row per line), a word
// astride the label zone's edge is a caption row of its own, and a word
// left of the value columns belongs to the label header.
func (g *alignGrid) headerRows(lines []tline) []Row {
	if len(lines) == 0 {
		return nil
	}
	h := &headerReading{
		g:       g,
		lines:   lines,
		wide:    append([]interval(nil), g.cols...),
		leaf:    make([][]word, len(g.cols)),
		leafBox: make([]Rect, len(g.cols)),
		done:    map[[2]int]bool{},
	}
	h.takeLeaves()
	for li := range lines {
		h.readLine(li)
	}
	return append(h.rows, h.leafRow()...)
}

// headerReading is the header of an alignment table as it is read.
type headerReading struct {
	g        *alignGrid
	lines    []tline
	wide     []interval // the value columns, widened by their leaf headers
	leaf     [][]word   // each value column's leaf header words
	leafBox  []Rect
	label    []string // the label header's words
	labelBox Rect
	done     map[[2]int]bool // words (line, word) taken as leaf headers
	rows     []Row           // caption and spanning header rows, top to bottom
}

// takeLeaves takes the words of multi-word lines that fit one value column
// and stand over no group as that column's leaf header, widening it.
func (h *headerReading) takeLeaves() {
	for li, l := range h.lines {
		if len(l.words) < 2 {
			continue
		}
		for wi, w := range l.words {
			if w.box.X1 <= h.g.labelRight+edgeTol {
				continue
			}
			if ci := fitOne(w, h.g.cols); ci >= 0 && !spansBelow(h.lines, li, wi, h.g.cols) {
				h.addLeaf(ci, w)
				h.wide[ci] = interval{min(h.wide[ci].x0, w.box.X0), max(h.wide[ci].x1, w.box.X1)}
				h.done[[2]int{li, wi}] = true
			}
		}
	}
}

func (h *headerReading) addLeaf(ci int, w word) {
	h.leaf[ci] = append(h.leaf[ci], w)
	extend(&h.leafBox[ci], w.box)
}

// leafText joins a column's leaf header words top to bottom: stacked
// words are taken from lines in two passes (lines of several words, then
// the rest), and a cell's lines need not share lines with its neighbours'.
func leafText(ws []word) string {
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].box.Y0 < ws[j].box.Y0-snapTol })
	texts := make([]string, len(ws))
	for i, w := range ws {
		texts[i] = w.text
	}
	return joinWords(texts)
}

// readLine reads the words of header line li that are not leaf headers.
func (h *headerReading) readLine(li int) {
	l := h.lines[li]
	var span Row
	for wi, w := range l.words {
		switch {
		case h.done[[2]int{li, wi}]:
		case h.caption(li, w):
			h.rows = append(h.rows, h.fullRow(w, l.box))
		case w.box.X1 <= h.g.labelRight+edgeTol:
			h.label = append(h.label, w.text)
			extend(&h.labelBox, w.box)
		case w.box.X0 < h.g.labelRight-edgeTol:
			h.rows = append(h.rows, h.fullRow(w, l.box)) // astride the label zone's edge
		default:
			if c, ok := h.valueWord(li, wi); ok {
				span.Cells = append(span.Cells, c)
			}
		}
	}
	if len(span.Cells) > 0 {
		span.BBox = l.box
		h.rows = append(h.rows, span)
	}
}

// caption reports whether w, alone on line li above other header lines, is
// a caption centred over the table or the page.
func (h *headerReading) caption(li int, w word) bool {
	g := h.g
	centre := (g.x0 + g.x1) / 2
	return len(h.lines[li].words) == 1 && li+1 < len(h.lines) && w.box.X0 > g.x0+captionIndent*w.size &&
		fitOne(w, g.cols) < 0 && // a column's own header set lower in a taller cell is no caption
		(math.Abs(w.box.cx()-centre) < captionCentre*(g.x1-g.x0) || math.Abs(w.box.cx()-g.pageWidth/2) < pageCentre*g.pageWidth)
}

// fullRow is a header row of the one word w, across the whole table.
func (h *headerReading) fullRow(w word, lineBox Rect) Row {
	return Row{Cells: []Cell{{Text: w.text, Col: 0, ColSpan: len(h.g.labelCols) + len(h.g.cols), RowSpan: 1, BBox: w.box}}, BBox: lineBox}
}

// valueWord reads word wi of line li, over the value columns: a leaf
// header of the one widened column it fits, or a cell spanning the columns
// it reaches (false: none).
func (h *headerReading) valueWord(li, wi int) (Cell, bool) {
	w := h.lines[li].words[wi]
	if ci := fitOne(w, h.wide); ci >= 0 && !spansBelow(h.lines, li, wi, h.g.cols) {
		h.addLeaf(ci, w)
		return Cell{}, false
	}
	var over []int
	for ci, c := range h.wide {
		if c.overlap(w.box.X0, w.box.X1) > 0 {
			over = append(over, ci)
		}
	}
	if len(over) == 0 {
		return Cell{}, false
	}
	return Cell{Text: w.text, Col: len(h.g.labelCols) + over[0], ColSpan: over[len(over)-1] - over[0] + 1, RowSpan: 1, BBox: w.box}, true
}

// leafRow is the header row over the label and value columns, if any of
// them has a header.
func (h *headerReading) leafRow() []Row {
	g, nl := h.g, len(h.g.labelCols)
	box := h.lines[0].box
	for _, l := range h.lines {
		box = box.union(l.box)
	}
	labelBox := h.labelBox
	if labelBox == (Rect{}) {
		labelBox = Rect{box.X0, box.Y0, g.labelRight, box.Y1}
	}
	row := Row{BBox: box, Cells: []Cell{{Text: joinWords(h.label), Col: 0, ColSpan: nl, RowSpan: 1, BBox: labelBox}}}
	found := len(h.label) > 0
	for ci, c := range g.cols {
		b := h.leafBox[ci]
		if b == (Rect{}) {
			b = Rect{c.x0, box.Y0, c.x1, box.Y1}
		}
		row.Cells = append(row.Cells, Cell{Text: leafText(h.leaf[ci]), Col: nl + ci, ColSpan: 1, RowSpan: 1, BBox: b})
		found = found || len(h.leaf[ci]) > 0
	}
	if !found {
		return nil
	}
	return []Row{row}
}

// extend grows *r to take in b; an empty *r becomes b.
func extend(r *Rect, b Rect) {
	if *r == (Rect{}) {
		*r = b
	} else {
		*r = r.union(b)
	}
}

// spansBelow reports whether word wi of header line li stands over a
// group: some lower header line has two or more words within the word's
// territory (the space up to half way to its neighbours on its line, at
// most its own width to either side). A word that starts at the left edge
// of a value column (cols) heads nothing left of it: a browser sets every
// cell's text flush left, and the staggered lines of the cells beside it
// are not its group. Only words wholly below it count: the lines of the
// cells beside a taller one, centred in it, run past its own.
func spansBelow(header []tline, li, wi int, cols []interval) bool {
	ws := header[li].words
	w := ws[wi].box
	lo, hi := w.X0-w.w(), w.X1+w.w()
	if wi > 0 {
		lo = max(lo, (ws[wi-1].box.X1+w.X0)/2)
	}
	for _, c := range cols {
		if math.Abs(w.X0-c.x0) <= splitTol {
			lo = max(lo, c.x0-edgeTol)
		}
	}
	if wi+1 < len(ws) {
		hi = min(hi, (w.X1+ws[wi+1].box.X0)/2)
	}
	for _, l := range header[li+1:] {
		n := 0
		for _, lw := range l.words {
			if c := lw.box.cx(); c > lo && c < hi && lw.box.Y0 >= w.Y1-snapTol {
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
func (g *alignGrid) bodyRows(lines []tline) []Row {
	b := &bodyReading{g: g, lines: lines}
	for i, l := range lines {
		if l.data {
			b.data = append(b.data, i)
		}
	}
	b.alloc()
	for _, l := range lines {
		b.place(l)
	}
	rows := b.rows()
	nl := len(g.labelCols)
	spreadGroups(rows, b.ownLine, nl)
	// the label columns to the right of a row's own label are one cell
	for k := range rows {
		rows[k].Cells = mergeLabelCells(rows[k].Cells, nl)
	}
	return rows
}

// bodyReading is the body of an alignment table as it is read: for each
// data row, its label words by label column, its values by value column,
// and their boxes.
type bodyReading struct {
	g       *alignGrid
	lines   []tline
	data    []int        // indexes of the data lines: one row each
	labels  [][][]string // row → label column → words
	ownLine [][]bool     // row → label column: a label from a line of its own
	vals    [][]string   // row → value column → text
	boxes   []Rect       // row → box of its lines
	cellBox [][]Rect     // row → grid column → box of the words in it
}

func (b *bodyReading) alloc() {
	n, nl, nv := len(b.data), len(b.g.labelCols), len(b.g.cols)
	b.labels, b.ownLine = make([][][]string, n), make([][]bool, n)
	b.vals, b.boxes, b.cellBox = make([][]string, n), make([]Rect, n), make([][]Rect, n)
	for k := range b.data {
		b.labels[k] = make([][]string, nl)
		b.ownLine[k] = make([]bool, nl)
		b.vals[k] = make([]string, nv)
		b.boxes[k] = b.lines[b.data[k]].box
		b.cellBox[k] = make([]Rect, nl+nv)
	}
}

// rowOf returns the row whose band holds y.
func (b *bodyReading) rowOf(y float64) int {
	n := len(b.data)
	for k := 0; k < n-1; k++ {
		mid := (b.lines[b.data[k]].box.cy() + b.lines[b.data[k+1]].box.cy()) / 2
		if y < mid {
			return k
		}
	}
	return n - 1
}

// place puts the words of line l into the cells of its row.
func (b *bodyReading) place(l tline) {
	g, nl := b.g, len(b.g.labelCols)
	k := b.rowOf(l.box.cy())
	b.boxes[k] = b.boxes[k].union(l.box)
	for _, w := range splitAtColumns(l.words, g.labelCols) {
		if w.box.X1 <= g.labelRight+edgeTol {
			c := labelCol(g.labelCols, w.box.X0)
			b.labels[k][c] = append(b.labels[k][c], w.text)
			b.ownLine[k][c] = b.ownLine[k][c] || !l.data
			extend(&b.cellBox[k][c], w.box)
			continue
		}
		for ci, c := range g.cols {
			if c.overlap(w.box.X0, w.box.X1) > 0 {
				b.vals[k][ci] = strings.TrimSpace(b.vals[k][ci] + " " + w.text)
				extend(&b.cellBox[k][nl+ci], w.box)
				break
			}
		}
	}
}

// rows builds a row of cells per data row; a cell without words is placed
// where its column crosses its row.
func (b *bodyReading) rows() []Row {
	nl := len(b.g.labelCols)
	rows := make([]Row, len(b.data))
	for k := range rows {
		rows[k].BBox = b.boxes[k]
		for c := 0; c < nl+len(b.g.cols); c++ {
			text := ""
			if c < nl {
				text = joinWords(b.labels[k][c])
			} else {
				text = b.vals[k][c-nl]
			}
			box := b.cellBox[k][c]
			if box == (Rect{}) {
				x0, x1 := b.g.colX(c)
				box = Rect{x0, b.boxes[k].Y0, x1, b.boxes[k].Y1}
			}
			rows[k].Cells = append(rows[k].Cells, Cell{Text: text, Col: c, ColSpan: 1, RowSpan: 1, BBox: box})
		}
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

// splitAtColumns splits words that run over the start of a column (edges
// are the columns' left edges) with a gap just before it ("（三）不予
// 1.属于国家秘密"), or without one where the glyph there sits on another
// baseline: the first line of the next cell, centred in it vertically.
func splitAtColumns(ws []word, labelCols []float64) []word {
	var out []word
	for _, w := range ws {
		start := 0
		for i := 1; i < len(w.glyphs); i++ {
			g, p := w.glyphs[i], w.glyphs[i-1]
			if g.BBox.X0-p.BBox.X1 < splitGap*g.Size && math.Abs(g.BBox.Y0-p.BBox.Y0) <= baselineTol {
				continue
			}
			for _, x := range labelCols {
				if math.Abs(g.BBox.X0-x) <= splitTol && x > w.glyphs[start].BBox.X0+snapTol {
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
