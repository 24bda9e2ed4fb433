package parse

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ParseHTML parses an HTML page or fragment. Every innermost <table> becomes
// a Table block; text outside those tables becomes paragraph blocks, one per
// block-level element. Navigation, sidebars and footers are kept as they
// are: recognising the report's tables by their labels is the normalizer's
// job, so nothing here guesses which part of the page is the article.
//
// The page is read in one pass over its tokens, which gives every block its
// source line; there is no DOM and no recursion, so neither the size nor the
// nesting depth of the page costs more than the tables it holds. The
// HTML5 rules that matter for report tables are applied on the way: a cell
// or row ends where the next one starts, cells outside a <tr> get a row of
// their own, text inside a table but outside its cells is put before it,
// and a table that holds another table is layout: its cells are paragraphs.
func ParseHTML(ctx context.Context, data []byte) (*Document, error) {
	data, cut := capBytes(data)
	text, _, warns := DecodeHTML(data, "")
	doc := &Document{Format: FormatHTML, PositionsReliable: true, Warnings: warns, Meta: map[string]string{}}
	if cut {
		doc.Warnings = append(doc.Warnings, limitWarning("the page's size", MaxTextBytes, Loc{}))
	}
	r := &htmlReader{doc: doc, line: 1}
	r.read(ctx, text)
	return doc, nil
}

// capBytes cuts data to MaxTextBytes, at the last line break before the
// cap so that no character or tag is cut in two.
func capBytes(data []byte) ([]byte, bool) {
	if len(data) <= MaxTextBytes {
		return data, false
	}
	cut := data[:MaxTextBytes]
	if i := bytes.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i+1]
	}
	return cut, true
}

// htmlReader turns a token stream into blocks.
type htmlReader struct {
	doc     *Document
	line    int // source line of the token being read
	para    paragraph
	heading int           // open <h1>–<h3> elements
	tables  []*tableFrame // open tables, innermost last
	grids   int           // Table blocks written so far
	full    bool          // MaxBlocks reached
	skip    atom.Atom     // element whose content is being skipped (script, …)
	skipN   int           // nesting of skip inside itself
	inTitle bool
	title   strings.Builder
}

// paragraph is the text of the current block outside innermost tables,
// with the source line each of its lines starts on.
type paragraph struct {
	buf   strings.Builder
	lines []int // start line of each "\n"-separated segment with text
	open  bool  // the current segment has text
}

// tableFrame is an open <table>.
type tableFrame struct {
	line   int
	layout bool // holds another table: its cells are read as paragraphs
	rows   []rawRow
	inRow  bool
	cell   *rawCell // the open cell, nil between cells
	inCap  bool     // inside <caption>
	cells  int      // cells read, for MaxTableCells
	sink   rawCell  // where the text of cells past the cap goes
}

type rawRow struct {
	line  int
	cells []rawCell
}

type rawCell struct {
	text             strings.Builder
	colspan, rowspan int
}

// Caps on what a page may ask of the grid: spans beyond these are typos or
// attacks, never a report table.
const (
	maxColSpan = 100
	maxRowSpan = 1000
)

func (r *htmlReader) read(ctx context.Context, text string) {
	z := html.NewTokenizer(strings.NewReader(text))
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 && stopped(ctx, r.doc, Loc{Line: r.line}) {
			break
		}
		if r.full {
			r.doc.Warnings = append(r.doc.Warnings, limitWarning("the number of blocks", MaxBlocks, Loc{Line: r.line}))
			break
		}
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		switch tt {
		case html.TextToken:
			r.text(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			r.start(z, tagAtom(raw), raw, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			r.end(tagAtom(raw))
		}
		r.line += bytes.Count(raw, []byte{'\n'})
	}
	for len(r.tables) > 0 {
		r.closeTable()
	}
	r.flush()
}

// text routes a text token to the open cell, the title or the paragraph.
func (r *htmlReader) text(b []byte) {
	switch {
	case r.skip != 0:
		return
	case r.inTitle:
		r.title.Write(b)
		return
	}
	if c := r.openCell(); c != nil {
		c.text.Write(b)
		return
	}
	r.para.write(b, r.line)
}

// openCell returns the cell text goes to: the open cell of the innermost
// table when that table is a grid.
func (r *htmlReader) openCell() *rawCell {
	if len(r.tables) == 0 {
		return nil
	}
	t := r.tables[len(r.tables)-1]
	if t.layout || t.inCap {
		return nil
	}
	return t.cell
}

func (r *htmlReader) start(z *html.Tokenizer, a atom.Atom, raw []byte, selfClosing bool) {
	if r.skip != 0 {
		if a == r.skip && !selfClosing {
			r.skipN++
		}
		return
	}
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template:
		if !selfClosing {
			r.skip, r.skipN = a, 1
		}
		return
	case atom.Title:
		r.inTitle = !selfClosing
		r.title.Reset()
		return
	case atom.Meta:
		r.meta(z)
		return
	case atom.Br:
		r.newline()
		return
	case atom.Table:
		r.openTable()
		return
	}
	if t := r.grid(); t != nil && r.gridTag(t, z, a, raw) {
		return
	}
	if isBlock(a) {
		r.blockEdge()
	}
	if isHeading(a) && !selfClosing {
		r.flush()
		r.heading++
	}
}

