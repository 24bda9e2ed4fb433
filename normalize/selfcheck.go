package normalize

import (
	"fmt"
	"math"
	"strings"

	"github.com/opengov-cn/nianbao/parse"
)

// The self-check: the template's row identities (表三's applicant sums,
// 表四's block sums) run across the columns of a table, so they are
// evidence about which printed column a reader took for which template
// column. A reading that breaks them in row after row has most likely put
// a header over the wrong column (a header cut off by a page break, words
// of a borderless header run together); a reading that breaks one row is
// the agency's own arithmetic, reported by the checks as it is.
//
// selfCheck tries the readings that swap two of a table's columns, for
// the whole table and then for the rows of each page, and keeps one only
// when it makes the rows agree, but for one row at most, where the
// reading as made failed in several (minSwapFailures). Where no reading
// makes them agree and the failures are systematic, the cells stay as
// read and the report is partial, with a warning naming them.

// Thresholds of the self-check, in rows failing their identities.
const (
	// minSwapFailures is the fewest failing rows that let another reading
	// replace the one made: one failing row is an agency's slip, which
	// the checks report, never a reason to move its numbers.
	minSwapFailures = 2
	// minDoubtFailures is the fewest failing rows that make a reading
	// doubtful when no other reading mends them, and then only when they
	// are at least half the rows that print a number other than 0 (or
	// the columns were assumed, not read from a header).
	minDoubtFailures = 3
)

// rowFamilies are the identities that run along one row of a table, over
// its columns: the evidence the self-check weighs, by table.
var rowFamilies = func() map[TableID][]*CheckFamily {
	m := map[TableID][]*CheckFamily{}
	for i := range checkFamilies {
		f := &checkFamilies[i]
		if f.rule == ruleSum && (f.Over == OverRows || f.Over == OverPrintedRows) {
			m[f.Table] = append(m[f.Table], f)
		}
	}
	return m
}()

// selfChecked are the tables the self-check looks at, in template order.
var selfChecked = []TableID{T3, T4}

// swap is a reading that exchanges the cells of two columns; the zero
// swap is the reading as made.
type swap struct{ a, b string }

func (s swap) col(k string) string {
	switch {
	case s.a == "":
		return k
	case k == s.a:
		return s.b
	case k == s.b:
		return s.a
	}
	return k
}

// rowVals is one printed row of a table: its cells by column key, and the
// indexes of those cells in Report.Cells.
type rowVals struct {
	key   string
	page  int
	vals  map[string]*float64
	cells []int
}

func (m *mapper) selfCheck() {
	for _, t := range selfChecked {
		m.selfCheckTable(t)
	}
}

func (m *mapper) selfCheckTable(t TableID) {
	fams := rowFamilies[t]
	rows := tableRows(m.r.Cells, t)
	if len(fams) == 0 || len(rows) == 0 {
		return
	}
	cols := columnsOf(t, rows)
	if s, ok := mendingSwap(rows, cols, fams); ok {
		m.applySwap(t, rows, s, "")
		return
	}
	for _, seg := range pageSegments(rows) {
		if s, ok := mendingSwap(seg, cols, fams); ok {
			m.applySwap(t, seg, s, fmt.Sprintf(" on page %d", seg[0].page))
		}
	}
	m.doubt(t, rows, fams)
}

// mendingSwap finds the one reading under which the rows meet their
// identities, but for at most one row (an agency's slip may sit in a
// table a reader misread too), where the reading as made fails in
// several: it must mend at least minSwapFailures rows.
func mendingSwap(rows []rowVals, cols []string, fams []*CheckFamily) (swap, bool) {
	base := failing(rows, fams, swap{})
	if base < minSwapFailures {
		return swap{}, false
	}
	best, fewest, ties := swap{}, base, 0
	for i, a := range cols {
		for _, b := range cols[i+1:] {
			s := swap{a, b}
			if !moves(rows, s) {
				continue
			}
			switch n := failing(rows, fams, s); {
			case n < fewest:
				best, fewest, ties = s, n, 1
			case n == fewest:
				ties++
			}
		}
	}
	if fewest >= minSwapFailures || base-fewest < minSwapFailures || ties != 1 {
		return swap{}, false // none, or several the numbers cannot tell apart
	}
	// The rows it mends must meet their identities, not merely escape
	// them: moving a blank column onto the total leaves the rows without
	// a side to check (a scan's unsure cells, left blank, would otherwise
	// have the total swapped away).
	if passing(rows, fams, best)-passing(rows, fams, swap{}) < base-fewest {
		return swap{}, false
	}
	return best, true
}

// applySwap moves the cells of rows to the columns of s and says so.
func (m *mapper) applySwap(t TableID, rows []rowVals, s swap, where string) {
	n := failing(rows, rowFamilies[t], swap{})
	for _, r := range rows {
		for _, i := range r.cells {
			m.r.Cells[i].Col = s.col(m.r.Cells[i].Col)
		}
		exchange(r.vals, s)
	}
	m.warn(CodeReadingSwapped, parse.Loc{Page: rows[0].page},
		"%s: the columns %s and %s as read broke the row identities in %d rows%s; read the other way round the rows agree, so they were exchanged",
		t, s.a, s.b, n, where)
}

