package pdflayout

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/ledongthuc/pdf"
)

type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (apply m first, then n).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

// gstate is the part of the graphics state the layout layer needs,
// including the text state parameters, which q/Q save and restore.
type gstate struct {
	ctm         matrix
	strokeWhite bool
	fillWhite   bool
	font        *font
	fs          float64 // Tf size
	tc, tw, th  float64 // char spacing, word spacing, horizontal scale (1 = 100%)
	tl, rise    float64
}

// Limits per page that bound the time and memory a hostile page can take.
const (
	maxOps = 4 << 20
	// maxGlyphs is the most glyphs kept per page. A dense page of 6 pt
	// text holds about 20,000, fake bold drawn four times over 80,000;
	// 262,144 glyphs cost about 20 MB. Codes past it are not decoded.
	maxGlyphs = 1 << 18
	// maxStringGlyphs is the most glyphs one string shows. A string is
	// drawn along one line: even at 1 pt a line across an A0 sheet holds
	// a few thousand glyphs. Codes past it are not decoded at all, so a
	// string of 60 MB costs no more than one of 65,536 codes.
	maxStringGlyphs = 1 << 16
	maxRules        = 1 << 18
	maxOperands     = 1 << 12
	maxFormDepth    = 12
	maxSaveDepth    = 1024      // q without Q: graphics states saved
	maxPageBytes    = 256 << 20 // content (forms drawn repeatedly count each time)
)

var errLimit = errors.New("page exceeds the layout layer's limits")

// interp runs the content streams of one page.
type interp struct {
	ctx    context.Context
	doc    *Doc
	page   *Page
	toPage matrix // user space → top-down page coordinates
	gs     gstate
	stack  []gstate
	tm     matrix
	tlm    matrix
	ops    int
	bytes  int               // content bytes interpreted, forms included
	forms  map[objKey]bool   // form XObjects on the current Do chain
	cache  map[objKey][]byte // decoded form XObjects, by XObject dictionary entry
	depth  int
	st     *stopper // the page's context, looked at as tokens are read
	// what the limits cut, reported once per page
	cutStrings, cutGlyphs int
	// current path
	path    []pathSeg
	sub     int // subpaths begun so far
	cur     [2]float64
	start   [2]float64
	hasCur  bool
	operand []operand
}

type pathSeg struct {
	x0, y0, x1, y1 float64 // user space (CTM already applied)
	sub            int     // index of the subpath (m or re) the segment belongs to
}

type operand struct {
	token
	arr []token // for an array operand
}

// run interprets a content stream with the given resources.
func (in *interp) run(content []byte, res pdf.Value) error {
	in.bytes += len(content)
	if in.bytes > maxPageBytes {
		return errLimit
	}
	rs := &resources{v: res}
	lx := &lexer{b: content, st: in.stopper()}
	defer func() { in.cutStrings += lx.cut }()
	in.operand = in.operand[:0]
	for {
		t := lx.next()
		switch t.kind {
		case tokEOF:
			return in.st.err
		case tokOp:
			in.ops++
			if in.ops > maxOps {
				return errLimit
			}
			if t.s == "ID" {
				lx.skipInlineImage()
				in.page.Images++
				in.operand = in.operand[:0]
				continue
			}
			if err := in.exec(t.s, in.operand, rs); err != nil {
				return err
			}
			in.operand = in.operand[:0]
		case tokArrOpen:
			at := lx.pos
			arr, closed := readArray(lx)
			if !closed && in.st.err == nil {
				in.warn(WarnContent, fmt.Sprintf("content stream ends inside the array opened at byte %d: the rest is not read", at-1))
			}
			in.push(operand{token: token{kind: tokArrOpen}, arr: arr})
		case tokDictOpen:
			at := lx.pos
			if !skipDict(lx) && in.st.err == nil {
				in.warn(WarnContent, fmt.Sprintf("content stream ends inside the dictionary opened at byte %d: the rest is not read", at-2))
			}
			in.push(operand{token: token{kind: tokDictOpen}})
		case tokArrClose, tokDictClose:
			// stray closer: ignore
		default:
			in.push(operand{token: t})
		}
	}
}

