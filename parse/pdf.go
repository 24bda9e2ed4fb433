package parse

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/opengov-cn/nianbao/parse/pdflayout"
)

// PDFTimeLimit bounds the time ParsePDF spends on one document when the
// caller's context allows more.
var PDFTimeLimit = 60 * time.Second

// Thresholds for judging a text layer.
const (
	garbledShare = 0.25 // share of undecodable characters that makes text garbled
	minTextRunes = 20   // fewer visible characters than this in a document: no text layer
	minPageRunes = 10   // fewer than this on a page with images: a scanned page
)

// ParsePDF parses a PDF report with the layout layer of package pdflayout:
// text lines outside tables become paragraphs, ruled tables become tables
// whose cells sit in the grid columns of their rulings. A document that
// cannot be read comes back with a non-OK Status and a warning; ParsePDF
// itself returns an error only when ctx is done before it starts.
func ParsePDF(ctx context.Context, data []byte) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, PDFTimeLimit)
	defer cancel()
	done := make(chan *Document, 1)
	go func() {
		// The work runs apart from the caller so that a loop deep in the
		// PDF library cannot hold the caller past its deadline.
		done <- parsePDFSafe(ctx, data)
	}()
	select {
	case doc := <-done:
		return doc, nil
	case <-ctx.Done():
		return failed(StatusFailed, CodePDFTimeout, fmt.Sprintf("parsing stopped before the end (time limit %v): %v", PDFTimeLimit, context.Cause(ctx))), nil
	}
}

func failed(st Status, code Code, msg string) *Document {
	return &Document{
		Format:   FormatPDF,
		Status:   st,
		Warnings: []Warning{{Code: code, Message: msg}},
	}
}

// parsePDFSafe is parsePDF with any panic turned into a failed document.
func parsePDFSafe(ctx context.Context, data []byte) (doc *Document) {
	defer func() {
		if r := recover(); r != nil {
			doc = failed(StatusFailed, CodePDFPanic, fmt.Sprintf("malformed PDF: %v", r))
		}
	}()
	return parsePDF(ctx, data)
}

// pdfStats counts what the text layer holds, to tell scans and garbled
// encodings from readable text.
type pdfStats struct {
	runes, bad int
}

func (s *pdfStats) add(p *pdflayout.Page) (runes, bad int) {
	for _, g := range p.Glyphs {
		for _, r := range g.Text {
			if unicode.IsSpace(r) {
				continue
			}
			runes++
			if badRune(r) {
				bad++
			}
		}
	}
	s.runes += runes
	s.bad += bad
	return runes, bad
}

// badRune reports characters a real text layer does not contain: the
// replacement character, private-use code points and control characters.
func badRune(r rune) bool {
	return r == unicode.ReplacementChar || r >= 0xE000 && r <= 0xF8FF || r >= 0xF0000 ||
		r < 0x20 || r >= 0x7F && r <= 0x9F
}

func parsePDF(ctx context.Context, data []byte) *Document {
	d, err := pdflayout.Open(ctx, data)
	switch {
	case errors.Is(err, pdflayout.ErrEncrypted):
		return failed(StatusEncrypted, CodePDFEncrypted, err.Error())
	case err != nil:
		return failed(StatusFailed, CodePDFCorrupt, err.Error())
	}
	// The information dictionary's Title becomes Meta["title"], which the
	// title rule of Parse weighs against the headings.
	doc := &Document{Format: FormatPDF, Meta: map[string]string{}}
	for k, v := range d.Info {
		doc.Meta[strings.ToLower(k)] = v
	}
	doc.warnLayout(d.Warnings)
	r := &pdfReader{doc: doc, blocks: &blockBuilder{doc: doc}}
	for n := 1; n <= d.NumPages(); n++ {
		if ctx.Err() != nil {
			return failed(StatusFailed, CodePDFTimeout, fmt.Sprintf("page %d: gave up after the time limit", n))
		}
		r.page(ctx, d, n)
	}
	if !r.judge() {
		doc.Blocks = nil
		return doc
	}
	for _, n := range r.imageOnly {
		doc.warn(CodePDFImagePage, "page has images but no text layer; its content is not read", Loc{Page: n})
	}
	r.blocks.markHeadings()
	// Columns rebuilt from text alignment are a reading, not a grid.
	doc.PositionsReliable = !r.blocks.unruled
	return doc
}