func (r *htmlReader) end(a atom.Atom) {
	if r.skip != 0 {
		if a == r.skip {
			if r.skipN--; r.skipN == 0 {
				r.skip = 0
			}
		}
		return
	}
	switch a {
	case atom.Title:
		if r.inTitle {
			r.doc.Meta["title"] = foldSpace(r.title.String())
			r.inTitle = false
		}
		return
	case atom.Table:
		if len(r.tables) > 0 {
			r.closeTable()
		}
		return
	}
	if t := r.grid(); t != nil {
		switch a {
		case atom.Td, atom.Th:
			t.endCell()
			return
		case atom.Tr, atom.Thead, atom.Tbody, atom.Tfoot:
			t.endRow()
			return
		case atom.Caption:
			t.inCap = false
			r.flush()
			return
		}
	}
	if isBlock(a) {
		r.blockEdge()
	}
	if isHeading(a) && r.heading > 0 {
		r.flush()
		r.heading--
	}
}

// grid returns the innermost open table when it is read as a grid.
func (r *htmlReader) grid() *tableFrame {
	if len(r.tables) == 0 || r.tables[len(r.tables)-1].layout {
		return nil
	}
	return r.tables[len(r.tables)-1]
}

// gridTag handles the start tags that build a grid table's rows and cells.
func (r *htmlReader) gridTag(t *tableFrame, z *html.Tokenizer, a atom.Atom, raw []byte) bool {
	switch a {
	case atom.Tr:
		t.endRow()
		t.rows = append(t.rows, rawRow{line: r.line})
		t.inRow = true
	case atom.Thead, atom.Tbody, atom.Tfoot:
		t.endRow()
	case atom.Td, atom.Th:
		t.endCell()
		if !t.inRow { // the parser makes the row up, so the table's line stands
			t.rows = append(t.rows, rawRow{line: t.line})
			t.inRow = true
		}
		if t.cells++; t.cells > MaxTableCells {
			t.sink.text.Reset()
			t.cell = &t.sink
			return true
		}
		row := &t.rows[len(t.rows)-1]
		row.cells = append(row.cells, rawCell{colspan: 1, rowspan: 1})
		t.cell = &row.cells[len(row.cells)-1]
		if containsFold(raw, "span") { // reading attributes allocates: skip cells without spans
			t.cell.colspan, t.cell.rowspan = spans(z)
		}
	case atom.Caption:
		r.flush()
		t.inCap = true
	default:
		if c := t.cell; c != nil && isBlock(a) && !t.inCap {
			c.text.WriteByte('\n')
			return true
		}
		return false
	}
	return true
}

func (t *tableFrame) endCell() { t.cell = nil }

func (t *tableFrame) endRow() {
	t.cell = nil
	t.inRow = false
}

// openTable starts a table. One that starts inside a grid's cell turns that
// grid into layout; one that starts in a grid outside any cell ends that
// grid first, as an HTML5 parser does.
func (r *htmlReader) openTable() {
	if t := r.grid(); t != nil {
		if t.cell == nil && !t.inCap {
			r.closeTable()
		} else {
			r.toLayout(t)
		}
	}
	r.flush()
	r.tables = append(r.tables, &tableFrame{line: r.line})
}