// stopper returns the stopper of the page's context, made at first use.
func (in *interp) stopper() *stopper {
	if in.st == nil {
		in.st = &stopper{ctx: in.ctx}
	}
	return in.st
}

// reportCuts warns about what the limits on strings and glyphs cut.
func (in *interp) reportCuts() {
	switch n := max(in.cutStrings, in.cutGlyphs); {
	case n == 1:
		in.warn(WarnLimit, fmt.Sprintf("a string longer than the cap of %d character codes: the rest of it is not read", maxStringGlyphs))
	case n > 1:
		in.warn(WarnLimit, fmt.Sprintf("%d strings longer than the cap of %d character codes: the rest of each is not read", n, maxStringGlyphs))
	}
	if len(in.page.Glyphs) >= maxGlyphs {
		in.warn(WarnLimit, fmt.Sprintf("more than the cap of %d glyphs on the page: the rest are not read", maxGlyphs))
	}
}

func (in *interp) push(op operand) {
	if len(in.operand) < maxOperands {
		in.operand = append(in.operand, op)
	}
}

// maxArrayItems is the most elements kept of one array of a content
// stream: a TJ array holds a line's strings and kerning numbers, a dash
// pattern or colour a few numbers.
const maxArrayItems = 1 << 16

// readArray reads array elements up to the closing bracket; nested arrays
// and dictionaries are skipped (counted, not recursed into, so that a
// stream of brackets cannot exhaust the stack). Elements past
// maxArrayItems are skipped, and the array counted among those cut. It
// reports false if the input ends before the array does.
func readArray(lx *lexer) (out []token, closed bool) {
	nested := 0
	full := false
	for {
		t := lx.next()
		switch t.kind {
		case tokEOF:
			if full {
				lx.cut++
			}
			return out, false
		case tokArrClose:
			if nested == 0 {
				if full {
					lx.cut++
				}
				return out, true
			}
			nested--
		case tokArrOpen:
			nested++
		case tokDictOpen:
			skipDict(lx)
		default:
			if nested > 0 {
				continue
			}
			if len(out) < maxArrayItems {
				out = append(out, t)
			} else {
				full = true
			}
		}
	}
}

// skipDict skips a dictionary whose "<<" lx has just read, counting the
// dictionaries inside it rather than recursing into them. It reports
// false if the input ends before the dictionary does.
func skipDict(lx *lexer) bool {
	for depth := 1; depth > 0; {
		switch lx.next().kind {
		case tokEOF:
			return false
		case tokDictOpen:
			depth++
		case tokDictClose:
			depth--
		}
	}
	return true
}

// nums returns the last n operands as numbers, or false if there are fewer
// or they are not numbers.
func nums(ops []operand, n int) ([]float64, bool) {
	if len(ops) < n {
		return nil, false
	}
	out := make([]float64, n)
	for i, op := range ops[len(ops)-n:] {
		if op.kind != tokNum {
			return nil, false
		}
		out[i] = op.num
	}
	return out, true
}

func last(ops []operand, kind tokKind) (operand, bool) {
	if len(ops) == 0 || ops[len(ops)-1].kind != kind {
		return operand{}, false
	}
	return ops[len(ops)-1], true
}

// exec runs one operator of the graphics state, paths and XObjects, and
// hands text operators to textOp.
func (in *interp) exec(op string, ops []operand, res *resources) error {
	switch op {
	case "q":
		if len(in.stack) < maxSaveDepth {
			in.stack = append(in.stack, in.gs)
		}
	case "Q":
		if n := len(in.stack); n > 0 {
			in.gs = in.stack[n-1]
			in.stack = in.stack[:n-1]
		}
	case "cm":
		if a, ok := nums(ops, 6); ok {
			in.gs.ctm = matrix{a[0], a[1], a[2], a[3], a[4], a[5]}.mul(in.gs.ctm)
		}
	case "RG", "G", "K", "SC", "SCN", "rg", "g", "k", "sc", "scn":
		in.setColor(op, ops)
	case "CS":
		in.gs.strokeWhite = false
	case "cs":
		in.gs.fillWhite = false
	case "m", "l", "c", "v", "y", "h", "re":
		in.pathOp(op, ops)
	case "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n":
		in.paint(op)
	case "Do":
		if n, ok := last(ops, tokName); ok {
			return in.doXObject(n.s, res.v)
		}
	case "BI":
		// inline image dictionary follows; its data is skipped at ID
	default:
		in.textOp(op, ops, res)
	}
	return nil
}

