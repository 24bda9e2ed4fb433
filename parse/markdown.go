package parse

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
)

// ParseMarkdown parses Markdown, as PDF-to-text converters (MinerU,
// marker, docling) write reports: "#" lines are headings, GitHub pipe
// tables ("| a | b |" over a "|---|---|" separator) are tables with one
// cell per field, and HTML <table> blocks, which converters write for
// tables with merged cells, are read by the HTML reader. Other lines are
// paragraphs. Every block's Loc.Line is its line in the file.
//
// Pipe tables have no spans: converters repeat a merged cell's text in
// each field it covers (docling) or leave them empty (MinerU, marker).
// Neighbouring fields of a row with the same text that is not a number are
// read as one cell spanning them, as they were printed; empty fields stay
// blank cells, since a blank value is printed the same way. A row with
// more or fewer fields than the header keeps the fields it has.
func ParseMarkdown(ctx context.Context, data []byte) (*Document, error) {
	data, cut := capBytes(data)
	text, _, warns := DecodeText(data)
	doc := &Document{Format: FormatMarkdown, PositionsReliable: true, Warnings: warns, Meta: map[string]string{}}
	if cut {
		doc.Warnings = append(doc.Warnings, limitWarning("the file's size", MaxTextBytes, Loc{}))
	}
	lines := strings.Split(text, "\n")
	m := mdReader{ctx: ctx, doc: doc, lines: lines}
	m.read()
	return doc, nil
}

// mdReader groups a Markdown file's lines into blocks.
type mdReader struct {
	ctx    context.Context
	doc    *Document
	lines  []string
	tables int
	full   bool
}

func (m *mdReader) read() {
	fenced := false
	for i := 0; i < len(m.lines) && !m.full; {
		if i%ctxCheckEvery == 0 && stopped(m.ctx, m.doc, Loc{Line: i + 1}) {
			return
		}
		line := strings.TrimRight(m.lines[i], "\r")
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~"):
			fenced = !fenced
			i++
		case fenced:
			m.paragraph(i, trim, false)
			i++
		case htmlTableStart.MatchString(trim):
			i = m.htmlBlock(i)
		case i+1 < len(m.lines) && strings.Contains(trim, "|") && isPipeSeparator(m.lines[i+1]):
			i = m.pipeTable(i)
		default:
			heading := strings.HasPrefix(trim, "#")
			if heading {
				trim = strings.TrimSpace(strings.TrimLeft(trim, "#"))
			}
			m.paragraph(i, mdInline(trim), heading)
			i++
		}
	}
	if m.full {
		m.doc.Warnings = append(m.doc.Warnings, limitWarning("the number of blocks", MaxBlocks, Loc{}))
	}
}

// paragraph adds the text of line i (0-based) as a paragraph block.
func (m *mdReader) paragraph(i int, text string, heading bool) {
	if text = foldSpace(text); text != "" {
		m.add(Block{Text: text, Heading: heading, Loc: Loc{Line: i + 1}})
	}
}

func (m *mdReader) add(b Block) {
	if len(m.doc.Blocks) >= MaxBlocks {
		m.full = true
		return
	}
	m.doc.Blocks = append(m.doc.Blocks, b)
}

var (
	// htmlTableStart is a line that opens an HTML table, alone or inside
	// the wrapper MinerU writes around each (<html><body><table>…).
	htmlTableStart = regexp.MustCompile(`(?i)^(?:<(?:html|body|div|center|figure)[^>]*>\s*)*<table(?:[\s>]|$)`)
	htmlTableTag   = regexp.MustCompile(`(?i)<(/?)table[\s>]`)
	pipeSepField   = regexp.MustCompile(`^:?-{1,}:?$`)
	mdBreak        = regexp.MustCompile(`(?i)<br\s*/?>`)
)

// isPipeSeparator reports whether line is a pipe table's delimiter row:
// fields of dashes with optional alignment colons.
func isPipeSeparator(line string) bool {
	fields := splitPipes(line)
	if len(fields) == 0 || (len(fields) == 1 && !strings.Contains(line, "|")) {
		return false
	}
	for _, f := range fields {
		if !pipeSepField.MatchString(strings.TrimSpace(f)) {
			return false
		}
	}
	return true
}

// looksLikeMarkdown reports whether a text holds a Markdown pipe table:
// a line with a pipe above a delimiter row. Text dumps never have one.
func looksLikeMarkdown(data []byte) bool {
	head := data[:min(len(data), 1<<20)]
	prev := []byte(nil)
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if bytes.Contains(line, []byte("|-")) || bytes.Contains(line, []byte("| -")) || bytes.Contains(line, []byte("|:-")) {
			if bytes.Contains(prev, []byte("|")) && isPipeSeparator(string(line)) {
				return true
			}
		}
		prev = line
	}
	return false
}

// splitPipes splits a pipe-table line into its fields: on pipes not
// escaped by a backslash, without the optional outer pipes.
func splitPipes(line string) []string {
	s := strings.TrimSpace(line)
	s = strings.TrimPrefix(s, "|")
	if strings.HasSuffix(s, "|") && !strings.HasSuffix(s, `\|`) {
		s = s[:len(s)-1]
	}
	var fields []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '|':
			b.WriteByte('|')
			i++
		case s[i] == '|':
			fields = append(fields, b.String())
			b.Reset()
		default:
			b.WriteByte(s[i])
		}
	}
	return append(fields, b.String())
}

