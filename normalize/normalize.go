// Package normalize maps a parsed report onto the national template: its
// tables become cells under the canonical keys of keys.md, checked against
// the template's arithmetic identities.
//
// Blank stays apart from zero and money is converted to 万元. The template
// itself is written out once, in template.go. Process runs the whole
// pipeline for one document: package parse, then Normalize.
package normalize

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/opengov-cn/nianbao/parse"
)

// Status says how far a report could be read. A report whose numbers
// break an identity is still ok: that is data, reported by its checks.
type Status string

const (
	StatusOK          Status = "ok"
	StatusPartial     Status = "partial"     // some tables or cells could not be read
	StatusFailed      Status = "failed"      // no template table found, or the document is unreadable
	StatusUnsupported Status = "unsupported" // the format is not handled yet
	StatusNeedsOCR    Status = "needs_ocr"   // image-only: no text layer to read
	StatusGarbled     Status = "garbled"     // a text layer that does not decode to text
	StatusEncrypted   Status = "encrypted"   // cannot be opened without a password
	// StatusNeedsConverter: a Word 97/WPS file and no LibreOffice to read it.
	StatusNeedsConverter Status = "needs_converter"
)

// parseStatuses are the report statuses of documents the parser gave up
// on. parse.StatusOK is not among them: those documents get mapped, and
// their status says how that went.
var parseStatuses = map[parse.Status]Status{
	parse.StatusUnsupported:    StatusUnsupported,
	parse.StatusNeedsOCR:       StatusNeedsOCR,
	parse.StatusGarbled:        StatusGarbled,
	parse.StatusEncrypted:      StatusEncrypted,
	parse.StatusFailed:         StatusFailed,
	parse.StatusNeedsConverter: StatusNeedsConverter,
}

// reportStatus is the status of a report the parser gave up on. A status
// parse adds later passes through under its own name until it is listed.
func reportStatus(st parse.Status) Status {
	if s, ok := parseStatuses[st]; ok {
		return s
	}
	return Status(st)
}

// Report is one normalized report.
type Report struct {
	ID     string // first 16 hex digits of SHA256
	Source string // path or URL it was read from
	// Sources are every path or URL the same bytes were found at (a file
	// given twice, an attachment under two URLs), Source first; nil when
	// Source is the only one.
	Sources  []string
	Revision int // for crawled documents: 1 for the first version fetched, +1 per change
	// SupersededBy is the ID of the report that replaced this one (a later
	// revision of the same document); "" for a current report.
	SupersededBy string
	SHA256       string // of the input bytes
	Format       string
	Template     string // "2019", "2021" or "unknown"
	Year         int    // year covered; 0 if not found
	Agency       string
	Title        string
	Status       Status
	Warnings     []parse.Warning
	Cells        []Cell
	Checks       []Check

	// AgencyPrinted is the body as the report itself names it (Agency
	// until IdentifyAgency chooses); AgencyRegistry the one the crawl
	// registry gives its site; AgencyID the body's stable id (agency.go).
	// Normalize sets AgencyPrinted and the id of the printed name;
	// IdentifyAgency the registry's name, the id and Agency.
	AgencyPrinted  string
	AgencyRegistry string
	AgencyID       string
	// Quotes are the counts the report's text states (narrative.go), for
	// the x.narrative checks of CrossChecks.
	Quotes []Quote
}

// Cell is one table cell under its canonical key.
type Cell struct {
	Table TableID
	Row   string // canonical row key; local sub-rows as parent[label]
	Col   string // canonical column key
	Value *float64
	Raw   string // the text as printed
	Label string // the row label as printed
	Loc   parse.Loc
	// Origin and Confidence are those of the parsed cell: "ocr" and how
	// sure OCR was (0–1) for a value read from a page image; "" and 0
	// for text.
	Origin     parse.Origin
	Confidence float64
}

// Key is the cell's address, "<table>/<row>/<col>".
func (c Cell) Key() string { return string(c.Table) + "/" + c.Row + "/" + c.Col }

