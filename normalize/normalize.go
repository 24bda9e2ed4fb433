// Package normalize maps the raw tables of a parsed report to the canonical
// cell keys of keys.md, keeps blank apart from zero, converts money to 万元,
// and runs the template's arithmetic identities as checks.
package normalize

import (
	"fmt"
	"sort"
	"strings"

	"github.com/opengov-cn/nianbao/parse"
)

// Report statuses. A report whose numbers break an identity is still ok:
// that is data, reported by its checks.
const (
	StatusOK          = "ok"
	StatusPartial     = "partial"     // some tables or cells could not be read
	StatusFailed      = "failed"      // no template table found
	StatusUnsupported = "unsupported" // the format is not handled yet
)

// Report is one normalized report.
type Report struct {
	ID       string // first 16 hex digits of SHA256
	Source   string // path or URL it was read from
	Revision int    // for crawled documents: 1 for the first version fetched, +1 per change
	SHA256   string // of the input bytes
	Format   string
	Template string // "2019", "2021" or "unknown"
	Year     int    // year covered; 0 if not found
	Agency   string
	Title    string
	Status   string
	Warnings []parse.Warning
	Cells    []Cell
	Checks   []Check
}

// Cell is one table cell under its canonical key.
type Cell struct {
	Table string // t2, t3, t4
	Row   string // canonical row key; local sub-rows as parent[label]
	Col   string // canonical column key
	Value *float64
	Raw   string // the text as printed
	Label string // the row label as printed
	Loc   parse.Loc
}

// Key is the cell's address, "<table>/<row>/<col>".
func (c Cell) Key() string { return c.Table + "/" + c.Row + "/" + c.Col }

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
	if doc.Status != parse.StatusOK {
		r.Status = string(doc.Status)
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
	r.Template = detectTemplate(r.Cells)
	r.Checks = Checks(r.Cells)
	r.Status = m.status()
	return r
}

// mapper walks a document's rows in order, tracking which template table
// it is in and that table's columns.
type mapper struct {
	doc        *parse.Document
	r          *Report
	ctx        string // "", t2, t3, t4
	lastHeader bool   // the previous row was a header row
	heads      map[string]*header
	pending    []parse.Cell // label-only rows waiting for their values
	lastParent string       // t2 row that local sub-rows belong to
	seen       map[string]bool
	trouble    bool // something could not be placed: status partial
	memo       map[memoKey]matchResult
}

// Reports repeat their labels (spanned cells are copied into every row
// they cover), so a mapper remembers what each label matched.
type memoKey struct {
	m     *matcher
	label string
}

type matchResult struct {
	key       string
	score     float64
	ambiguous bool
}

func (m *mapper) match(mt *matcher, label string) (string, float64, bool) {
	k := memoKey{mt, label}
	r, ok := m.memo[k]
	if !ok {
		r.key, r.score, r.ambiguous = mt.match(label)
		m.memo[k] = r
	}
	return r.key, r.score, r.ambiguous
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
	return &mapper{doc: doc, r: r, heads: map[string]*header{}, seen: map[string]bool{}, memo: map[memoKey]matchResult{}}
}

func (m *mapper) warn(code parse.Code, loc parse.Loc, format string, args ...any) {
	m.r.Warnings = append(m.r.Warnings, parse.Warning{Code: code, Message: fmt.Sprintf(format, args...), Loc: loc})
}

func (m *mapper) setContext(ctx string) {
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
	if len([]rune(text)) > 50 {
		return
	}
	c := core(text)
	switch {
	case strings.Contains(c, "第二十条"):
		m.setContext("t2")
	case strings.Contains(c, "主动公开政府信息情况"):
		m.setContext("t2")
	case strings.Contains(c, "收到和处理政府信息公开") || strings.Contains(c, "申请情况") && strings.Contains(c, "政府信息公开"):
		m.setContext("t3")
	case strings.Contains(c, "行政复议") && strings.Contains(c, "行政诉讼"):
		m.setContext("t4")
	case strings.Contains(c, "存在的主要问题") || strings.Contains(c, "其他需要报告"):
		m.setContext("")
	}
}

func (m *mapper) row(row parse.Row) {
	labels, vals := splitRow(row.Cells, !m.doc.PositionsReliable)
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
	case "t2":
		m.t2Row(row, labels, vals)
	case "t3":
		m.t3Row(row, labels, vals)
	case "t4":
		m.t4Row(row, labels, vals)
	}
}

