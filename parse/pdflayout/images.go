package pdflayout

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	"github.com/ledongthuc/pdf"
)

// PageImage is an image a page draws, as a file an image decoder reads:
// a DCTDecode stream is a JPEG file as it is stored; a Flate or
// unfiltered image is re-encoded as PNG. It is what OCR reads of a scan.
type PageImage struct {
	Format        string // "jpeg" or "png"
	Data          []byte
	Width, Height int // in pixels, as the image dictionary gives them
	// M maps the image's unit square (0,0 bottom left, 1,1 top right,
	// as PDF image space) to page coordinates (points, top-down, after
	// /Rotate), so a pixel's place on the page is known.
	M [6]float64
}

// Caps on the images read for OCR. A scan is one image per page; an
// A3 page at 600 dpi is 70 million pixels, more than OCR needs (it reads
// 300 dpi best) and more than a worker should hold: images past
// MaxImagePixels are not read, with a warning.
const (
	MaxImagePixels = 60 << 20
	maxPageImages  = 64 // images read on one page: a scan has one, a page of thumbnails more
)

// PageImages returns the images page n draws, in drawing order, with the
// warnings of what it could not read (filters it does not decode, images
// past the caps). Images inside form XObjects are read too.
func (d *Doc) PageImages(ctx context.Context, n int) (out []PageImage, ws []Warning, err error) {
	if n < 1 || n > len(d.pages) {
		return nil, nil, fmt.Errorf("page %d: out of range", n)
	}
	defer func() {
		if r := recover(); r != nil {
			rethrowOwn(r)
			err = fmt.Errorf("page %d: malformed image: %v", n, r)
		}
	}()
	ref := d.pages[n-1]
	box := ref.box()
	ir := &imageReader{doc: d, st: &stopper{ctx: ctx}, page: n, w: box[2] - box[0], h: box[3] - box[1]}
	ir.toPage = matrix{1, 0, 0, -1, -box[0], box[3]}.mul(rotation(int(ref.rotate.Int64()%360), ir.w, ir.h))
	content, rerr := readStream(ref.v.Key("Contents"), maxStreamBytes)
	if rerr != nil {
		ir.warn(WarnContent, fmt.Sprintf("content stream: %v", rerr))
	}
	ir.run(content, ref.resources, identity, 0)
	if ir.st.err != nil {
		return ir.out, ir.ws, fmt.Errorf("page %d: %w", n, ir.st.err)
	}
	return ir.out, ir.ws, nil
}

// rotation is the matrix that turns top-down page coordinates clockwise
// by deg (a multiple of 90), as Page.rotate does; other angles are not
// turned.
func rotation(deg int, w, h float64) matrix {
	switch (deg + 360) % 360 {
	case 90:
		return matrix{0, 1, -1, 0, h, 0}
	case 180:
		return matrix{-1, 0, 0, -1, w, h}
	case 270:
		return matrix{0, -1, 1, 0, 0, w}
	}
	return identity
}

// imageReader walks a page's content for the images it draws: only the
// CTM and the XObjects matter.
type imageReader struct {
	doc    *Doc
	st     *stopper
	page   int
	w, h   float64
	toPage matrix
	out    []PageImage
	ws     []Warning
	bytes  int
}

func (ir *imageReader) warn(k WarnKind, msg string) {
	ir.ws = append(ir.ws, Warning{Kind: k, Page: ir.page, Msg: msg})
}

