package parse

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Namespaces the reader tells elements by, through the prefixes the
// document's root binds them to.
const (
	wordStrictNS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	markupCompNS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

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
	lastStyle            []byte // the last paragraph style looked up, and whether it is a heading
	lastHeading, looked  bool
	badUTF               bool         // invalid UTF-8 was replaced
	memo                 [4]propsMemo // of pPr, tcPr, trPr and a run's rPr
	// fast turns on the ways around the tokenizer — fastTag, runBody and
	// the memos — which read as the tokens would; tests turn them off to
	// check that they do.
	fast bool

	para     []byte // text of the open body paragraph
	pDepth   int    // open paragraphs outside grid cells (text boxes nest them)
	pLine    int    // number of the open paragraph
	pHeading bool
	pcount   int // paragraphs started so far: the Loc.Line of blocks
	// The paragraph blocks' text, folded, one after the other, and where
	// each block's is: read ends by making it one string they share.
	ptext  []byte
	pspans []docxSpan
	// The blocks as read, copied into doc.Blocks at the end: one
	// allocation of the right size rather than a slice grown by doubling.
	blocks []Block

	tables []*docxTable // open tables, innermost last
	grids  int          // Table blocks written
	cells  int          // cells made in all tables, for maxDOCXCells
	full   bool         // MaxBlocks reached
	merged bool         // a merged_text warning was given
	// Buffers of the table builder, kept from table to table.
	above, cur []int32
	ctext      []byte
}

// docxSpan is the text ptext[s:e] of doc.Blocks[block].
type docxSpan struct{ block, s, e int }

// docxTable is an open w:tbl. Its cells are one slice, row after row,
// and their text one buffer, cell after cell (only the open cell is ever
// written to, and it is the last one), so that a table costs a handful of
// allocations however many cells it has.
type docxTable struct {
	line   int
	layout bool // holds another table: its cells are read as paragraphs
	rows   []docxRow
	cells  []docxCell // every row's cells, row after row
	text   []byte     // every cell's text, cell after cell
	cell   int        // index of the open cell; noCell, or sinkCell past MaxTableCells
	ncells int        // cells read, for MaxTableCells
}

// The open cell of a docxTable when it is not one of its cells.
const (
	noCell   = -1 // between cells
	sinkCell = -2 // a cell past MaxTableCells, whose text is dropped
)

type docxRow struct {
	line        int
	before      int  // w:gridBefore: grid columns left empty before the first cell
	deleted     bool // a tracked deletion of the whole row
	first, ncel int  // the row's cells: cells[first : first+ncel]
}

// docxCell is a w:tc as read, before its merges are resolved.
type docxCell struct {
	tstart, tend int  // its text: text[tstart:tend] of its table
	span         int  // w:gridSpan
	vmerge       int8 // 0 none, vmergeRestart, vmergeContinue
	// Resolved by the table builder, as indexes rather than pointers, so
	// that the cells hold none (no write barriers, nothing to scan):
	col     int
	rowspan int
	origin  int32 // 1 + the index of the cell a vMerge continuation belongs to; 0 for a cell of its own
	outRow  int32 // 1 + the row of its Cell in the table built, 0 before
	outCol  int32 // 1 + the Cell's index in that row
}

const (
	vmergeRestart  = 1
	vmergeContinue = 2
)

