package normalize

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// CheckStatus is the outcome of one check.
type CheckStatus string

const (
	CheckPass          CheckStatus = "pass"
	CheckFail          CheckStatus = "fail"
	CheckNotAssessable CheckStatus = "not_assessable" // a cell it needs is blank or not printed
)

// Check is one arithmetic identity of the template, evaluated on a report.
type Check struct {
	ID       string // stable, e.g. "t4.sum.reconsideration"
	Identity string // the identity in words, e.g. "t4 reconsideration: upheld+corrected+other+pending = total"
	Status   CheckStatus
	LHS      *float64 // the sum side as printed (blank addends skipped)
	RHS      *float64 // the total side
	Delta    *float64 // LHS − RHS
	Cells    []string // keys of the cells involved
	Message  string
}

// Checks evaluates every identity the template prints or implies on cells.
func Checks(cells []Cell) []Check {
	s := newSheet(cells)
	e := evaluator{sheet: s, out: make([]Check, 0, maxChecks)}
	for _, g := range checkGroups {
		switch g.over {
		case OverReport:
			for _, f := range g.fams {
				e.out = append(e.out, nonNegative(cells, f))
			}
		case OverCols, OverRows:
			for i := range g.fixed {
				e.add(&g.fixed[i])
			}
		case OverPrintedRows:
			s.eachRow(g.table, func(row string) {
				ids, ok := g.byRow[row]
				if !ok {
					ids = g.instances(row) // a row the template does not have
				}
				for i := range ids {
					e.add(&ids[i])
				}
			})
		}
	}
	return e.out
}

// A sheet holds a report's cells for the checks: those of the template by
// their place in the grid, any others by key.
type sheet struct {
	cells   []Cell
	val     []*float64 // by grid index
	printed []bool     // by grid index
	rowSeen []bool     // by index in rowDefs: some cell of the row is printed
	extra   map[cellKey]*float64
}

func newSheet(cells []Cell) *sheet {
	flags := make([]bool, len(grid.keys)+len(rowDefs))
	s := &sheet{cells: cells, val: make([]*float64, len(grid.keys)), printed: flags[:len(grid.keys)], rowSeen: flags[len(grid.keys):]}
	for _, c := range cells {
		k := cellKey{c.Table, c.Row, c.Col}
		if i, ok := grid.index[k]; ok {
			s.val[i], s.printed[i] = c.Value, true
			s.rowSeen[grid.rowOf[i]] = true
			continue
		}
		if s.extra == nil {
			s.extra = map[cellKey]*float64{}
		}
		s.extra[k] = c.Value
		if r, ok := grid.rows[tableKey{c.Table, c.Row}]; ok {
			s.rowSeen[r] = true
		}
	}
	return s
}

func (s *sheet) get(t *term) (*float64, bool) {
	if t.cell >= 0 {
		return s.val[t.cell], s.printed[t.cell]
	}
	v, ok := s.extra[t.addr]
	return v, ok
}

// counts reports whether t is one of the cells its identity adds up in
// this report: a split row counts whole unless a sub-row of it is
// printed, its sub-rows only then.
func (s *sheet) counts(t *term) bool {
	if t.split < 0 {
		return true
	}
	split := false
	for _, r := range grid.subRows[t.split] {
		split = split || s.rowSeen[r]
	}
	return split == t.sub
}

// eachRow calls f with every row of table the report prints, once, in the
// order they are first printed.
func (s *sheet) eachRow(table TableID, f func(row string)) {
	listed := make([]bool, len(rowDefs))
	var other map[string]bool
	for _, c := range s.cells {
		if c.Table != table {
			continue
		}
		if r, ok := grid.rows[tableKey{table, c.Row}]; ok {
			if listed[r] {
				continue
			}
			listed[r] = true
		} else {
			if other[c.Row] {
				continue
			}
			if other == nil {
				other = map[string]bool{}
			}
			other[c.Row] = true
		}
		f(c.Row)
	}
}

type evaluator struct {
	*sheet
	out    []Check
	cells  []string  // backs the checks' Cells
	floats []float64 // backs their LHS, RHS and Delta
	msg    []byte
}