// textOp runs one operator of the text state, text positioning or text
// showing.
func (in *interp) textOp(op string, ops []operand, res *resources) {
	switch op {
	case "BT":
		in.tm, in.tlm = identity, identity
	case "Tf":
		if a, ok := nums(ops, 1); ok && len(ops) >= 2 && ops[len(ops)-2].kind == tokName {
			in.gs.fs = a[0]
			in.gs.font = in.font(ops[len(ops)-2].s, res)
		}
	case "Tc", "Tw", "Tz", "TL", "Ts":
		if a, ok := nums(ops, 1); ok {
			in.setTextParam(op, a[0])
		}
	case "Td", "TD":
		if a, ok := nums(ops, 2); ok {
			if op == "TD" {
				in.gs.tl = -a[1]
			}
			in.moveText(a[0], a[1])
		}
	case "Tm":
		if a, ok := nums(ops, 6); ok {
			in.tm = matrix{a[0], a[1], a[2], a[3], a[4], a[5]}
			in.tlm = in.tm
		}
	case "T*":
		in.moveText(0, -in.gs.tl)
	case "Tj", "'", "\"":
		if op == "\"" && len(ops) >= 3 && ops[len(ops)-3].kind == tokNum && ops[len(ops)-2].kind == tokNum {
			in.gs.tw, in.gs.tc = ops[len(ops)-3].num, ops[len(ops)-2].num
		}
		if op != "Tj" {
			in.moveText(0, -in.gs.tl)
		}
		if s, ok := last(ops, tokStr); ok {
			in.show(s.s)
		}
	case "TJ":
		if a, ok := last(ops, tokArrOpen); ok {
			in.showArray(a.arr)
		}
	}
}

// setTextParam sets the text state parameter of operator op.
func (in *interp) setTextParam(op string, v float64) {
	switch op {
	case "Tc":
		in.gs.tc = v
	case "Tw":
		in.gs.tw = v
	case "Tz":
		in.gs.th = v / 100 // given in percent
	case "TL":
		in.gs.tl = v
	case "Ts":
		in.gs.rise = v
	}
}

// setColor records whether the current stroke or fill colour is white, so
// that white "erasing" lines are not taken for rulings. One component is
// gray, three RGB, four CMYK (white when all are zero); pattern names and
// other colour spaces count as not white.
func (in *interp) setColor(op string, ops []operand) {
	var vals []float64
	for _, o := range ops {
		if o.kind == tokNum {
			vals = append(vals, o.num)
		}
	}
	white := false
	switch len(vals) {
	case 1:
		white = vals[0] >= 0.99
	case 3:
		white = vals[0] >= 0.99 && vals[1] >= 0.99 && vals[2] >= 0.99
	case 4:
		white = vals[0]+vals[1]+vals[2]+vals[3] <= 0.01
	}
	switch op {
	case "RG", "G", "K", "SC", "SCN":
		in.gs.strokeWhite = white
	default:
		in.gs.fillWhite = white
	}
}

func (in *interp) moveText(tx, ty float64) {
	in.tlm = matrix{1, 0, 0, 1, tx, ty}.mul(in.tlm)
	in.tm = in.tlm
}

// resources is the resource dictionary of one content stream, with the
// fonts looked up in it.
type resources struct {
	v     pdf.Value
	fonts map[string]*font // by name, nil until the first lookup
	dict  pdf.Value        // its /Font dictionary,
	key   objKey           // and that dictionary's content key
}

