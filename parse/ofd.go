package parse

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/opengov-cn/nianbao/parse/pdflayout"
)

// FormatOFD is the national fixed-layout format of GB/T 33190, a zip of
// XML pages.
const FormatOFD Format = "ofd"

// Warning codes of the OFD reader.
const (
	CodeOFDCorrupt Code = "ofd.corrupt"
	CodeOFDPage    Code = "ofd.page"
)

// Caps on what one OFD file may make the reader hold. A report is a few
// pages of a few hundred KB of XML; a county's volume tens of pages.
const (
	maxOFDEntryBytes = 32 << 20 // one XML part, uncompressed
	maxOFDEntries    = 1 << 14  // files in the zip
	maxOFDPages      = 2000
	maxOFDObjects    = 1 << 18 // text and path objects on one page
	maxOFDGlyphs     = 1 << 18 // glyphs on one page
	maxOFDPathOps    = 1 << 16 // numbers and operators of one path
)

// mmToPt turns OFD's millimetres into PDF points, in which the layout
// builder's tolerances are set.
const mmToPt = 72 / 25.4

// IsOFD reports whether data is an OFD package: a zip whose first entry
// or any entry is OFD.xml at its root.
func IsOFD(data []byte) bool {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return false
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(z.File) > maxOFDEntries {
		return false
	}
	for _, f := range z.File {
		if strings.EqualFold(strings.TrimPrefix(f.Name, "/"), "OFD.xml") {
			return true
		}
	}
	return false
}

// ParseOFD reads an OFD report: its first document's pages, each page's
// text objects as glyphs and its path objects' straight segments as
// rulings, laid out by the same table builder as PDF pages. A file it
// cannot read comes back with a non-OK Status and a warning; it returns
// an error only when ctx is done before it starts.
func ParseOFD(ctx context.Context, data []byte) (doc *Document, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, PDFTimeLimit) // the same bound as a PDF's
	defer cancel()
	doc = &Document{Format: FormatOFD, Meta: map[string]string{}}
	defer func() {
		if r := recover(); r != nil {
			doc = &Document{Format: FormatOFD, Status: StatusFailed,
				Warnings: []Warning{{Code: CodeOFDCorrupt, Message: fmt.Sprintf("malformed OFD: %v", r)}}}
		}
	}()
	pkg, err := openOFD(data)
	if err != nil {
		return ofdFailed(err), nil
	}
	pages, err := pkg.pages()
	if err != nil {
		return ofdFailed(err), nil
	}
	r := &pdfReader{doc: doc, blocks: &blockBuilder{doc: doc}}
	images := 0
	for i, loc := range pages {
		n := i + 1
		if ctx.Err() != nil {
			return timedOut(ctx, doc, n), nil
		}
		if r.capped(n) {
			break
		}
		p, err := pkg.page(ctx, loc, n)
		if err != nil {
			doc.warn(CodeOFDPage, err.Error(), Loc{Page: n})
			if p == nil {
				continue
			}
		}
		r.pagesRead++
		r.st.add(p)
		images += p.Images
		blocks, _, err := safeLayout(ctx, p, r.blocks.carry(), nil)
		if err != nil {
			doc.warn(CodePDFLayout, err.Error(), Loc{Page: n})
			continue
		}
		r.blocks.page(n, blocks)
	}
	r.blocks.finish()
	switch {
	case r.pagesRead == 0:
		doc.Status, doc.Blocks = StatusFailed, nil
		doc.warn(CodeOFDCorrupt, "no page could be read", Loc{})
		return doc, nil
	case r.st.runes < minTextRunes && images > 0:
		// a scanned OFD: its images are not read by OCR yet
		doc.Status, doc.Blocks = StatusNeedsOCR, nil
		doc.warn(CodePDFNeedsOCR, "the OFD has images but no text: it must be read by OCR", Loc{})
		return doc, nil
	case r.st.runes < minTextRunes:
		doc.Status, doc.Blocks = StatusFailed, nil
		doc.warn(CodeOFDCorrupt, "no text could be read from the OFD", Loc{})
		return doc, nil
	}
	r.blocks.markHeadings()
	doc.PositionsReliable = !r.blocks.unruled
	doc.Title = reportTitle(doc)
	return doc, nil
}

