package parse

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/opengov-cn/nianbao/parse/pdflayout"
)

// Warning codes of OCR.
const (
	CodeOCRRead   Code = "ocr.read"
	CodeOCRUnsure Code = "ocr.unsure"
	CodeOCRFailed Code = "ocr.failed"
)

// minOCRDPI is the least resolution of a scan OCR reads: at 100 dpi a
// character of 10.5 pt body text is 15 pixels high, too few for the
// engine to tell digits apart (it reads 200–300 dpi best).
const minOCRDPI = 150

// maxOCRPages is the most pages of one scan read by OCR: a page costs
// the engine a few seconds of a core, and a report is a few pages; a
// county's volume scanned whole would overrun the document's time.
const maxOCRPages = 40

// scan reads an image-only PDF by OCR, page by page, into the document's
// blocks, as the text layer would have been read; without an engine it
// marks the document StatusNeedsOCR. It reports whether the blocks are
// worth keeping.
func (r *pdfReader) scan(ctx context.Context, d *pdflayout.Doc) bool {
	doc := r.doc
	if len(r.imageOnly) == 0 {
		r.needsOCR("no text layer: the page must be read by OCR")
		return false
	}
	doc.Blocks = nil
	r.blocks = &blockBuilder{doc: doc}
	s := newOCRScan(ctx, doc, nil)
	for n := 1; n <= d.NumPages(); n++ {
		if ctx.Err() != nil {
			timedOut(ctx, doc, n)
			return false
		}
		if n > maxOCRPages {
			doc.Warnings = append(doc.Warnings, limitWarning("the number of pages read by OCR", maxOCRPages, Loc{Page: n}))
			break
		}
		if !s.budget.allows() {
			s.skipped = append(s.skipped, n)
			continue
		}
		s.budget.begin()
		_, err := s.page(ctx, d, n, r.blocks)
		s.budget.end()
		if err != nil {
			doc.Blocks = nil
			r.needsOCR("no text layer: the page must be read by OCR; " + err.Error())
			return false
		}
	}
	if ctx.Err() != nil {
		timedOut(ctx, doc, d.NumPages())
		return false
	}
	s.finish()
	if len(s.read) == 0 {
		r.needsOCR("no text layer, and OCR could not read the page (see the ocr.failed warnings)")
		return false
	}
	r.blocks.finish()
	s.mark()
	r.imageOnly = nil
	return true
}

// minScanShare is the share of its page the largest image of a page
// without text must cover for the page to be read by OCR in a document
// with text on other pages: a scanned page, or a table pasted as a
// picture, covers most of it; a logo, a seal or a rule drawn as an image
// a few hundredths.
const minScanShare = 0.25

// scannedPages returns the pages of a document with text on others that
// are scans (a big image, no text) to be read by OCR, once it knows the
// OCR engine is there to read them; without one, each is marked as one
// to be read by OCR.
func (r *pdfReader) scannedPages(ctx context.Context, d *pdflayout.Doc) map[int]bool {
	var pages []int
	for _, n := range r.imageOnly {
		imgs, _, err := d.PageImages(ctx, n)
		if err != nil {
			continue
		}
		for _, im := range imgs {
			if math.Abs(im.M[0]*im.M[3]-im.M[1]*im.M[2]) >= minScanShare*r.pageArea[n] {
				pages = append(pages, n)
				break
			}
		}
	}
	if len(pages) == 0 {
		return nil
	}
	if _, err := findOCR(ctx); err != nil {
		for _, n := range pages {
			r.doc.warn(CodePDFNeedsOCR, "a scanned page without a text layer: it must be read by OCR; "+err.Error(), Loc{Page: n})
		}
		return nil
	}
	if len(pages) > maxOCRPages {
		r.doc.Warnings = append(r.doc.Warnings, limitWarning("the number of pages read by OCR", maxOCRPages, Loc{Page: pages[maxOCRPages]}))
		pages = pages[:maxOCRPages]
	}
	wanted := map[int]bool{}
	for _, n := range pages {
		wanted[n] = true
	}
	return wanted
}

// mixedPage reads page n, a scan in a document with text on other
// pages, by OCR, when the time left allows, and adds its blocks to b; it
// reports whether the page was read.
func (s *ocrScan) mixedPage(ctx context.Context, d *pdflayout.Doc, n int, b *blockBuilder) bool {
	if !s.budget.allows() {
		s.skipped = append(s.skipped, n)
		return false
	}
	s.budget.begin()
	ok, err := s.page(ctx, d, n, b)
	s.budget.end()
	if err != nil {
		s.doc.warn(CodeOCRFailed, fmt.Sprintf("page %d: %v", n, err), Loc{Page: n})
		return false
	}
	return ok
}