func (in *interp) font(name string, res *resources) *font {
	if f, ok := res.fonts[name]; ok {
		return f
	}
	if res.fonts == nil {
		res.fonts = map[string]*font{}
		res.dict = res.v.Key("Font")
		res.key = contentKey(res.dict)
	}
	f := in.doc.resourceFont(res.dict, entryKey(res.key, name), name, in.warn, in.stopper())
	res.fonts[name] = f
	return f
}

// maxPageWarnings bounds the warnings of one page that a hostile file can
// repeat at every operator.
const maxPageWarnings = 50

func (in *interp) warn(kind WarnKind, msg string) {
	if len(in.page.Warnings) < maxPageWarnings {
		in.page.warn(kind, msg)
	}
}

func (in *interp) showArray(arr []token) {
	for _, t := range arr {
		switch t.kind {
		case tokStr:
			in.show(t.s)
		case tokNum:
			in.adjust(t.num)
		}
	}
}

// adjust applies a TJ number: a displacement in thousandths of a unit of
// text space, against the writing direction.
func (in *interp) adjust(n float64) {
	f := in.gs.font
	d := -n / 1000 * in.gs.fs
	if f != nil && f.vertical {
		in.tm = matrix{1, 0, 0, 1, 0, d}.mul(in.tm)
		return
	}
	in.tm = matrix{1, 0, 0, 1, d * in.hscale(), 0}.mul(in.tm)
}

func (in *interp) hscale() float64 {
	if in.gs.th == 0 {
		return 1
	}
	return in.gs.th
}

// show draws a string: one Glyph per character code, advancing the text
// matrix by the glyph widths and spacing.
func (in *interp) show(s string) {
	f := in.gs.font
	if f == nil {
		f = in.doc.fallbackFont()
	}
	room := maxGlyphs - len(in.page.Glyphs)
	if room <= 0 {
		return // the page is full; reportCuts says so
	}
	var buf [64]glyph
	gl, cut := f.decodeString(s, buf[:0], min(room, maxStringGlyphs))
	if cut && room > maxStringGlyphs {
		in.cutGlyphs++
	}
	fs, th := in.gs.fs, in.hscale()
	for _, g := range gl {
		trm := matrix{fs * th, 0, 0, fs, 0, in.gs.rise}.mul(in.tm).mul(in.gs.ctm)
		var box Rect
		if f.vertical {
			vy := f.dw2[0] / 1000
			box = in.box(trm, -g.w0/2, f.descent-vy, g.w0/2, f.ascent-vy)
		} else {
			box = in.box(trm, 0, f.descent, g.w0, f.ascent)
		}
		if len(in.page.Glyphs) < maxGlyphs && finite(box.X0, box.Y0, box.X1, box.Y1) {
			size := math.Hypot(trm[2], trm[3])
			in.page.Glyphs = append(in.page.Glyphs, Glyph{Text: g.text, BBox: box, Size: size, Vertical: f.vertical, Dir: in.dir(trm)})
		}
		spacing := in.gs.tc
		if g.space {
			spacing += in.gs.tw
		}
		if f.vertical {
			ty := g.w1*fs + spacing
			in.tm = matrix{1, 0, 0, 1, 0, ty}.mul(in.tm)
		} else {
			tx := (g.w0*fs + spacing) * th
			in.tm = matrix{1, 0, 0, 1, tx, 0}.mul(in.tm)
		}
	}
}

// dir is the direction, on the page, of the baseline of text drawn with
// text rendering matrix trm.
func (in *interp) dir(trm matrix) int {
	m := trm.mul(in.toPage)
	dx, dy := m[0], m[1]
	switch {
	case math.Abs(dx) >= math.Abs(dy) && dx >= 0:
		return 0
	case math.Abs(dx) >= math.Abs(dy):
		return 180
	case dy > 0:
		return 90
	}
	return 270
}

