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
	doc := &Document{Format: FormatPDF, Meta: map[string]string{}}
	for k, v := range d.Info {
		doc.Meta[strings.ToLower(k)] = v
	}
	for _, w := range d.Warnings {
		doc.warn(CodePDFStructure, w, Loc{})
	}
	var st pdfStats
	var imageOnly []int
	pagesRead, textPages := 0, 0
	b := &blockBuilder{doc: doc}
	for n := 1; n <= d.NumPages(); n++ {
		if ctx.Err() != nil {
			return failed(StatusFailed, CodePDFTimeout, fmt.Sprintf("page %d: gave up after the time limit", n))
		}
		p, err := d.Page(ctx, n)
		loc := Loc{Page: n}
		if err != nil {
			doc.warn(CodePDFPage, err.Error(), loc)
			if p == nil || ctx.Err() != nil {
				continue
			}
		}
		if err == nil {
			pagesRead++
		}
		for _, w := range p.Warnings {
			doc.warn(CodePDFPage, w, loc)
		}
		runes, bad := st.add(p)
		switch {
		case runes < minPageRunes && p.Images > 0:
			imageOnly = append(imageOnly, n)
			continue
		case runes >= minPageRunes:
			textPages++
		}
		switch {
		case runes > 0 && float64(bad) > garbledShare*float64(runes):
			doc.warn(CodePDFGarbled, fmt.Sprintf("%d of %d characters do not decode to text; page skipped", bad, runes), loc)
			continue
		}
		blocks, err := safeLayout(p, b.carry())
		if err != nil {
			doc.warn(CodePDFLayout, err.Error(), loc)
			continue
		}
		b.page(n, blocks)
	}
	switch {
	case pagesRead == 0 && st.runes < minTextRunes:
		doc.Status = StatusFailed
		doc.Blocks = nil
		doc.warn(CodePDFCorrupt, "no page could be read", Loc{})
		return doc
	case st.runes < minTextRunes || textPages == 0:
		doc.Status = StatusNeedsOCR
		doc.Blocks = nil
		pages := imageOnly
		if len(pages) == 0 {
			pages = []int{1}
		}
		for _, n := range pages {
			doc.warn(CodePDFNeedsOCR, "no text layer: the page must be read by OCR", Loc{Page: n})
		}
		return doc
	case float64(st.bad) > garbledShare*float64(st.runes):
		doc.Status = StatusGarbled
		doc.Blocks = nil
		doc.warn(CodePDFGarbled, fmt.Sprintf("%d of %d characters of the text layer do not decode to text", st.bad, st.runes), Loc{})
		return doc
	}
	for _, n := range imageOnly {
		doc.warn(CodePDFImagePage, "page has images but no text layer; its content is not read", Loc{Page: n})
	}
	doc.Title = pdfTitle(doc.Blocks, b.sizes, doc.Meta["title"])
	// Columns rebuilt from text alignment are a reading, not a grid.
	doc.PositionsReliable = !b.unruled
	return doc
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
	if len(doc.Warnings) < 200 {
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
	sizes   []float64        // font size of each paragraph block (0 for tables)
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

// pdfTitle picks the first title-like line containing 年度报告: printed
// larger than the body text, or a short line on the first page. It is
// joined with the line just above it when that line is printed in the same
// large size close above (a title set on two lines). The document
// information Title is the fallback when it names a report.
func pdfTitle(blocks []Block, sizes []float64, infoTitle string) string {
	body := medianSize(sizes)
	for i, b := range blocks {
		if b.Table != nil || !strings.Contains(b.Text, "年度报告") || i >= len(sizes) {
			continue
		}
		large := sizes[i] > 1.05*body
		if !large && !(b.Loc.Page == 1 && len([]rune(b.Text)) <= 40) {
			continue
		}
		title := b.Text
		if i > 0 && blocks[i-1].Table == nil && blocks[i-1].Loc.Page == b.Loc.Page && sizes[i-1] > 1.05*body &&
			abs(sizes[i-1]-sizes[i]) <= 0.15*sizes[i] && b.Loc.BBox[1]-blocks[i-1].Loc.BBox[3] < sizes[i] {
			title = blocks[i-1].Text + title
		}
		return dropCJKSpaces(title)
	}
	if strings.Contains(infoTitle, "年度报告") {
		return infoTitle
	}
	return ""
}

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

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// dropCJKSpaces removes the spaces a layout puts next to CJK characters
// ("2023 年" → "2023年") and keeps those between Latin words.
func dropCJKSpaces(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if r == ' ' && i > 0 && i+1 < len(rs) && (isWide(rs[i-1]) || isWide(rs[i+1])) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isWide(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}