// add appends the check sum(lhs) = sum(rhs). Blank or unprinted cells
// count as absent; the identity is not assessable when either side has no
// number at all. An identity none of whose cells is printed is left out.
func (e *evaluator) add(id *identity) {
	l, lp, ln := e.sum(id.lhs)
	r, rp, rn := e.sum(id.rhs)
	if lp+rp == 0 || id.ifTotal && rp == 0 {
		return
	}
	c := Check{ID: id.id, Identity: id.words, Cells: e.printed(id.lhs, id.rhs)}
	if rn == 0 || ln == 0 {
		c.Status = CheckNotAssessable
		c.Message = id.notAssessable
		if rn > 0 {
			c.RHS = e.float(r)
		}
		if ln > 0 {
			c.LHS = e.float(l)
		}
		e.out = append(e.out, c)
		return
	}
	d := l - r
	c.LHS, c.RHS, c.Delta = e.float(l), e.float(r), e.float(d)
	b := append(append(e.msg[:0], id.words...), ": "...)
	if math.Abs(d) < 1e-6 {
		c.Status = CheckPass
		b = appendNum(append(appendNum(b, l), " = "...), r)
	} else {
		c.Status = CheckFail
		b = appendNum(append(appendNum(append(b, "printed "...), l), " ≠ "...), r)
		b = append(appendNum(append(b, " (off by "...), d), ')')
	}
	c.Message, e.msg = string(b), b
	e.out = append(e.out, c)
}

// float returns a pointer to a copy of f, from a buffer shared by the
// report's checks rather than one allocation each.
func (e *evaluator) float(f float64) *float64 {
	if len(e.floats) == cap(e.floats) {
		// Earlier pointers keep the old buffer alive; no value moves.
		e.floats = make([]float64, 0, 3*maxChecks)
	}
	e.floats = append(e.floats, f)
	return &e.floats[len(e.floats)-1]
}

// sum adds the numbers among terms; printed counts the cells printed at
// all and numbers those with a number.
func (e *evaluator) sum(terms []term) (total float64, printed, numbers int) {
	for i := range terms {
		t := &terms[i]
		v, ok := e.get(t)
		if !ok || !e.counts(t) {
			continue
		}
		printed++
		if v != nil {
			total += *v
			numbers++
		}
	}
	return total, printed, numbers
}

// printed lists the keys of the cells of lhs and rhs that are printed, in
// a slice of a buffer shared by the report's checks.
func (e *evaluator) printed(lhs, rhs []term) []string {
	if n := len(lhs) + len(rhs); len(e.cells)+n > cap(e.cells) {
		e.cells = make([]string, 0, max(n, keysBlock))
	}
	start := len(e.cells)
	for _, terms := range [][]term{lhs, rhs} {
		for i := range terms {
			if t := &terms[i]; e.printedTerm(t) {
				e.cells = append(e.cells, t.key)
			}
		}
	}
	return e.cells[start:len(e.cells):len(e.cells)]
}

// keysBlock is how many cell keys the checks allocate at a time.
const keysBlock = 256

func (e *evaluator) printedTerm(t *term) bool {
	_, ok := e.get(t)
	return ok && e.counts(t)
}

// appendNum appends f as the messages print numbers: up to six decimals,
// without trailing zeros.
func appendNum(b []byte, f float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', 6, 64)
	n := len(b)
	for n > start && b[n-1] == '0' {
		n--
	}
	if n > start && b[n-1] == '.' {
		n--
	}
	return b[:n]
}

// A report without a single number says nothing about signs: its check is
// not assessable rather than a pass.
func nonNegative(cells []Cell, f *CheckFamily) Check {
	c := Check{ID: f.ID, Identity: f.Identity, Status: CheckPass}
	numbers := 0
	for _, cell := range cells {
		if cell.Value == nil {
			continue
		}
		numbers++
		if *cell.Value < 0 && !colDef(cell.Table, cell.Col).Signed {
			c.Cells = append(c.Cells, cell.Key())
		}
	}
	switch {
	case len(c.Cells) > 0:
		c.Status = CheckFail
		c.Message = "negative counts: " + strings.Join(c.Cells, ", ")
	case numbers == 0:
		c.Status = CheckNotAssessable
		c.Message = "no count printed"
	default:
		c.Message = "no negative count"
	}
	return c
}

// The check families, worked out once over the template's grid: every
// identity with its id, words and cells, so that checking a report only
// looks numbers up.

// grid numbers every cell of the template.
var grid = newGrid()

type gridIndex struct {
	index   map[cellKey]int
	keys    []string         // Cell.Key, by grid index
	rowOf   []int            // index in rowDefs, by grid index
	rows    map[tableKey]int // index in rowDefs
	subRows [][]int          // by index in rowDefs: the rows printed in its place when split
	parent  []int            // by index in rowDefs: the row it is a sub-row of, or -1
}

func newGrid() *gridIndex {
	g := &gridIndex{index: map[cellKey]int{}, rows: map[tableKey]int{}, subRows: make([][]int, len(rowDefs)), parent: make([]int, len(rowDefs))}
	for ri, r := range rowDefs {
		g.rows[r.at()] = ri
		g.parent[ri] = -1
		for pi, p := range rowDefs {
			if p.Table == r.Table && strings.HasPrefix(r.Key, p.Key+".") {
				g.parent[ri] = pi // the nearest: rows are listed parents first
				g.subRows[pi] = append(g.subRows[pi], ri)
			}
		}
		for _, c := range colDefs {
			if c.Table == r.Table {
				g.index[cellKey{r.Table, r.Key, c.Key}] = len(g.keys)
				g.keys = append(g.keys, string(r.Table)+"/"+r.Key+"/"+c.Key)
				g.rowOf = append(g.rowOf, ri)
			}
		}
	}
	return g
}