func ofdFailed(err error) *Document {
	return &Document{Format: FormatOFD, Status: StatusFailed, Warnings: []Warning{{Code: CodeOFDCorrupt, Message: err.Error()}}}
}

// ofdPackage is an opened OFD zip.
type ofdPackage struct {
	files  map[string]*zip.File // by path, without a leading slash
	docDir string               // directory of the document's Document.xml
	box    pdflayout.Rect       // the document's default page box, mm
}

func openOFD(data []byte) (*ofdPackage, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("OFD: not a zip: %w", err)
	}
	if len(z.File) > maxOFDEntries {
		return nil, fmt.Errorf("OFD: %d files in the package, more than the cap of %d", len(z.File), maxOFDEntries)
	}
	p := &ofdPackage{files: map[string]*zip.File{}}
	for _, f := range z.File {
		p.files[path.Clean("/" + f.Name)[1:]] = f
	}
	return p, nil
}

// read returns the file at name, resolved against dir as OFD resolves
// its locations (absolute from the package root, else relative).
func (p *ofdPackage) read(dir, name string) ([]byte, string, error) {
	name = strings.TrimSpace(name)
	full := path.Clean("/" + name)
	if !strings.HasPrefix(name, "/") {
		full = path.Clean("/" + dir + "/" + name)
	}
	full = full[1:]
	f, ok := p.files[full]
	if !ok {
		return nil, full, fmt.Errorf("OFD: %s: not in the package", full)
	}
	if f.UncompressedSize64 > maxOFDEntryBytes {
		return nil, full, fmt.Errorf("OFD: %s: %d bytes, more than the cap of %d", full, f.UncompressedSize64, maxOFDEntryBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, full, fmt.Errorf("OFD: %s: %w", full, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxOFDEntryBytes+1))
	if err != nil {
		return nil, full, fmt.Errorf("OFD: %s: %w", full, err)
	}
	if len(data) > maxOFDEntryBytes {
		return nil, full, fmt.Errorf("OFD: %s: more than the cap of %d bytes", full, maxOFDEntryBytes)
	}
	return data, full, nil
}

// elements calls fn for each start element of the XML in data, with its
// local name, and for its character data when text is true. The XML is
// read as a stream of tokens: no recursion on its depth.
func elements(data []byte, fn func(name string, a []xml.Attr, text func() string) error) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		text := func() string {
			var b strings.Builder
			for {
				t, err := d.Token()
				if err != nil {
					return b.String()
				}
				switch t := t.(type) {
				case xml.CharData:
					if b.Len() < maxStringBytes {
						b.Write(t)
					}
				case xml.EndElement:
					return b.String()
				case xml.StartElement:
					d.Skip()
				}
			}
		}
		if err := fn(se.Name.Local, se.Attr, text); err != nil {
			return err
		}
	}
}

// maxStringBytes caps one element's text read by elements.
const maxStringBytes = 1 << 20

func attr(a []xml.Attr, name string) string {
	for _, x := range a {
		if x.Name.Local == name {
			return x.Value
		}
	}
	return ""
}

