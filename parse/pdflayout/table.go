package pdflayout

import (
	"math"
	"sort"
)

// Table is a table rebuilt from a page: rows of cells, spanned cells
// repeated (Continued) in the rows below their first one.
type Table struct {
	Rows  []Row
	NCols int
	Xs    []float64 // column boundaries, NCols+1 of them
	BBox  Rect
	Ruled bool // columns come from ruling lines (false: from text alignment)

	vcols []interval // value columns of an alignment table
	lcols []float64  // and the left edges of its label columns
}

// Row is one grid row of a table.
type Row struct {
	Cells []Cell
	BBox  Rect
	Page  int // 1-based page the row is printed on (set by the caller)
	// FromTail reports a header row printed at the foot of the page
	// before, carried over the page break with its table (see Tail); its
	// boxes are in that page's coordinates.
	FromTail bool
}

// Cell is one cell of a row.
type Cell struct {
	Text      string
	Col       int
	ColSpan   int
	RowSpan   int
	Continued bool // a copy of a cell that starts in a row above
	BBox      Rect
	// OpenBottom reports that no ruling closes the cell at the bottom of the
	// table: the cell is cut by a page break and continues on the next page.
	OpenBottom bool
}

// Tolerances of the grid builder, in points.
const (
	snapTol  = 2.5 // rulings closer than this are the same grid line
	touchTol = 3.0 // how far a ruling may fall short of meeting another
	// Collinear pieces of one ruling: sorted as one line within
	// sortSlack, merged within lineSlack (a stroke is about a point wide).
	sortSlack = 0.5
	lineSlack = 1.0
	// A grid smaller than this is a box or a mark, not a table.
	minGridW = 10.0
	minGridH = 5.0
)

// unionFind is a disjoint-set forest over 0, 1, …, n−1.
type unionFind []int

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u unionFind) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

// union joins the sets of i and j, under j's root.
func (u unionFind) union(i, j int) { u[u.find(i)] = u.find(j) }

// grid is a set of ruling lines that touch each other.
type grid struct {
	h, v []Rule
	box  Rect
}

// findGrids groups the page's rulings into connected sets with at least
// two horizontal and two vertical lines between them.
func findGrids(rules []Rule, st *stopper) []grid {
	h, v := mergeRules(rules)
	all := append(append([]Rule{}, h...), v...)
	sets := newUnionFind(len(all))
	for i := range h {
		if st.steps(len(v)) {
			return nil
		}
		for j := range v {
			if touches(h[i], v[j]) {
				sets.union(i, len(h)+j)
			}
		}
	}
	groups := map[int]*grid{}
	var order []int
	for i, r := range all {
		root := sets.find(i)
		g, ok := groups[root]
		if !ok {
			g = &grid{box: Rect(r)}
			groups[root] = g
			order = append(order, root)
		}
		if r.horizontal() {
			g.h = append(g.h, r)
		} else {
			g.v = append(g.v, r)
		}
		g.box = g.box.union(Rect(r))
	}
	var out []grid
	for _, root := range order {
		g := groups[root]
		if len(g.h) >= 1 && len(g.v) >= 2 && len(g.h)+len(g.v) >= 4 && g.box.w() > minGridW && g.box.h() > minGridH {
			out = append(out, *g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].box.Y0 < out[j].box.Y0 })
	return out
}

func touches(h, v Rule) bool {
	return v.X0 >= h.X0-touchTol && v.X0 <= h.X1+touchTol && h.Y0 >= v.Y0-touchTol && h.Y0 <= v.Y1+touchTol
}

// mergeRules splits rulings into horizontal and vertical ones and joins
// collinear pieces that overlap or nearly meet.
func mergeRules(rules []Rule) (h, v []Rule) {
	for _, r := range rules {
		if r.horizontal() {
			h = append(h, r)
		} else {
			// store vertical rules transposed so one merge serves both
			v = append(v, Rule{r.Y0, r.X0, r.Y1, r.X1})
		}
	}
	h, v = mergeCollinear(h), mergeCollinear(v)
	for i, r := range v {
		v[i] = Rule{r.Y0, r.X0, r.Y1, r.X1}
	}
	return h, v
}

// mergeCollinear merges horizontal segments on (nearly) the same y.
func mergeCollinear(rs []Rule) []Rule {
	sort.Slice(rs, func(i, j int) bool {
		if math.Abs(rs[i].Y0-rs[j].Y0) > sortSlack {
			return rs[i].Y0 < rs[j].Y0
		}
		return rs[i].X0 < rs[j].X0
	})
	var out []Rule
	for _, r := range rs {
		merged := false
		for k := len(out) - 1; k >= 0 && math.Abs(out[k].Y0-r.Y0) <= lineSlack; k-- {
			o := &out[k]
			if r.X0 <= o.X1+touchTol && r.X1 >= o.X0-touchTol {
				o.X0, o.X1 = min(o.X0, r.X0), max(o.X1, r.X1)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, r)
		}
	}
	return out
}

