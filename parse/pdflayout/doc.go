// Package pdflayout reads the positioned text and ruling lines of PDF pages
// and rebuilds the tables drawn with them.
//
// It is nianbao's own layout layer on top of the object model of
// github.com/ledongthuc/pdf: the library opens the file, resolves objects,
// decrypts and decodes streams; this package does the rest.
//
//   - lex.go, interp.go: a content-stream lexer and interpreter with the
//     graphics and text state (CTM, text matrices, Tc/Tw/Tz/TL/Ts, TJ
//     adjustments, vertical writing, form XObjects, inline images skipped),
//     producing one Glyph per character code and the page's ruling lines
//     (stroked segments and thin filled rectangles, CTM applied).
//   - font.go, cmap.go, ttf.go: font decoding, cached per font object:
//     ToUnicode maps with multi-byte codes and ranges, the predefined
//     Chinese CMaps (GBK-EUC, GB-EUC, UniGB-UCS2, UniGB-UTF16) read through
//     golang.org/x/text, glyph widths from /W, /DW, /W2 and /Widths, and the
//     cmap table of an embedded TrueType font for Identity-H fonts without
//     ToUnicode.
//   - table.go: cells from ruling lines (grid lines, merged cells where a
//     ruling is missing, spanned cells repeated as Continued).
//   - align.go: tables printed without rulings, from the alignment of
//     numbers and header words.
//   - layout.go: a page's blocks in reading order, and the joining of a
//     table cut by a page break.
//   - precheck.go, panic.go, stream.go: the defences against hostile files
//     (cross-reference sanity, bounded stream sizes, recovered panics).
//
// Every entry point recovers from panics in the library and checks a
// context, so a corrupt or hostile file costs an error, not a crash.
// Coordinates are in points from the top-left corner of the page as a
// reader sees it (after /Rotate), like pdftotext -bbox.
package pdflayout

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// ErrEncrypted is returned by Open for a file that needs a password other
// than the empty one, or uses an encryption method the reader lacks.
var ErrEncrypted = errors.New("pdf: encrypted")

// Extractor is what the layout layer needs from a PDF reader: the pages'
// positioned glyphs and ruling lines. Doc, built on the object model of
// github.com/ledongthuc/pdf, is the one this package provides; a fallback
// reader (another library, an external tool) can stand in for it, and
// Layout works the same on its pages.
type Extractor interface {
	NumPages() int
	Page(ctx context.Context, n int) (*Page, error)
}

var _ Extractor = (*Doc)(nil)

// Doc is an open PDF document.
type Doc struct {
	r     *pdf.Reader
	pages []pageRef
	fonts map[fontKey]*font
	byRes map[resKey]*font
	dicts map[uint64]pdf.Value // /Font dictionaries by the resources holding them
	fb    *font
	Info  map[string]string // document information dictionary (Title, Author, …)
	// Warnings from opening the document (page tree problems and the like).
	Warnings []string
}

// resKey names a font by the resource dictionary holding it.
type resKey struct {
	dict uint64
	name string
}

type fontKey struct {
	id   uint64
	base string
	res  string
}

// maxPages bounds the number of pages read from a page tree.
const maxPages = 5000

// Open parses the file structure of a PDF held in memory. The empty user
// password is tried for encrypted files.
func Open(ctx context.Context, data []byte) (d *Doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			rethrowOwn(r)
			d, err = nil, fmt.Errorf("pdf: malformed file: %v", r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := precheck(data); err != nil {
		return nil, err
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) {
			return nil, fmt.Errorf("%w: a password is needed (the empty user password does not open it)", ErrEncrypted)
		}
		if strings.Contains(err.Error(), "encrypt") {
			return nil, fmt.Errorf("%w: %v", ErrEncrypted, err)
		}
		return nil, fmt.Errorf("pdf: %w", err)
	}
	if err := checkXref(r); err != nil {
		return nil, err
	}
	d = &Doc{r: r, fonts: map[fontKey]*font{}, byRes: map[resKey]*font{}, Info: map[string]string{}}
	d.readInfo()
	d.collectPages(ctx, r.Trailer().Key("Root").Key("Pages"), pageRef{}, 0, map[uint64]bool{})
	if len(d.pages) == 0 {
		return nil, errors.New("pdf: no pages found")
	}
	return d, nil
}

func (d *Doc) readInfo() {
	info := d.r.Trailer().Key("Info")
	for _, k := range []string{"Title", "Author", "Creator", "Producer", "CreationDate", "ModDate", "Subject", "Keywords"} {
		if s := strings.TrimSpace(textString(info.Key(k).RawString())); s != "" {
			d.Info[k] = s
		}
	}
}

// pageRef is a page object with the attributes it inherits from the page
// tree, resolved once while walking the tree (every lookup of an indirect
// object makes the library parse it again).
type pageRef struct {
	v         pdf.Value
	mediaBox  pdf.Value
	resources pdf.Value
	rotate    pdf.Value
}

// inherit takes node's own inheritable attributes over those of its parents.
func (r pageRef) inherit(node pdf.Value) pageRef {
	if v := node.Key("MediaBox"); v.Kind() == pdf.Array {
		r.mediaBox = v
	}
	if v := node.Key("Resources"); v.Kind() == pdf.Dict {
		r.resources = v
	}
	if v := node.Key("Rotate"); v.Kind() == pdf.Integer {
		r.rotate = v
	}
	return r
}