// toLayout re-reads what a grid holds so far as paragraphs, one per cell,
// and makes the rest of it paragraphs too.
func (r *htmlReader) toLayout(t *tableFrame) {
	r.flush()
	for ri := range t.rows {
		row := &t.rows[ri]
		for ci := range row.cells {
			c := &row.cells[ci]
			r.para.write([]byte(c.text.String()), row.line)
			if c != t.cell {
				r.flush()
			}
		}
	}
	t.layout, t.rows, t.cell, t.inRow = true, nil, nil, false
}

// closeTable ends the innermost table; a grid becomes a Table block.
func (r *htmlReader) closeTable() {
	t := r.tables[len(r.tables)-1]
	r.tables = r.tables[:len(r.tables)-1]
	r.flush()
	if t.layout {
		return
	}
	idx := r.grids
	r.grids++
	out := &Table{Index: idx}
	var g grid
	for ri := range t.rows {
		out.Rows = append(out.Rows, g.addRow(t.rows[ri], idx, ri))
	}
	if t.cells > MaxTableCells || g.full {
		r.doc.Warnings = append(r.doc.Warnings, limitWarning(fmt.Sprintf("table %d's cells (spanned copies included) or columns", idx+1),
			MaxTableCells, lineLoc(t.line, idx, -1, -1)))
	}
	r.addBlock(Block{Table: out, Loc: lineLoc(t.line, idx, -1, -1)})
}

func (r *htmlReader) meta(z *html.Tokenizer) {
	var name, content string
	for hasAttr := true; hasAttr; {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		switch string(k) {
		case "name":
			name = string(v)
		case "content":
			content = string(v)
		}
	}
	if name != "" && content != "" {
		r.doc.Meta[strings.ToLower(name)] = content
	}
}

// tagAtom names the element of a start or end tag from its raw bytes.
// Tokenizer.TagName copies the name on every call; the elements this
// reader acts on have short ASCII names, so they are looked up from a
// lower-cased copy on the stack.
func tagAtom(raw []byte) atom.Atom {
	var buf [12]byte
	i := 1 // past '<'
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' {
			break
		}
		if n == len(buf) {
			return 0 // longer than any element acted on
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return atom.Lookup(buf[:n])
}

// containsFold reports whether b contains the lower-case ASCII word w in
// any case.
func containsFold(b []byte, w string) bool {
	for i := 0; i+len(w) <= len(b); i++ {
		j := 0
		for j < len(w) && (b[i+j]|0x20) == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

// spans reads a cell's colspan and rowspan, each 1 when absent or not a
// positive number, and capped.
func spans(z *html.Tokenizer) (colspan, rowspan int) {
	colspan, rowspan = 1, 1
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		switch string(k) {
		case "colspan":
			colspan = spanValue(v, maxColSpan)
		case "rowspan":
			rowspan = spanValue(v, maxRowSpan)
		}
	}
	return colspan, rowspan
}

// spanValue parses a span attribute the lenient way browsers do: leading
// digits after optional space, anything after them ignored.
func spanValue(v []byte, limit int) int {
	v = bytes.TrimSpace(v)
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			break
		}
		n = min(n*10+int(c-'0'), limit)
	}
	return max(n, 1)
}

// newline is a <br>: a line break in the open cell or paragraph.
func (r *htmlReader) newline() {
	if c := r.openCell(); c != nil {
		c.text.WriteByte('\n')
		return
	}
	r.para.newline()
}

// blockEdge is the start or end of a block element outside a grid cell.
func (r *htmlReader) blockEdge() {
	if c := r.openCell(); c != nil {
		c.text.WriteByte('\n')
		return
	}
	r.flush()
}

// flush ends the current paragraph: one block per non-empty line.
func (r *htmlReader) flush() {
	p := &r.para
	s := p.buf.String()
	lines := p.lines
	p.buf.Reset()
	p.lines, p.open = p.lines[:0], false
	k := 0
	for line := range strings.SplitSeq(s, "\n") {
		if line = foldSpace(line); line == "" {
			continue
		}
		b := Block{Text: line, Heading: r.heading > 0}
		if k < len(lines) {
			b.Loc.Line = lines[k]
		}
		k++
		r.addBlock(b)
	}
}

