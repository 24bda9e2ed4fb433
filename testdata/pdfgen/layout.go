package main

import (
	"fmt"
	"math"
	"strings"
)

// Canvas is a page-drawing backend: gopdf with an embedded TrueType font,
// or the hand-written PDF writer with a predefined CMap. Coordinates are
// points from the top-left corner; y of Text is the baseline.
type Canvas interface {
	NewPage() error
	SetPage(n int) error // 1-based; go back to an earlier page
	Text(x, y, size float64, s string) error
	Line(x1, y1, x2, y2 float64) error
	Width(s string, size float64) float64
}

// Page geometry (A4 portrait).
const (
	pageW, pageH                  = 595.28, 841.89
	marginL, marginR              = 62.0, 62.0
	marginT, marginB              = 68.0, 68.0
	bodySize, headSize, titleSize = 10.5, 11.5, 16.0
	cellPad                       = 2.5
	lineFactor, tableLineFactor   = 1.7, 1.3
)

// Layouter flows a Doc onto a Canvas.
type Layouter struct {
	C           Canvas
	TableSize   float64
	Ruled       bool
	BreakBefore string // 表三 row key that must start a new page
	// HeadingTwice draws headings twice 0.35pt apart (faked bold).
	HeadingTwice bool

	y       float64
	pages   int
	lines   map[string]bool
	pending map[int][]op
}

func (l *Layouter) newPage() error {
	l.pages++
	l.y = marginT
	return l.C.NewPage()
}

func (l *Layouter) ensure(h float64) error {
	if l.pages == 0 || l.y+h > pageH-marginB {
		return l.newPage()
	}
	return nil
}

// wrap breaks s into lines no wider than w (characters are the break
// opportunities, as in Chinese typesetting); first is the first line's
// extra indent.
func (l *Layouter) wrap(s string, size, w, first float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		var cur []rune
		avail := w - first
		for _, r := range para {
			next := append(cur, r)
			if len(cur) > 0 && l.C.Width(string(next), size) > avail && !strings.ContainsRune("，。、）”：；〕》", r) {
				out = append(out, string(cur))
				cur = []rune{r}
				avail = w
				continue
			}
			cur = next
		}
		out = append(out, string(cur))
	}
	return out
}

func (l *Layouter) textLine(x, y, size float64, s string, twice bool) error {
	if err := l.C.Text(x, y, size, s); err != nil {
		return err
	}
	if twice {
		return l.C.Text(x+0.35, y, size, s)
	}
	return nil
}

