package parse

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Namespaces the reader tells elements by, through the prefixes the
// document's root binds them to.
const (
	wordStrictNS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	markupCompNS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

// docxSkipped reports whether the WordprocessingML element name holds
// nothing a reader sees once tracked changes are accepted: deletions, text
// moved away, field codes, run properties, and the properties a change
// replaced (which hold the old style or spans); and the properties no one
// reads (borders, shading, widths, spacing, fonts). A switch, not a map:
// it runs on every start tag.
func docxSkipped(name []byte) bool {
	switch string(name) {
	case "del", "moveFrom", "delText", "instrText", "delInstrText",
		"rPr", "pPrChange", "rPrChange", "tblPrChange", "trPrChange",
		"tcPrChange", "sectPrChange", "tblPr", "tblGrid", "sectPr",
		"footnoteReference", "endnoteReference", "commentReference",
		"tcBorders", "tblBorders", "pBdr", "shd", "tcMar", "tblCellMar",
		"spacing", "ind", "jc", "tcW", "numPr", "tabs", "rFonts":
		return true
	}
	return false
}

// docxReader turns document.xml's tokens into blocks.
type docxReader struct {
	doc                  *Document
	styles               docxStyles
	w, mc                string // prefixes of the WordprocessingML and markup-compatibility namespaces
	depth                int
	skip                 int    // depth of the element whose content is skipped; 0 when none
	inText               bool   // inside w:t
	inTrPr               bool   // inside a row's properties
	tbuf                 []byte // text with its references resolved
	skipSpace, skipLocal []byte // the skipped element, whose end tag read jumps to
	needles              docxNeedles
	lastStyle            *string // the last paragraph style looked up, and whether it is a heading
	lastHeading          bool
	badUTF               bool // invalid UTF-8 was replaced

	para     []byte // text of the open body paragraph
	pDepth   int    // open paragraphs outside grid cells (text boxes nest them)
	pLine    int    // number of the open paragraph
	pHeading bool
	pcount   int // paragraphs started so far: the Loc.Line of blocks

	tables []*docxTable // open tables, innermost last
	grids  int          // Table blocks written
	cells  int          // cells made in all tables, for maxDOCXCells
	full   bool         // MaxBlocks reached
	merged bool         // a merged_text warning was given
}

// docxTable is an open w:tbl.
type docxTable struct {
	line   int
	layout bool // holds another table: its cells are read as paragraphs
	rows   []docxRow
	cell   *docxCell // the open cell, nil between cells
	cells  int       // cells read, for MaxTableCells
	sink   docxCell  // where the text of cells past the cap goes
}

type docxRow struct {
	line    int
	before  int  // w:gridBefore: grid columns left empty before the first cell
	deleted bool // a tracked deletion of the whole row
	cells   []docxCell
}

// docxCell is a w:tc as read, before its merges are resolved.
type docxCell struct {
	text   []byte
	span   int  // w:gridSpan
	vmerge int8 // 0 none, vmergeRestart, vmergeContinue
	// Resolved by the table builder:
	col     int
	rowspan int
	origin  *docxCell // the cell a vMerge continuation belongs to, itself otherwise
	out     Cell
}

const (
	vmergeRestart  = 1
	vmergeContinue = 2
)

func newDOCXReader(doc *Document, styles docxStyles) *docxReader {
	return &docxReader{doc: doc, styles: styles, w: "w", mc: "mc", needles: newDOCXNeedles("w")}
}

func (r *docxReader) read(ctx context.Context, body []byte) {
	sc := xmlScanner{data: body}
	for n := 0; ; n++ {
		if n%ctxCheckEvery == 0 && stopped(ctx, r.doc, Loc{Line: r.pcount}) {
			break
		}
		if r.full {
			r.doc.Warnings = append(r.doc.Warnings, limitWarning("the number of blocks", MaxBlocks, Loc{Line: r.pcount}))
			break
		}
		tok, err := sc.next()
		if err != nil {
			r.doc.Warnings = append(r.doc.Warnings, Warning{Code: CodeDOCXCorrupt,
				Message: fmt.Sprintf("document.xml is not well-formed at byte %d: %v; the rest is not read", sc.pos, err), Loc: Loc{Line: r.pcount}})
		}
		if tok == nil {
			break
		}
		if !r.token(tok) {
			r.doc.Warnings = append(r.doc.Warnings, limitWarning("the XML nesting depth", maxDOCXDepth, Loc{Line: r.pcount}))
			break
		}
		if r.skipLocal != nil {
			sc.skipElement(r.skipSpace, r.skipLocal)
			r.skipSpace, r.skipLocal = nil, nil
		} else if tok.kind == xmlStart && r.skip == 0 && !sc.end && string(tok.space) == r.w {
			r.properties(&sc, tok.local)
		}
	}
	for len(r.tables) > 0 {
		r.closeTable()
	}
	r.flush()
	if len(r.doc.Blocks) == 0 && r.doc.Status == StatusOK {
		r.doc.Warnings = append(r.doc.Warnings, Warning{Code: CodeDOCXCorrupt, Message: "the document has no text"})
	}
}

// token handles one token; it returns false when the nesting cap is hit.
func (r *docxReader) token(t *xmlToken) bool {
	switch t.kind {
	case xmlStart:
		if r.depth++; r.depth > maxDOCXDepth {
			return false
		}
		if r.depth == 1 {
			r.bindPrefixes(t)
		}
		if r.skip == 0 {
			r.start(t)
		}
	case xmlEnd:
		if r.skip == 0 {
			r.end(t)
		} else if r.depth == r.skip {
			r.skip = 0
		}
		r.depth--
	case xmlText:
		if r.inText && r.skip == 0 {
			r.tbuf = appendXMLText(r.tbuf[:0], t.text)
			r.write(r.tbuf)
		}
	case xmlCDATA:
		if r.inText && r.skip == 0 {
			r.write(t.text)
		}
	}
	return true
}

// bindPrefixes learns the root element's prefixes for the namespaces the
// reader acts on.
func (r *docxReader) bindPrefixes(t *xmlToken) {
	xmlAttrs(t.attrs, func(name, value []byte) {
		local, ok := bytes.CutPrefix(name, []byte("xmlns:"))
		if !ok {
			return
		}
		switch string(value) {
		case wordMainNS, wordStrictNS:
			r.w = string(local)
		case markupCompNS:
			r.mc = string(local)
		}
	})
	r.needles = newDOCXNeedles(r.w)
}

func (r *docxReader) start(t *xmlToken) {
	if string(t.space) == r.mc && string(t.local) == "Fallback" { // a copy of the Choice for old readers
		r.skip = r.depth
		return
	}
	if string(t.space) != r.w {
		return
	}
	name := t.local
	if docxSkipped(name) {
		if string(name) == "del" && r.inTrPr {
			if row := r.openRow(); row != nil {
				row.deleted = true
			}
		}
		r.skip = r.depth
		r.skipSpace, r.skipLocal = t.space, t.local
		return
	}
	switch string(name) {
	case "t":
		r.inText = true
	case "tab", "ptab":
		r.write([]byte{' '})
	case "br", "cr":
		r.write([]byte{'\n'})
	case "noBreakHyphen":
		r.write([]byte{'-'})
	case "p":
		r.startPara()
	case "pStyle":
		if r.gridCell() == nil && r.pDepth == 1 && r.headingStyle(xmlAttrBytes(t.attrs, "val")) {
			r.pHeading = true
		}
	case "outlineLvl":
		if l := outlineLevel(xmlAttr(t.attrs, "val")); r.gridCell() == nil && r.pDepth == 1 && l > 0 && l <= 3 {
			r.pHeading = true
		}
	case "altChunk":
		r.doc.Warnings = append(r.doc.Warnings, Warning{Code: CodeDOCXSkipped,
			Message: "an embedded document (w:altChunk) is not read", Loc: Loc{Line: r.pcount}})
	case "tbl", "tr", "trPr", "gridBefore", "tc", "gridSpan", "vMerge":
		r.tableStart(t)
	}
}

func (r *docxReader) end(t *xmlToken) {
	if string(t.space) != r.w {
		return
	}
	switch string(t.local) {
	case "t":
		r.inText = false
	case "p":
		r.endPara()
	case "trPr":
		r.inTrPr = false
	case "tc":
		if g := r.grid(); g != nil {
			g.cell = nil
		}
	case "tbl":
		if len(r.tables) > 0 {
			r.closeTable()
		}
	}
}

// headingStyle reports whether paragraph style id is a heading,
// remembering the last answer: paragraph after paragraph has the same
// style.
func (r *docxReader) headingStyle(id []byte) bool {
	if r.lastStyle == nil || string(id) != *r.lastStyle {
		s := string(id)
		r.lastStyle, r.lastHeading = &s, r.styles.heading(s)
	}
	return r.lastHeading
}

// startPara opens a w:p: in a grid cell it is a line of the cell's text;
// elsewhere a paragraph block, or a line of the paragraph a text box sits in.
func (r *docxReader) startPara() {
	r.pcount++
	if r.gridCell() != nil {
		return
	}
	if r.pDepth == 0 {
		r.pLine, r.pHeading = r.pcount, false
	} else {
		r.para = append(r.para, '\n')
	}
	r.pDepth++
}

func (r *docxReader) endPara() {
	if c := r.gridCell(); c != nil {
		c.text = append(c.text, '\n')
		return
	}
	if r.pDepth == 0 {
		return
	}
	if r.pDepth--; r.pDepth == 0 {
		r.flush()
	} else {
		r.para = append(r.para, '\n')
	}
}

// write adds text to the open grid cell or paragraph.
func (r *docxReader) write(b []byte) {
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
		if !r.badUTF {
			r.badUTF = true
			r.doc.Warnings = append(r.doc.Warnings, Warning{Code: CodeDOCXCorrupt,
				Message: "document.xml holds bytes that are not UTF-8; they were replaced", Loc: Loc{Line: r.pcount}})
		}
	}
	if c := r.gridCell(); c != nil {
		c.text = append(c.text, b...)
		return
	}
	if r.pDepth > 0 && len(r.para) < maxDOCXPartBytes {
		r.para = append(r.para, b...)
	}
}

// flush ends the body paragraph: one block per non-empty line.
func (r *docxReader) flush() {
	s := string(r.para)
	r.para = r.para[:0]
	for line := range strings.SplitSeq(s, "\n") {
		if line = foldSpace(line); line != "" {
			r.addBlock(Block{Text: line, Heading: r.pHeading, Loc: Loc{Line: r.pLine}})
		}
	}
}

func (r *docxReader) addBlock(b Block) {
	if len(r.doc.Blocks) >= MaxBlocks {
		r.full = true
		return
	}
	r.doc.Blocks = append(r.doc.Blocks, b)
}

// attrInt parses an integer attribute, def when absent or not a number,
// clamped to [1, limit].
func attrInt(t *xmlToken, local string, def, limit int) int {
	return min(max(atoiOr(xmlAttr(t.attrs, local), def), 1), limit)
}

// atoiOr parses a decimal integer, def when s is not one.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
