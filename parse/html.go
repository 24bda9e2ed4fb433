package parse

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ParseHTML parses an HTML page or fragment. Every innermost <table> becomes
// a Table block; text outside those tables becomes paragraph blocks, one per
// block-level element. Navigation, sidebars and footers are kept as they
// are: recognising the report's tables by their labels is the normalizer's
// job, so nothing here guesses which part of the page is the article.
func ParseHTML(data []byte) (*Document, error) {
	text, _, warns := DecodeHTML(data, "")
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, err // x/net/html only fails on reader errors
	}
	doc := &Document{Format: FormatHTML, PositionsReliable: true, Warnings: warns, Meta: map[string]string{}}
	w := &htmlWalker{doc: doc, lines: tableLines(text)}
	w.walk(root)
	w.flush()
	doc.Title = htmlTitle(doc)
	return doc, nil
}

type htmlWalker struct {
	doc    *Document
	buf    strings.Builder
	lines  []tableLine // source lines of every <table> tag, in order
	tables int         // <table> elements met so far, innermost or not
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.buf.WriteString(n.Data)
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Template:
			return
		case atom.Title:
			w.doc.Meta["title"] = foldSpace(nodeText(n))
			return
		case atom.Meta:
			name, content := attr(n, "name"), attr(n, "content")
			if name != "" && content != "" {
				w.doc.Meta[strings.ToLower(name)] = content
			}
			return
		case atom.Br:
			w.buf.WriteByte('\n')
			return
		case atom.Table:
			w.tables++
			if !hasDescendant(n, atom.Table) {
				w.flush()
				w.addTable(n)
				return
			}
		}
		if isBlock(n.DataAtom) {
			w.flush()
			defer w.flush()
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

// flush ends the current paragraph, one block per non-empty line.
func (w *htmlWalker) flush() {
	s := w.buf.String()
	w.buf.Reset()
	for _, line := range strings.Split(s, "\n") {
		if line = foldSpace(line); line != "" {
			w.doc.Blocks = append(w.doc.Blocks, Block{Text: line})
		}
	}
}

func (w *htmlWalker) addTable(n *html.Node) {
	idx := 0
	for _, b := range w.doc.Blocks {
		if b.Table != nil {
			idx++
		}
	}
	t := &Table{Index: idx}
	var g grid
	trs := rowsOf(n)
	var src tableLine
	if w.tables-1 < len(w.lines) {
		src = w.lines[w.tables-1]
	}
	for i, tr := range trs {
		line := src.line
		if len(src.rows) == len(trs) { // else the parser made rows up
			line = src.rows[i]
		}
		t.Rows = append(t.Rows, g.addRow(tr, idx, len(t.Rows), line))
	}
	w.doc.Blocks = append(w.doc.Blocks, Block{Table: t, Loc: lineLoc(src.line, idx, -1, -1)})
}

// grid expands rowspans: it remembers, per grid column, the cell from an
// earlier row that still covers it.
type grid struct {
	above []spanned // indexed by grid column
}

type spanned struct {
	cell Cell
	left int // rows still covered below the current one
}

func (g *grid) addRow(tr *html.Node, table, rowIdx, line int) Row {
	row := Row{Loc: lineLoc(line, table, rowIdx, -1)}
	col := 0
	takeContinued := func() {
		for col < len(g.above) && g.above[col].left > 0 {
			s := &g.above[col]
			s.left--
			if s.cell.Col == col { // one copy per spanned cell, not per column
				c := s.cell
				c.Continued = true
				c.Loc.Row, c.Loc.Line = rowIdx+1, line
				row.Cells = append(row.Cells, c)
			}
			col++
		}
	}
	for td := tr.FirstChild; td != nil; td = td.NextSibling {
		if td.Type != html.ElementNode || (td.DataAtom != atom.Td && td.DataAtom != atom.Th) {
			continue
		}
		takeContinued()
		cs := spanAttr(td, "colspan", 100)
		rs := spanAttr(td, "rowspan", 1000)
		c := Cell{Text: cellText(td), Col: col, ColSpan: cs, RowSpan: rs,
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

func rowsOf(table *html.Node) []*html.Node {
	var rows []*html.Node
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				rows = append(rows, c)
			case atom.Thead, atom.Tbody, atom.Tfoot:
				visit(c)
			}
		}
	}
	visit(table)
	return rows
}

func spanAttr(n *html.Node, name string, max int) int {
	v, err := strconv.Atoi(strings.TrimSpace(attr(n, name)))
	if err != nil || v < 1 {
		return 1
	}
	return min(v, max)
}

// cellText returns a cell's text with each paragraph or <br> on its own line.
func cellText(n *html.Node) string {
	var b strings.Builder
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Br:
				b.WriteByte('\n')
				return
			case atom.Script, atom.Style:
				return
			}
			block := isBlock(n.DataAtom)
			if block {
				b.WriteByte('\n')
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				visit(c)
			}
			if block {
				b.WriteByte('\n')
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		visit(c)
	}
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = foldSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// foldSpace trims a line and folds runs of white space (including NBSP and
// the ideographic space) into one ASCII space.
func foldSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, isSpace), " ")
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v', 0xA0, 0x3000, 0x200B, 0xFEFF:
		return true
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasDescendant(n *html.Node, a atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == a || hasDescendant(c, a)) {
			return true
		}
	}
	return false
}

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

// htmlTitle picks the report title: the article-title meta tag, the page
// <title>, or the first short paragraph that names an annual report.
func htmlTitle(doc *Document) string {
	for _, k := range []string{"articletitle", "title"} {
		if t := foldSpace(doc.Meta[k]); strings.Contains(t, "报告") {
			return t
		}
	}
	for _, b := range doc.Blocks {
		if b.Table == nil && len([]rune(b.Text)) <= 80 && strings.Contains(b.Text, "年度报告") {
			return b.Text
		}
	}
	return foldSpace(doc.Meta["title"])
}

// tableLine is where a <table> tag and its <tr> tags sit in the source.
type tableLine struct {
	line int
	rows []int
}

// tableLines finds the source line of every <table> start tag and of the
// <tr> tags that follow it up to the next <table> or </table>: the rows of
// an innermost table. The tree html.Parse builds keeps no positions.
func tableLines(text string) []tableLine {
	var out []tableLine
	z := html.NewTokenizer(strings.NewReader(text))
	line, open := 1, false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		raw := z.Raw()
		if tt == html.StartTagToken || tt == html.EndTagToken {
			name, _ := z.TagName()
			switch a := atom.Lookup(name); {
			case a == atom.Table && tt == html.StartTagToken:
				out = append(out, tableLine{line: line})
				open = true
			case a == atom.Table:
				open = false
			case a == atom.Tr && tt == html.StartTagToken && open:
				t := &out[len(out)-1]
				t.rows = append(t.rows, line)
			}
		}
		line += strings.Count(string(raw), "\n")
	}
}