// headerKind reports which table a row of labels is a header of, or "".
func (m *mapper) headerKind(labels []parse.Cell, vals []cellValue) string {
	for _, v := range vals {
		if v.Num != nil {
			return ""
		}
	}
	hits := map[string]int{}
	for _, c := range labels {
		if c.Continued || c.Text == "" {
			continue
		}
		for _, t := range []string{"t2", "t3", "t4"} {
			if _, s, amb := m.match(colMatchers[t], c.Text); s >= 0.8 && !amb {
				hits[t]++
			}
		}
		if _, s, _ := m.match(t4Groups, c.Text); s >= 0.8 {
			hits["t4"]++
		}
		switch core(c.Text) {
		case "信息内容":
			hits["t2"]++
		case "申请人情况", "法人或其他组织":
			hits["t3"]++
		case "行政诉讼":
			hits["t4"]++
		}
	}
	best := ""
	for _, t := range []string{"t2", "t3", "t4"} {
		if hits[t] > hits[best] || hits[t] > 0 && hits[t] == hits[best] && t == m.ctx {
			best = t
		}
	}
	if best == "" {
		return ""
	}
	if hits[best] >= 2 || m.lastHeader && m.ctx == best {
		return best
	}
	return ""
}

func (m *mapper) labelRow(row parse.Row, labels []parse.Cell) {
	var own []parse.Cell
	for _, c := range labels {
		if !c.Continued && c.Text != "" {
			own = append(own, c)
		}
	}
	if len(own) == 0 {
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
	if len(own) == 1 && len([]rune(own[0].Text)) <= 50 {
		before := m.ctx
		m.heading(own[0].Text)
		if m.ctx != before || strings.Contains(core(own[0].Text), "第二十条") {
			return
		}
	}
	m.lastHeader = false
	if m.ctx == "t2" || m.ctx == "t3" {
		m.pending = append(m.pending, own...)
	}
}

func (m *mapper) addHeader(kind string, labels []parse.Cell) {
	h := m.heads[kind]
	for _, c := range labels {
		if c.Continued || c.Text == "" {
			continue
		}
		span := max(c.ColSpan, 1)
		if kind == "t4" {
			if key, s, _ := m.match(t4Groups, c.Text); s >= 0.8 {
				h.groups = append(h.groups, slot{key: key, col: c.Col, span: span, raw: c.Text})
				continue
			}
		}
		key, s, amb := m.match(colMatchers[kind], c.Text)
		if s < 0.8 || amb {
			continue
		}
		dup := false
		for _, sl := range h.slots {
			dup = dup || (kind != "t4" && sl.key == key)
		}
		if !dup {
			h.slots = append(h.slots, slot{key: key, col: c.Col, span: span, raw: c.Text})
		}
	}
	switch {
	case m.doc.PositionsReliable:
		sort.SliceStable(h.slots, func(i, j int) bool { return h.slots[i].col < h.slots[j].col })
	case kind == "t3":
		// Dumps lose the header's geometry, but the template fixes the
		// order of the applicant columns.
		sort.SliceStable(h.slots, func(i, j int) bool { return colIndex(h.slots[i].key) < colIndex(h.slots[j].key) })
	}
	// Otherwise the order the header cells were printed in stands.
	if kind == "t4" {
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
	order := []string{"reconsideration", "litigation_direct", "litigation_after_reconsideration"}
	if len(h.groups) == 3 {
		g := append([]slot(nil), h.groups...)
		if byCol {
			sort.SliceStable(g, func(i, j int) bool { return g[i].col < g[j].col })
		}
		order = []string{g[0].key, g[1].key, g[2].key}
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

func (m *mapper) status() string {
	if len(m.r.Cells) == 0 {
		m.warn(CodeTablesNone, parse.Loc{}, "no table of the national template was found")
		return StatusFailed
	}
	tables := map[string]bool{}
	for _, c := range m.r.Cells {
		tables[c.Table] = true
	}
	for _, t := range []string{"t2", "t3", "t4"} {
		if !tables[t] {
			m.warn(CodeTablesMissing, parse.Loc{}, "table %s (%s) was not found", t, tableTitle[t])
			m.trouble = true
		}
	}
	if m.trouble {
		return StatusPartial
	}
	return StatusOK
}

var tableTitle = map[string]string{
	"t2": "主动公开政府信息情况",
	"t3": "收到和处理政府信息公开申请情况",
	"t4": "政府信息公开行政复议、行政诉讼情况",
}
