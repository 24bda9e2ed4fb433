package parse

import (
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
func ParseText(data []byte) (*Document, error) {
	text, _, warns := DecodeText(data)
	doc := &Document{Format: FormatText, Warnings: warns, Meta: map[string]string{}}
	var cur *Table
	tables := 0
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		fields := splitFields(line)
		switch {
		case len(fields) == 0:
			continue
		case len(fields) == 1:
			cur = nil
			// A Markdown "#" line is a heading.
			doc.Blocks = append(doc.Blocks, Block{Text: fields[0], Loc: Loc{Line: i + 1}, Heading: strings.HasPrefix(fields[0], "#")})
			continue
		}
		if cur == nil {
			cur = &Table{Index: tables}
			tables++
			doc.Blocks = append(doc.Blocks, Block{Table: cur, Loc: lineLoc(i+1, cur.Index, -1, -1)})
		}
		row := Row{Loc: lineLoc(i+1, cur.Index, len(cur.Rows), -1)}
		for j, f := range fields {
			row.Cells = append(row.Cells, Cell{Text: f, Col: j, ColSpan: 1, RowSpan: 1,
				Loc: lineLoc(i+1, cur.Index, len(cur.Rows), j)})
		}
		cur.Rows = append(cur.Rows, row)
	}
	return doc, nil
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