// box maps a rectangle of glyph space (scaled by the font size in trm) to a
// page rectangle.
func (in *interp) box(trm matrix, x0, y0, x1, y1 float64) Rect {
	m := trm.mul(in.toPage)
	r := Rect{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range [4][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		x, y := m.apply(p[0], p[1])
		r.X0, r.Y0, r.X1, r.Y1 = min(r.X0, x), min(r.Y0, y), max(r.X1, x), max(r.Y1, y)
	}
	return r
}

func (in *interp) pathOp(op string, ops []operand) {
	switch op {
	case "m":
		if a, ok := nums(ops, 2); ok {
			in.cur[0], in.cur[1] = in.gs.ctm.apply(a[0], a[1])
			in.start, in.hasCur = in.cur, true
			in.sub++
		}
	case "l":
		if a, ok := nums(ops, 2); ok {
			x, y := in.gs.ctm.apply(a[0], a[1])
			if in.hasCur {
				in.addSeg(pathSeg{x0: in.cur[0], y0: in.cur[1], x1: x, y1: y})
			}
			in.cur, in.hasCur = [2]float64{x, y}, true
		}
	case "c", "v", "y":
		// curves are never rulings; only the current point moves
		n := map[string]int{"c": 6, "v": 4, "y": 4}[op]
		if a, ok := nums(ops, n); ok {
			in.cur[0], in.cur[1] = in.gs.ctm.apply(a[n-2], a[n-1])
		}
	case "h":
		if in.hasCur && (in.cur != in.start) {
			in.addSeg(pathSeg{x0: in.cur[0], y0: in.cur[1], x1: in.start[0], y1: in.start[1]})
		}
		in.cur = in.start
	case "re":
		a, ok := nums(ops, 4)
		if !ok {
			return
		}
		x, y, w, h := a[0], a[1], a[2], a[3]
		in.sub++
		pts := [5][2]float64{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}, {x, y}}
		for i := 0; i < 4; i++ {
			x0, y0 := in.gs.ctm.apply(pts[i][0], pts[i][1])
			x1, y1 := in.gs.ctm.apply(pts[i+1][0], pts[i+1][1])
			in.addSeg(pathSeg{x0: x0, y0: y0, x1: x1, y1: y1})
		}
		in.cur[0], in.cur[1] = in.gs.ctm.apply(x, y)
		in.start, in.hasCur = in.cur, true
	}
}

func (in *interp) addSeg(s pathSeg) {
	s.sub = in.sub
	if len(in.path) < maxRules {
		in.path = append(in.path, s)
	}
}

// paint turns the current path into rulings: stroked straight segments,
// and filled rectangles thin enough to be lines.
func (in *interp) paint(op string) {
	path := in.path
	in.path, in.hasCur = in.path[:0], false
	stroke := op == "S" || op == "s" || op == "B" || op == "B*" || op == "b" || op == "b*"
	fill := op != "S" && op != "s" && op != "n"
	if stroke && !in.gs.strokeWhite {
		for _, s := range path {
			in.addRule(s.x0, s.y0, s.x1, s.y1)
		}
	}
	if fill && !in.gs.fillWhite {
		in.thinRects(path)
	}
}

// thinRects adds the filled subpaths of a path that are rectangles (re,
// or polygons of horizontal and vertical sides) at most a few points
// thick as rulings along their long axis.
func (in *interp) thinRects(path []pathSeg) {
	for i := 0; i < len(path); {
		j := i
		for j < len(path) && path[j].sub == path[i].sub {
			j++
		}
		in.thinRect(path[i:j])
		i = j
	}
}