// needsOCR marks the document as one to be read by OCR, each of its
// scanned pages with a warning saying why it was not.
func (r *pdfReader) needsOCR(msg string) {
	r.doc.Status = StatusNeedsOCR
	pages := r.imageOnly
	if len(pages) == 0 {
		pages = []int{1}
	}
	for _, n := range pages {
		r.doc.warn(CodePDFNeedsOCR, msg, Loc{Page: n})
	}
}

// cellKey is a cell's place: its page and box.
type cellKey struct {
	page int
	box  pdflayout.Rect
}

// ocrScan is what reading a scan gathers across its pages.
type ocrScan struct {
	doc     *Document
	conf    map[cellKey]float64 // the confidence of each table cell read
	wanted  map[int]bool        // the pages to read (nil: all)
	read    map[int]bool        // the pages read
	skipped []int               // the pages the time left did not cover
	budget  *ocrBudget
}

func newOCRScan(ctx context.Context, doc *Document, wanted map[int]bool) *ocrScan {
	s := &ocrScan{doc: doc, conf: map[cellKey]float64{}, wanted: wanted, read: map[int]bool{}, budget: &ocrBudget{}}
	s.budget.deadline, s.budget.limited = ctx.Deadline()
	return s
}

// finish marks the cells read by OCR (in a document with text, the
// scanned pages' alone; the blocks must be finished) and says which
// pages the time did not cover.
func (s *ocrScan) finish() {
	if len(s.skipped) > 0 {
		s.doc.warn(CodeOCRFailed, fmt.Sprintf("%s not read by OCR: at %v a page, the time left of the document's limit did not cover %s (the pages before are kept)",
			pageList(s.skipped), s.budget.perPage().Round(100*time.Millisecond), pronoun(len(s.skipped))), Loc{Page: s.skipped[0]})
	}
	if s.wanted != nil {
		s.mark()
	}
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// pageList names pages as "page 3" or "pages 2–4, 7".
func pageList(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d–%d", ns[i], ns[j]))
		} else {
			parts = append(parts, fmt.Sprint(ns[i]))
		}
		i = j + 1
	}
	if len(ns) == 1 {
		return "page " + parts[0]
	}
	return "pages " + strings.Join(parts, ", ")
}

// Time the OCR of a document's pages is given. The document's time
// limit (PDFTimeLimit, or the caller's sooner deadline) is shared among
// its pages as they come: a page is read when the time left covers what
// a page has cost so far, and a reserve. The pages past it are not read,
// with a warning naming them, and the pages read are kept, rather than
// the document failing at its limit with nothing read.
const (
	// ocrPageCost is what a page is reckoned to cost before one is read:
	// the engine's page, digit, tight and label passes take 3–5 s of a
	// core for a 200 dpi page of the template's tables (BenchmarkOCRScan).
	ocrPageCost = 3 * time.Second
	// ocrReserve is kept of the time left, for the layout of the pages
	// after and the document's finish.
	ocrReserve = 2 * time.Second
)

// ocrClock tells the time to the OCR budget; tests replace it.
var ocrClock = time.Now

// ocrBudget is the time left to the OCR of a document's pages.
type ocrBudget struct {
	deadline time.Time
	limited  bool // there is a deadline
	spent    time.Duration
	pages    int // pages read
	begun    time.Time
}

// perPage is what a page is reckoned to cost: the mean of the pages read
// so far, ocrPageCost before any.
func (b *ocrBudget) perPage() time.Duration {
	if b.pages == 0 {
		return ocrPageCost
	}
	return b.spent / time.Duration(b.pages)
}

// allows reports whether the time left covers one more page.
func (b *ocrBudget) allows() bool {
	return !b.limited || b.deadline.Sub(ocrClock()) >= b.perPage()+ocrReserve
}

func (b *ocrBudget) begin() { b.begun = ocrClock() }

func (b *ocrBudget) end() {
	b.spent += ocrClock().Sub(b.begun)
	b.pages++
}

