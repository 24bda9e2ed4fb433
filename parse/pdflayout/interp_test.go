package pdflayout

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
)

// runContent interprets a content stream on an 800-point-high page with
// font f preselected at size 10.
func runContent(t *testing.T, f *font, content string) *Page {
	t.Helper()
	p := &Page{Number: 1}
	in := &interp{ctx: context.Background(), doc: &Doc{fonts: map[objKey]*font{}, byRes: map[objKey]*font{}}, page: p}
	in.toPage = matrix{1, 0, 0, -1, 0, 800}
	in.gs = gstate{ctm: identity, th: 1, font: f, fs: 10}
	if err := in.run([]byte(content), pdf.Value{}); err != nil {
		t.Fatal(err)
	}
	return p
}

func simpleFont(widths ...float64) *font {
	return &font{name: "T", firstChar: 'A', widths: widths, scale: 0.001, ascent: 0.8, descent: -0.2, missingW: 250}
}

func xs(p *Page) []float64 {
	var out []float64
	for _, g := range p.Glyphs {
		out = append(out, math.Round(g.BBox.X0*100)/100)
	}
	return out
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 0.01 {
			return false
		}
	}
	return true
}

func TestTextPositions(t *testing.T) {
	// A, B, C are 500, 600 and 700 units wide; space (not in Widths) 250.
	f := simpleFont(500, 600, 700)
	tests := []struct {
		name    string
		content string
		want    []float64
	}{
		{"Tj advances by widths", "BT 1 0 0 1 100 700 Tm (ABC) Tj ET", []float64{100, 105, 111}},
		{"TJ adjustment moves left for positive numbers", "BT 100 700 Td [(A) 500 (B) -1000 (C)] TJ ET", []float64{100, 100, 116}},
		{"TJ adds no phantom characters", "BT 100 700 Td [(A) -250 (B)] TJ ET", []float64{100, 107.5}},
		{"Tc adds to every glyph", "BT 2 Tc 100 700 Td (ABC) Tj ET", []float64{100, 107, 115}},
		{"Tw applies to code 32 only", "BT 5 Tw 100 700 Td (A B) Tj ET", []float64{100, 105, 112.5}},
		{"Tz scales horizontally", "BT 50 Tz 100 700 Td (ABC) Tj ET", []float64{100, 102.5, 105.5}},
		{"Tm scale and cm", "2 0 0 2 10 0 cm BT 1 0 0 1 50 350 Tm (AB) Tj ET", []float64{110, 120}},
		{"T* and TL move to the next line", "BT 14 TL 100 700 Td (A) Tj T* (B) Tj ET", []float64{100, 100}},
		{"q/Q restore the CTM", "q 1 0 0 1 50 0 cm Q BT 100 700 Td (A) Tj ET", []float64{100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := runContent(t, f, tt.content)
			if got := xs(p); !equal(got, tt.want) {
				t.Errorf("x positions = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCIDWidthsAndVertical(t *testing.T) {
	f := newFont("C")
	f.composite, f.predef, f.space = true, "Identity-H", predefSpace["Identity"]
	f.cidW = widthTable{{lo: 1, hi: 1, w: 500}}
	p := runContent(t, f, "BT 100 700 Td <000100020001> Tj ET")
	if got, want := xs(p), []float64{100, 105, 115}; !equal(got, want) {
		t.Errorf("Identity-H x = %v, want %v (widths from /W, default /DW)", got, want)
	}
	v := *f
	v.vertical, v.predef = true, "Identity-V"
	p = runContent(t, &v, "BT 100 700 Td <00020002> Tj ET")
	if len(p.Glyphs) != 2 {
		t.Fatalf("got %d glyphs", len(p.Glyphs))
	}
	g0, g1 := p.Glyphs[0].BBox, p.Glyphs[1].BBox
	if math.Abs(g1.Y0-g0.Y0-10) > 0.01 || math.Abs(g1.X0-g0.X0) > 0.01 {
		t.Errorf("vertical glyphs at %v and %v: want the second 10pt below the first", g0, g1)
	}
	if math.Abs(g0.cx()-100) > 0.01 {
		t.Errorf("vertical glyph centred at x=%v, want 100", g0.cx())
	}
}

func TestRulings(t *testing.T) {
	p := runContent(t, simpleFont(), `1 0 0 -1 0 800 cm
10 10 m 200 10 l S
10 10 m 10 100 l 50 120 l S
1 1 1 RG 0 50 m 100 50 l S 0 0 0 RG
0 200 300 0.5 re f
q 0.5 0 0 0.5 0 0 cm 0 600 100 100 re S Q
0 300 m 100 300 l n`)
	// The flip cm makes user space equal page space (y from the top).
	var h, v int
	for _, r := range p.Rules {
		if r.horizontal() {
			h++
		} else {
			v++
		}
	}
	// stroked: 1 h + 1 v (the slanted segment is dropped), the white line
	// is dropped, the thin filled rectangle is one h, the scaled stroked
	// rectangle gives 2 h + 2 v, the unpainted path nothing.
	if h != 4 || v != 3 {
		t.Errorf("got %d horizontal and %d vertical rulings (%v), want 4 and 3", h, v, p.Rules)
	}
	found := false
	for _, r := range p.Rules {
		if r.horizontal() && math.Abs(r.X1-50) < 0.01 && math.Abs(r.Y0-350) < 0.01 {
			found = true // the scaled rectangle's top edge: (0..100, 700) × 0.5
		}
	}
	if !found {
		t.Errorf("scaled rectangle edge not found in %v", p.Rules)
	}
}

func TestRotatedTextIsTurnedUpright(t *testing.T) {
	for _, tm := range []string{"0 1 -1 0 300 100", "0 -1 1 0 300 700", "-1 0 0 -1 500 400"} {
		p := runContent(t, simpleFont(500, 600, 700), "BT "+tm+" Tm (ABCABC) Tj ET")
		p.Width, p.Height = 600, 800
		p.upright()
		g := p.Glyphs
		for i := 1; i < len(g); i++ {
			if g[i].BBox.X0 <= g[i-1].BBox.X0 || math.Abs(g[i].BBox.Y0-g[0].BBox.Y0) > 0.01 || g[i].Dir != 0 {
				t.Fatalf("Tm %s: after turning, glyph %d at %+v (dir %d) does not follow %+v", tm, i, g[i].BBox, g[i].Dir, g[i-1].BBox)
			}
		}
	}
}

func TestFilledPolygonRulings(t *testing.T) {
	p := runContent(t, simpleFont(), `1 0 0 -1 0 800 cm
10 100 m 300 100 l 300 101 l 10 101 l h f
50 10 m 51 10 l 51 200 l 50 200 l f
10 300 m 300 300 l 300 340 l 10 340 l h f
10 400 m 300 401 l 300 402 l 10 401 l h f`)
	// a 1pt bar across, a 1pt bar down; the 40pt box and the slanted
	// sliver are not rulings
	var h, v int
	for _, r := range p.Rules {
		if r.horizontal() {
			h++
		} else {
			v++
		}
	}
	if h != 1 || v != 1 {
		t.Errorf("rules %v: want one horizontal and one vertical", p.Rules)
	}
}

func TestLimitsStopAHostilePage(t *testing.T) {
	content := strings.Repeat("n\n", maxOps+10)
	p := &Page{Number: 1}
	in := &interp{ctx: context.Background(), doc: &Doc{fonts: map[objKey]*font{}, byRes: map[objKey]*font{}}, page: p}
	in.gs = gstate{ctm: identity, th: 1}
	if err := in.run([]byte(content), pdf.Value{}); !errors.Is(err, errLimit) {
		t.Errorf("too many operators: err = %v, want errLimit", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in = &interp{ctx: ctx, doc: in.doc, page: p}
	in.gs = gstate{ctm: identity, th: 1}
	if err := in.run([]byte(strings.Repeat("q Q\n", 5000)), pdf.Value{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}