// cluster returns the sorted distinct values of xs, merging values closer
// than snapTol into their mean.
func cluster(xs []float64) []float64 {
	sort.Float64s(xs)
	var out []float64
	var sum float64
	var n int
	for i, x := range xs {
		if i > 0 && x-xs[i-1] > snapTol {
			out = append(out, sum/float64(n))
			sum, n = 0, 0
		}
		sum += x
		n++
	}
	if n > 0 {
		out = append(out, sum/float64(n))
	}
	return out
}

// cellGrid is a grid's cells: column and row boundaries and, for each grid
// position, the cell (group) covering it.
type cellGrid struct {
	xs, ys []float64
	owner  []int // row-major: index of the group covering (r, c)
	groups []span
}

type span struct{ r0, r1, c0, c1 int } // inclusive

func (cg *cellGrid) rows() int { return len(cg.ys) - 1 }
func (cg *cellGrid) cols() int { return len(cg.xs) - 1 }

// build works out a grid's cells: two neighbouring positions belong to
// one cell when no ruling separates them.
func (g grid) build(st *stopper) *cellGrid {
	var xv, yv []float64
	for _, r := range g.v {
		xv = append(xv, r.X0)
	}
	for _, r := range g.h {
		yv = append(yv, r.Y0)
	}
	xv = append(xv, g.box.X0, g.box.X1)
	yv = append(yv, g.box.Y0, g.box.Y1)
	cg := &cellGrid{xs: cluster(xv), ys: cluster(yv)}
	R, C := cg.rows(), cg.cols()
	if R < 1 || C < 1 || R*C > 1<<16 {
		return nil
	}
	cells := newUnionFind(R * C)
	for r := 0; r < R; r++ {
		if st.steps(C * (len(g.h) + len(g.v))) {
			return nil
		}
		for c := 0; c < C; c++ {
			if c+1 < C && !g.hasV(cg.xs[c+1], cg.ys[r], cg.ys[r+1]) {
				cells.union(r*C+c, r*C+c+1)
			}
			if r+1 < R && !g.hasH(cg.ys[r+1], cg.xs[c], cg.xs[c+1]) {
				cells.union(r*C+c, (r+1)*C+c)
			}
		}
	}
	idx := map[int]int{}
	cg.owner = make([]int, R*C)
	for r := 0; r < R; r++ {
		for c := 0; c < C; c++ {
			root := cells.find(r*C + c)
			k, ok := idx[root]
			if !ok {
				k = len(cg.groups)
				idx[root] = k
				cg.groups = append(cg.groups, span{r, r, c, c})
			}
			s := &cg.groups[k]
			s.r0, s.r1, s.c0, s.c1 = min(s.r0, r), max(s.r1, r), min(s.c0, c), max(s.c1, c)
			cg.owner[r*C+c] = k
		}
	}
	return cg
}

// hasV reports whether vertical rulings at x cover the band y0..y1 (allowing
// for rulings that stop a little short).
func (g grid) hasV(x, y0, y1 float64) bool {
	d := min(snapTol, (y1-y0)/4)
	return covered(g.v, func(r Rule) (float64, float64, float64) { return r.X0, r.Y0, r.Y1 }, x, y0+d, y1-d)
}

func (g grid) hasH(y, x0, x1 float64) bool {
	d := min(snapTol, (x1-x0)/4)
	return covered(g.h, func(r Rule) (float64, float64, float64) { return r.Y0, r.X0, r.X1 }, y, x0+d, x1-d)
}

// covered reports whether the union of the rulings at position pos covers
// the interval lo..hi.
func covered(rs []Rule, f func(Rule) (pos, a, b float64), pos, lo, hi float64) bool {
	type iv struct{ a, b float64 }
	var ivs []iv
	for _, r := range rs {
		p, a, b := f(r)
		if math.Abs(p-pos) <= snapTol && b >= lo && a <= hi {
			ivs = append(ivs, iv{a, b})
		}
	}
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].a < ivs[j].a })
	at := lo
	for _, v := range ivs {
		if v.a > at+touchTol {
			return false
		}
		at = max(at, v.b)
		if at >= hi {
			return true
		}
	}
	return at >= hi-touchTol
}

// locate returns the grid position containing point (x, y), or false.
func (cg *cellGrid) locate(x, y float64) (int, int, bool) {
	r := sort.SearchFloat64s(cg.ys, y) - 1
	c := sort.SearchFloat64s(cg.xs, x) - 1
	if r < 0 || c < 0 || r >= cg.rows() || c >= cg.cols() {
		return 0, 0, false
	}
	return r, c, true
}