// ocrPage is one page image ready for the engine: deskewed, its rulings
// found and erased, with the mapping of its pixels to page points.
type ocrPage struct {
	img        *grayImage
	x0, y0     float64 // page point of pixel (0, 0)
	sx, sy     float64 // points per pixel
	angle      float64
	hRul, vRul []pdflayout.Rule // pixel coordinates
}

func (p *ocrPage) toPage(r pdflayout.Rect) pdflayout.Rect {
	return pdflayout.Rect{X0: p.x0 + r.X0*p.sx, Y0: p.y0 + r.Y0*p.sy, X1: p.x0 + r.X1*p.sx, Y1: p.y0 + r.Y1*p.sy}
}

func (p *ocrPage) toPixels(r pdflayout.Rect) (x0, y0, x1, y1 int) {
	return int((r.X0 - p.x0) / p.sx), int((r.Y0 - p.y0) / p.sy), int((r.X1 - p.x0) / p.sx), int((r.Y1 - p.y0) / p.sy)
}

// page reads page n by OCR and adds its blocks to b; it reports whether
// the page was read, and an error when there is no OCR engine to read
// it with. The engine is looked for once a page has an image it could
// read, so that a document without one is judged alike whether the
// engine is installed or not.
func (s *ocrScan) page(ctx context.Context, d *pdflayout.Doc, n int, b *blockBuilder) (bool, error) {
	loc := Loc{Page: n}
	if s.budget.limited {
		// a page that overruns stops short of the document's limit, by
		// the reserve: it alone is lost, not the pages read before it
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, s.budget.deadline.Add(-ocrReserve))
		defer cancel()
	}
	p, err := d.Page(ctx, n)
	if p == nil {
		s.doc.warn(CodeOCRFailed, fmt.Sprintf("page %d: %v", n, err), loc)
		return false, nil
	}
	op, err := preparePage(ctx, d, n)
	if err != nil {
		s.doc.warn(CodeOCRFailed, err.Error(), loc)
		return false, nil
	}
	e, err := findOCR(ctx)
	if err != nil {
		return false, err
	}
	png, err := op.img.png()

	if err != nil {
		s.doc.warn(CodeOCRFailed, fmt.Sprintf("page %d: %v", n, err), loc)
		return false, nil
	}
	dpi := int(math.Round(72 / op.sx))
	all, err := e.recognize(ctx, [][]byte{png}, dpi, pagePass)
	if err != nil {
		s.doc.warn(CodeOCRFailed, fmt.Sprintf("page %d: %v", n, err), loc)
		return false, nil
	}
	words := all[0]
	var sum float64
	for i := range words {
		w := &words[i]
		w.box = op.toPage(w.box)
		sum += w.conf
		w.text = ocrPunct.Replace(w.text)
		p.Glyphs = append(p.Glyphs, pdflayout.WordGlyphs(w.text, w.box, wordSize(w))...)
	}
	for _, r := range append(append([]pdflayout.Rule(nil), op.hRul...), op.vRul...) {
		b := op.toPage(pdflayout.Rect(r))
		p.Rules = append(p.Rules, pdflayout.Rule(b))
	}
	mean := 0.0
	if len(words) > 0 {
		mean = sum / float64(len(words))
	}
	s.doc.warn(CodeOCRRead, fmt.Sprintf("page read by OCR (%s): deskewed by %.2f°, %d rulings, %d words, mean confidence %.2f",
		ocrLanguage, op.angle, len(op.hRul)+len(op.vRul), len(words), mean), loc)
	blocks, _, err := safeLayout(ctx, p, b.carry(), nil)
	if ctx.Err() != nil {
		s.doc.warn(CodeOCRFailed, fmt.Sprintf("page %d: its layout stopped short of the document's time limit: %v", n, ctx.Err()), loc)
		return false, nil
	}
	if err != nil {
		s.doc.warn(CodePDFLayout, err.Error(), loc)
		return false, nil
	}
	values, err := s.readValues(ctx, e, blocks, op, dpi, words)
	if err != nil {
		s.doc.warn(CodeOCRFailed, fmt.Sprintf("page %d: the values of its tables: %v", n, err), loc)
	}
	for _, blk := range blocks {
		if blk.Table != nil {
			s.judgeTable(n, blk.Table, words, values)
		}
	}
	b.page(n, blocks)
	s.read[n] = true
	return true, nil
}

// ocrPunct undoes the engine's usual misreading of full-width brackets
// as angle brackets, which reports do not print: 〈八) for （八）.
var ocrPunct = strings.NewReplacer("〈", "（", "〉", "）")

