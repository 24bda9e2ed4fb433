// Package pdflayout rebuilds the text lines and tables of PDF pages, in
// reading order, from the glyphs and ruling lines their content streams
// draw.
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
//   - font.go, cmap.go, ttf.go: font decoding, cached per font dictionary:
//     ToUnicode maps with multi-byte codes and ranges, the predefined
//     Chinese CMaps (GBK-EUC, GB-EUC, UniGB-UCS2, UniGB-UTF16) read through
//     golang.org/x/text, glyph widths from /W, /DW, /W2 and /Widths, and the
//     cmap table of an embedded TrueType font for Identity-H fonts without
//     ToUnicode.
//   - text.go: glyphs grouped into lines, and the text of a line.
//   - table.go: cells from ruling lines (grid lines, merged cells where a
//     ruling is missing, spanned cells repeated as Continued).
//   - align.go: tables printed without rulings, from the alignment of
//     numbers and header words (split where a browser sets neighbouring
//     cells a quarter em apart); headerblocks.go: such a header read cell
//     by cell, where vertically centred cells stagger its lines.
//   - layout.go: a page's blocks in reading order, and the joining of a
//     table cut by a page break; tail.go: the lines that end a page
//     carried over to the next, for a table whose header the break cut.
//   - precheck.go, xrefstream.go, panic.go, stream.go: the defences against
//     hostile files (cross-reference sanity and object streams nested in
//     object streams, read from the file's bytes; bounded stream sizes;
//     recovered panics); stream.go also keys the caches by object content,
//     the library giving no object identity.
//   - repair.go: tolerant opening, as poppler's: junk before the header
//     or after %%EOF, header versions the library refuses, and a damaged
//     or missing cross-reference table, rebuilt by scanning for objects
//     (in object streams too) into a copy of the file.
//   - stop.go: the stopper, with which every loop that grows with the
//     input looks at the context.
//   - warning.go: what was not understood, by kind and page.
//
// Every entry point recovers from panics in the library and checks a
// context, so a corrupt or hostile file costs an error, not a crash. No
// parsing recurses on the depth of the input: nested arrays and
// dictionaries are counted, not recursed into, and what does recurse
// (form XObjects, the page tree, the library's objects) has a depth cap.
// What one file may make the layer build is capped by what it expands to
// (glyphs per string and page, width and CMap codes, pages), each cap a
// named constant with its reason; a file that reaches one is read up to
// it, with a WarnLimit warning.
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

// Doc is an open PDF document.
type Doc struct {
	r     *pdf.Reader
	data  []byte // the bytes r reads, for the raw data of image streams (images.go)
	pages []pageRef
	fonts map[objKey]*font // by font dictionary
	order []*font          // the same fonts, in the order they were loaded
	byRes map[objKey]*font // by /Font dictionary and name
	fb    *font
	// trimmed: the page tree has more pages than MaxPages; deep: it has
	// nodes below maxTreeDepth
	trimmed, deep bool

	Info map[string]string // document information dictionary (Title, Author, …)
	// Warnings from opening the document (page tree problems, repairs and
	// the like).
	Warnings []Warning
	// Rebuilt reports that the file's cross-reference table was rebuilt by
	// scanning: the file is damaged, and may be cut short.
	Rebuilt bool
}

// MaxPages is the most pages read from a page tree. A report has tens of
// pages and a county's volume of reports a few hundred; at the 2 ms a
// real page takes, 5,000 pages fill a sixth of the per-document time, and
// their page objects a few MB. Pages past it are not read, with a warning.
const MaxPages = 5000

// Open parses the file structure of a PDF held in memory. The empty user
// password is tried for encrypted files. A file the library cannot read as
// it is (junk around it, a header version it does not know, a damaged or
// missing cross-reference table) is repaired in a copy first, with a
// warning saying what was repaired.
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
	st := &stopper{ctx: ctx}
	fixed, notes := tidy(data)
	d, err = open(ctx, fixed, precheck, st)
	if err == nil || errors.Is(err, ErrEncrypted) || errors.Is(err, errTooDeep) || st.now() {
		if d != nil {
			d.repaired(notes)
		}
		return d, err
	}
	whole, n, rerr := rebuild(fixed, st)
	if rerr != nil {
		return nil, err
	}
	d, rerr = open(ctx, whole, precheckRebuilt, st)
	if rerr != nil {
		return nil, err
	}
	d.Rebuilt = true
	d.repaired(append(notes, fmt.Sprintf("cross-reference table rebuilt from the %d objects found by scanning the file (it could not be read: %v)", n, err)))
	return d, nil
}

// open opens data as it is, after checking it with check; a file without
// pages is an error.
func open(ctx context.Context, data []byte, check func([]byte, *stopper) error, st *stopper) (d *Doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			rethrowOwn(r)
			d, err = nil, fmt.Errorf("pdf: malformed file: %v", r)
		}
	}()
	if err := check(data, st); err != nil {
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
	d = &Doc{r: r, data: data, fonts: map[objKey]*font{}, byRes: map[objKey]*font{}, Info: map[string]string{}}
	d.readInfo()
	pages := r.Trailer().Key("Root").Key("Pages")
	d.collectPages(ctx, pages, pageRef{}, 0, map[objKey]bool{})
	if len(d.pages) == 0 && d.deep {
		return nil, errTooDeep
	}
	if len(d.pages) == 0 {
		return nil, errors.New("pdf: no pages found")
	}
	if d.deep {
		d.Warnings = append(d.Warnings, Warning{Kind: WarnStructure, Msg: fmt.Sprintf("page tree deeper than %d levels: the pages below are not read", maxTreeDepth)})
	}
	if d.trimmed {
		msg := fmt.Sprintf("more pages than the cap of %d: the rest are not read", MaxPages)
		if n := pages.Key("Count").Int64(); n > MaxPages {
			msg = fmt.Sprintf("%d pages, more than the cap of %d: the rest are not read", n, MaxPages)
		}
		d.Warnings = append(d.Warnings, Warning{Kind: WarnLimit, Msg: msg})
	}
	return d, nil
}