// Source describes where a document came from.
type Source struct {
	Path   string
	SHA256 string
}

// Normalize maps a parsed document to a Report.
func Normalize(doc *parse.Document, src Source) *Report {
	r := &Report{
		Source:   src.Path,
		SHA256:   src.SHA256,
		Format:   string(doc.Format),
		Title:    doc.Title,
		Warnings: append([]parse.Warning(nil), doc.Warnings...),
	}
	if len(src.SHA256) >= 16 {
		r.ID = src.SHA256[:16]
	}
	r.Year, r.Agency = reportYearAgency(doc)
	r.AgencyPrinted, r.AgencyID = r.Agency, AgencyID("", r.Agency)
	r.Quotes = findQuotes(doc, r.Year)
	if doc.Status != parse.StatusOK {
		r.Status = reportStatus(doc.Status)
		r.Template = TemplateUnknown
		return r
	}
	m := newMapper(doc, r)
	for _, b := range doc.Blocks {
		if b.Table == nil {
			m.heading(b.Text)
			continue
		}
		for _, row := range b.Table.Rows {
			m.row(row)
		}
	}
	m.flushPending()
	m.selfCheck()
	r.Template = templateVersion(r.Cells)
	r.Checks = Checks(r.Cells)
	r.Status = m.status()
	return r
}

// mapper walks a document's rows in order, tracking which template table
// it is in and that table's columns.
type mapper struct {
	doc        *parse.Document
	r          *Report
	ctx        TableID // "" outside the template's tables
	lastHeader bool    // the previous row was a header row
	heads      map[TableID]*header
	pending    []parse.Cell     // label-only rows waiting for their values
	lastParent string           // t2 row that local sub-rows belong to
	seen       []bool           // cells recorded, by grid index
	seenOther  map[cellKey]bool // those outside the grid: local sub-rows
	trouble    bool             // something could not be placed: status partial
	assumed    map[TableID]bool // tables whose columns were assumed, no header recognised

	// Buffers that rows share rather than allocate their own: the values
	// of recorded cells (slices of a larger block) and, for the row being
	// mapped only, its values and their places.
	nums []float64
	vals []cellValue
	at   []int
}

// floatBlock is how many numbers the mapper allocates at a time: a
// report's tables hold a few hundred.
const floatBlock = 256

// floats returns n numbers for a row's values to be parsed into.
func (m *mapper) floats(n int) []float64 {
	if len(m.nums)+n > cap(m.nums) {
		m.nums = make([]float64, 0, max(n, floatBlock))
	}
	i := len(m.nums)
	m.nums = m.nums[:i+n]
	return m.nums[i : i+n : i+n]
}

// record reports whether the cell at k is new, and remembers it.
func (m *mapper) record(k cellKey) bool {
	if i, ok := grid.index[k]; ok {
		seen := m.seen[i]
		m.seen[i] = true
		return !seen
	}
	if m.seenOther[k] {
		return false
	}
	if m.seenOther == nil {
		m.seenOther = map[cellKey]bool{}
	}
	m.seenOther[k] = true
	return true
}

type header struct {
	slots  []slot
	groups []slot // t4 only: 行政复议 / 未经复议直接起诉 / 复议后起诉
}

// slot is one value column of a header.
type slot struct {
	row  string // t4 only: the block the column belongs to
	key  string
	col  int
	span int
	raw  string
}

func newMapper(doc *parse.Document, r *Report) *mapper {
	return &mapper{doc: doc, r: r, heads: map[TableID]*header{}, seen: make([]bool, len(grid.keys)), assumed: map[TableID]bool{}}
}

func (m *mapper) warn(code parse.Code, loc parse.Loc, format string, args ...any) {
	m.r.Warnings = append(m.r.Warnings, parse.Warning{Code: code, Message: fmt.Sprintf(format, args...), Loc: loc})
}

func (m *mapper) setContext(ctx TableID) {
	if ctx != m.ctx {
		m.flushPending()
		m.ctx = ctx
		m.lastParent = ""
	}
	m.lastHeader = false
}