// newReader returns the scratch's reader, set to read doc afresh with the
// buffers the last document grew.
func (sc *docxScratch) newReader(doc *Document, styles docxStyles) *docxReader {
	r := &sc.reader
	needles := r.needles
	if needles.w != "w" {
		needles = newDOCXNeedles("w")
	}
	*r = docxReader{doc: doc, styles: styles, w: "w", mc: "mc", needles: needles, fast: true,
		tbuf: r.tbuf[:0], lastStyle: r.lastStyle[:0], para: r.para[:0], ptext: r.ptext[:0], pspans: r.pspans[:0],
		blocks: r.blocks[:0], tables: r.tables[:0], above: r.above[:0], cur: r.cur[:0], ctext: r.ctext[:0]}
	return r
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
		if r.fast && r.skip == 0 && !sc.end && r.fastTag(&sc) {
			continue
		}
		kind, err := sc.next()
		if err != nil {
			r.doc.Warnings = append(r.doc.Warnings, Warning{Code: CodeDOCXCorrupt,
				Message: fmt.Sprintf("document.xml is not well-formed at byte %d: %v; the rest is not read", sc.pos, err), Loc: Loc{Line: r.pcount}})
		}
		if kind == 0 {
			break
		}
		if !r.token(&sc, kind) {
			r.doc.Warnings = append(r.doc.Warnings, limitWarning("the XML nesting depth", maxDOCXDepth, Loc{Line: r.pcount}))
			break
		}
		var space, local []byte
		if kind == xmlStart {
			space, local = sc.space(), sc.local()
		}
		r.afterToken(&sc, kind, space, local)
	}
	for len(r.tables) > 0 {
		r.closeTable()
	}
	r.flush()
	text := string(r.ptext)
	for _, sp := range r.pspans {
		r.blocks[sp.block].Text = text[sp.s:sp.e]
	}
	if len(r.blocks) > 0 {
		r.doc.Blocks = append(r.doc.Blocks, r.blocks...)
		clear(r.blocks) // the pool must not keep the tables alive
	}
	if len(r.doc.Blocks) == 0 && r.doc.Status == StatusOK {
		r.doc.Warnings = append(r.doc.Warnings, Warning{Code: CodeDOCXCorrupt, Message: "the document has no text"})
	}
}

// afterToken reads what the token just handled, of kind k and name
// space:local when a start tag, leads to without tokens: the end of an
// element whose content is skipped, a run, a run's text, properties.
func (r *docxReader) afterToken(sc *xmlScanner, k xmlKind, space, local []byte) {
	if r.skipLocal != nil {
		// The skipped element's end tag is read here rather than as a
		// token: the token would only close the skip.
		if sc.skipElement(r.skipSpace, r.skipLocal) && sc.skipEndTag() || sc.end {
			sc.end = false
			r.skip = 0
			r.depth--
		}
		r.skipSpace, r.skipLocal = nil, nil
		return
	}
	if k != xmlStart || r.skip != 0 || sc.end || !r.isW(space) {
		return
	}
	switch l := local; {
	case len(l) == 1 && l[0] == 't':
		r.runText(sc)
	case len(l) == 1 && l[0] == 'r' && r.fast:
		r.runBody(sc)
	case len(l) > 2 && l[len(l)-2] == 'P' && l[len(l)-1] == 'r': // pPr, tcPr, trPr
		r.properties(sc, l)
	}
}

// maxFastName is the longest name fastTag reads: those of the tags it
// is for (p, r, tc, bookmarkStart) are short.
const maxFastName = 16