// fixBrackets turns a 《 that no 》 closes into （, and a 》 that no 《
// opens into ）: the engine reads a full-width bracket as a title mark.
func fixBrackets(s string) string {
	rs := []rune(s)
	open := -1
	for i, r := range rs {
		switch r {
		case '《':
			if open >= 0 {
				rs[open] = '（'
			}
			open = i
		case '》':
			if open < 0 {
				rs[i] = '）'
			}
			open = -1
		}
	}
	if open >= 0 {
		rs[open] = '（'
	}
	return string(rs)
}

// wordSize is the font size of a word, from its box: the height of a
// CJK character is its em; digits and Latin letters stand about 0.7 em.
func wordSize(w *ocrWord) float64 {
	h := w.box.Y1 - w.box.Y0
	for _, r := range w.text {
		if unicode.Is(unicode.Han, r) {
			return h
		}
	}
	return h / 0.7
}

// preparePage decodes the page's scan (its largest image) to gray,
// deskews it, and finds and erases its rulings.
func preparePage(ctx context.Context, d *pdflayout.Doc, n int) (*ocrPage, error) {
	imgs, _, err := d.PageImages(ctx, n)
	if err != nil {
		return nil, err
	}
	best, area := -1, 0.0
	for i, im := range imgs {
		if a := math.Abs(im.M[0]*im.M[3] - im.M[1]*im.M[2]); a > area {
			best, area = i, a
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("page %d: no image that OCR can read", n)
	}
	im := imgs[best]
	m := im.M
	// upright: image x along page x, image top at the page's top
	if math.Abs(m[1]) > 1e-6*math.Abs(m[0]) || math.Abs(m[2]) > 1e-6*math.Abs(m[3]) || m[0] <= 0 || m[3] >= 0 {
		return nil, fmt.Errorf("page %d: the scan is drawn turned or mirrored (matrix %.4g): not read by OCR", n, m)
	}
	g, err := decodeGray(im.Data)
	if err != nil {
		return nil, fmt.Errorf("page %d: %w", n, err)
	}
	op := &ocrPage{sx: m[0] / float64(g.w), sy: -m[3] / float64(g.h), x0: m[4], y0: m[5] + m[3]}
	if dpi := 72 / max(op.sx, op.sy); dpi < minOCRDPI {
		return nil, fmt.Errorf("page %d: a scan of %.0f dpi, below the %d dpi OCR reads (body text would be under 20 pixels high)", n, dpi, minOCRDPI)
	}
	if op.angle, err = skew(ctx, g); err != nil {
		return nil, err
	}
	op.img = g.rotate(op.angle)
	minH, minV := int(minHRulePt/op.sx), int(minVRulePt/op.sy)
	op.hRul, op.vRul = op.img.rulings(minH, minV, max(int(maxRulePt/op.sy), 2))
	op.img.erase(op.hRul, 2)
	op.img.erase(op.vRul, 2)
	return op, nil
}

// cleanNumber is a number as a table prints one.
var cleanNumber = regexp.MustCompile(`^[-+]?\d{1,3}(,\d{3})*(\.\d+)?$|^[-+]?\d+(\.\d+)?$`)

// blankOCR are the marks of a blank cell that OCR reads for certain.
var blankOCR = map[string]bool{"-": true, "—": true, "——": true, "－": true, "/": true, "／": true}

// reading is what one pass read in a value cell, with its confidence.
type reading struct {
	pass string // the pass: page, digit or tight
	text string
	conf float64
}

// valueRead is what the passes read in a value cell: the page pass's
// reading, the digit pass's, and for a cell they leave in doubt the
// tight pass's.
type valueRead struct {
	reads []reading
	ink   bool // the cell holds ink
}

// maxOCRCells bounds the value cells of one page read by the digit pass:
// a page of the template's tables holds some 200.
const maxOCRCells = 2000

var (
	// tightPass reads a value cell in doubt once more, from a crop cut
	// tight round its ink, scaled up and binarized (tightCrop), as one
	// word of digits: a third reading, of another image in another mode,
	// to outvote one of the two that disagree.
	tightPass = ocrPass{lang: "eng", psm: 8, whitelist: "0123456789.,-"}
	// tightPassOn: tests turn the tight pass off, to weigh what it settles.
	tightPassOn = true
)

// readValues reads every value cell (no CJK text) of the page's tables
// again with the digit pass, one crop of the cell each, and the cells
// the page and digit passes leave in doubt a third time with the tight
// pass. A cell with ink that no pass reads anything in goes to the label
// pass too: a label the page pass missed (judgeTable keeps what it reads
// as one).
func (s *ocrScan) readValues(ctx context.Context, e *ocrEngine, blocks []pdflayout.Block, op *ocrPage, dpi int, words []ocrWord) (map[*pdflayout.Cell]valueRead, error) {
	out := map[*pdflayout.Cell]valueRead{}
	var crops, labelCrops [][]byte
	var cells, labels []*pdflayout.Cell
	defer func() { s.readLabels(ctx, e, labels, labelCrops, dpi) }()
	for _, blk := range blocks {
		if blk.Table == nil {
			continue
		}
		below := numberColumns(blk.Table)
		for ri := range blk.Table.Rows {
			afterValue := false // a value lies left of the cell in its row
			for ci := range blk.Table.Rows[ri].Cells {
				c := &blk.Table.Rows[ri].Cells[ci]
				// labels come first in a row: a cell right of a value
				// that OCR reads as an ideograph or two is a misread digit
				inNumbers := c.ColSpan == 1 && ri > below[c.Col] || afterValue && utf8.RuneCountInString(strings.TrimSpace(c.Text)) <= 2
				if t := strings.TrimSpace(c.Text); t != "" && !c.Continued && !strings.ContainsFunc(t, isHan) {
					afterValue = true
				}
				if c.Continued || len(cells)+len(labels) >= maxOCRCells {
					continue
				}
				if hasWide(c.Text) && !inNumbers {
					if crop, ink := op.crop(c.BBox); ink {
						labelCrops, labels = append(labelCrops, crop), append(labels, c)
					}
					continue
				}
				crop, ink := op.crop(c.BBox)
				page := reading{pass: "page", text: strings.Join(strings.Fields(c.Text), ""), conf: cellConfidence(c.BBox, words)}
				out[c] = valueRead{ink: ink, reads: []reading{page}}
				if ink {
					crops, cells = append(crops, crop), append(cells, c)
				}
			}
		}
	}
	if len(crops) == 0 {
		return out, nil
	}
	read, err := e.recognize(ctx, crops, dpi, digitPass)
	if err != nil {
		return out, err
	}
	var doubt []*pdflayout.Cell
	crops = crops[:0]
	for i, ws := range read {
		c := cells[i]
		v := out[c]
		v.reads = append(v.reads, joinWords("digit", ws))
		out[c] = v
		if _, _, why := judgeValue(v); why == "" || !tightPassOn {
			continue
		}
		x0, y0, x1, y1 := op.toPixels(c.BBox)
		if g, ok := op.img.tightCrop(x0+cropInset, y0+cropInset, x1-cropInset, y1-cropInset); ok {
			if png, err := g.png(); err == nil {
				crops, doubt = append(crops, png), append(doubt, c)
			}
		}
	}
	if len(crops) == 0 {
		return out, nil
	}
	read, err = e.recognize(ctx, crops, dpi*tightScale, tightPass)
	if err != nil {
		return out, err
	}
	for i, ws := range read {
		c := doubt[i]
		v := out[c]
		v.reads = append(v.reads, joinWords("tight", ws))
		out[c] = v
		// ink the page pass read nothing in, and no pass a number: a
		// label the page pass missed, if the label pass reads one there
		if _, _, why := judgeValue(v); why != "" && v.reads[0].text == "" && !slices.ContainsFunc(v.reads, func(r reading) bool { return r.text != "" }) {
			if crop, ink := op.crop(c.BBox); ink {
				labelCrops, labels = append(labelCrops, crop), append(labels, c)
			}
		}
	}
	return out, nil
}

// joinWords is the reading of a crop: its words run together, with the
// least confidence among them.
func joinWords(pass string, ws []ocrWord) reading {
	r := reading{pass: pass, conf: 1}
	for _, w := range ws {
		r.text += w.text
		r.conf = min(r.conf, w.conf)
	}
	if r.text == "" {
		r.conf = 0
	}
	return r
}

// readLabels reads the label cells of a page's tables again, one crop
// each, and keeps the reading the engine is surer of: alone in its crop a
// label is not run together with its neighbours.
func (s *ocrScan) readLabels(ctx context.Context, e *ocrEngine, cells []*pdflayout.Cell, crops [][]byte, dpi int) {
	if len(crops) == 0 || ctx.Err() != nil {
		return
	}
	read, err := e.recognize(ctx, crops, dpi, labelPass)
	if err != nil {
		return // the page pass's reading stands
	}
	for i, ws := range read {
		var b strings.Builder
		var sum float64
		for _, w := range ws {
			b.WriteString(w.text)
			sum += w.conf
		}
		// a crop read short (a line of a stacked header lost) keeps the
		// page pass's reading, which holds it
		t := fixBrackets(ocrPunct.Replace(b.String()))
		if page := strings.Join(strings.Fields(cells[i].Text), ""); len(ws) > 0 && hasWide(t) && !strings.Contains(page, t) {
			cells[i].Text = t
		}
	}
}

// numberColumns returns, for each grid column of t, the row above its
// first value (a cell without ideographs) when most of its cells from
// there down are values (a column of values: a CJK character read in it
// below that row is a misread digit), else the number of rows.
func numberColumns(t *pdflayout.Table) []int {
	first := make([]int, t.NCols)
	nums, texts := make([]int, t.NCols), make([]int, t.NCols)
	for i := range first {
		first[i] = len(t.Rows)
	}
	for ri, r := range t.Rows {
		for _, c := range r.Cells {
			if c.Continued || c.ColSpan != 1 || c.Col >= t.NCols || c.Text == "" {
				continue
			}
			// the page pass misreads many a digit (0 as o or 。), but
			// seldom as an ideograph: what has none is a value
			if !strings.ContainsFunc(c.Text, isHan) {
				nums[c.Col]++
				first[c.Col] = min(first[c.Col], ri)
			} else if ri > first[c.Col] {
				texts[c.Col]++
			}
		}
	}
	for i := range first {
		if nums[i] < 3 || texts[i]*4 > nums[i] {
			first[i] = len(t.Rows)
		} else {
			first[i]-- // the rows after the one above the first number
		}
	}
	return first
}

// cropInset is how far inside its rulings a cell is cropped, in pixels,
// and cropPad the white border put round the crop (the engine reads a
// line best with some paper round it).
const (
	cropInset = 4
	cropPad   = 10
)

// crop returns the inside of a cell as a PNG with a white border, and
// whether it holds ink.
func (p *ocrPage) crop(box pdflayout.Rect) ([]byte, bool) {
	x0, y0, x1, y1 := p.toPixels(box)
	x0, y0 = max(x0+cropInset, 0), max(y0+cropInset, 0)
	x1, y1 = min(x1-cropInset, p.img.w), min(y1-cropInset, p.img.h)
	if x1-x0 < 4 || y1-y0 < 4 || p.img.ink(x0, y0, x1, y1) <= minInkPixels {
		return nil, false
	}
	w, h := x1-x0+2*cropPad, y1-y0+2*cropPad
	g := &grayImage{w: w, h: h, pix: bytes.Repeat([]byte{255}, w*h)}
	for y := y0; y < y1; y++ {
		copy(g.pix[(y-y0+cropPad)*w+cropPad:], p.img.pix[y*p.img.w+x0:y*p.img.w+x1])
	}
	data, err := g.png()
	return data, err == nil
}

// judgeTable gives each cell of t, printed on page n, its text and
// confidence. A cell with CJK text is a label, as the page pass read it,
// with the least confidence of its words. Any other cell is a value,
// read by two passes or three (judgeValue); if it holds ink that they
// do not settle, it is emptied with a warning rather than guessed.
func (s *ocrScan) judgeTable(n int, t *pdflayout.Table, words []ocrWord, values map[*pdflayout.Cell]valueRead) {
	for ri := range t.Rows {
		for ci := range t.Rows[ri].Cells {
			c := &t.Rows[ri].Cells[ci]
			if c.Continued {
				continue
			}
			v, isValue := values[c]
			if isValue && v.reads[0].text == "" && strings.ContainsFunc(c.Text, isHan) {
				isValue = false // a label the page pass missed, read by the label pass
			}
			if !isValue {
				s.conf[cellKey{n, c.BBox}] = cellConfidence(c.BBox, words)
				continue
			}
			text, conf, why := judgeValue(v)
			if why != "" {
				s.doc.warn(CodeOCRUnsure, fmt.Sprintf("cell read as %s left blank: %s", describeReads(v.reads), why), Loc{Page: n, BBox: bbox(c.BBox)})
			}
			c.Text = text
			s.conf[cellKey{n, c.BBox}] = conf
		}
	}
}

// describeReads lists what each pass read: "14" (page pass), "4" (digit pass).
func describeReads(rs []reading) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%q (%s pass)", r.text, r.pass)
	}
	return strings.Join(parts, ", ")
}