// heading looks at a line of text outside the tables (or a one-cell row)
// for a table title or section heading.
func (m *mapper) heading(text string) {
	if utf8.RuneCountInString(text) <= maxHeading {
		m.headingCore(core(text))
	}
}

// maxHeading is the most runes a heading has; longer text is body text
// that may mention a table's title.
const maxHeading = 50

func (m *mapper) headingCore(c string) {
	for _, t := range tables {
		for _, parts := range t.headings {
			if containsAll(c, parts) {
				m.setContext(t.ID)
				return
			}
		}
	}
	for _, h := range afterTables {
		if strings.Contains(c, h) {
			m.setContext("")
			return
		}
	}
}

// afterTables are the report sections that follow the tables.
var afterTables = []string{"存在的主要问题", "其他需要报告"}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func (m *mapper) row(row parse.Row) {
	labels, vals := splitRow(row.Cells, !m.doc.PositionsReliable, m.vals[:0], m.floats(len(row.Cells)))
	m.vals = vals[:0]
	if len(vals) == 0 {
		m.labelRow(row, labels)
		return
	}
	if kind := m.headerKind(labels, vals); kind != "" {
		m.labelRow(row, labels)
		return
	}
	m.lastHeader = false
	switch m.ctx {
	case T2:
		m.t2Row(row, labels, vals)
	case T3:
		m.t3Row(row, labels, vals)
	case T4:
		m.t4Row(row, labels, vals)
	}
}