// Render draws the whole document.
func (l *Layouter) Render(d *Doc) error {
	if l.TableSize == 0 {
		l.TableSize = 9
	}
	l.lines = map[string]bool{}
	l.pending = map[int][]op{}
	if err := l.newPage(); err != nil {
		return err
	}
	width := pageW - marginL - marginR
	for _, line := range l.wrap(d.Title, titleSize, width, 0) {
		tw := l.C.Width(line, titleSize)
		if err := l.textLine(marginL+(width-tw)/2, l.y+titleSize, titleSize, line, l.HeadingTwice); err != nil {
			return err
		}
		l.y += titleSize * 1.6
	}
	l.y += 8
	for _, b := range d.Blocks {
		var err error
		switch {
		case b.Heading != "":
			err = l.para(b.Heading, headSize, 0, l.HeadingTwice)
		case b.Para != "":
			err = l.para(b.Para, bodySize, 2*bodySize, false)
		case b.Table != nil:
			l.y += 4
			err = l.table(b.Table)
			l.y += 8
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *Layouter) para(s string, size, indent float64, twice bool) error {
	lh := size * lineFactor
	for i, line := range l.wrap(s, size, pageW-marginL-marginR, indent) {
		if err := l.ensure(lh); err != nil {
			return err
		}
		x := marginL
		if i == 0 {
			x += indent
		}
		if err := l.textLine(x, l.y+size+(lh-size)/2-1, size, line, twice); err != nil {
			return err
		}
		l.y += lh
	}
	return nil
}

type placed struct {
	page   int
	top, h float64
}

func (l *Layouter) table(t *Table) error {
	size := l.TableSize
	lh := size * tableLineFactor
	var sum float64
	for _, w := range t.Weights {
		sum += w
	}
	width := pageW - marginL - marginR
	colX := make([]float64, t.NCols+1)
	colX[0] = marginL
	for i, w := range t.Weights {
		colX[i+1] = colX[i] + w/sum*width
	}
	// Lines of text of each cell and the row heights they need.
	cellLines := make([][]string, len(t.Cells))
	rowH := make([]float64, t.NRows)
	for i := range rowH {
		rowH[i] = lh + 2*cellPad
	}
	for i, c := range t.Cells {
		w := colX[c.Col+c.ColSpan] - colX[c.Col] - 2*cellPad
		if c.Vertical {
			for _, r := range c.Text {
				cellLines[i] = append(cellLines[i], string(r))
			}
		} else {
			cellLines[i] = l.wrap(c.Text, size, w, 0)
		}
		if c.RowSpan == 1 {
			rowH[c.Row] = math.Max(rowH[c.Row], float64(len(cellLines[i]))*lh+2*cellPad)
		}
	}
	for i, c := range t.Cells {
		if c.RowSpan == 1 {
			continue
		}
		need := float64(len(cellLines[i]))*lh + 2*cellPad
		var have float64
		for r := c.Row; r < c.Row+c.RowSpan; r++ {
			have += rowH[r]
		}
		if need > have {
			extra := (need - have) / float64(c.RowSpan)
			for r := c.Row; r < c.Row+c.RowSpan; r++ {
				rowH[r] += extra
			}
		}
	}
	// Place rows on pages.
	rows := make([]placed, t.NRows)
	for r := 0; r < t.NRows; r++ {
		h := rowH[r]
		if r == 0 {
			// keep the header with the first data row
			for k := 1; k <= t.Header && k < t.NRows; k++ {
				h += rowH[k]
			}
		}
		forced := l.BreakBefore != "" && r < len(t.RowKeys) && t.RowKeys[r] == l.BreakBefore
		if forced {
			if err := l.newPage(); err != nil {
				return err
			}
		} else if err := l.ensure(h); err != nil {
			return err
		}
		rows[r] = placed{page: l.pages, top: l.y, h: rowH[r]}
		l.y += rowH[r]
	}
	// Draw page by page so that each page's content is in reading order.
	for i, c := range t.Cells {
		// segments of the cell on each page
		type seg struct {
			page        int
			top, bottom float64
		}
		var segs []seg
		for r := c.Row; r < c.Row+c.RowSpan; r++ {
			p := rows[r]
			if len(segs) > 0 && segs[len(segs)-1].page == p.page {
				segs[len(segs)-1].bottom = p.top + p.h
			} else {
				segs = append(segs, seg{p.page, p.top, p.top + p.h})
			}
		}
		x0, x1 := colX[c.Col], colX[c.Col+c.ColSpan]
		lines := cellLines[i]
		li := 0
		for si, s := range segs {
			if l.Ruled {
				l.rule(s.page, x0, s.top, x1, s.top)
				l.rule(s.page, x0, s.bottom, x1, s.bottom)
				l.rule(s.page, x0, s.top, x0, s.bottom)
				l.rule(s.page, x1, s.top, x1, s.bottom)
			}
			capacity := int((s.bottom - s.top - 2*cellPad) / lh)
			n := len(lines) - li
			if si < len(segs)-1 && n > capacity {
				n = capacity
			}
			if n <= 0 {
				continue
			}
			top := s.top + cellPad
			if li == 0 && n == len(lines) {
				top = s.top + (s.bottom-s.top-float64(n)*lh)/2
			}
			for k := 0; k < n; k++ {
				line := lines[li+k]
				tw := l.C.Width(line, size)
				x := x0 + (x1-x0-tw)/2
				if c.Kind == 'l' && !c.Vertical {
					x = x0 + cellPad
				}
				l.queueText(s.page, x, top+float64(k)*lh+size*0.88+(lh-size)/2, size, line)
			}
			li += n
		}
	}
	return l.flush()
}

// Drawing is queued per page and emitted when the table is done: rows
// were placed (and pages added) first, so earlier pages are revisited.
type op struct {
	text       string
	x, y, size float64
	x2, y2     float64
	line       bool
}

func (l *Layouter) queueText(page int, x, y, size float64, s string) {
	l.pending[page] = append(l.pending[page], op{text: s, x: x, y: y, size: size})
}

func (l *Layouter) rule(page int, x1, y1, x2, y2 float64) {
	k := fmt.Sprintf("%d:%.1f:%.1f:%.1f:%.1f", page, x1, y1, x2, y2)
	if l.lines[k] {
		return
	}
	l.lines[k] = true
	l.pending[page] = append(l.pending[page], op{line: true, x: x1, y: y1, x2: x2, y2: y2})
}

func (l *Layouter) flush() error {
	defer func() { l.pending = map[int][]op{} }()
	for p := 1; p <= l.pages; p++ {
		ops := l.pending[p]
		if len(ops) == 0 {
			continue
		}
		if err := l.C.SetPage(p); err != nil {
			return err
		}
		for _, o := range ops {
			var err error
			if o.line {
				err = l.C.Line(o.x, o.y, o.x2, o.y2)
			} else {
				err = l.C.Text(o.x, o.y, o.size, o.text)
			}
			if err != nil {
				return err
			}
		}
	}
	return l.C.SetPage(l.pages)
}
