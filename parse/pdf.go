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

// maxPDFCells is the most table cells kept of one PDF, all its tables
// together. A report's tables hold a few hundred cells and a county's
// volume of reports tens of thousands; half a million is ten times that
// and about 100 MB. Without it one content stream drawing a dense grid,
// shared by thousands of pages, would make cells without end.
const maxPDFCells = 1 << 19

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
//
// The reading looks at its context in every loop that grows with the
// file, so once the time is up (or the caller's context is done) it ends
// within milliseconds; what the PDF library does between two looks (a
// stream decoded, an object parsed) is bounded by the sizes handed to it,
// and a worker process (internal/workers) kills whatever still runs.
func ParsePDF(ctx context.Context, data []byte) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limited, cancel := context.WithTimeout(ctx, PDFTimeLimit)
	defer cancel()
	done := make(chan *Document, 1)
	go func() {
		// The work runs apart from the caller so that a loop deep in the
		// PDF library cannot hold the caller past its deadline.
		done <- parsePDFSafe(docContext{Context: limited, caller: ctx}, data)
	}()
	select {
	case doc := <-done:
		return doc, nil
	case <-limited.Done():
		return failed(StatusFailed, CodePDFTimeout, fmt.Sprintf("parsing stopped before the end (time limit %v): %v", PDFTimeLimit, context.Cause(limited))), nil
	}
}

// docContext is the context a document is read under: done when its time
// limit is, or when the caller's context is. The caller's is asked
// directly too, so that a context that tells its end by Err alone (one
// that counts the work it allows, say) stops the reading as well.
type docContext struct {
	context.Context // the caller's, with the time limit
	caller          context.Context
}

func (c docContext) Err() error {
	if err := c.caller.Err(); err != nil {
		return err
	}
	return c.Context.Err()
}

// timedOut marks doc failed because ctx is done before page n was read:
// the blocks read so far are dropped, the warnings kept.
func timedOut(ctx context.Context, doc *Document, n int) *Document {
	doc.Status, doc.Blocks, doc.PositionsReliable = StatusFailed, nil, false
	doc.Warnings = append(doc.Warnings, Warning{Code: CodePDFTimeout,
		Message: fmt.Sprintf("page %d: reading stopped before the end: %v", n, ctx.Err()), Loc: Loc{Page: n}})
	return doc
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
	bytes      int // of text, for the cap MaxTextBytes
}

