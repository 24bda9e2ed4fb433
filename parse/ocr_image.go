package parse

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // the DCTDecode images of scans
	"image/png"
	"math"
	"sort"

	"github.com/opengov-cn/nianbao/parse/pdflayout"
)

// grayImage is a page image as OCR reads it: one byte a pixel, 0 black.
type grayImage struct {
	w, h int
	pix  []byte
}

func (g *grayImage) at(x, y int) byte { return g.pix[y*g.w+x] }

// Thresholds of the page image analysis.
const (
	// inkLevel: a pixel darker than this is ink. Paper in a scan is
	// 200–255 after levelling, print 0–100, a grey table band 180–230.
	inkLevel = 150
	// ruleLevel: a pixel darker than this may be part of a ruling. Thin
	// rulings (a 0.5 pt line is under 2 pixels at 200 dpi) come out grey
	// from the scanner; noise does not make long runs of them.
	ruleLevel = 210
	// maxSkewDeg: the most rotation deskewing looks for; a page fed
	// crooked through a scanner is off by a degree or two at most.
	maxSkewDeg = 2.0
	// Rulings are runs of ink at least this long (points): longer than
	// a character's stroke (an em of body text is 10.5–12 pt, a heading's
	// 16 pt), shorter than the side of the smallest cell.
	minHRulePt = 24.0
	minVRulePt = 14.0
	// touchPx: a ruling is kept when it meets a ruling across it within
	// this many pixels: the strokes of characters that pass the length
	// test (a row of 一 and 二 run together) meet none.
	touchPx = 4
	// maxRulePt: a ruling is at most this thick; a thicker run of ink is a
	// block (a black bar, a photograph), not a line.
	maxRulePt = 3.0
	// ruleGapPx: gaps of up to this many pixels (noise, a broken line)
	// inside a run of ink do not end it.
	ruleGapPx = 1
)

// decodeGray decodes a page image, checking its size before it is
// decoded (the dictionary may lie). Red ink (a seal stamped over the
// table) is dropped by reading the red channel: red is bright in it,
// black and blue print dark.
func decodeGray(data []byte) (*grayImage, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > pdflayout.MaxImagePixels {
		return nil, fmt.Errorf("image of %d×%d pixels, more than the cap of %d", cfg.Width, cfg.Height, pdflayout.MaxImagePixels)
	}
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	b := m.Bounds()
	g := &grayImage{w: b.Dx(), h: b.Dy(), pix: make([]byte, b.Dx()*b.Dy())}
	switch m := m.(type) {
	case *image.Gray:
		for y := 0; y < g.h; y++ {
			copy(g.pix[y*g.w:(y+1)*g.w], m.Pix[y*m.Stride:])
		}
	case *image.YCbCr:
		for y := 0; y < g.h; y++ {
			for x := 0; x < g.w; x++ {
				yy, cr := m.Y[m.YOffset(x+b.Min.X, y+b.Min.Y)], m.Cr[m.COffset(x+b.Min.X, y+b.Min.Y)]
				g.pix[y*g.w+x] = clampByte(float64(yy) + 1.402*(float64(cr)-128))
			}
		}
	default:
		for y := 0; y < g.h; y++ {
			for x := 0; x < g.w; x++ {
				r, _, _, _ := m.At(x+b.Min.X, y+b.Min.Y).RGBA()
				g.pix[y*g.w+x] = byte(r >> 8)
			}
		}
	}
	return g, nil
}

func clampByte(v float64) byte {
	return byte(min(max(math.Round(v), 0), 255))
}

// skew estimates the small rotation of a scanned page, in degrees: the
// angle at which the ink's rows (rulings, text lines) project onto the
// fewest, fullest lines. Ink is sampled on a grid of step pixels.
func skew(ctx context.Context, g *grayImage) (float64, error) {
	const step = 2
	var xs, ys []float64
	for y := 0; y < g.h; y += step {
		for x := 0; x < g.w; x += step {
			if g.at(x, y) < inkLevel {
				xs, ys = append(xs, float64(x)), append(ys, float64(y))
			}
		}
	}
	if len(xs) == 0 {
		return 0, nil
	}
	// bins as wide as the sampling step: with finer ones the level
	// angle, on which the samples' rows fall exactly, would be favoured
	bins := make([]float64, (g.h+g.w)/step+1)
	score := func(deg float64) float64 {
		t := math.Tan(deg * math.Pi / 180)
		clear(bins)
		off := float64(g.w) * math.Abs(t)
		for i := range xs {
			k := int((ys[i] + xs[i]*t + off) / step)
			if k >= 0 && k < len(bins) {
				bins[k]++
			}
		}
		var s float64
		for _, b := range bins {
			s += b * b
		}
		return s
	}
	best, bestScore := 0.0, score(0)
	for _, stepDeg := range []float64{0.1, 0.02} {
		lo, hi := best-10*stepDeg, best+10*stepDeg
		if stepDeg == 0.1 {
			lo, hi = -maxSkewDeg, maxSkewDeg
		}
		for a := lo; a <= hi+1e-9; a += stepDeg {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			if s := score(a); s > bestScore {
				best, bestScore = a, s
			}
		}
	}
	return best, nil
}