// headerKind reports which table a row of labels is a header of, or "".
func (m *mapper) headerKind(labels []parse.Cell, vals []cellValue) TableID {
	for _, v := range vals {
		if v.Num != nil {
			return ""
		}
	}
	var hits [numTables]int
	for _, c := range labels {
		if c.Continued || c.Text == "" {
			continue
		}
		for i, n := range headerVotes(c.Text) {
			hits[i] += int(n)
		}
	}
	best := -1
	for i, t := range tables {
		if hits[i] > 0 && (best < 0 || hits[i] > hits[best] || hits[i] == hits[best] && t.ID == m.ctx) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	if kind := tables[best].ID; hits[best] >= 2 || m.lastHeader && m.ctx == kind {
		return kind
	}
	return ""
}

// headerVotes says which tables a header cell speaks for, by table index:
// as one of its columns, as a t4 block heading, as a caption. Every cell
// of every label row asks, so the answers are shared like matches.
func headerVotes(label string) [numTables]int8 {
	return votes.get(label, func(label string) [numTables]int8 {
		var v [numTables]int8
		for i, t := range tables {
			if _, s, amb := match(colMatchers[t.ID], label); s >= 0.8 && !amb {
				v[i]++
			}
		}
		if _, s, _ := match(t4Groups, label); s >= 0.8 {
			v[tableIndex(T4)]++
		}
		c := core(label)
		for i, t := range tables {
			if slices.Contains(t.captions, c) {
				v[i]++
			}
		}
		return v
	})
}

var votes = newCache[string, [numTables]int8](labelCacheSize, ownLabel)

func (m *mapper) labelRow(row parse.Row, labels []parse.Cell) {
	own := func(c parse.Cell) bool { return !c.Continued && c.Text != "" }
	n, first := 0, parse.Cell{}
	for _, c := range labels {
		if own(c) {
			if n == 0 {
				first = c
			}
			n++
		}
	}
	if n == 0 {
		return
	}
	if kind := m.headerKind(labels, nil); kind != "" {
		if !(m.lastHeader && m.ctx == kind) {
			m.setContext(kind)
			m.heads[kind] = &header{}
		}
		m.addHeader(kind, labels)
		m.lastHeader = true
		return
	}
	if n == 1 && utf8.RuneCountInString(first.Text) <= maxHeading {
		before := m.ctx
		c := core(first.Text)
		m.headingCore(c)
		if m.ctx != before || strings.Contains(c, articleHeading) {
			if m.ctx == T2 && strings.Contains(c, articleHeading) {
				// each block of t2 prints its own header: the last
				// block's columns are not this one's
				m.heads[T2] = nil
			}
			return
		}
	}
	m.lastHeader = false
	if m.ctx == T2 || m.ctx == T3 {
		for _, c := range labels {
			if own(c) {
				m.pending = append(m.pending, c)
			}
		}
	}
}

func (m *mapper) addHeader(kind TableID, labels []parse.Cell) {
	h := m.heads[kind]
	for _, c := range labels {
		if c.Continued || c.Text == "" {
			continue
		}
		span := max(c.ColSpan, 1)
		if kind == T4 {
			if key, s, _ := match(t4Groups, c.Text); s >= 0.8 {
				h.groups = append(h.groups, slot{key: key, col: c.Col, span: span, raw: c.Text})
				continue
			}
		}
		key, s, amb := match(colMatchers[kind], c.Text)
		if s < 0.8 || amb {
			continue
		}
		dup := false
		for _, sl := range h.slots {
			dup = dup || (kind != T4 && sl.key == key)
		}
		if !dup {
			h.slots = append(h.slots, slot{key: key, col: c.Col, span: span, raw: c.Text})
		}
	}
	switch {
	case m.doc.PositionsReliable:
		slices.SortStableFunc(h.slots, func(a, b slot) int { return cmp.Compare(a.col, b.col) })
	case kind == T3:
		// Dumps lose the header's geometry, but the template fixes the
		// order of the applicant columns.
		slices.SortStableFunc(h.slots, func(a, b slot) int { return cmp.Compare(colIndex(a.key), colIndex(b.key)) })
	}
	// Otherwise the order the header cells were printed in stands.
	if kind == T4 {
		assignT4Groups(h, m.doc.PositionsReliable)
	}
}

// colIndex is a t3 column's place in the template.
func colIndex(key string) int {
	for i, k := range t3Cols {
		if k == key {
			return i
		}
	}
	return len(t3Cols)
}

// assignT4Groups gives each 表四 column its block: the columns run in
// blocks that each end with 总计, in the order the block headings print.
func assignT4Groups(h *header, byCol bool) {
	order := t4Blocks
	if len(h.groups) == len(t4Blocks) {
		g := slices.Clone(h.groups)
		if byCol {
			slices.SortStableFunc(g, func(a, b slot) int { return cmp.Compare(a.col, b.col) })
		}
		order = make([]string, len(g))
		for i := range g {
			order[i] = g[i].key
		}
	}
	block := 0
	for i := range h.slots {
		if block < len(order) {
			h.slots[i].row = order[block]
		} else {
			h.slots[i].row = ""
		}
		if h.slots[i].key == "total" {
			block++
		}
	}
}

func (m *mapper) flushPending() {
	for _, c := range m.pending {
		if !isGroupLabel(c.Text) {
			m.warn(CodeLabelUnplaced, c.Loc, "%s: label %q matches no template row and has no values", m.ctx, c.Text)
		}
	}
	m.pending = nil
}

func (m *mapper) status() Status {
	if len(m.r.Cells) == 0 {
		m.warn(CodeTablesNone, parse.Loc{}, "no table of the national template was found")
		return StatusFailed
	}
	var found [numTables]bool
	for _, c := range m.r.Cells {
		if i := tableIndex(c.Table); i >= 0 {
			found[i] = true
		}
	}
	for i, t := range tables {
		if !found[i] {
			m.warn(CodeTablesMissing, parse.Loc{}, "table %s (%s) was not found", t.ID, t.Title)
			m.trouble = true
		}
	}
	for _, w := range m.doc.Warnings {
		if w.Code == parse.CodeOCRUnsure || w.Code == parse.CodeOCRFailed {
			// A cell OCR left blank is not known to be blank, and a page
			// OCR could not read is missing: the report is not whole.
			m.trouble = true
			break
		}
	}
	if m.trouble {
		return StatusPartial
	}
	return StatusOK
}