// pipeTable reads the pipe table whose header is line i: the header, the
// delimiter row (skipped) and the rows up to the first line without a
// pipe. It returns the line after the table.
func (m *mdReader) pipeTable(i int) int {
	idx := m.tables
	m.tables++
	t := &Table{Index: idx}
	cells := 0
	m.add(Block{Table: t, Loc: lineLoc(i+1, idx, -1, -1)})
	j := i
	for ; j < len(m.lines); j++ {
		line := strings.TrimRight(m.lines[j], "\r")
		if j == i+1 {
			continue // the delimiter row
		}
		if strings.TrimSpace(line) == "" || !strings.Contains(line, "|") {
			break
		}
		fields := splitPipes(line)
		if len(fields) > MaxRowCells {
			m.warn(limitWarning("the number of fields in a row", MaxRowCells, lineLoc(j+1, idx, len(t.Rows), -1)))
			fields = fields[:MaxRowCells]
		}
		if cells += len(fields); cells > MaxTableCells {
			m.warn(limitWarning(fmt.Sprintf("table %d's cells", idx+1), MaxTableCells, lineLoc(j+1, idx, -1, -1)))
			continue
		}
		t.Rows = append(t.Rows, pipeRow(fields, j+1, idx, len(t.Rows)))
	}
	return j
}

// pipeRow makes the cells of a pipe-table row: one per field, neighbours
// repeating a text that is not a number joined into one spanning cell.
func pipeRow(fields []string, line, table, ri int) Row {
	row := Row{Loc: lineLoc(line, table, ri, -1), Cells: make([]Cell, 0, len(fields))}
	for k, f := range fields {
		text := mdCell(f)
		if n := len(row.Cells); n > 0 && text != "" && row.Cells[n-1].Text == text && !numeric(text) {
			row.Cells[n-1].ColSpan++
			continue
		}
		row.Cells = append(row.Cells, Cell{Text: text, Col: k, ColSpan: 1, RowSpan: 1, Loc: lineLoc(line, table, ri, k)})
	}
	return row
}

// numeric reports whether s is written with digits and number signs only:
// a value, which two neighbouring cells may well share.
func numeric(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789０１２３４５６７８９.,，．-－+%％ ", r) {
			return false
		}
	}
	return true
}

// mdCell is a pipe-table field as cell text: <br> as a line break,
// emphasis markers and HTML entities resolved, white space folded.
func mdCell(f string) string {
	return cellText(mdInline(mdBreak.ReplaceAllString(f, "\n")))
}

// mdInline strips the inline markup converters put around report text
// (bold and italic markers) and resolves HTML entities (&nbsp;).
func mdInline(s string) string {
	s = strings.NewReplacer("**", "", "__", "").Replace(s)
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	return s
}

// htmlBlock reads the HTML block that starts with a <table> on line i, up
// to the line where its tables all close, with the HTML reader, and moves
// the blocks it finds to their place in the file. It returns the line
// after the block.
func (m *mdReader) htmlBlock(i int) int {
	depth, j := 0, i
	for ; j < len(m.lines); j++ {
		for _, t := range htmlTableTag.FindAllStringSubmatch(m.lines[j]+" ", -1) {
			if t[1] == "" {
				depth++
			} else {
				depth--
			}
		}
		if depth <= 0 {
			break
		}
	}
	end := min(j+1, len(m.lines))
	sub, _ := ParseHTML(m.ctx, []byte(strings.Join(m.lines[i:end], "\n")))
	for _, w := range sub.Warnings {
		w.Loc = m.shift(w.Loc, i, 0)
		m.warn(w)
	}
	if sub.Status != StatusOK {
		m.doc.Status = sub.Status
	}
	for _, b := range sub.Blocks {
		if b.Table != nil {
			idx := m.tables
			m.tables++
			b.Table.Index = idx
			for ri := range b.Table.Rows {
				row := &b.Table.Rows[ri]
				row.Loc = m.shift(row.Loc, i, idx)
				for ci := range row.Cells {
					row.Cells[ci].Loc = m.shift(row.Cells[ci].Loc, i, idx)
				}
			}
			b.Loc = m.shift(b.Loc, i, idx)
		} else {
			b.Loc.Line += i
		}
		m.add(b)
	}
	return end
}

// shift moves a Loc of the HTML block starting on line i (0-based) to the
// file's lines and its table to the file's table idx.
func (m *mdReader) shift(l Loc, i, idx int) Loc {
	if l.Line > 0 {
		l.Line += i
	}
	if l.Table > 0 {
		l.Table = idx + 1
	}
	return l
}

// warn adds a warning unless the same one is there already.
func (m *mdReader) warn(w Warning) {
	for _, o := range m.doc.Warnings {
		if o.Code == w.Code && o.Message == w.Message {
			return
		}
	}
	m.doc.Warnings = append(m.doc.Warnings, w)
}