func (r *htmlReader) addBlock(b Block) {
	if len(r.doc.Blocks) >= MaxBlocks {
		r.full = true
		return
	}
	r.doc.Blocks = append(r.doc.Blocks, b)
}

// write appends text read on line, noting where each line with text starts.
func (p *paragraph) write(b []byte, line int) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		seg := b
		if i >= 0 {
			seg = b[:i]
		}
		if !p.open && len(bytes.TrimFunc(seg, isSpace)) > 0 {
			p.lines = append(p.lines, line)
			p.open = true
		}
		p.buf.Write(seg)
		if i < 0 {
			return
		}
		p.newline()
		line++
		b = b[i+1:]
	}
}

func (p *paragraph) newline() {
	p.buf.WriteByte('\n')
	p.open = false
}

func isHeading(a atom.Atom) bool { return a == atom.H1 || a == atom.H2 || a == atom.H3 }

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Li, atom.Ul, atom.Ol, atom.Tr, atom.Td, atom.Th, atom.Table, atom.Section,
		atom.Article, atom.Header, atom.Footer, atom.Nav, atom.Aside, atom.Blockquote,
		atom.Pre, atom.Dd, atom.Dt, atom.Dl, atom.Center, atom.Form, atom.Caption:
		return true
	}
	return false
}

// grid expands rowspans: it remembers, per grid column, the cell from an
// earlier row that still covers it.
type grid struct {
	above []spanned // indexed by grid column
	cells int       // cells made, copies included, for MaxTableCells
	full  bool      // a cap was reached: later cells are dropped
}

type spanned struct {
	cell Cell
	left int // rows still covered below the current one
}

func (g *grid) addRow(src rawRow, table, rowIdx int) Row {
	line := src.line
	row := Row{Loc: lineLoc(line, table, rowIdx, -1), Cells: make([]Cell, 0, len(src.cells))}
	col := 0
	takeContinued := func() {
		for col < len(g.above) && g.above[col].left > 0 {
			s := &g.above[col]
			s.left--
			if s.cell.Col == col && g.room() { // one copy per spanned cell, not per column
				c := s.cell
				c.Continued = true
				c.Loc.Row, c.Loc.Line = rowIdx+1, line
				row.Cells = append(row.Cells, c)
			}
			col++
		}
	}
	for i := range src.cells {
		rc := &src.cells[i]
		takeContinued()
		cs, rs := rc.colspan, rc.rowspan
		if col+cs > MaxGridCols || !g.room() {
			g.full = true
			break
		}
		c := Cell{Text: cellText(rc.text.String()), Col: col, ColSpan: cs, RowSpan: rs,
			Loc: lineLoc(line, table, rowIdx, col)}
		row.Cells = append(row.Cells, c)
		for len(g.above) < col+cs {
			g.above = append(g.above, spanned{})
		}
		for k := col; k < col+cs; k++ {
			g.above[k] = spanned{cell: c, left: rs - 1}
		}
		col += cs
	}
	for col < len(g.above) { // spans reaching past the row's last own cell
		takeContinued()
		col++
	}
	return row
}

// room reports whether the table may have one more cell, and counts it.
func (g *grid) room() bool {
	if g.cells >= MaxTableCells {
		g.full = true
		return false
	}
	g.cells++
	return true
}

// cellText folds a cell's text, keeping each paragraph or <br> on its own
// line.
func cellText(s string) string {
	if !strings.Contains(s, "\n") {
		return foldSpace(s)
	}
	var b strings.Builder
	for l := range strings.SplitSeq(s, "\n") {
		if l = foldSpace(l); l != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(l)
		}
	}
	return b.String()
}

// foldSpace trims a line and folds runs of white space (including NBSP and
// the ideographic space) into one ASCII space.
func foldSpace(s string) string {
	clean := true
	prevSpace := true
	for _, r := range s {
		sp := isSpace(r)
		if sp && (prevSpace || r != ' ') {
			clean = false
			break
		}
		prevSpace = sp
	}
	if clean && !prevSpace {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, isSpace), " ")
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v', 0xA0, 0x3000, 0x200B, 0xFEFF:
		return true
	}
	return false
}
