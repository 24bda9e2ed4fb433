package pdflayout

import (
	"context"
	"math"
)

// A page break can fall inside a table's header: its upper rows end one
// page and its lower rows and body open the next (a browser breaks pages
// between the rows of any table). Without rulings, the lines at the foot
// of the first page are then text and the next page holds a table whose
// header names only some of its columns. A Tail carries those lines over,
// so that the next page's table is read with its whole header.

// maxTailLines is the most lines carried over a page break: a header is a
// few rows of at most two or three lines each.
const maxTailLines = 8

// Tail is the text that ends a page below its last table, line by line.
type Tail struct {
	Page   int    // the page it is printed on
	Boxes  []Rect // each line's box, in that page's coordinates
	glyphs [][]Glyph
}

// TailOf returns the text lines that end page p, as its layout blocks
// gave them: every text block below the page's last table, if there are
// at most maxTailLines of them. skip reports blocks that are page
// furniture (a page number): they are not carried. TailOf returns nil
// when there is nothing to carry.
func TailOf(p *Page, blocks []Block, skip func(Block) bool) *Tail {
	start := 0
	for i, b := range blocks {
		if b.Table != nil {
			start = i + 1
		}
	}
	t := &Tail{Page: p.Number}
	for _, b := range blocks[start:] {
		if skip != nil && skip(b) {
			continue
		}
		if len(t.Boxes) == maxTailLines {
			return nil
		}
		gs, _ := splitGlyphs(p.Glyphs, b.BBox)
		if len(gs) == 0 {
			continue
		}
		t.Boxes = append(t.Boxes, b.BBox)
		t.glyphs = append(t.glyphs, gs)
	}
	if len(t.Boxes) == 0 {
		return nil
	}
	return t
}

// LayoutAfter lays out page p as the continuation of tail, the lines that
// ended the page before: when the page opens with a table printed without
// rulings whose header those lines complete, the table is read with them
// and used reports, by tail line, the ones it took. Rows and cells of the
// table that lie on the page before keep their places there, with
// FromTail set. When the tail completes nothing, LayoutAfter is
// LayoutContext and used is nil.
func LayoutAfter(ctx context.Context, p *Page, prev *Table, tail *Tail) (blocks []Block, used []bool, err error) {
	plain, err := LayoutContext(ctx, p, prev)
	if err != nil || tail == nil || !opensWithUnruledTable(plain) {
		return plain, nil, err
	}
	shift, edge := tailShift(p, tail)
	q := &Page{Number: p.Number, Width: p.Width, Height: p.Height, Rules: p.Rules}
	for _, gs := range tail.glyphs {
		for _, g := range gs {
			g.BBox.Y0 += shift
			g.BBox.Y1 += shift
			q.Glyphs = append(q.Glyphs, g)
		}
	}
	q.Glyphs = append(q.Glyphs, p.Glyphs...)
	joined, err := LayoutContext(ctx, q, nil)
	if err != nil {
		return plain, nil, nil
	}
	first := firstTable(joined)
	if first < 0 || joined[first].BBox.Y0 >= edge || joined[first].Table.Ruled {
		return plain, nil, nil
	}
	used = make([]bool, len(tail.Boxes))
	var out []Block
	for _, b := range joined {
		if b.Table == nil && b.BBox.Y1 <= edge {
			continue // a tail line outside the table: already read with its page
		}
		out = append(out, b)
	}
	t := joined[first].Table
	for i, box := range tail.Boxes {
		cy := box.cy() + shift
		used[i] = cy >= t.BBox.Y0 && cy <= t.BBox.Y1
	}
	t.untail(shift, edge)
	return out, used, nil
}

// opensWithUnruledTable reports whether the first block of a page is a
// table without rulings.
func opensWithUnruledTable(blocks []Block) bool {
	return len(blocks) > 0 && blocks[0].Table != nil && !blocks[0].Table.Ruled
}

func firstTable(blocks []Block) int {
	for i, b := range blocks {
		if b.Table != nil {
			return i
		}
	}
	return -1
}

// tailShift is what moves the tail's lines from their page to just above
// the first line of p, one line height apart: the header rows as they
// would print without the break. edge is where the tail ends once moved.
func tailShift(p *Page, tail *Tail) (shift, edge float64) {
	top := math.Inf(1)
	for _, g := range p.Glyphs {
		top = min(top, g.BBox.Y0)
	}
	last := tail.Boxes[len(tail.Boxes)-1]
	for _, b := range tail.Boxes {
		if b.Y1 > last.Y1 {
			last = b
		}
	}
	return top - last.h() - last.Y1, top - last.h()
}

// untail moves the rows and cells of t that lie above edge (the tail's,
// moved by shift) back to their own page's coordinates, and marks them; a
// row astride the break keeps the page it continues on, its box cut at
// edge.
func (t *Table) untail(shift, edge float64) {
	back := func(r *Rect) {
		r.Y0 -= shift
		r.Y1 -= shift
	}
	for i := range t.Rows {
		r := &t.Rows[i]
		if r.BBox.Y0 >= edge {
			continue
		}
		if r.BBox.Y1 <= edge+snapTol {
			r.FromTail = true
			back(&r.BBox)
			for j := range r.Cells {
				back(&r.Cells[j].BBox)
			}
			continue
		}
		r.BBox.Y0 = edge
		for j := range r.Cells {
			c := &r.Cells[j].BBox
			c.Y0, c.Y1 = max(c.Y0, edge), max(c.Y1, edge)
		}
	}
	t.BBox.Y0 = max(t.BBox.Y0, edge)
}