// rotate returns g turned so that ink along the angle deg (as skew
// measures it) runs horizontal, with bilinear sampling; pixels from
// outside the image are paper.
func (g *grayImage) rotate(deg float64) *grayImage {
	if deg == 0 {
		return g
	}
	a := math.Atan(math.Tan(deg * math.Pi / 180))
	cos, sin := math.Cos(a), math.Sin(a)
	cx, cy := float64(g.w)/2, float64(g.h)/2
	out := &grayImage{w: g.w, h: g.h, pix: make([]byte, len(g.pix))}
	for y := 0; y < g.h; y++ {
		dy := float64(y) - cy
		for x := 0; x < g.w; x++ {
			dx := float64(x) - cx
			// a line y + x·tan(a) = c of the source comes out level
			sx := cx + cos*dx + sin*dy
			sy := cy - sin*dx + cos*dy
			out.pix[y*g.w+x] = g.sample(sx, sy)
		}
	}
	return out
}

func (g *grayImage) sample(x, y float64) byte {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < 0 || y0 < 0 || x0+1 >= g.w || y0+1 >= g.h {
		return 255
	}
	fx, fy := x-float64(x0), y-float64(y0)
	p := func(x, y int) float64 { return float64(g.pix[y*g.w+x]) }
	top := p(x0, y0)*(1-fx) + p(x0+1, y0)*fx
	bot := p(x0, y0+1)*(1-fx) + p(x0+1, y0+1)*fx
	return clampByte(top*(1-fy) + bot*fy)
}

// run is a run of ink along one pixel row (or column): at position pos,
// from a to b inclusive.
type run struct{ pos, a, b int }

// rulings finds the long straight runs of ink of a deskewed page image:
// horizontal runs of at least minH pixels and vertical ones of at least
// minV, runs on neighbouring rows joined into one line of at most maxT
// pixels' thickness. Lines come back in pixel coordinates.
func (g *grayImage) rulings(minH, minV, maxT int) (h, v []pdflayout.Rule) {
	h = joinRuns(g.runs(true, minH), maxT, true)
	v = joinRuns(g.runs(false, minV), maxT, false)
	return crossed(h, v), crossed(v, h)
}