// pdfReader is what parsePDF gathers page by page.
type pdfReader struct {
	doc                  *Document
	blocks               *blockBuilder
	st                   pdfStats
	imageOnly            []int // pages with images and next to no text
	pagesRead, textPages int
}

// page reads page n and adds its blocks, unless it is a scan or its text
// does not decode.
func (r *pdfReader) page(ctx context.Context, d *pdflayout.Doc, n int) {
	p, err := d.Page(ctx, n)
	loc := Loc{Page: n}
	if err != nil {
		r.doc.warn(CodePDFPage, err.Error(), loc)
		if p == nil || ctx.Err() != nil {
			return
		}
	} else {
		r.pagesRead++
	}
	r.doc.warnLayout(p.Warnings)
	runes, bad := r.st.add(p)
	switch {
	case runes < minPageRunes && p.Images > 0:
		r.imageOnly = append(r.imageOnly, n)
		return
	case runes >= minPageRunes:
		r.textPages++
	}
	if runes > 0 && float64(bad) > garbledShare*float64(runes) {
		r.doc.warn(CodePDFGarbled, fmt.Sprintf("%d of %d characters do not decode to text; page skipped", bad, runes), loc)
		return
	}
	blocks, err := safeLayout(p, r.blocks.carry())
	if err != nil {
		r.doc.warn(CodePDFLayout, err.Error(), loc)
		return
	}
	r.blocks.page(n, blocks)
}

// judge sets the document's status from what its pages held, and reports
// whether the text read is worth keeping.
func (r *pdfReader) judge() bool {
	doc, st := r.doc, r.st
	switch {
	case r.pagesRead == 0 && st.runes < minTextRunes:
		doc.Status = StatusFailed
		doc.warn(CodePDFCorrupt, "no page could be read", Loc{})
	case st.runes < minTextRunes || r.textPages == 0:
		doc.Status = StatusNeedsOCR
		pages := r.imageOnly
		if len(pages) == 0 {
			pages = []int{1}
		}
		for _, n := range pages {
			doc.warn(CodePDFNeedsOCR, "no text layer: the page must be read by OCR", Loc{Page: n})
		}
	case float64(st.bad) > garbledShare*float64(st.runes):
		doc.Status = StatusGarbled
		doc.warn(CodePDFGarbled, fmt.Sprintf("%d of %d characters of the text layer do not decode to text", st.bad, st.runes), Loc{})
	default:
		return true
	}
	return false
}

// warnLayout adds warnings of the layout layer, each with its page and the
// code for what it is about.
func (doc *Document) warnLayout(ws []pdflayout.Warning) {
	for _, w := range ws {
		doc.warn(layoutCode(w.Kind), w.Msg, Loc{Page: w.Page})
	}
}

func layoutCode(k pdflayout.WarnKind) Code {
	switch k {
	case pdflayout.WarnStructure:
		return CodePDFStructure
	case pdflayout.WarnFont, pdflayout.WarnCMap:
		return CodePDFFont
	}
	return CodePDFPage
}

// safeLayout lays a page out, turning a panic into an error for that page
// alone.
func safeLayout(p *pdflayout.Page, prev *pdflayout.Table) (blocks []pdflayout.Block, err error) {
	defer func() {
		if r := recover(); r != nil {
			blocks, err = nil, fmt.Errorf("page %d: layout failed: %v", p.Number, r)
		}
	}()
	return pdflayout.Layout(p, prev), nil
}

func (doc *Document) warn(code Code, msg string, loc Loc) {
	if len(doc.Warnings) < MaxWarnings {
		doc.Warnings = append(doc.Warnings, Warning{Code: code, Message: msg, Loc: loc})
	}
}

// blockBuilder turns the layout of each page into document blocks, joining
// a table that a page break cut in two.
type blockBuilder struct {
	doc     *Document
	tables  int
	last    *pdflayout.Table // last table seen
	lastIdx int              // its block index
	between []Block          // page furniture seen since the last table
	sizes   []float64        // font size of each block: 0 for tables and page furniture
	unruled bool             // some table's columns come from text alignment
}

// pageFurniture matches lines such as "-3-", "— 3 —", "第3页", "3/5".
var pageFurniture = regexp.MustCompile(`^[\s\-—－–·]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*\d{1,4})?(\s*共\s*\d+\s*页)?[\s\-—－–·]*$`)