func (cg *cellGrid) box() Rect {
	return Rect{cg.xs[0], cg.ys[0], cg.xs[len(cg.xs)-1], cg.ys[len(cg.ys)-1]}
}

// table fills the grid's cells with the glyphs given (those inside it).
func (cg *cellGrid) table(g grid, gs []Glyph) *Table {
	content := make([][]Glyph, len(cg.groups))
	for _, g := range gs {
		r, c, ok := cg.locate(g.BBox.cx(), g.BBox.cy())
		if !ok {
			continue
		}
		k := cg.owner[r*cg.cols()+c]
		content[k] = append(content[k], g)
	}
	texts := make([]string, len(cg.groups))
	for k, gl := range content {
		texts[k] = joinLines(groupLines(gl))
	}
	t := &Table{NCols: cg.cols(), Xs: append([]float64(nil), cg.xs...), BBox: cg.box(), Ruled: true}
	for r := 0; r < cg.rows(); r++ {
		row := Row{BBox: Rect{cg.xs[0], cg.ys[r], cg.xs[len(cg.xs)-1], cg.ys[r+1]}}
		for c := 0; c < cg.cols(); {
			k := cg.owner[r*cg.cols()+c]
			s := cg.groups[k]
			row.Cells = append(row.Cells, Cell{
				Text:      texts[k],
				Col:       s.c0,
				ColSpan:   s.c1 - s.c0 + 1,
				RowSpan:   s.r1 - s.r0 + 1,
				Continued: s.r0 < r,
				BBox:      Rect{cg.xs[s.c0], cg.ys[s.r0], cg.xs[s.c1+1], cg.ys[s.r1+1]},
			})
			c = s.c1 + 1
		}
		t.Rows = append(t.Rows, row)
	}
	R := cg.rows()
	for i := range t.Rows[R-1].Cells {
		c := &t.Rows[R-1].Cells[i]
		c.OpenBottom = !g.hasH(cg.ys[R], cg.xs[c.Col], cg.xs[c.Col+c.ColSpan])
	}
	t.dropSlivers(medianGlyphHeight(gs))
	return t
}

// sliverShare: a grid row lower than this share of the text's height is a
// sliver between two rulings of one border, not a row of its own.
const sliverShare = 0.75

// dropSlivers removes the grid rows that hold nothing of their own and are
// lower than a line of text: Chromium draws a cell spanning rows a few
// points short of the rows beside it, and its bottom border then cuts the
// last row it spans in two. The cells that span the sliver lose a row of
// their span; an empty cell that starts in it starts in the row below.
func (t *Table) dropSlivers(textH float64) {
	if textH <= 0 {
		return
	}
	for r := len(t.Rows) - 1; r > 0; r-- {
		if t.Rows[r].BBox.h() < sliverShare*textH && hollow(t.Rows[r]) {
			t.dropRow(r)
		}
	}
}

// hollow reports whether row holds no text of its own, but in cells that
// go on below it (their text printed there), and continues a cell from
// above.
func hollow(row Row) bool {
	cont := false
	for _, c := range row.Cells {
		if !c.Continued && c.Text != "" && c.RowSpan == 1 {
			return false
		}
		cont = cont || c.Continued
	}
	return cont
}

func (t *Table) dropRow(r int) {
	for _, c := range t.Rows[r].Cells {
		switch {
		case c.Continued:
			t.shrinkSpan(r, c)
		case c.RowSpan > 1 && r+1 < len(t.Rows):
			for i := range t.Rows[r+1].Cells {
				if d := &t.Rows[r+1].Cells[i]; d.Col == c.Col && d.ColSpan == c.ColSpan {
					d.Continued = false
				}
			}
			t.shrinkSpan(r, c)
		}
	}
	t.Rows = append(t.Rows[:r], t.Rows[r+1:]...)
}

// shrinkSpan takes row r out of the span of cell c, in every row it covers.
func (t *Table) shrinkSpan(r int, c Cell) {
	for ri := max(r-c.RowSpan+1, 0); ri < min(r+c.RowSpan, len(t.Rows)); ri++ {
		for i := range t.Rows[ri].Cells {
			if d := &t.Rows[ri].Cells[i]; d.Col == c.Col && d.ColSpan == c.ColSpan && d.BBox == c.BBox {
				d.RowSpan--
			}
		}
	}
}

// medianGlyphHeight is the median height of the glyphs gs, or 0.
func medianGlyphHeight(gs []Glyph) float64 {
	if len(gs) == 0 {
		return 0
	}
	hs := make([]float64, len(gs))
	for i, g := range gs {
		hs[i] = g.BBox.h()
	}
	sort.Float64s(hs)
	return hs[len(hs)/2]
}