// fastTag handles the tag at sc.pos when its name is of the
// WordprocessingML prefix and plain — "<w:p>", "<w:r w:rsidR="…">",
// "<w:br/>", "</w:tc>" — as its tokens would be handled, but without the
// tokenizer: such tags are most of the tokens left once runs and
// properties are read by their own paths. It reports false, having read
// nothing, for any other input: another prefix, an end tag with
// attributes or space, the root, a tag past the nesting cap.
func (r *docxReader) fastTag(sc *xmlScanner) bool {
	data := sc.data
	s, closing, ok := r.wName(data, sc.pos)
	if !ok {
		return false
	}
	i := s
	for i < len(data) && i-s < maxFastName && isASCIILetter(data[i]) {
		i++
	}
	if i == s || i >= len(data) {
		return false
	}
	local, space := data[s:i], data[s-1-len(r.w):s-1]
	if closing {
		if data[i] != '>' {
			return false
		}
		sc.pos = i + 1
		r.end(space, local)
		r.depth--
		return true
	}
	if !nameEnds[data[i]] || r.depth == 0 || r.depth >= maxDOCXDepth {
		return false
	}
	j := tagEnd(data, i)
	if j < 0 {
		return false
	}
	empty := data[j-1] == '/'
	attrs := data[i:j]
	if empty {
		attrs = data[i : j-1]
	}
	sc.pos = j + 1
	r.depth++
	r.start(space, local, attrs)
	switch {
	case !empty:
		r.afterToken(sc, xmlStart, space, local)
	case r.skipLocal != nil: // an empty element skipped: nothing to skip
		r.skip, r.skipSpace, r.skipLocal = 0, nil, nil
		r.depth--
	default: // its end tag's token
		r.end(space, local)
		r.depth--
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// token handles the token sc has read, of kind k; it returns false when
// the nesting cap is hit.
func (r *docxReader) token(sc *xmlScanner, k xmlKind) bool {
	switch k {
	case xmlStart:
		if r.depth++; r.depth > maxDOCXDepth {
			return false
		}
		if r.depth == 1 {
			r.bindPrefixes(sc.attrs())
		}
		if r.skip == 0 {
			r.start(sc.space(), sc.local(), sc.attrs())
		}
	case xmlEnd:
		if r.skip == 0 {
			r.end(sc.space(), sc.local())
		} else if r.depth == r.skip {
			r.skip = 0
		}
		r.depth--
	case xmlText:
		if r.inText && r.skip == 0 {
			r.writeRaw(sc.text())
		}
	case xmlCDATA:
		if r.inText && r.skip == 0 {
			r.write(sc.text())
		}
	}
	return true
}

// runText reads the text of the w:t just started and its end tag at once
// when they are plain (text with no markup, then "</w:t>"), as their two
// tokens would: a run's text is a third of document.xml's tokens.
func (r *docxReader) runText(sc *xmlScanner) {
	data := sc.data
	i := textEnd(data, sc.pos)
	if !bytes.HasPrefix(data[i:], r.needles.endT) {
		return
	}
	if t := data[sc.pos:i]; len(t) > 0 {
		r.writeRaw(t)
	}
	r.inText = false
	r.depth--
	sc.pos = i + len(r.needles.endT)
}

// maxRunBodyParts is how many parts of a run runBody reads before it
// leaves the rest to the tokenizer: a run is a few parts long, and a
// hostile one of millions must not keep the reader from its context.
const maxRunBodyParts = 16

// runBody reads the run just started when it is made of the parts most
// runs are made of — run properties, which are skipped, and plain text —
// and its end tag, as their tokens would be read, but without them: runs
// are half of document.xml's tokens. It stops at the first part of
// another kind, or one that is not plain, and leaves it to the
// tokenizer, which then reads the rest of the run.
func (r *docxReader) runBody(sc *xmlScanner) {
	if r.depth >= maxDOCXDepth { // the parts would be past the nesting cap
		return
	}
	n, data := &r.needles, sc.data
	for range maxRunBodyParts {
		p := sc.pos
		q, closing, ok := r.wName(data, p)
		switch {
		case !ok:
			return
		case closing:
			if q+1 < len(data) && data[q] == 'r' && data[q+1] == '>' {
				sc.pos = q + 2
				r.depth--
			}
			return
		case hasName(data, q, "rPr"):
			j := tagEnd(data, q+len("rPr"))
			if j < 0 {
				return
			}
			if sc.pos = j + 1; data[j-1] == '/' {
				continue
			}
			if !r.skipRunProperties(sc) {
				sc.pos = p
				return
			}
		case hasName(data, q, "t"):
			j := tagEnd(data, q+len("t"))
			if j < 0 {
				return
			}
			if data[j-1] == '/' {
				sc.pos, r.inText = j+1, false
				continue
			}
			i := textEnd(data, j+1)
			if !bytes.HasPrefix(data[i:], n.endT) {
				return
			}
			if t := data[j+1 : i]; len(t) > 0 {
				r.writeRaw(t)
			}
			r.inText = false // as the tokens would leave it: a w:t left open before is closed
			sc.pos = i + len(n.endT)
		default:
			return
		}
	}
}

// wName returns where the name of the tag at data[p:] starts when the
// tag's prefix is the WordprocessingML one ("<w:" or "</w:"), and
// whether it is an end tag; ok is false for any other input.
func (r *docxReader) wName(data []byte, p int) (q int, closing, ok bool) {
	if p+2 >= len(data) || data[p] != '<' {
		return 0, false, false
	}
	q = p + 1
	if closing = data[q] == '/'; closing {
		q++
	}
	if w := r.w; len(data)-q <= len(w) || data[q+len(w)] != ':' || !r.isW(data[q:q+len(w)]) {
		return 0, false, false
	}
	return q + len(r.w) + 1, closing, true
}

// hasName reports whether the tag name at data[q:] is name, whole.
func hasName(data []byte, q int, name string) bool {
	e := q + len(name)
	return e < len(data) && string(data[q:e]) == name && nameEnds[data[e]]
}

// skipRunProperties moves sc past the content and end tag of the w:rPr
// just started, as skipElement and skipEndTag would, reporting false when
// they would. Run properties are repeated run after run, byte for byte:
// those seen are remembered, and one seen before is skipped at once.
func (r *docxReader) skipRunProperties(sc *xmlScanner) bool {
	n, rest := &r.needles, sc.data[sc.pos:]
	if m, ok := r.memo[3].find(rest, n.endRPr); ok {
		sc.pos += len(m.content) + len(n.endRPr)
		return true
	}
	from := sc.pos
	if !sc.skipElement(n.rPr[1:1+len(r.w)], n.rPr[2+len(r.w):]) {
		return false
	}
	if bytes.HasPrefix(sc.data[sc.pos:], n.endRPr) {
		r.memo[3].add(propsSeen{content: sc.data[from:sc.pos]})
	}
	return sc.skipEndTag()
}

// bindPrefixes learns the root element's prefixes for the namespaces the
// reader acts on.
func (r *docxReader) bindPrefixes(attrs []byte) {
	xmlAttrs(attrs, func(name, value []byte) {
		local, ok := bytes.CutPrefix(name, []byte("xmlns:"))
		if !ok || !isPrefix(local) {
			return
		}
		switch string(value) {
		case wordMainNS, wordStrictNS:
			r.w = string(local)
		case markupCompNS:
			r.mc = string(local)
		}
	})
	if r.needles.w != r.w {
		r.needles = newDOCXNeedles(r.w)
	}
	// The memos' entries were found with the needles of the prefix bound
	// before (a second root may bind another).
	r.memo = [len(r.memo)]propsMemo{}
}

// isPrefix reports whether a declared prefix can be one the tokenizer
// splits a name at: no ':' in it, nor a byte that ends a name.
func isPrefix(p []byte) bool {
	for _, c := range p {
		if c == ':' || nameEnds[c] {
			return false
		}
	}
	return len(p) > 0
}

// start handles a WordprocessingML start tag. One switch, which runs on
// every start tag, both acts on the elements read and skips the content
// of those that hold nothing a reader sees once tracked changes are
// accepted: deletions, text moved away, field codes, run properties, and
// the properties a change replaced (which hold the old style or spans);
// and the properties no one reads (borders, shading, widths, spacing,
// fonts).
func (r *docxReader) start(space, local, attrs []byte) {
	if !r.isW(space) {
		if string(space) == r.mc && string(local) == "Fallback" { // a copy of the Choice for old readers
			r.skip = r.depth
		}
		return
	}
	if len(local) == 1 { // w:r, w:t and w:p are most of the tags: spare them the switch below
		switch local[0] {
		case 'r':
			return
		case 't':
			r.inText = true
			return
		case 'p':
			r.startPara()
			return
		}
	}
	switch string(local) {
	case "del":
		if r.inTrPr {
			if row := r.openRow(); row != nil {
				row.deleted = true
			}
		}
		r.skipContent(space, local)
	case "moveFrom", "delText", "instrText", "delInstrText",
		"rPr", "pPrChange", "rPrChange", "tblPrChange", "trPrChange",
		"tcPrChange", "sectPrChange", "tblPr", "tblGrid", "sectPr",
		"footnoteReference", "endnoteReference", "commentReference",
		"tcBorders", "tblBorders", "pBdr", "shd", "tcMar", "tblCellMar",
		"spacing", "ind", "jc", "tcW", "numPr", "tabs", "rFonts":
		r.skipContent(space, local)
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
		if !r.inGridCell() && r.pDepth == 1 && r.headingStyle(xmlAttrBytes(attrs, "val")) {
			r.pHeading = true
		}
	case "outlineLvl":
		if l := outlineLevel(xmlAttr(attrs, "val")); !r.inGridCell() && r.pDepth == 1 && l > 0 && l <= 3 {
			r.pHeading = true
		}
	case "altChunk":
		r.doc.Warnings = append(r.doc.Warnings, Warning{Code: CodeDOCXSkipped,
			Message: "an embedded document (w:altChunk) is not read", Loc: Loc{Line: r.pcount}})
	case "tbl", "tr", "trPr", "gridBefore", "tc", "gridSpan", "vMerge":
		r.tableStart(local, attrs)
	}
}

// isW reports whether space is the WordprocessingML prefix; most often
// one byte, compared as one.
func (r *docxReader) isW(space []byte) bool {
	if len(space) != len(r.w) {
		return false
	}
	if len(space) == 1 {
		return space[0] == r.w[0]
	}
	return string(space) == r.w
}

// skipContent skips the element just started: its tokens are not acted
// on, and read jumps to its end tag.
func (r *docxReader) skipContent(space, local []byte) {
	r.skip = r.depth
	r.skipSpace, r.skipLocal = space, local
}

func (r *docxReader) end(space, local []byte) {
	if !r.isW(space) {
		return
	}
	if len(local) == 1 {
		switch local[0] {
		case 't':
			r.inText = false
		case 'p':
			r.endPara()
		}
		return
	}
	switch string(local) {
	case "t":
		r.inText = false
	case "p":
		r.endPara()
	case "trPr":
		r.inTrPr = false
	case "tc":
		if g := r.grid(); g != nil {
			g.cell = noCell
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
	if !r.looked || !bytes.Equal(id, r.lastStyle) {
		r.lastStyle = append(r.lastStyle[:0], id...)
		r.looked, r.lastHeading = true, r.styles.heading(string(id))
	}
	return r.lastHeading
}

// startPara opens a w:p: in a grid cell it is a line of the cell's text;
// elsewhere a paragraph block, or a line of the paragraph a text box sits in.
func (r *docxReader) startPara() {
	r.pcount++
	if r.inGridCell() {
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
	if r.cellWrite([]byte{'\n'}) {
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

// writeRaw writes raw XML text, its references resolved.
func (r *docxReader) writeRaw(t []byte) {
	if bytes.IndexByte(t, '&') < 0 {
		r.write(t)
		return
	}
	r.tbuf = appendXMLText(r.tbuf[:0], t)
	r.write(r.tbuf)
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
	if r.cellWrite(b) {
		return
	}
	if r.pDepth > 0 && len(r.para) < maxDOCXPartBytes {
		r.para = append(r.para, b...)
	}
}

// flush ends the body paragraph: one block per non-empty line, its text
// folded into ptext.
func (r *docxReader) flush() {
	s := r.para
	r.para = r.para[:0]
	for {
		line, rest, more := bytes.Cut(s, []byte{'\n'})
		start := len(r.ptext)
		if r.ptext = appendFolded(r.ptext, line); len(r.ptext) > start {
			if r.addBlock(Block{Heading: r.pHeading, Loc: Loc{Line: r.pLine}}) {
				r.pspans = append(r.pspans, docxSpan{len(r.blocks) - 1, start, len(r.ptext)})
			} else {
				r.ptext = r.ptext[:start]
			}
		}
		if !more {
			return
		}
		s = rest
	}
}

// addBlock appends b, reporting false when MaxBlocks is reached.
func (r *docxReader) addBlock(b Block) bool {
	if len(r.blocks) >= MaxBlocks {
		r.full = true
		return false
	}
	r.blocks = append(r.blocks, b)
	return true
}

// attrInt parses an integer attribute, def when absent or not a number,
// clamped to [1, limit].
func attrInt(attrs []byte, local string, def, limit int) int {
	return min(max(atoiOr(xmlAttr(attrs, local), def), 1), limit)
}

// atoiOr parses a decimal integer, def when s is not one.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