func (b *blockBuilder) page(n int, blocks []pdflayout.Block) {
	for _, lb := range blocks {
		if lb.Table == nil {
			blk := Block{Text: lb.Text, Loc: Loc{Page: n, BBox: bbox(lb.BBox)}}
			if b.last != nil && pageFurniture.MatchString(lb.Text) {
				b.between = append(b.between, blk)
				continue
			}
			b.flushBetween()
			b.last = nil
			b.doc.Blocks = append(b.doc.Blocks, blk)
			b.sizes = append(b.sizes, lb.Size)
			continue
		}
		for i := range lb.Table.Rows {
			lb.Table.Rows[i].Page = n
		}
		b.unruled = b.unruled || !lb.Table.Ruled
		if b.last != nil && b.lastPage(n-1) && pdflayout.Continues(b.last, lb.Table) {
			b.last.Append(lb.Table)
			b.doc.Blocks[b.lastIdx] = b.tableBlock(b.last, b.doc.Blocks[b.lastIdx].Table.Index)
			continue
		}
		b.flushBetween()
		b.last = lb.Table
		b.lastIdx = len(b.doc.Blocks)
		b.doc.Blocks = append(b.doc.Blocks, b.tableBlock(lb.Table, b.tables))
		b.sizes = append(b.sizes, 0)
		b.tables++
	}
}

// carry returns the table that ended the previous page, for a table on
// the next page to continue.
func (b *blockBuilder) carry() *pdflayout.Table {
	if b.last == nil || len(b.last.Rows) == 0 {
		return nil
	}
	return b.last
}

// lastPage reports whether the last table ends on page n.
func (b *blockBuilder) lastPage(n int) bool {
	rows := b.last.Rows
	return len(rows) > 0 && rows[len(rows)-1].Page == n
}

func (b *blockBuilder) flushBetween() {
	for _, blk := range b.between {
		b.doc.Blocks = append(b.doc.Blocks, blk)
		b.sizes = append(b.sizes, 0)
	}
	b.between = nil
}

func bbox(r pdflayout.Rect) [4]float64 { return [4]float64{r.X0, r.Y0, r.X1, r.Y1} }

// tableBlock converts a layout table to a document table with provenance.
func (b *blockBuilder) tableBlock(t *pdflayout.Table, index int) Block {
	out := &Table{Index: index}
	for ri, r := range t.Rows {
		loc := GridLoc(index, ri, -1)
		loc.Page, loc.BBox = r.Page, bbox(r.BBox)
		row := Row{Loc: loc}
		for _, c := range r.Cells {
			row.Cells = append(row.Cells, Cell{
				Text:      c.Text,
				Col:       c.Col,
				ColSpan:   c.ColSpan,
				RowSpan:   c.RowSpan,
				Continued: c.Continued,
				Loc:       cellLoc(index, ri, c.Col, r.Page, c.BBox),
			})
		}
		out.Rows = append(out.Rows, row)
	}
	page := 0
	if len(t.Rows) > 0 {
		page = t.Rows[0].Page
	}
	loc := GridLoc(index, -1, -1)
	loc.Page, loc.BBox = page, bbox(t.BBox)
	return Block{Table: out, Loc: loc}
}

func cellLoc(table, row, col, page int, box pdflayout.Rect) Loc {
	l := GridLoc(table, row, col)
	l.Page, l.BBox = page, bbox(box)
	return l
}

// headingRatio is how much larger than the body text a paragraph is
// printed to be a heading. Sizes worked out from text matrices differ by
// rounding, far less than 5%; the smallest step typesetters take between
// sizes (五号 10.5pt to 小四 12pt) is 14%.
const headingRatio = 1.05

// markHeadings marks the paragraphs printed larger than the body text, the
// median size of the document's paragraphs.
func (b *blockBuilder) markHeadings() {
	body := medianSize(b.sizes)
	for i := range b.doc.Blocks {
		if blk := &b.doc.Blocks[i]; blk.Table == nil && i < len(b.sizes) && b.sizes[i] > headingRatio*body {
			blk.Heading = true
		}
	}
}

// medianSize is the median of the sizes that are not 0.
func medianSize(sizes []float64) float64 {
	var s []float64
	for _, v := range sizes {
		if v > 0 {
			s = append(s, v)
		}
	}
	if len(s) == 0 {
		return 0
	}
	sort.Float64s(s)
	return s[len(s)/2]
}