func (s *pdfStats) add(p *pdflayout.Page) (runes, bad int) {
	for _, g := range p.Glyphs {
		s.bytes += len(g.Text)
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
	r := &pdfReader{doc: doc, damaged: d.Rebuilt}
	fromWarning := len(doc.Warnings)
	if !r.readPages(ctx, d) {
		return doc
	}
	if !r.judge(ctx, d) {
		doc.Blocks = nil
		return doc
	}
	// scanned pages among pages of text: read again, those pages by OCR
	// in their place (ocr_pdf.go)
	judged := len(doc.Warnings)
	if scans := r.scannedPages(ctx, d); len(scans) > 0 {
		// the pass makes the first pass's warnings again
		doc.Warnings = append(doc.Warnings[:fromWarning], doc.Warnings[judged:]...)
		r.ocr = newOCRScan(ctx, doc, scans)
		if !r.readPages(ctx, d) {
			return doc
		}
		r.ocr.finish()
	}
	for _, n := range r.imageOnly {
		doc.warn(CodePDFImagePage, "page has images but no text layer; its content is not read", Loc{Page: n})
	}
	r.blocks.markHeadings()
	// Columns rebuilt from text alignment are a reading, not a grid.
	doc.PositionsReliable = !r.blocks.unruled
	return doc
}

// readPages reads every page into the document's blocks, afresh; it
// reports false when the document's time ran out (it is failed).
func (r *pdfReader) readPages(ctx context.Context, d *pdflayout.Doc) bool {
	r.doc.Blocks = nil
	r.blocks = &blockBuilder{doc: r.doc}
	r.st, r.imageOnly, r.pagesRead, r.textPages, r.tail = pdfStats{}, nil, 0, 0, nil
	r.pageArea = map[int]float64{}
	for n := 1; n <= d.NumPages(); n++ {
		if ctx.Err() != nil {
			timedOut(ctx, r.doc, n)
			return false
		}
		if r.capped(n) {
			break
		}
		r.page(ctx, d, n)
	}
	if ctx.Err() != nil {
		timedOut(ctx, r.doc, d.NumPages())
		return false
	}
	r.blocks.finish()
	return true
}

// pdfReader is what parsePDF gathers page by page.
type pdfReader struct {
	doc                  *Document
	blocks               *blockBuilder
	st                   pdfStats
	imageOnly            []int           // pages with images and next to no text
	pageArea             map[int]float64 // of each page of imageOnly, in square points
	pagesRead, textPages int
	damaged              bool // the file's cross-reference table was rebuilt
	// tail is the text that ended the page before below its last table,
	// for a table on the next page whose header it may begin.
	tail *pdflayout.Tail
	// ocr reads the scanned pages of a document with text on others,
	// in the second reading of its pages (nil in the first).
	ocr *ocrScan
}

// capped reports whether the document has reached a cap on what it may
// make the reader build, before page n, and says so.
func (r *pdfReader) capped(n int) bool {
	switch {
	case r.st.bytes >= MaxTextBytes:
		r.doc.Warnings = append(r.doc.Warnings, limitWarning("the size of the PDF's text in bytes", MaxTextBytes, Loc{Page: n}))
	case len(r.doc.Blocks) >= MaxBlocks:
		r.doc.Warnings = append(r.doc.Warnings, limitWarning("the number of the PDF's paragraphs and tables", MaxBlocks, Loc{Page: n}))
	case r.blocks.full:
		r.doc.Warnings = append(r.doc.Warnings, limitWarning("the number of the PDF's table cells", maxPDFCells, Loc{Page: n - 1}))
	default:
		return false
	}
	return true
}

// page reads page n and adds its blocks, unless it is a scan or its text
// does not decode.
func (r *pdfReader) page(ctx context.Context, d *pdflayout.Doc, n int) {
	p, err := d.Page(ctx, n)
	loc := Loc{Page: n}
	if ctx.Err() != nil {
		return // the caller says why
	}
	if err != nil {
		r.doc.warn(CodePDFPage, err.Error(), loc)
		if p == nil {
			return
		}
	} else {
		r.pagesRead++
	}
	r.doc.warnLayout(p.Warnings)
	runes, bad := r.st.add(p)
	switch {
	case runes < minPageRunes && p.Images > 0:
		if r.ocr != nil && r.ocr.wanted[n] {
			r.tail = nil
			if r.ocr.mixedPage(ctx, d, n, r.blocks) {
				return
			}
		}
		r.imageOnly = append(r.imageOnly, n)
		r.pageArea[n] = p.Width * p.Height
		return
	case runes >= minPageRunes:
		r.textPages++
	}
	if runes > 0 && float64(bad) > garbledShare*float64(runes) {
		r.doc.warn(CodePDFGarbled, fmt.Sprintf("%d of %d characters do not decode to text; page skipped", bad, runes), loc)
		return
	}
	tail := r.tail
	r.tail = nil
	blocks, used, err := safeLayout(ctx, p, r.blocks.carry(), tail)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		r.doc.warn(CodePDFLayout, err.Error(), loc)
		return
	}
	if used != nil {
		r.blocks.dropTail(tail, used)
	}
	r.blocks.page(n, blocks)
	r.tail = pdflayout.TailOf(p, blocks, func(b pdflayout.Block) bool { return pageFurniture.MatchString(b.Text) })
}

// judge sets the document's status from what its pages held, and reports
// whether the text read is worth keeping. A scan is read by OCR.
func (r *pdfReader) judge(ctx context.Context, d *pdflayout.Doc) bool {
	doc, st := r.doc, r.st
	switch {
	case r.pagesRead == 0 && st.runes < minTextRunes:
		doc.Status = StatusFailed
		doc.warn(CodePDFCorrupt, "no page could be read", Loc{})
	case r.damaged && st.runes < minTextRunes && len(r.imageOnly) == 0:
		// a file cut short is not a scan: OCR would find nothing
		doc.Status = StatusFailed
		doc.warn(CodePDFCorrupt, "the file is damaged (its cross-reference table had to be rebuilt) and no text could be read from it", Loc{})
	case st.runes < minTextRunes || r.textPages == 0:
		return r.scan(ctx, d) // ocr_pdf.go
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
	case pdflayout.WarnLimit:
		return CodeLimit
	case pdflayout.WarnRepair:
		return CodePDFRepaired
	}
	return CodePDFPage
}