// repaired notes the repairs made to open the file.
func (d *Doc) repaired(notes []string) {
	for _, n := range notes {
		d.Warnings = append(d.Warnings, Warning{Kind: WarnRepair, Msg: n})
	}
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

// maxTreeDepth bounds the nesting of the page tree; real trees are a few
// levels deep.
const maxTreeDepth = 64

var errTooDeep = fmt.Errorf("pdf: no pages found: the page tree is deeper than %d levels", maxTreeDepth)

// collectPages walks the page tree depth first, guarding against cycles
// and absurd depth, and records each leaf with its inherited attributes.
// Only nodes with kids can close a cycle, so only they are checked: two
// leaves alike to the byte (blank pages sharing resources) are two pages.
func (d *Doc) collectPages(ctx context.Context, node pdf.Value, up pageRef, depth int, seen map[objKey]bool) {
	if len(d.pages) >= MaxPages {
		d.trimmed = true
		return
	}
	if depth > maxTreeDepth {
		d.deep = true
		return
	}
	if ctx.Err() != nil {
		return
	}
	kids := node.Key("Kids")
	ref := up.inherit(node)
	if node.Key("Type").Name() == "Page" || kids.Kind() != pdf.Array && node.Key("Contents").Kind() != pdf.Null {
		ref.v = node
		d.pages = append(d.pages, ref)
		return
	}
	k := contentKey(node)
	if seen[k] {
		d.Warnings = append(d.Warnings, Warning{Kind: WarnStructure, Msg: "page tree: cycle"})
		return
	}
	seen[k] = true
	for i := 0; i < kids.Len() && !d.trimmed; i++ {
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
	box := ref.box()
	p.Width, p.Height = box[2]-box[0], box[3]-box[1]
	in := &interp{ctx: ctx, doc: d, page: p}
	if in.stopper().now() {
		return p, fmt.Errorf("page %d: %w", n, in.st.err)
	}
	in.toPage = matrix{1, 0, 0, -1, -box[0], box[3]}
	in.gs = gstate{ctm: identity, th: 1}
	rot := int(ref.rotate.Int64() % 360)
	if rot%90 != 0 {
		p.warn(WarnRotation, fmt.Sprintf("page /Rotate %d is not a multiple of 90; ignored", rot))
		rot = 0
	}
	defer func() {
		// positions as a reader sees the page: turned by /Rotate, then so
		// that the text reads left to right
		if p != nil {
			p.rotate(rot)
			if deg := p.upright(); deg != 0 {
				p.warn(WarnRotation, fmt.Sprintf("text drawn rotated: page read turned by %d°", deg))
			}
		}
	}()
	content, rerr := readStream(ref.v.Key("Contents"), maxStreamBytes)
	if rerr != nil {
		p.warn(WarnContent, fmt.Sprintf("content stream: %v", rerr))
	}
	err = in.run(content, ref.resources)
	in.reportCuts()
	if err != nil {
		return p, fmt.Errorf("page %d: %w", n, err)
	}
	for _, f := range in.usedFonts() {
		if f.missing > 0 {
			p.warn(WarnFont, fmt.Sprintf("font %s: %d character codes without Unicode mapping", f.name, f.missing))
			f.missing = 0
		}
	}
	return p, nil
}

// box returns the page's media box, corners ordered; US Letter when the
// page has none, as viewers assume.
func (r pageRef) box() [4]float64 {
	box := [4]float64{0, 0, 612, 792}
	if mb := r.mediaBox; mb.Len() == 4 {
		for i := range box {
			box[i] = mb.Index(i).Float64()
		}
		box[0], box[2] = min(box[0], box[2]), max(box[0], box[2])
		box[1], box[3] = min(box[1], box[3]), max(box[1], box[3])
	}
	return box
}

// usedFonts lists the document's fonts by name, for reporting; fonts of
// one name in the order they were loaded.
func (in *interp) usedFonts() []*font {
	out := append([]*font(nil), in.doc.order...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// maxCached bounds each cache of decoded objects, so that a hostile file
// with many distinct fonts cannot make it grow without end.
const maxCached = 4096

// resourceFont returns the font called name in the /Font dictionary of a
// page's resources, k being that entry's key. Pages often share one /Font
// dictionary: a name is looked up in it once per document.
func (d *Doc) resourceFont(dict pdf.Value, k objKey, name string, warn warnFunc, st *stopper) *font {
	if f, ok := d.byRes[k]; ok {
		return f
	}
	f := d.font(dict.Key(name), warn, st)
	if len(d.byRes) < maxCached {
		d.byRes[k] = f
	}
	return f
}

// font returns the decoder for a font dictionary, cached by content: a font
// object is loaded once however many resource dictionaries name it.
func (d *Doc) font(v pdf.Value, warn warnFunc, st *stopper) *font {
	if v.Kind() != pdf.Dict {
		warn(WarnFont, "font resource missing")
		return d.fallbackFont()
	}
	k := contentKey(v)
	if f, ok := d.fonts[k]; ok {
		return f
	}
	f := loadFont(v, warn, st)
	if st.err != nil {
		return f // cut short: not to be reused
	}
	if len(d.fonts) < maxCached {
		d.fonts[k] = f
		d.order = append(d.order, f)
	}
	return f
}

func (d *Doc) fallbackFont() *font {
	if d.fb == nil {
		d.fb = newFont("(none)")
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