// exchange swaps the entries of s.a and s.b in vals, a missing entry
// (a cell not printed) included.
func exchange(vals map[string]*float64, s swap) {
	va, oka := vals[s.a]
	vb, okb := vals[s.b]
	delete(vals, s.a)
	delete(vals, s.b)
	if oka {
		vals[s.b] = va
	}
	if okb {
		vals[s.a] = vb
	}
}

// doubt marks the report partial when t's rows still fail their
// identities systematically: the reading, not the agency, is in question.
func (m *mapper) doubt(t TableID, rows []rowVals, fams []*CheckFamily) {
	bad := failingRows(rows, fams, swap{})
	nonzero := 0
	for _, r := range rows {
		if hasNonzero(r) {
			nonzero++
		}
	}
	systematic := len(bad) >= minDoubtFailures && 2*len(bad) >= nonzero ||
		m.assumed[t] && len(bad) >= minSwapFailures
	if !systematic {
		return
	}
	m.trouble = true
	how := "its header"
	if m.assumed[t] {
		how = "the template's column order (no header was recognised)"
	}
	// One warning a row, at the row's first cell, marks the cells in doubt.
	for _, r := range bad {
		m.warn(CodeReadingDoubtful, m.r.Cells[r.cells[0]].Loc,
			"%s/%s: with %d of the table's rows, it breaks its identities under the columns read from %s and under every other plausible reading; its cells (%s) are kept as read but may stand in the wrong columns",
			t, r.key, len(bad), how, strings.Join(r.colKeys(m.r.Cells), ", "))
	}
}

// colKeys lists the columns of row r's cells, in the order printed.
func (r rowVals) colKeys(cells []Cell) []string {
	keys := make([]string, len(r.cells))
	for i, c := range r.cells {
		keys[i] = cells[c].Col
	}
	return keys
}

// tableRows collects t's cells by printed row, in the order printed.
func tableRows(cells []Cell, t TableID) []rowVals {
	var rows []rowVals
	at := map[string]int{}
	for i, c := range cells {
		if c.Table != t {
			continue
		}
		j, ok := at[c.Row]
		if !ok {
			j = len(rows)
			at[c.Row] = j
			rows = append(rows, rowVals{key: c.Row, page: c.Loc.Page, vals: map[string]*float64{}})
		}
		rows[j].vals[c.Col] = c.Value
		rows[j].cells = append(rows[j].cells, i)
	}
	return rows
}

// columnsOf lists the columns of t that rows print, in template order.
func columnsOf(t TableID, rows []rowVals) []string {
	var cols []string
	for _, c := range colDefs {
		if c.Table != t {
			continue
		}
		for _, r := range rows {
			if _, ok := r.vals[c.Key]; ok {
				cols = append(cols, c.Key)
				break
			}
		}
	}
	return cols
}

// pageSegments parts rows into runs printed on the same page.
func pageSegments(rows []rowVals) [][]rowVals {
	var out [][]rowVals
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].page == rows[i].page {
			j++
		}
		out = append(out, rows[i:j])
		i = j
	}
	if len(out) < 2 {
		return nil // one page: the whole table was tried already
	}
	return out
}

// moves reports whether s changes any number of rows.
func moves(rows []rowVals, s swap) bool {
	for _, r := range rows {
		if !sameValue(r.vals[s.a], r.vals[s.b]) {
			return true
		}
	}
	return false
}

func hasNonzero(r rowVals) bool {
	for _, v := range r.vals {
		if v != nil && *v != 0 {
			return true
		}
	}
	return false
}

func failing(rows []rowVals, fams []*CheckFamily, s swap) int {
	n := 0
	for _, r := range rows {
		if rowFails(r, fams, s) {
			n++
		}
	}
	return n
}

func failingRows(rows []rowVals, fams []*CheckFamily, s swap) []rowVals {
	var out []rowVals
	for _, r := range rows {
		if rowFails(r, fams, s) {
			out = append(out, r)
		}
	}
	return out
}

func passing(rows []rowVals, fams []*CheckFamily, s swap) int {
	n := 0
	for _, r := range rows {
		if fails, checked := rowState(r, fams, s); checked && !fails {
			n++
		}
	}
	return n
}

// rowFails reports whether row r, read with s, breaks one of fams as
// Checks would judge it: blank addends absent, a side without a number
// not assessable.
func rowFails(r rowVals, fams []*CheckFamily, s swap) bool {
	fails, _ := rowState(r, fams, s)
	return fails
}

// rowState says whether row r, read with s, breaks one of fams, and
// whether any of them could be checked at all.
func rowState(r rowVals, fams []*CheckFamily, s swap) (fails, checked bool) {
	side := func(keys []string) (sum float64, printed, numbers int) {
		for _, k := range keys {
			v, ok := r.vals[s.col(k)]
			if !ok {
				continue
			}
			printed++
			if v != nil {
				sum += *v
				numbers++
			}
		}
		return sum, printed, numbers
	}
	for _, f := range fams {
		l, _, ln := side(f.lhs)
		rv, rp, rn := side(f.rhs)
		if f.ifTotal && rp == 0 || ln == 0 || rn == 0 {
			continue
		}
		checked = true
		if math.Abs(l-rv) >= 1e-6 {
			return true, true
		}
	}
	return false, checked
}