// minOCRAlone is the confidence one pass needs for a number no other
// pass read as a number.
const minOCRAlone = 0.85

// judgeValue decides a value cell from its readings: the text kept, its
// confidence, and why it is left blank (empty when it is not). The page
// pass may read a blank mark (a dash) for certain. Else a number is kept
// when more passes read it than any other, at least two of them, the
// surest with confidence minOCRConfidence; or when one pass alone read a
// number, none another, with confidence minOCRAlone. Two numbers read as
// often leave the cell blank.
func judgeValue(v valueRead) (text string, conf float64, why string) {
	if !v.ink {
		return "", 1, ""
	}
	if len(v.reads) > 0 && v.reads[0].pass == "page" && blankOCR[v.reads[0].text] && v.reads[0].conf >= minOCRConfidence {
		return v.reads[0].text, v.reads[0].conf, ""
	}
	type vote struct {
		text string
		n    int
		conf float64
	}
	var votes []vote
	for _, r := range v.reads {
		// a number never ends in a separator: a point or comma after its
		// digits is a speck the engine read
		t := strings.TrimRight(r.text, ".,")
		if !cleanNumber.MatchString(t) {
			continue
		}
		i := slices.IndexFunc(votes, func(v vote) bool { return v.text == t })
		if i < 0 {
			votes = append(votes, vote{text: t})
			i = len(votes) - 1
		}
		votes[i].n++
		votes[i].conf = max(votes[i].conf, r.conf)
	}
	sort.SliceStable(votes, func(i, j int) bool { return votes[i].n > votes[j].n })
	switch {
	case len(votes) == 0:
		return "", 0, "no pass read a number"
	case len(votes) > 1 && votes[1].n == votes[0].n:
		return "", 0, "the readings differ"
	case votes[0].n >= 2 && votes[0].conf < minOCRConfidence:
		return "", votes[0].conf, fmt.Sprintf("OCR is unsure of it (confidence %.2f, less than %.2f)", votes[0].conf, minOCRConfidence)
	case votes[0].n >= 2:
		return votes[0].text, votes[0].conf, ""
	case votes[0].conf < minOCRAlone:
		return "", votes[0].conf, fmt.Sprintf("only one pass read a number, with confidence %.2f, less than %.2f", votes[0].conf, minOCRAlone)
	}
	return votes[0].text, votes[0].conf, ""
}