// crossed returns the rulings of a that meet one of b.
func crossed(a, b []pdflayout.Rule) []pdflayout.Rule {
	var out []pdflayout.Rule
	for _, r := range a {
		for _, s := range b {
			if meets(r, s) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// meets reports whether rulings r and s, one horizontal and one
// vertical, touch or cross.
func meets(r, s pdflayout.Rule) bool {
	if r.Y0 != r.Y1 { // r vertical: swap
		r, s = s, r
	}
	return s.X0 >= r.X0-touchPx && s.X0 <= r.X1+touchPx && r.Y0 >= s.Y0-touchPx && r.Y0 <= s.Y1+touchPx
}

// runs lists the runs of ink of at least minLen pixels along rows
// (horizontal) or columns.
func (g *grayImage) runs(horizontal bool, minLen int) []run {
	n, m := g.h, g.w // lines, and pixels along each
	if !horizontal {
		n, m = g.w, g.h
	}
	var out []run
	for i := 0; i < n; i++ {
		start, gap := -1, 0
		for j := 0; j <= m; j++ {
			ink := false
			if j < m {
				if horizontal {
					ink = g.pix[i*g.w+j] < ruleLevel
				} else {
					ink = g.pix[j*g.w+i] < ruleLevel
				}
			}
			switch {
			case ink && start < 0:
				start, gap = j, 0
			case ink:
				gap = 0
			case start >= 0:
				gap++
				if gap > ruleGapPx || j == m {
					end := j - gap
					if end-start+1 >= minLen {
						out = append(out, run{i, start, end})
					}
					start = -1
				}
			}
		}
	}
	return out
}

// joinRuns joins runs on neighbouring lines that overlap into rulings,
// dropping those thicker than maxT.
func joinRuns(rs []run, maxT int, horizontal bool) []pdflayout.Rule {
	type band struct{ p0, p1, a, b int }
	var open, done []band
	for _, r := range rs {
		joined := false
		for i := range open {
			o := &open[i]
			if o.p1 >= r.pos-1 && r.a <= o.b && r.b >= o.a {
				o.p1, o.a, o.b = r.pos, min(o.a, r.a), max(o.b, r.b)
				joined = true
				break
			}
		}
		if !joined {
			open = append(open, band{r.pos, r.pos, r.a, r.b})
		}
		// bands no longer continued are done
		kept := open[:0]
		for _, o := range open {
			if o.p1 < r.pos-1 {
				done = append(done, o)
			} else {
				kept = append(kept, o)
			}
		}
		open = kept
	}
	done = append(done, open...)
	var out []pdflayout.Rule
	for _, b := range done {
		if b.p1-b.p0+1 > maxT {
			continue
		}
		mid := float64(b.p0+b.p1) / 2
		if horizontal {
			out = append(out, pdflayout.Rule{X0: float64(b.a), Y0: mid, X1: float64(b.b), Y1: mid})
		} else {
			out = append(out, pdflayout.Rule{X0: mid, Y0: float64(b.a), X1: mid, Y1: float64(b.b)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Y0 != out[j].Y0 {
			return out[i].Y0 < out[j].Y0
		}
		return out[i].X0 < out[j].X0
	})
	return out
}

// erase paints the rulings white, thickness t pixels each side, so that
// OCR does not read them as characters (a ruling beside a digit is read
// as 1 or |).
func (g *grayImage) erase(rules []pdflayout.Rule, t int) {
	for _, r := range rules {
		x0, x1 := int(r.X0)-t, int(r.X1)+t
		y0, y1 := int(r.Y0)-t, int(r.Y1)+t
		for y := max(y0, 0); y <= min(y1, g.h-1); y++ {
			for x := max(x0, 0); x <= min(x1, g.w-1); x++ {
				g.pix[y*g.w+x] = 255
			}
		}
	}
}

// ink counts the ink pixels in the box (pixel coordinates, clipped).
func (g *grayImage) ink(x0, y0, x1, y1 int) int {
	n := 0
	for y := max(y0, 0); y < min(y1, g.h); y++ {
		for x := max(x0, 0); x < min(x1, g.w); x++ {
			if g.pix[y*g.w+x] < inkLevel {
				n++
			}
		}
	}
	return n
}

func (g *grayImage) png() ([]byte, error) {
	m := &image.Gray{Pix: g.pix, Stride: g.w, Rect: image.Rect(0, 0, g.w, g.h)}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Shape of the crops of the digit cells in doubt, read again on their
// own (tightCrop).
const (
	// tightScale: the crop is drawn this many times larger. The engine's
	// models are trained on text some 30 pixels high; a 9 pt digit of a
	// 200 dpi scan is 18.
	tightScale = 3
	// tightPad is the white border round the ink, in pixels of the
	// scaled crop: a word alone needs paper round it to be found.
	tightPad = 24
	// minSpeckPixels: a blob of ink smaller than this (pixels of the
	// page) is noise or the stub of an erased ruling, not a stroke: the
	// dot of a decimal point at 200 dpi has some 9.
	minSpeckPixels = 6
	// tightLevel: a pixel darker than this is ink in a tight crop, lighter
	// than inkLevel: the hairlines of a serif digit (the top and bottom
	// of a 0) come out of the scanner at 150–200, and cut at inkLevel a 0
	// reads as "()" or nothing; paper after levelling is above 200.
	tightLevel = 200
)

// tightCrop cuts from the box (pixel coordinates) the ink that lies
// inside it (darker than tightLevel), specks dropped, boxed tight,
// scaled up tightScale times with bilinear sampling, binarized at
// tightLevel, and framed with paper. It reports false when the box holds no
// ink but specks.
func (g *grayImage) tightCrop(x0, y0, x1, y1 int) (*grayImage, bool) {
	x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, g.w), min(y1, g.h)
	w, h := x1-x0, y1-y0
	if w <= 0 || h <= 0 {
		return nil, false
	}
	// the blobs of ink (8-connected), and the box of those big enough
	seen := make([]bool, w*h)
	bx0, by0, bx1, by1 := w, h, -1, -1
	var stack, blob []int
	for i := range seen {
		if seen[i] || g.pix[(y0+i/w)*g.w+x0+i%w] >= tightLevel {
			continue
		}
		seen[i] = true
		stack, blob = append(stack[:0], i), blob[:0]
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			blob = append(blob, j)
			jx, jy := j%w, j/w
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := jx+dx, jy+dy
					if nx < 0 || ny < 0 || nx >= w || ny >= h {
						continue
					}
					k := ny*w + nx
					if !seen[k] && g.pix[(y0+ny)*g.w+x0+nx] < tightLevel {
						seen[k] = true
						stack = append(stack, k)
					}
				}
			}
		}
		if len(blob) < minSpeckPixels {
			continue
		}
		for _, j := range blob {
			bx0, by0 = min(bx0, j%w), min(by0, j/w)
			bx1, by1 = max(bx1, j%w), max(by1, j/w)
		}
	}
	if bx1 < 0 {
		return nil, false
	}
	// one pixel of the page round the ink, for the antialiased edge
	bx0, by0 = max(bx0-1, 0), max(by0-1, 0)
	bx1, by1 = min(bx1+1, w-1), min(by1+1, h-1)
	cw, ch := (bx1-bx0+1)*tightScale, (by1-by0+1)*tightScale
	out := &grayImage{w: cw + 2*tightPad, h: ch + 2*tightPad}
	out.pix = bytes.Repeat([]byte{255}, out.w*out.h)
	for y := 0; y < ch; y++ {
		sy := float64(y0+by0) + (float64(y)+0.5)/tightScale - 0.5
		for x := 0; x < cw; x++ {
			sx := float64(x0+bx0) + (float64(x)+0.5)/tightScale - 0.5
			if g.sample(sx, sy) < tightLevel {
				out.pix[(y+tightPad)*out.w+x+tightPad] = 0
			}
		}
	}
	return out, true
}