func (in *interp) thinRect(sub []pathSeg) {
	if len(sub) < 2 {
		return
	}
	r := Rect{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, s := range sub {
		x0, y0 := in.toPage.apply(s.x0, s.y0)
		x1, y1 := in.toPage.apply(s.x1, s.y1)
		if math.Abs(x1-x0) > 0.01 && math.Abs(y1-y0) > 0.01 {
			return // a slanted side: not a rectangle
		}
		r.X0, r.Y0, r.X1, r.Y1 = min(r.X0, x0, x1), min(r.Y0, y0, y1), max(r.X1, x0, x1), max(r.Y1, y0, y1)
	}
	const thin = 2.5
	switch {
	case r.h() <= thin && r.w() > r.h():
		in.addPageRule(r.X0, r.cy(), r.X1, r.cy())
	case r.w() <= thin && r.h() > r.w():
		in.addPageRule(r.cx(), r.Y0, r.cx(), r.Y1)
	}
}

// addRule adds a user-space segment if it is horizontal or vertical.
func (in *interp) addRule(x0, y0, x1, y1 float64) {
	x0, y0 = in.toPage.apply(x0, y0)
	x1, y1 = in.toPage.apply(x1, y1)
	in.addPageRule(x0, y0, x1, y1)
}

func (in *interp) addPageRule(x0, y0, x1, y1 float64) {
	if len(in.page.Rules) >= maxRules || !finite(x0, y0, x1, y1) {
		return
	}
	const tol = 0.8
	switch {
	case math.Abs(y1-y0) <= tol && math.Abs(x1-x0) > tol:
		y := (y0 + y1) / 2
		in.page.Rules = append(in.page.Rules, Rule{min(x0, x1), y, max(x0, x1), y})
	case math.Abs(x1-x0) <= tol && math.Abs(y1-y0) > tol:
		x := (x0 + x1) / 2
		in.page.Rules = append(in.page.Rules, Rule{x, min(y0, y1), x, max(y0, y1)})
	}
}

// doXObject draws XObject name of resources res: an image is counted, a
// form run. A form that draws itself, directly or further down, is drawn
// once, with a warning.
func (in *interp) doXObject(name string, res pdf.Value) error {
	xobjects := res.Key("XObject")
	xo := xobjects.Key(name)
	switch xo.Key("Subtype").Name() {
	case "Image":
		in.page.Images++
		return nil
	case "Form":
	default:
		return nil
	}
	if in.depth >= maxFormDepth {
		in.warn(WarnLimit, fmt.Sprintf("form XObject %s: forms nested deeper than the cap of %d are not drawn", name, maxFormDepth))
		return nil
	}
	data, rerr := in.formData(entryKey(contentKey(xobjects), name), xo)
	self := streamKey(xo, data)
	if in.forms[self] {
		in.warn(WarnXObject, fmt.Sprintf("form XObject %s: recursion", name))
		return nil
	}
	if rerr != nil {
		in.warn(WarnXObject, fmt.Sprintf("form XObject %s: %v", name, rerr))
	}
	if in.forms == nil {
		in.forms = map[objKey]bool{}
	}
	in.forms[self] = true
	defer delete(in.forms, self)
	return in.runForm(xo, data, res)
}

// formData returns the decoded content of form xo, read once per page;
// the error is that of the first reading.
func (in *interp) formData(k objKey, xo pdf.Value) ([]byte, error) {
	if data, ok := in.cache[k]; ok {
		return data, nil
	}
	data, err := readStream(xo, maxStreamBytes)
	if in.cache == nil {
		in.cache = map[objKey][]byte{}
	}
	in.cache[k] = data
	return data, err
}

// runForm draws form xo, whose content is data, with the graphics and
// text state saved around it.
func (in *interp) runForm(xo pdf.Value, data []byte, res pdf.Value) error {
	saved, savedStack, savedOps := in.gs, len(in.stack), in.operand
	in.operand = nil
	if m := xo.Key("Matrix"); m.Len() == 6 {
		var a matrix
		for i := range a {
			a[i] = m.Index(i).Float64()
		}
		in.gs.ctm = a.mul(in.gs.ctm)
	}
	sub := xo.Key("Resources")
	if sub.Kind() != pdf.Dict {
		sub = res
	}
	in.depth++
	tm, tlm := in.tm, in.tlm
	err := in.run(data, sub)
	in.depth--
	in.gs, in.stack, in.operand = saved, in.stack[:min(savedStack, len(in.stack))], savedOps[:0]
	in.tm, in.tlm = tm, tlm
	return err
}

// finite reports whether all of vs are ordinary numbers (a hostile matrix
// can produce infinities and NaN).
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e7 {
			return false
		}
	}
	return true
}