// pages returns the locations of the first document's pages, in order.
func (p *ofdPackage) pages() ([]string, error) {
	root, _, err := p.read("", "OFD.xml")
	if err != nil {
		return nil, err
	}
	var docRoot string
	err = elements(root, func(name string, _ []xml.Attr, text func() string) error {
		if name == "DocRoot" && docRoot == "" {
			docRoot = strings.TrimSpace(text())
		}
		return nil
	})
	if err != nil || docRoot == "" {
		return nil, fmt.Errorf("OFD: OFD.xml names no DocRoot (%v)", err)
	}
	data, full, err := p.read("", docRoot)
	if err != nil {
		return nil, err
	}
	p.docDir = path.Dir(full)
	var locs []string
	err = elements(data, func(name string, a []xml.Attr, text func() string) error {
		switch name {
		case "PhysicalBox":
			if b, ok := ofdBox(text()); ok && p.box == (pdflayout.Rect{}) {
				p.box = b
			}
		case "Page":
			if l := attr(a, "BaseLoc"); l != "" && len(locs) < maxOFDPages {
				locs = append(locs, l)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("OFD: %s: %w", full, err)
	}
	if len(locs) == 0 {
		return nil, fmt.Errorf("OFD: %s lists no pages", full)
	}
	return locs, nil
}

// ofdBox reads "x y w h" as a box.
func ofdBox(s string) (pdflayout.Rect, bool) {
	f := ofdNumbers(s, 4)
	if len(f) != 4 || f[2] < 0 || f[3] < 0 {
		return pdflayout.Rect{}, false
	}
	return pdflayout.Rect{X0: f[0], Y0: f[1], X1: f[0] + f[2], Y1: f[1] + f[3]}, true
}

// ofdNumbers reads up to n numbers separated by white space; a word that
// is not a finite number ends the list.
func ofdNumbers(s string, n int) []float64 {
	var out []float64
	for _, w := range strings.Fields(s) {
		if len(out) >= n {
			break
		}
		v, err := strconv.ParseFloat(w, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			break
		}
		out = append(out, v)
	}
	return out
}

// deltas reads a DeltaX or DeltaY list, whose "g N v" repeats v N times,
// into at most n offsets.
func deltas(s string, n int) []float64 {
	ws := strings.Fields(s)
	var out []float64
	for i := 0; i < len(ws) && len(out) < n; i++ {
		if ws[i] == "g" && i+2 < len(ws) {
			k, err1 := strconv.Atoi(ws[i+1])
			v, err2 := strconv.ParseFloat(ws[i+2], 64)
			if err1 != nil || err2 != nil || k < 0 {
				break
			}
			for ; k > 0 && len(out) < n; k-- {
				out = append(out, v)
			}
			i += 2
			continue
		}
		v, err := strconv.ParseFloat(ws[i], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			break
		}
		out = append(out, v)
	}
	return out
}

// ofdObject is the text or path object being read.
type ofdObject struct {
	box  pdflayout.Rect // Boundary, mm
	ctm  [6]float64
	size float64 // text size, mm
}

// apply maps a point of the object's own space to the page, in points.
func (o *ofdObject) apply(x, y float64) (float64, float64) {
	m := o.ctm
	px, py := x*m[0]+y*m[2]+m[4], x*m[1]+y*m[3]+m[5]
	return (o.box.X0 + px) * mmToPt, (o.box.Y0 + py) * mmToPt
}

func parseObject(a []xml.Attr) ofdObject {
	o := ofdObject{ctm: [6]float64{1, 0, 0, 1, 0, 0}}
	o.box, _ = ofdBox(attr(a, "Boundary"))
	if m := ofdNumbers(attr(a, "CTM"), 6); len(m) == 6 {
		copy(o.ctm[:], m)
	}
	if v := ofdNumbers(attr(a, "Size"), 1); len(v) == 1 && v[0] > 0 {
		o.size = v[0]
	}
	return o
}

// scale is how much the object's CTM enlarges lengths.
func (o *ofdObject) scale() float64 {
	return math.Sqrt(math.Abs(o.ctm[0]*o.ctm[3] - o.ctm[1]*o.ctm[2]))
}

// page reads the page at loc into glyphs and rulings.
func (p *ofdPackage) page(ctx context.Context, loc string, n int) (*pdflayout.Page, error) {
	data, full, err := p.read(p.docDir, loc)
	if err != nil {
		return nil, err
	}
	pg := &pdflayout.Page{Number: n, Width: p.box.X1 * mmToPt, Height: p.box.Y1 * mmToPt}
	var obj ofdObject
	objects := 0
	err = elements(data, func(name string, a []xml.Attr, text func() string) error {
		if objects%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		switch name {
		case "PhysicalBox":
			if b, ok := ofdBox(text()); ok {
				pg.Width, pg.Height = b.X1*mmToPt, b.Y1*mmToPt
			}
		case "TextObject", "PathObject":
			if objects++; objects > maxOFDObjects {
				return fmt.Errorf("more than the cap of %d objects on the page", maxOFDObjects)
			}
			obj = parseObject(a)
		case "TextCode":
			if len(pg.Glyphs) < maxOFDGlyphs {
				pg.Glyphs = append(pg.Glyphs, obj.glyphs(a, text())...)
			}
		case "ImageObject":
			pg.Images++
		case "AbbreviatedData":
			pg.Rules = append(pg.Rules, obj.rules(text())...)
		}
		return nil
	})
	if err != nil {
		return pg, fmt.Errorf("page %d (%s): %w", n, full, err)
	}
	return pg, nil
}

// glyphs places the characters of a TextCode: the first at X, Y (its
// baseline), each next one DeltaX (and DeltaY) further on, or one size
// on when the deltas run out.
func (o *ofdObject) glyphs(a []xml.Attr, s string) []pdflayout.Glyph {
	s = strings.ToValidUTF8(s, "\uFFFD")
	n := utf8.RuneCountInString(s)
	if n == 0 || o.size == 0 {
		return nil
	}
	n = min(n, maxStringGlyphs)
	x0 := ofdNumbers(attr(a, "X"), 1)
	y0 := ofdNumbers(attr(a, "Y"), 1)
	if len(x0) == 0 || len(y0) == 0 {
		return nil
	}
	dx, dy := deltas(attr(a, "DeltaX"), n-1), deltas(attr(a, "DeltaY"), n-1)
	x, y := x0[0], y0[0]
	size := o.size * o.scale() * mmToPt
	out := make([]pdflayout.Glyph, 0, n)
	i := 0
	for _, r := range s {
		if i >= n {
			break
		}
		w := o.size
		if r < 0x2E80 {
			w = o.size / 2 // Latin letters and digits are set half an em wide
		}
		if i < len(dx) {
			w = min(w, dx[i])
		}
		// the em box: from 0.88 em above the baseline to 0.12 below
		ax, ay := o.apply(x, y-0.88*o.size)
		bx, by := o.apply(x+w, y+0.12*o.size)
		out = append(out, pdflayout.Glyph{Text: string(r), Size: size,
			BBox: pdflayout.Rect{X0: min(ax, bx), Y0: min(ay, by), X1: max(ax, bx), Y1: max(ay, by)}})
		if i < len(dx) {
			x += dx[i]
		} else {
			x += w
		}
		if i < len(dy) {
			y += dy[i]
		}
		i++
	}
	return out
}

// maxStringGlyphs caps the characters of one TextCode.
const maxStringGlyphs = 1 << 16

// rules returns the straight horizontal and vertical segments of a path
// (M, L and C of AbbreviatedData; curves are skipped): the rulings of a
// table.
func (o *ofdObject) rules(data string) []pdflayout.Rule {
	ws := strings.Fields(data)
	if len(ws) > maxOFDPathOps {
		ws = ws[:maxOFDPathOps]
	}
	var out []pdflayout.Rule
	var cx, cy, sx, sy float64
	has := false
	num := func(i int) (float64, bool) {
		if i >= len(ws) {
			return 0, false
		}
		v, err := strconv.ParseFloat(ws[i], 64)
		return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	line := func(x, y float64) {
		if has {
			if r, ok := o.segment(cx, cy, x, y); ok {
				out = append(out, r)
			}
		}
		cx, cy = x, y
	}
	args := map[string]int{"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
	for i := 0; i < len(ws); {
		op := ws[i]
		k, ok := args[op]
		if !ok {
			i++ // a stray number or an unknown operator
			continue
		}
		var v [7]float64
		good := true
		for j := 0; j < k; j++ {
			v[j], ok = num(i + 1 + j)
			good = good && ok
		}
		i += 1 + k
		if !good {
			continue
		}
		switch op {
		case "M", "S":
			cx, cy, sx, sy, has = v[0], v[1], v[0], v[1], true
		case "L":
			line(v[0], v[1])
		case "C":
			line(sx, sy)
		case "Q":
			cx, cy = v[2], v[3]
		case "B":
			cx, cy = v[4], v[5]
		case "A":
			cx, cy = v[5], v[6]
		}
	}
	return out
}

// segment is the ruling from (x0, y0) to (x1, y1) in the object's space,
// if it is horizontal or vertical on the page.
func (o *ofdObject) segment(x0, y0, x1, y1 float64) (pdflayout.Rule, bool) {
	ax, ay := o.apply(x0, y0)
	bx, by := o.apply(x1, y1)
	const tol = 0.1 // points
	switch {
	case math.Abs(ay-by) <= tol && math.Abs(ax-bx) > tol:
		y := (ay + by) / 2
		return pdflayout.Rule{X0: min(ax, bx), Y0: y, X1: max(ax, bx), Y1: y}, true
	case math.Abs(ax-bx) <= tol && math.Abs(ay-by) > tol:
		x := (ax + bx) / 2
		return pdflayout.Rule{X0: x, Y0: min(ay, by), X1: x, Y1: max(ay, by)}, true
	}
	return pdflayout.Rule{}, false
}