// A term is one cell of an identity.
type term struct {
	cell int     // grid index, or -1 outside the grid
	addr cellKey // outside the grid
	key  string
	// A split row (（六）其他处理, printed as one row or as three): split
	// is its index in rowDefs and sub tells its sub-rows from it; -1 for
	// a row that is never split.
	split int
	sub   bool
}

func newTerm(table TableID, row, col string) term {
	k := cellKey{table, row, col}
	if i, ok := grid.index[k]; ok {
		return term{cell: i, key: grid.keys[i], split: -1}
	}
	return term{cell: -1, addr: k, key: string(table) + "/" + row + "/" + col, split: -1}
}

// identity is one check of a family, its placeholder filled in.
type identity struct {
	id, words     string
	notAssessable string // its message when a side has no number
	lhs, rhs      []term
	ifTotal       bool
}

// checkGroup is a run of consecutive families over the same columns or
// rows: their checks are made column by column (or row by row), each
// family's in turn.
type checkGroup struct {
	over  Over
	table TableID
	fams  []*CheckFamily
	fixed []identity            // OverCols, OverRows
	byRow map[string][]identity // OverPrintedRows, for the template's rows
}

var checkGroups, maxChecks = func() ([]*checkGroup, int) {
	var groups []*checkGroup
	for i := range checkFamilies {
		f := &checkFamilies[i]
		if n := len(groups); n > 0 && groups[n-1].over == f.Over && groups[n-1].table == f.Table && f.Over != OverReport {
			groups[n-1].fams = append(groups[n-1].fams, f)
			continue
		}
		groups = append(groups, &checkGroup{over: f.Over, table: f.Table, fams: []*CheckFamily{f}})
	}
	most := 0 // checks one report can have at most
	for _, g := range groups {
		switch g.over {
		case OverReport:
			most++
		case OverCols, OverRows:
			xs := keysOf(rowDefs, g.table)
			if g.over == OverCols {
				xs = keysOf(colDefs, g.table)
			}
			for _, x := range xs {
				g.fixed = append(g.fixed, g.instances(x)...)
			}
			most += len(g.fixed)
		case OverPrintedRows:
			g.byRow = map[string][]identity{}
			for _, r := range keysOf(rowDefs, g.table) {
				g.byRow[r] = g.instances(r)
				most += len(g.byRow[r])
			}
		}
	}
	return groups, most
}()

// instances are the group's checks at column or row x, one per family.
func (g *checkGroup) instances(x string) []identity {
	out := make([]identity, len(g.fams))
	for i, f := range g.fams {
		out[i] = f.at(x)
	}
	return out
}

// at is the family's check at column (OverCols) or row x.
func (f *CheckFamily) at(x string) identity {
	if f.rule != ruleSum {
		panic("normalize: check family " + f.ID + " has no cells to add up")
	}
	ph := "<row>"
	if f.Over == OverCols {
		ph = "<col>"
	}
	id := identity{id: strings.ReplaceAll(f.ID, ph, x), words: strings.ReplaceAll(f.Identity, ph, x), ifTotal: f.ifTotal}
	id.notAssessable = id.words + ": not assessable, a side has no printed number"
	side := func(keys []string) []term {
		var out []term
		for _, k := range keys {
			if f.Over != OverCols {
				out = append(out, newTerm(f.Table, x, k))
				continue
			}
			for _, r := range f.expand(k) {
				t := newTerm(f.Table, r.key, x)
				t.split, t.sub = r.split, r.sub
				out = append(out, t)
			}
		}
		return out
	}
	id.lhs, id.rhs = side(f.lhs), side(f.rhs)
	return id
}

type expandedRow struct {
	key   string
	split int
	sub   bool
}

// expand resolves a row of the family's sides: "prefix.*" is every row
// of the table under prefix that is not a total, in template order.
func (f *CheckFamily) expand(k string) []expandedRow {
	prefix, ok := strings.CutSuffix(k, "*")
	if !ok {
		return []expandedRow{{key: k, split: -1}}
	}
	in := func(i int) bool {
		r := rowDefs[i]
		return r.Table == f.Table && strings.HasPrefix(r.Key, prefix) && !slices.Contains(f.rhs, r.Key)
	}
	var out []expandedRow
	for i := range rowDefs {
		if !in(i) {
			continue
		}
		e := expandedRow{key: rowDefs[i].Key, split: -1}
		if p := grid.parent[i]; p >= 0 && in(p) {
			e.split, e.sub = p, true
		} else if len(grid.subRows[i]) > 0 {
			e.split = i
		}
		out = append(out, e)
	}
	return out
}