// run interprets content with resources res under the matrix ctm; depth
// counts the forms it is drawn in (capped by maxFormDepth, so recursion
// is bounded whatever the file).
func (ir *imageReader) run(content []byte, res pdf.Value, ctm matrix, depth int) {
	ir.bytes += len(content)
	if ir.bytes > maxPageBytes {
		ir.warn(WarnLimit, "page content larger than the cap: the rest is not read for images")
		return
	}
	lx := &lexer{b: content, st: ir.st}
	var stack []matrix
	var ops []token
	for {
		t := lx.next()
		switch t.kind {
		case tokEOF:
			return
		case tokArrOpen:
			readArray(lx)
			ops = ops[:0]
			continue
		case tokDictOpen:
			skipDict(lx)
			continue
		case tokOp:
		default:
			if len(ops) < maxOperands {
				ops = append(ops, t)
			}
			continue
		}
		switch t.s {
		case "q":
			if len(stack) < maxSaveDepth {
				stack = append(stack, ctm)
			}
		case "Q":
			if k := len(stack); k > 0 {
				ctm, stack = stack[k-1], stack[:k-1]
			}
		case "cm":
			if a, ok := numTokens(ops, 6); ok {
				ctm = matrix{a[0], a[1], a[2], a[3], a[4], a[5]}.mul(ctm)
			}
		case "ID":
			lx.skipInlineImage()
			ir.warn(WarnXObject, "inline image: not read for OCR")
		case "Do":
			if k := len(ops); k > 0 && ops[k-1].kind == tokName {
				ir.do(ops[k-1].s, res, ctm, depth)
			}
		}
		ops = ops[:0]
	}
}

func numTokens(ts []token, n int) ([]float64, bool) {
	if len(ts) < n {
		return nil, false
	}
	out := make([]float64, n)
	for i, t := range ts[len(ts)-n:] {
		if t.kind != tokNum {
			return nil, false
		}
		out[i] = t.num
	}
	return out, true
}

// do draws XObject name: an image is read, a form walked.
func (ir *imageReader) do(name string, res pdf.Value, ctm matrix, depth int) {
	xo := res.Key("XObject").Key(name)
	switch xo.Key("Subtype").Name() {
	case "Image":
		if len(ir.out) >= maxPageImages {
			ir.warn(WarnLimit, fmt.Sprintf("more than the cap of %d images on the page: the rest are not read", maxPageImages))
			return
		}
		img, err := ir.doc.readImage(xo)
		if err != nil {
			ir.warn(WarnXObject, fmt.Sprintf("image %s: %v", name, err))
			return
		}
		img.M = ctm.mul(ir.toPage)
		ir.out = append(ir.out, img)
	case "Form":
		if depth >= maxFormDepth {
			ir.warn(WarnLimit, fmt.Sprintf("form XObject %s: forms nested deeper than the cap of %d are not read", name, maxFormDepth))
			return
		}
		data, err := readStream(xo, maxStreamBytes)
		if err != nil {
			ir.warn(WarnXObject, fmt.Sprintf("form XObject %s: %v", name, err))
		}
		if m := xo.Key("Matrix"); m.Len() == 6 {
			var a matrix
			for i := range a {
				a[i] = m.Index(i).Float64()
			}
			ctm = a.mul(ctm)
		}
		sub := xo.Key("Resources")
		if sub.Kind() != pdf.Dict {
			sub = res
		}
		ir.run(data, sub, ctm, depth+1)
	}
}

// readImage returns the image stream xo as a JPEG or PNG file.
func (d *Doc) readImage(xo pdf.Value) (PageImage, error) {
	w, h := xo.Key("Width").Int64(), xo.Key("Height").Int64()
	if w <= 0 || h <= 0 {
		return PageImage{}, fmt.Errorf("size %d×%d", w, h)
	}
	if w*h > MaxImagePixels || w > 1<<16 || h > 1<<16 {
		return PageImage{}, fmt.Errorf("%d×%d pixels, more than the cap of %d: not read", w, h, MaxImagePixels)
	}
	img := PageImage{Width: int(w), Height: int(h)}
	filters := filterNames(xo.Key("Filter"))
	switch {
	case len(filters) == 1 && filters[0] == "DCTDecode":
		data, err := d.rawStream(xo)
		if err != nil {
			return PageImage{}, err
		}
		img.Format, img.Data = "jpeg", data
		return img, nil
	case len(filters) == 0 || len(filters) == 1 && filters[0] == "FlateDecode":
		data, err := d.pngImage(xo, int(w), int(h))
		if err != nil {
			return PageImage{}, err
		}
		img.Format, img.Data = "png", data
		return img, nil
	}
	return PageImage{}, fmt.Errorf("encoded with %s, which is not read", strings.Join(filters, ", "))
}

