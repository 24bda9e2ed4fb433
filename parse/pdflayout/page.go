package pdflayout

// Rect is an axis-aligned box in page coordinates: points from the top-left
// corner of the page's media box, x to the right and y downwards (the
// convention of pdftotext -bbox), so Y0 ≤ Y1 and Y0 is the top edge.
type Rect struct {
	X0, Y0, X1, Y1 float64
}

func (r Rect) cx() float64 { return (r.X0 + r.X1) / 2 }
func (r Rect) cy() float64 { return (r.Y0 + r.Y1) / 2 }
func (r Rect) w() float64  { return r.X1 - r.X0 }
func (r Rect) h() float64  { return r.Y1 - r.Y0 }

func (r Rect) union(s Rect) Rect {
	return Rect{min(r.X0, s.X0), min(r.Y0, s.Y0), max(r.X1, s.X1), max(r.Y1, s.Y1)}
}

// Glyph is one character drawn on a page.
type Glyph struct {
	Text     string  // its Unicode text (normally one character; U+FFFD if undecodable)
	BBox     Rect    // its em box on the page
	Size     float64 // effective font size in points
	Vertical bool    // drawn by a vertical-writing font
	Dir      int     // direction of the text's baseline on the page: 0, 90 (downwards), 180 or 270 degrees
}

// Rule is a ruling line: a stroked or thin filled segment that is
// horizontal (Y0 == Y1) or vertical (X0 == X1), in page coordinates.
type Rule struct {
	X0, Y0, X1, Y1 float64
}

func (r Rule) horizontal() bool { return r.Y0 == r.Y1 }

// Page is everything the layout layer read from one page.
type Page struct {
	Number        int // 1-based
	Width, Height float64
	Glyphs        []Glyph
	Rules         []Rule
	Images        int       // images drawn (XObjects and inline)
	Warnings      []Warning // things not understood on this page
}

// rotate turns the page clockwise by deg (a multiple of 90 degrees), as a
// viewer does for /Rotate, moving every glyph and ruling with it.
func (p *Page) rotate(deg int) {
	deg = ((deg % 360) + 360) % 360
	if deg == 0 {
		return
	}
	w, h := p.Width, p.Height
	pt := func(x, y float64) (float64, float64) {
		switch deg {
		case 90:
			return h - y, x
		case 180:
			return w - x, h - y
		default: // 270
			return y, w - x
		}
	}
	box := func(r Rect) Rect {
		x0, y0 := pt(r.X0, r.Y0)
		x1, y1 := pt(r.X1, r.Y1)
		return Rect{min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)}
	}
	for i := range p.Glyphs {
		p.Glyphs[i].BBox = box(p.Glyphs[i].BBox)
		p.Glyphs[i].Dir = (p.Glyphs[i].Dir + deg) % 360
	}
	for i, r := range p.Rules {
		p.Rules[i] = Rule(box(Rect(r)))
	}
	if deg != 180 {
		p.Width, p.Height = h, w
	}
}

// upright turns the page so that most of its text reads left to right:
// pages whose content is drawn rotated (a landscape table on a portrait
// page) come out as a reader would turn them.
func (p *Page) upright() int {
	var n [4]int
	for _, g := range p.Glyphs {
		n[g.Dir/90%4]++
	}
	best := 0
	for d := 1; d < 4; d++ {
		if n[d] > n[best] {
			best = d
		}
	}
	if best == 0 || 2*n[best] <= len(p.Glyphs) {
		return 0
	}
	deg := (360 - best*90) % 360
	p.rotate(deg)
	return deg
}