// minInkPixels is how many ink pixels make a cell one that holds
// something: a 9 pt 0 at 200 dpi has some 40, a 1 some 20; a speck of
// noise a few. A cell with fewer is blank; one with more that OCR reads
// no number in is left blank with a warning, never taken for blank.
const minInkPixels = 10

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func hasWide(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || r >= 0xFF00 && r <= 0xFFEF || r >= 0x3000 && r <= 0x303F {
			return true
		}
	}
	return false
}

// cellConfidence is the least confidence of the words whose centre lies
// in box; 1 when there are none.
func cellConfidence(box pdflayout.Rect, words []ocrWord) float64 {
	conf := 1.0
	for _, w := range words {
		cx, cy := (w.box.X0+w.box.X1)/2, (w.box.Y0+w.box.Y1)/2
		if cx >= box.X0 && cx <= box.X1 && cy >= box.Y0 && cy <= box.Y1 {
			conf = min(conf, w.conf)
		}
	}
	return conf
}

// mark sets the origin and confidence of every table cell of the scan.
func (s *ocrScan) mark() {
	for bi := range s.doc.Blocks {
		t := s.doc.Blocks[bi].Table
		if t == nil {
			continue
		}
		for ri := range t.Rows {
			for ci := range t.Rows[ri].Cells {
				c := &t.Rows[ri].Cells[ci]
				if !s.read[c.Loc.Page] {
					continue // a page of text, in a document with scanned pages
				}
				b := c.Loc.BBox
				c.Origin = OriginOCR
				c.Confidence = s.conf[cellKey{c.Loc.Page, pdflayout.Rect{X0: b[0], Y0: b[1], X1: b[2], Y1: b[3]}}]
			}
		}
	}
}