func filterNames(f pdf.Value) []string {
	switch f.Kind() {
	case pdf.Name:
		return []string{f.Name()}
	case pdf.Array:
		var out []string
		for i := 0; i < f.Len() && i < 8; i++ {
			out = append(out, f.Index(i).Name())
		}
		return out
	}
	return nil
}

// rawStream returns the bytes stream v stores, undecoded. The library
// has no accessor for them: its String of a stream ends in "@offset",
// the offset of the data in the bytes it reads.
func (d *Doc) rawStream(v pdf.Value) ([]byte, error) {
	if d.r.Trailer().Key("Encrypt").Kind() != pdf.Null {
		return nil, fmt.Errorf("stream of an encrypted file: not read")
	}
	s := v.String()
	at := strings.LastIndexByte(s, '@')
	off, err := strconv.ParseInt(s[at+1:], 10, 64)
	n := v.Key("Length").Int64()
	if at < 0 || err != nil || off < 0 || n <= 0 || off > int64(len(d.data)) || n > int64(len(d.data))-off {
		return nil, fmt.Errorf("stream data not found in the file")
	}
	return d.data[off : off+n], nil
}

// pngImage decodes a Flate or unfiltered image of w×h pixels and encodes
// it as PNG: gray for one component (and stencil masks), RGB for three,
// CMYK turned to RGB; other colour spaces are not read.
func (d *Doc) pngImage(xo pdf.Value, w, h int) ([]byte, error) {
	bpc := int(xo.Key("BitsPerComponent").Int64())
	comps := 1
	if !xo.Key("ImageMask").Bool() {
		var err error
		if comps, err = components(xo.Key("ColorSpace")); err != nil {
			return nil, err
		}
	} else {
		bpc = 1
	}
	if bpc != 1 && bpc != 8 || bpc == 1 && comps != 1 {
		return nil, fmt.Errorf("%d bits per component, which is not read", bpc)
	}
	stride := (w*comps*bpc + 7) / 8
	raw, err := readStream(xo, int64(stride*h))
	if err != nil && len(raw) < stride*h {
		return nil, err
	}
	if len(raw) < stride*h {
		return nil, fmt.Errorf("image data shorter than its %d×%d pixels", w, h)
	}
	m := toImage(raw, w, h, comps, bpc, stride, xo.Key("ImageMask").Bool())
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// components is the number of colour components of colour space cs.
func components(cs pdf.Value) (int, error) {
	name := cs.Name()
	if cs.Kind() == pdf.Array && cs.Len() > 0 {
		name = cs.Index(0).Name()
		if name == "ICCBased" {
			switch n := cs.Index(1).Key("N").Int64(); n {
			case 1, 3, 4:
				return int(n), nil
			}
		}
	}
	switch name {
	case "DeviceGray", "CalGray":
		return 1, nil
	case "DeviceRGB", "CalRGB":
		return 3, nil
	case "DeviceCMYK":
		return 4, nil
	}
	return 0, fmt.Errorf("colour space %s, which is not read", cs)
}

// toImage builds the image of raw samples.
func toImage(raw []byte, w, h, comps, bpc, stride int, mask bool) image.Image {
	if comps == 1 {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			row := raw[y*stride:]
			for x := 0; x < w; x++ {
				v := row[x]
				if bpc == 1 {
					v = 0
					if row[x/8]>>(7-uint(x%8))&1 == 1 {
						v = 255
					}
					if mask { // a stencil: 0 paints (black), 1 leaves the page
						v = 255 - v
					}
				}
				g.Pix[y*g.Stride+x] = v
			}
		}
		return g
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		row := raw[y*stride:]
		for x := 0; x < w; x++ {
			var c color.RGBA
			if bpc == 8 {
				p := row[x*comps:]
				if comps == 3 {
					c = color.RGBA{p[0], p[1], p[2], 255}
				} else {
					r, g, b := color.CMYKToRGB(p[0], p[1], p[2], p[3])
					c = color.RGBA{r, g, b, 255}
				}
			} else {
				c = color.RGBA{0, 0, 0, 255} // 1-bit colour: rare; drawn as ink
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}