// collectPages walks the page tree depth first, guarding against cycles
// and absurd depth, and records each leaf with its inherited attributes.
func (d *Doc) collectPages(ctx context.Context, node pdf.Value, up pageRef, depth int, seen map[uint64]bool) {
	if depth > 64 || len(d.pages) >= maxPages || ctx.Err() != nil {
		return
	}
	id := objID(node)
	if id != 0 {
		if seen[id] {
			d.Warnings = append(d.Warnings, "page tree: cycle")
			return
		}
		seen[id] = true
	}
	kids := node.Key("Kids")
	ref := up.inherit(node)
	if node.Key("Type").Name() == "Page" || kids.Kind() != pdf.Array && node.Key("Contents").Kind() != pdf.Null {
		ref.v = node
		d.pages = append(d.pages, ref)
		return
	}
	for i := 0; i < kids.Len() && len(d.pages) < maxPages; i++ {
		d.collectPages(ctx, kids.Index(i), ref, depth+1, seen)
	}
}

// NumPages returns the number of pages found in the page tree.
func (d *Doc) NumPages() int { return len(d.pages) }

// Page interprets page n (1-based). A page that fails part way returns what
// was read before the failure together with the error.
func (d *Doc) Page(ctx context.Context, n int) (p *Page, err error) {
	if n < 1 || n > len(d.pages) {
		return nil, fmt.Errorf("page %d: out of range", n)
	}
	p = &Page{Number: n}
	defer func() {
		if r := recover(); r != nil {
			rethrowOwn(r)
			err = fmt.Errorf("page %d: malformed content: %v", n, r)
		}
	}()
	ref := d.pages[n-1]
	pv := ref.v
	box := [4]float64{0, 0, 612, 792}
	if mb := ref.mediaBox; mb.Len() == 4 {
		for i := range box {
			box[i] = mb.Index(i).Float64()
		}
		box[0], box[2] = min(box[0], box[2]), max(box[0], box[2])
		box[1], box[3] = min(box[1], box[3]), max(box[1], box[3])
	}
	p.Width, p.Height = box[2]-box[0], box[3]-box[1]
	in := &interp{ctx: ctx, doc: d, page: p}
	in.toPage = matrix{1, 0, 0, -1, -box[0], box[3]}
	in.gs = gstate{ctm: identity, th: 1}
	rot := int(ref.rotate.Int64() % 360)
	if rot%90 != 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("page /Rotate %d is not a multiple of 90; ignored", rot))
		rot = 0
	}
	defer func() {
		// positions as a reader sees the page: turned by /Rotate, then so
		// that the text reads left to right
		if p != nil {
			p.rotate(rot)
			if deg := p.upright(); deg != 0 {
				p.Warnings = append(p.Warnings, fmt.Sprintf("text drawn rotated: page read turned by %d°", deg))
			}
		}
	}()
	content, rerr := readStream(pv.Key("Contents"), maxStreamBytes)
	if rerr != nil {
		p.Warnings = append(p.Warnings, fmt.Sprintf("content stream: %v", rerr))
	}
	if err := in.run(content, ref.resources); err != nil {
		return p, fmt.Errorf("page %d: %w", n, err)
	}
	for _, f := range in.usedFonts() {
		if f.missing > 0 {
			p.Warnings = append(p.Warnings, fmt.Sprintf("font %s: %d character codes without Unicode mapping", f.name, f.missing))
			f.missing = 0
		}
	}
	return p, nil
}

// usedFonts lists the document's fonts by name, for reporting.
func (in *interp) usedFonts() []*font {
	var out []*font
	for _, f := range in.doc.fonts {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// fontDict returns the /Font dictionary of a resource dictionary, looked
// up once per resource object.
func (d *Doc) fontDict(res pdf.Value) pdf.Value {
	id := objID(res)
	if v, ok := d.dicts[id]; ok && id != 0 {
		return v
	}
	v := res.Key("Font")
	if id != 0 && len(d.dicts) < 4096 {
		if d.dicts == nil {
			d.dicts = map[uint64]pdf.Value{}
		}
		d.dicts[id] = v
	}
	return v
}

// font returns the decoder for a font dictionary, cached per font object.
func (d *Doc) font(v pdf.Value, warn func(string)) *font {
	if v.Kind() != pdf.Dict {
		warn("font resource missing")
		return d.fallbackFont()
	}
	k := fontKey{id: objID(v), base: v.Key("BaseFont").Name()}
	if k.id == 0 {
		k.res = v.String()
	}
	if f, ok := d.fonts[k]; ok {
		return f
	}
	f := loadFont(v, warn)
	if len(d.fonts) < 4096 {
		d.fonts[k] = f
	}
	return f
}

func (d *Doc) fallbackFont() *font {
	if d.fb == nil {
		d.fb = &font{name: "(none)", scale: 0.001, ascent: 0.88, descent: -0.12, dw: 1000, dw2: [2]float64{880, -1000}}
	}
	return d.fb
}

// textString decodes a PDF text string: UTF-16 with a byte order mark,
// UTF-8 (with or without its mark), GB18030 as some Chinese producers
// write, else PDFDocEncoding read as Latin-1.
func textString(raw string) string {
	switch {
	case strings.HasPrefix(raw, "\xfe\xff"):
		return utf16String(raw[2:], binary.BigEndian)
	case strings.HasPrefix(raw, "\xff\xfe"):
		return utf16String(raw[2:], binary.LittleEndian)
	case strings.HasPrefix(raw, "\xef\xbb\xbf"):
		return strings.ToValidUTF8(raw[3:], "\uFFFD")
	case utf8.ValidString(raw):
		return raw
	}
	if d, err := simplifiedchinese.GB18030.NewDecoder().String(raw); err == nil && strings.ContainsFunc(d, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		return d
	}
	r := make([]rune, len(raw))
	for i := 0; i < len(raw); i++ {
		r[i] = rune(raw[i])
	}
	return string(r)
}

func utf16String(s string, order binary.ByteOrder) string {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, order.Uint16([]byte(s[i:i+2])))
	}
	return string(utf16.Decode(u))
}