// safeLayout lays a page out after the tail of the page before, turning a
// panic into an error for that page alone.
func safeLayout(ctx context.Context, p *pdflayout.Page, prev *pdflayout.Table, tail *pdflayout.Tail) (blocks []pdflayout.Block, used []bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			blocks, used, err = nil, nil, fmt.Errorf("page %d: layout failed: %v", p.Number, r)
		}
	}()
	return pdflayout.LayoutAfter(ctx, p, prev, tail)
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
	between []Block          // page furniture seen since the last table
	sizes   []float64        // font size of each block: 0 for tables and page furniture
	unruled bool             // some table's columns come from text alignment
	// the tables, made into blocks by finish once no page adds rows to
	// them (a table continued on every page would be made again at each)
	pending []pendingTable
	cells   int  // in the tables kept
	full    bool // a table did not fit in maxPDFCells: no more are read
}

// pendingTable is a layout table and the block that it becomes.
type pendingTable struct {
	block  int
	table  *pdflayout.Table
	index  int
	cells  int
	capped bool // more rows than MaxTableCells cells continued it: they are dropped
}

func countCells(t *pdflayout.Table) int {
	n := 0
	for _, r := range t.Rows {
		n += len(r.Cells)
	}
	return n
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
			if lb.Table.Rows[i].FromTail {
				lb.Table.Rows[i].Page = n - 1
			}
		}
		cells := countCells(lb.Table)
		if b.cells+cells > maxPDFCells {
			b.full = true
			return
		}
		b.unruled = b.unruled || !lb.Table.Ruled
		if b.last != nil && b.lastPage(n-1) && pdflayout.Continues(b.last, lb.Table) {
			b.appendRows(n, lb.Table, cells)
			continue
		}
		b.cells += cells
		b.flushBetween()
		b.last = lb.Table
		b.pending = append(b.pending, pendingTable{block: len(b.doc.Blocks), table: lb.Table, index: b.tables, cells: cells})
		b.doc.Blocks = append(b.doc.Blocks, Block{Table: &Table{Index: b.tables}, Loc: Loc{Page: n}})
		b.sizes = append(b.sizes, 0)
		b.tables++
	}
}

// appendRows adds the rows of t, found on page n, to the last table,
// which they continue, unless it would have more than MaxTableCells.
func (b *blockBuilder) appendRows(n int, t *pdflayout.Table, cells int) {
	p := &b.pending[len(b.pending)-1]
	if p.capped {
		return
	}
	if p.cells+cells > MaxTableCells {
		p.capped = true
		b.doc.Warnings = append(b.doc.Warnings, limitWarning(fmt.Sprintf("the cell count of table %d", p.index+1), MaxTableCells, Loc{Page: n}))
		return
	}
	p.cells += cells
	b.cells += cells
	b.last.Append(t)
}

// finish makes the blocks of the tables, once every page is read.
func (b *blockBuilder) finish() {
	for _, p := range b.pending {
		b.doc.Blocks[p.block] = b.tableBlock(p.table, p.index)
	}
	b.pending = nil
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

// dropTail removes the paragraphs of tail that used marks: lines that
// ended the page before and turned out to be the header of the table that
// opens the next one.
func (b *blockBuilder) dropTail(tail *pdflayout.Tail, used []bool) {
	drop := map[[4]float64]bool{}
	for i, u := range used {
		if u {
			drop[bbox(tail.Boxes[i])] = true
		}
	}
	keep := b.doc.Blocks[:0]
	sizes := b.sizes[:0]
	for i, blk := range b.doc.Blocks {
		if blk.Table == nil && blk.Loc.Page == tail.Page && drop[blk.Loc.BBox] {
			continue
		}
		keep = append(keep, blk)
		sizes = append(sizes, b.sizes[i])
	}
	b.doc.Blocks, b.sizes = keep, sizes
	b.last = nil
}

func (b *blockBuilder) flushBetween() {
	for _, blk := range b.between {
		b.doc.Blocks = append(b.doc.Blocks, blk)
		b.sizes = append(b.sizes, 0)
	}
	b.between = nil
}

func bbox(r pdflayout.Rect) [4]float64 { return [4]float64{r.X0, r.Y0, r.X1, r.Y1} }

// tableBlock converts a layout table to a document table with provenance,
// up to MaxTableCells cells.
func (b *blockBuilder) tableBlock(t *pdflayout.Table, index int) Block {
	out := &Table{Index: index}
	cells := 0
	for ri, r := range t.Rows {
		if cells += len(r.Cells); cells > MaxTableCells {
			b.doc.Warnings = append(b.doc.Warnings, limitWarning(fmt.Sprintf("the cell count of table %d", index+1), MaxTableCells, Loc{Page: r.Page}))
			break
		}
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
