package pdflayout

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tolerances of line building, as shares of glyph sizes.
const (
	// lineOverlap: a glyph joins a line whose first glyph it overlaps
	// vertically by this share of the smaller height, so that a raised
	// or smaller glyph stays on its line and the next line does not join.
	lineOverlap = 0.5
	// fakeBold: a glyph with the same text as the one before and over
	// this share of its width is the same character printed again.
	fakeBold = 0.7
	// spaceGap: a gap wider than this many font sizes is a space between
	// words; the spacing between letters stays well below it.
	spaceGap = 0.3
)

// A line is glyphs sharing a baseline, left to right.
type line struct {
	glyphs []Glyph
	box    Rect
	band   Rect // the box of the line's first glyph, which later glyphs must overlap
}

// groupLines clusters glyphs into lines: a glyph joins the line its box
// overlaps vertically by at least half the smaller height. Lines come back
// top to bottom, glyphs in each left to right.
func groupLines(gs []Glyph) []line {
	sorted := make([]Glyph, len(gs))
	copy(sorted, gs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].BBox.cy() < sorted[j].BBox.cy() })
	var lines []line
	for _, g := range sorted {
		placed := false
		// only the last few lines can overlap a glyph further down
		for i := len(lines) - 1; i >= 0 && i >= len(lines)-4; i-- {
			l := &lines[i]
			ov := min(l.band.Y1, g.BBox.Y1) - max(l.band.Y0, g.BBox.Y0)
			if !g.Vertical && ov >= lineOverlap*min(l.band.h(), g.BBox.h()) && !l.glyphs[0].Vertical {
				l.glyphs = append(l.glyphs, g)
				l.box = l.box.union(g.BBox)
				placed = true
				break
			}
		}
		if !placed {
			lines = append(lines, line{glyphs: []Glyph{g}, box: g.BBox, band: g.BBox})
		}
	}
	for i := range lines {
		gl := lines[i].glyphs
		sort.SliceStable(gl, func(a, b int) bool { return gl[a].BBox.X0 < gl[b].BBox.X0 })
		lines[i].glyphs = dedupe(gl)
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].box.Y0 < lines[j].box.Y0 })
	return lines
}

// dedupe drops a glyph drawn again over the previous one with the same text
// (the fake bold some producers print).
func dedupe(gl []Glyph) []Glyph {
	out := gl[:0]
	for _, g := range gl {
		if n := len(out); n > 0 {
			p := out[n-1]
			ov := min(p.BBox.X1, g.BBox.X1) - max(p.BBox.X0, g.BBox.X0)
			if p.Text == g.Text && ov > fakeBold*min(p.BBox.w(), g.BBox.w()) && strings.TrimSpace(g.Text) != "" {
				continue
			}
		}
		out = append(out, g)
	}
	return out
}

// text renders a line: a space where the gap between two glyphs is wide
// compared with the font size, none between touching glyphs.
func (l line) text() string {
	var b strings.Builder
	for i, g := range l.glyphs {
		if i > 0 {
			p := l.glyphs[i-1]
			gap := g.BBox.X0 - p.BBox.X1
			if gap > spaceGap*max(p.Size, g.Size) && !strings.HasSuffix(p.Text, " ") && !strings.HasPrefix(g.Text, " ") {
				b.WriteByte(' ')
			}
		}
		b.WriteString(g.Text)
	}
	return clean(b.String())
}

// joinLines joins the lines of one cell: no separator between CJK text (a
// label wrapped inside its cell), a space otherwise.
func joinLines(lines []line) string {
	var b strings.Builder
	prev := ""
	for _, l := range lines {
		t := l.text()
		if t == "" {
			continue
		}
		if prev != "" {
			r1, _ := utf8.DecodeLastRuneInString(prev)
			r2, _ := utf8.DecodeRuneInString(t)
			if !(wide(r1) || wide(r2)) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t)
		prev = t
	}
	return b.String()
}

// wide reports whether r is CJK text or full-width punctuation.
func wide(r rune) bool {
	return r >= 0x2E80 && r <= 0x9FFF || r >= 0xF900 && r <= 0xFAFF || r >= 0xFF00 && r <= 0xFFEF ||
		r >= 0x3000 && r <= 0x303F || r >= 0x20000 && r <= 0x3FFFF || unicode.Is(unicode.Han, r)
}

// clean folds runs of white space and replaces the compatibility forms of
// CJK characters that some producers emit (Kangxi radicals such as ⾦ for
// 金, CJK compatibility ideographs) by their NFKC equivalents. Other
// characters, full-width punctuation included, are kept as printed.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == 0 {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if r >= 0x2E80 && r <= 0x2FDF || r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F {
			b.WriteString(norm.NFKC.String(string(r)))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
