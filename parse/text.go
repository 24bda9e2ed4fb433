package parse

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// ParseText parses a plain-text report, as copied or dumped from a PDF.
// Lines that split into several fields (on tabs, or on runs of two or more
// spaces) are table rows, grouped into one Table per run of such lines;
// other lines are paragraphs. Blank lines are page or paragraph breaks and
// do not end a table, because dumps put them in the middle of tables.
// Field positions in dumps drift (a lost cell shifts the rest), so the
// document says its positions are not reliable.
func ParseText(ctx context.Context, data []byte) (*Document, error) {
	data, cut := capBytes(data)
	text, _, warns := DecodeText(data)
	doc := &Document{Format: FormatText, Warnings: warns, Meta: map[string]string{}}
	if cut {
		doc.Warnings = append(doc.Warnings, limitWarning("the file's size", MaxTextBytes, Loc{}))
	}
	tr := textReader{doc: doc}
	i := 0
	for line := range strings.SplitSeq(text, "\n") {
		i++
		if i%ctxCheckEvery == 0 && stopped(ctx, doc, Loc{Line: i}) {
			break
		}
		if !tr.line(i, strings.TrimRight(line, "\r")) {
			break
		}
	}
	return doc, nil
}

// textReader groups a dump's lines into paragraphs and tables.
type textReader struct {
	doc    *Document
	cur    *Table // the table being read, nil between tables
	cells  int    // cells of cur
	tables int
}

// line reads line number n; it returns false when the document is full.
func (tr *textReader) line(n int, line string) bool {
	fields := splitFields(line)
	if len(fields) == 0 {
		return true
	}
	if len(tr.doc.Blocks) >= MaxBlocks {
		tr.warn(limitWarning("the number of blocks", MaxBlocks, Loc{Line: n}))
		return false
	}
	if len(fields) == 1 {
		tr.cur = nil
		// A Markdown "#" line is a heading.
		tr.doc.Blocks = append(tr.doc.Blocks, Block{Text: fields[0], Loc: Loc{Line: n}, Heading: strings.HasPrefix(fields[0], "#")})
		return true
	}
	if tr.cur == nil {
		tr.cur = &Table{Index: tr.tables}
		tr.tables++
		tr.cells = 0
		tr.doc.Blocks = append(tr.doc.Blocks, Block{Table: tr.cur, Loc: lineLoc(n, tr.cur.Index, -1, -1)})
	}
	cur := tr.cur
	if len(fields) > MaxRowCells {
		tr.warn(limitWarning("the number of fields in a line", MaxRowCells, lineLoc(n, cur.Index, len(cur.Rows), -1)))
		fields = fields[:MaxRowCells]
	}
	if tr.cells += len(fields); tr.cells > MaxTableCells {
		tr.warn(limitWarning(fmt.Sprintf("table %d's cells", cur.Index+1), MaxTableCells, lineLoc(n, cur.Index, -1, -1)))
		return true
	}
	row := Row{Loc: lineLoc(n, cur.Index, len(cur.Rows), -1), Cells: make([]Cell, 0, len(fields))}
	for j, f := range fields {
		row.Cells = append(row.Cells, Cell{Text: f, Col: j, ColSpan: 1, RowSpan: 1,
			Loc: lineLoc(n, cur.Index, len(cur.Rows), j)})
	}
	cur.Rows = append(cur.Rows, row)
	return true
}

// warn adds a warning unless one with the same code and message is there
// already: a cap reached on every line is said once.
func (tr *textReader) warn(w Warning) {
	for _, o := range tr.doc.Warnings {
		if o.Code == w.Code && o.Message == w.Message {
			return
		}
	}
	tr.doc.Warnings = append(tr.doc.Warnings, w)
}

var (
	wideGap     = regexp.MustCompile(`[ \x{3000}\x{A0}]{2,}`)
	trailingNum = regexp.MustCompile(`^(.*?[^\s\d.,，－\-])((?:\s+[-－]?[\d０-９][\d０-９,，.．]*(?:万元|元)?)+)$`)
)

// splitFields splits a line into cells: on tabs when it has any, else on
// runs of two or more spaces. A trailing run of space-separated numbers in
// the last field ("政府集中采购 5 3.46") is split off into cells too.
// Returns nil for a blank line and one field for a line of prose.
func splitFields(line string) []string {
	if strings.TrimFunc(line, isSpace) == "" {
		return nil
	}
	var raw []string
	if strings.Contains(line, "\t") {
		raw = strings.Split(line, "\t")
	} else {
		raw = wideGap.Split(strings.TrimFunc(line, isSpace), -1)
	}
	fields := make([]string, 0, len(raw))
	for _, f := range raw {
		fields = append(fields, foldSpace(f))
	}
	// Drop the empty field after a trailing tab: every row of a dump has it.
	for len(fields) > 1 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	last := fields[len(fields)-1]
	if m := trailingNum.FindStringSubmatch(last); m != nil && len([]rune(m[1])) <= 40 {
		fields = fields[:len(fields)-1]
		fields = append(fields, strings.TrimSpace(m[1]))
		fields = append(fields, strings.Fields(m[2])...)
	}
	return fields
}

// lineLoc is GridLoc on a source line.
func lineLoc(line, table, row, col int) Loc {
	l := GridLoc(table, row, col)
	l.Line = line
	return l
}
