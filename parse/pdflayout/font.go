package pdflayout

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// font is what the interpreter needs of a PDF font: how to split a string
// into character codes, each code's text and its advance.
type font struct {
	name      string
	composite bool // Type0: multi-byte codes, CIDs
	vertical  bool // writing mode 1
	space     []codeSpace
	encCMap   *cmap // embedded encoding CMap of a Type0 font
	predef    string
	toUni     *cmap
	ttfUni    map[uint32]rune // CID → Unicode from an embedded TrueType cmap table
	fontFile  pdf.Value       // the embedded TrueType font, until ttfUni is read
	gb1       bool            // CIDs follow the Adobe-GB1 character collection
	ttfRead   bool

	// simple fonts
	firstChar int
	widths    []float64
	missingW  float64
	names     [256]string // glyph names from /Differences
	base      string      // base encoding name

	// composite fonts
	cidW widthTable
	dw   float64
	w2   map[uint32][3]float64
	dw2  [2]float64 // position vector y and vertical advance (glyph units)

	scale   float64 // glyph space to text space (0.001 except Type3)
	ascent  float64 // in text space units per unit font size
	descent float64
	missing int // codes that had no Unicode mapping
}

// glyph is one decoded character code.
type glyph struct {
	text  string
	w0    float64 // horizontal advance in text space per unit font size
	w1    float64 // vertical advance (negative: downwards), vertical fonts only
	space bool    // single-byte code 32: word spacing applies
}

// Font defaults for what a font dictionary may leave out.
const (
	glyphScale     = 0.001 // glyph space to text space, for all but Type3 fonts
	defaultAscent  = 0.88  // em box above the baseline without a descriptor: 880/1000, as Adobe's CJK fonts
	defaultDescent = -0.12 // and below it, so that the box is one em high
	defaultDW      = 1000  // CID font width without /DW: the spec's default, one em
)

// defaultDW2 is the CID font's vertical metrics without /DW2, the spec's
// default: origin 880 units above the baseline, advance one em downwards.
var defaultDW2 = [2]float64{880, -1000}

// newFont returns a font with the defaults for everything its dictionary
// may leave out.
func newFont(name string) *font {
	return &font{name: name, scale: glyphScale, ascent: defaultAscent, descent: defaultDescent, dw: defaultDW, dw2: defaultDW2}
}

// loadFont builds a font from its dictionary. It never panics on odd
// dictionaries; unknown encodings leave codes unmapped. It stops early,
// keeping what it read, when st says so.
func loadFont(v pdf.Value, warn warnFunc, st *stopper) *font {
	f := newFont(v.Key("BaseFont").Name())
	sub := v.Key("Subtype").Name()
	desc := v.Key("FontDescriptor")
	if sub == "Type0" {
		f.composite = true
		df := v.Key("DescendantFonts").Index(0)
		desc = df.Key("FontDescriptor")
		f.loadCIDWidths(df, warn, st)
		f.gb1 = df.Key("CIDSystemInfo").Key("Ordering").Text() == "GB1"
		f.loadEncodingCMap(v.Key("Encoding"), warn, st)
		if df.Key("CIDToGIDMap").Kind() != pdf.Stream && f.isIdentity() {
			f.fontFile = desc.Key("FontFile2") // read only if a code lacks a ToUnicode entry
		}
	} else {
		f.loadSimple(v, sub, warn)
	}
	f.loadMetrics(desc)
	if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		data, err := readStream(tu, maxStreamBytes)
		if err != nil {
			warn(WarnCMap, "font "+f.name+": ToUnicode: "+err.Error())
		}
		f.toUni = parseCMap(data, st)
		f.warnDropped(warn, "ToUnicode", f.toUni)
	}
	return f
}

// warnDropped says how many entries of a CMap its caps left out.
func (f *font) warnDropped(warn warnFunc, what string, m *cmap) {
	if m.dropped > 0 {
		warn(WarnLimit, fmt.Sprintf("font %s: %s CMap: %d entries past the caps of %d codes and %d ranges are not read", f.name, what, m.dropped, maxCMapCodes, maxCMapRanges))
	}
}

// Caps on what a font's metrics may expand to, counted in the codes they
// give a width. CIDs run from 0 to 65,535 (the limit of PDF's Annex C), so
// a real /W or /W2 covers at most 65,536 codes; twice that leaves room
// for entries that repeat. Codes past the cap take the default width.
const (
	maxCID        = 0xFFFF
	maxWidthCodes = 2 << 16
)

func (f *font) isIdentity() bool {
	return f.predef == "Identity-H" || f.predef == "Identity-V"
}

func (f *font) loadMetrics(desc pdf.Value) {
	a, d := desc.Key("Ascent").Float64(), desc.Key("Descent").Float64()
	if a > 0 && d < 0 && a-d > 500 && a-d < 2000 {
		f.ascent, f.descent = a/(a-d), d/(a-d)
	}
	if mw := desc.Key("MissingWidth").Float64(); mw > 0 {
		f.missingW = mw
	}
}

func (f *font) loadCIDWidths(df pdf.Value, warn warnFunc, st *stopper) {
	if dw := df.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
		f.dw = dw.Float64()
	}
	f.cidW = readW(df.Key("W"), func() {
		warn(WarnLimit, fmt.Sprintf("font %s: /W gives widths to more than the cap of %d codes: the rest take the default width", f.name, maxWidthCodes))
	}, st)
	if dw2 := df.Key("DW2"); dw2.Len() == 2 {
		f.dw2 = [2]float64{dw2.Index(0).Float64(), dw2.Index(1).Float64()}
	}
	f.w2 = readW2(df.Key("W2"), func() {
		warn(WarnLimit, fmt.Sprintf("font %s: /W2 gives metrics to more than the cap of %d codes: the rest take the default", f.name, maxWidthCodes))
	}, st)
}

// cidSpan clamps the CIDs first..last of a /W or /W2 entry to the CID
// space and to the budget of codes left, reporting false for an entry
// that gives none, and whether the budget cut it.
func cidSpan(first, last int64, budget int) (lo, hi int64, ok, cut bool) {
	if first < 0 || last < first || first > maxCID {
		return 0, 0, false, false
	}
	last = min(last, maxCID)
	if n := last - first + 1; n > int64(budget) {
		return first, first + int64(budget) - 1, budget > 0, true
	}
	return first, last, true, false
}

// readW reads a /W array into ranges sorted and disjoint, calling cut if
// it gives more than maxWidthCodes codes a width.
func readW(w pdf.Value, cut func(), st *stopper) widthTable {
	var t widthTable
	budget := maxWidthCodes
	for i := 0; i < w.Len() && !st.stop(); {
		first, next := w.Index(i), w.Index(i+1)
		var lo, hi int64
		var ok, over bool
		if next.Kind() == pdf.Array {
			i += 2
			lo, hi, ok, over = cidSpan(first.Int64(), first.Int64()+int64(next.Len())-1, budget)
			if ok {
				r := widthRange{lo: uint32(lo), hi: uint32(hi), ws: make([]float64, hi-lo+1)}
				for j := range r.ws {
					r.ws[j] = next.Index(j).Float64()
				}
				t = append(t, r)
			}
		} else {
			i += 3
			lo, hi, ok, over = cidSpan(first.Int64(), next.Int64(), budget)
			if ok {
				t = append(t, widthRange{lo: uint32(lo), hi: uint32(hi), w: w.Index(i - 1).Float64()})
			}
		}
		if ok {
			budget -= int(hi - lo + 1)
		}
		if over {
			cut()
			break
		}
	}
	return t.disjoint()
}

// readW2 reads a /W2 array of vertical metrics, calling cut if it gives
// more than maxWidthCodes codes metrics.
func readW2(w2 pdf.Value, cut func(), st *stopper) map[uint32][3]float64 {
	if w2.Len() == 0 {
		return nil
	}
	m := map[uint32][3]float64{}
	budget := maxWidthCodes
	for i := 0; i < w2.Len() && !st.stop(); {
		first, next := w2.Index(i), w2.Index(i+1)
		var lo, hi int64
		var ok, over bool
		if next.Kind() == pdf.Array {
			i += 2
			lo, hi, ok, over = cidSpan(first.Int64(), first.Int64()+int64(next.Len()/3)-1, budget)
			for c := lo; ok && c <= hi; c++ {
				j := int(c-lo) * 3
				m[uint32(c)] = [3]float64{next.Index(j).Float64(), next.Index(j + 1).Float64(), next.Index(j + 2).Float64()}
			}
		} else {
			i += 5
			lo, hi, ok, over = cidSpan(first.Int64(), next.Int64(), budget)
			e := [3]float64{w2.Index(i - 3).Float64(), w2.Index(i - 2).Float64(), w2.Index(i - 1).Float64()}
			for c := lo; ok && c <= hi; c++ {
				m[uint32(c)] = e
			}
		}
		if ok {
			budget -= int(hi - lo + 1)
		}
		if over {
			cut()
			break
		}
	}
	return m
}

// Predefined CMaps this package understands by name. Their codespaces are
// given here; their text comes from the code bytes themselves.
var predefSpace = map[string][]codeSpace{
	"Identity": {{n: 2, lo: [4]byte{0, 0}, hi: [4]byte{0xff, 0xff}}},
	"GBK-EUC":  {{n: 1, lo: [4]byte{0}, hi: [4]byte{0x80}}, {n: 2, lo: [4]byte{0x81, 0x40}, hi: [4]byte{0xfe, 0xfe}}},
	"GBKp-EUC": {{n: 1, lo: [4]byte{0}, hi: [4]byte{0x80}}, {n: 2, lo: [4]byte{0x81, 0x40}, hi: [4]byte{0xfe, 0xfe}}},
	"GB-EUC":   {{n: 1, lo: [4]byte{0}, hi: [4]byte{0x80}}, {n: 2, lo: [4]byte{0xa1, 0xa1}, hi: [4]byte{0xfe, 0xfe}}},
	"GBpc-EUC": {{n: 1, lo: [4]byte{0}, hi: [4]byte{0x80}}, {n: 2, lo: [4]byte{0xa1, 0xa1}, hi: [4]byte{0xfe, 0xfe}}},
	"GBK2K": {{n: 1, lo: [4]byte{0}, hi: [4]byte{0x80}}, {n: 2, lo: [4]byte{0x81, 0x40}, hi: [4]byte{0xfe, 0xfe}},
		{n: 4, lo: [4]byte{0x81, 0x30, 0x81, 0x30}, hi: [4]byte{0xfe, 0x39, 0xfe, 0x39}}},
	"UniGB-UCS2":  {{n: 2, lo: [4]byte{0, 0}, hi: [4]byte{0xff, 0xff}}},
	"UniGB-UTF16": {{n: 2, lo: [4]byte{0, 0}, hi: [4]byte{0xd7, 0xff}}, {n: 4, lo: [4]byte{0xd8, 0, 0xdc, 0}, hi: [4]byte{0xdb, 0xff, 0xdf, 0xff}}, {n: 2, lo: [4]byte{0xe0, 0}, hi: [4]byte{0xff, 0xff}}},
}

// predefBase strips the writing-mode suffix: "GBK-EUC-H" → "GBK-EUC", true
// for a known CMap, and reports whether the mode is vertical.
func predefBase(name string) (base string, vertical, ok bool) {
	switch {
	case strings.HasSuffix(name, "-H"):
		base = strings.TrimSuffix(name, "-H")
	case strings.HasSuffix(name, "-V"):
		base, vertical = strings.TrimSuffix(name, "-V"), true
	default:
		return "", false, false
	}
	_, ok = predefSpace[base]
	return base, vertical, ok
}

func (f *font) loadEncodingCMap(enc pdf.Value, warn warnFunc, st *stopper) {
	switch enc.Kind() {
	case pdf.Name:
		f.setPredef(enc.Name(), warn)
	case pdf.Stream:
		data, err := readStream(enc, maxStreamBytes)
		if err != nil {
			warn(WarnCMap, "font "+f.name+": encoding CMap: "+err.Error())
		}
		m := parseCMap(data, st)
		f.warnDropped(warn, "encoding", m)
		f.encCMap = m
		f.space = m.space
		f.vertical = m.wmode == 1 || enc.Key("WMode").Int64() == 1
		if m.useCMap != "" && len(f.space) == 0 {
			f.setPredef(m.useCMap, warn)
		}
	default:
		f.setPredef("Identity-H", warn)
	}
}

func (f *font) setPredef(name string, warn warnFunc) {
	base, vertical, ok := predefBase(name)
	if !ok {
		warn(WarnCMap, "font "+f.name+": unsupported CMap "+name)
		base, vertical = "Identity", strings.HasSuffix(name, "-V")
	}
	f.predef = base + map[bool]string{false: "-H", true: "-V"}[vertical]
	f.vertical = vertical
	f.space = predefSpace[base]
}

// Most entries read of a simple font's /Widths (one per one-byte code)
// and /Differences (codes and names, each code at most once in a real
// font).
const (
	maxSimpleWidths = 256
	maxDifferences  = 1024
)

func (f *font) loadSimple(v pdf.Value, sub string, warn warnFunc) {
	f.firstChar = int(v.Key("FirstChar").Int64())
	w := v.Key("Widths")
	if w.Len() > maxSimpleWidths {
		warn(WarnLimit, fmt.Sprintf("font %s: /Widths has %d entries, more than the %d codes of a simple font: the rest are not read", f.name, w.Len(), maxSimpleWidths))
	}
	n := min(w.Len(), maxSimpleWidths)
	f.widths = make([]float64, n)
	for i := 0; i < n; i++ {
		f.widths[i] = w.Index(i).Float64()
	}
	if sub == "Type3" {
		if m := v.Key("FontMatrix"); m.Len() == 6 && m.Index(0).Float64() != 0 {
			f.scale = m.Index(0).Float64()
		}
	}
	enc := v.Key("Encoding")
	switch enc.Kind() {
	case pdf.Name:
		f.base = enc.Name()
	case pdf.Dict:
		f.base = enc.Key("BaseEncoding").Name()
		d := enc.Key("Differences")
		if d.Len() > maxDifferences {
			warn(WarnLimit, fmt.Sprintf("font %s: /Differences has %d entries, more than the cap of %d: the rest are not read", f.name, d.Len(), maxDifferences))
		}
		code := 0
		for i := 0; i < d.Len() && i < maxDifferences; i++ {
			e := d.Index(i)
			switch e.Kind() {
			case pdf.Integer:
				code = int(e.Int64())
			case pdf.Name:
				if code >= 0 && code < 256 {
					f.names[code] = e.Name()
				}
				code++
			}
		}
	}
}

// decodeString splits a shown string into glyphs, at most limit of them,
// and reports whether codes were left undecoded past the limit.
func (f *font) decodeString(s string, out []glyph, limit int) ([]glyph, bool) {
	for k := 0; len(s) > 0; k++ {
		if k >= limit {
			return out, true
		}
		var code uint32
		var n int
		if f.composite {
			code, n = nextCode(f.space, s, 2)
		} else {
			code, n = uint32(s[0]), 1
		}
		if n <= 0 {
			n = 1
		}
		out = append(out, f.glyph(code, n))
		s = s[n:]
	}
	return out, false
}

func (f *font) glyph(code uint32, n int) glyph {
	g := glyph{space: !f.composite && code == 32 || f.composite && n == 1 && code == 32}
	text, ok := "", false
	if f.toUni != nil {
		text, ok = f.toUni.lookupText(code, n)
		// some maps write codes with another byte length than the font's
		for m := 1; !ok && m <= 4; m++ {
			if m != n && (m == 4 || code < 1<<(8*m)) {
				text, ok = f.toUni.lookupText(code, m)
			}
		}
	}
	if f.composite {
		cid := f.cid(code, n)
		if !ok {
			text, ok = f.predefText(code, n, cid)
		}
		w, found := f.cidW.lookup(cid)
		if !found {
			w = f.dw
		}
		g.w0 = w * glyphScale
		if f.vertical {
			g.w1 = f.dw2[1] * glyphScale
			if e, found := f.w2[cid]; found {
				g.w1 = e[0] * glyphScale
			}
		}
	} else {
		if !ok {
			text, ok = f.simpleText(byte(code))
		}
		w := f.missingW
		if i := int(code) - f.firstChar; i >= 0 && i < len(f.widths) {
			w = f.widths[i]
		} else if len(f.widths) == 0 {
			w = 500 // a standard font without widths
		}
		g.w0 = w * f.scale
	}
	if !ok {
		f.missing++
		text = "\uFFFD"
	}
	g.text = text
	return g
}

// cid maps a code of a composite font to its CID.
func (f *font) cid(code uint32, n int) uint32 {
	if f.encCMap != nil {
		if c, ok := f.encCMap.lookupCID(code, n); ok {
			return c
		}
	}
	switch {
	case f.isIdentity():
		return code
	case n == 1 && code >= 0x20 && code <= 0x7e:
		return code - 31 // Adobe-GB1 CIDs 1–95 are the printable ASCII characters
	case strings.HasPrefix(f.predef, "UniGB-") && code >= 0x20 && code <= 0x7e:
		return code - 31 // the same characters as Unicode code units
	}
	return 0xffffffff // unknown: default width
}

// predefText decodes a code of a predefined Chinese CMap from the code
// itself: GBK/GB2312 byte sequences, UCS-2 or UTF-16 code units.
func (f *font) predefText(code uint32, n int, cid uint32) (string, bool) {
	base := strings.TrimSuffix(strings.TrimSuffix(f.predef, "-H"), "-V")
	switch base {
	case "GBK-EUC", "GBKp-EUC", "GB-EUC", "GBpc-EUC", "GBK2K":
		if n == 1 {
			if code < 0x80 {
				return string(rune(code)), true
			}
			return "", false
		}
		b := make([]byte, n)
		for i := n - 1; i >= 0; i-- {
			b[i] = byte(code)
			code >>= 8
		}
		d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil || !utf8.Valid(d) || strings.ContainsRune(string(d), utf8.RuneError) {
			return "", false
		}
		return string(d), true
	case "UniGB-UCS2":
		return string(rune(code)), code != 0
	case "UniGB-UTF16":
		if n == 4 {
			r := utf16.DecodeRune(rune(code>>16), rune(code&0xffff))
			return string(r), r != utf8.RuneError
		}
		return string(rune(code)), code != 0
	}
	if !f.ttfRead && f.fontFile.Kind() == pdf.Stream {
		f.ttfRead = true
		f.ttfUni = loadTrueTypeCMap(f.fontFile)
	}
	if f.ttfUni != nil {
		if r, ok := f.ttfUni[cid]; ok {
			return string(r), true
		}
	}
	if f.gb1 {
		if r, ok := adobeGB1(cid); ok {
			return string(r), true
		}
	}
	return "", false
}

// simpleText decodes a one-byte code of a simple font.
func (f *font) simpleText(c byte) (string, bool) {
	if name := f.names[c]; name != "" {
		if r, ok := glyphNameRune(name); ok {
			return string(r), true
		}
	}
	switch {
	case c >= 0x20 && c < 0x7f:
		return string(rune(c)), true
	case c >= 0xa0:
		return string(rune(c)), true // WinAnsi and Latin-1 agree here
	case c >= 0x80 && c < 0xa0:
		if r := winAnsi80[c-0x80]; r != 0 {
			return string(r), true
		}
	}
	return "", false
}

var winAnsi80 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// glyphNames covers the glyph names of the printable ASCII range and a few
// common punctuation marks; uniXXXX and uXXXX names are decoded directly.
var glyphNames = map[string]rune{
	"space": ' ', "exclam": '!', "quotedbl": '"', "numbersign": '#', "dollar": '$', "percent": '%',
	"ampersand": '&', "quotesingle": '\'', "parenleft": '(', "parenright": ')', "asterisk": '*',
	"plus": '+', "comma": ',', "hyphen": '-', "period": '.', "slash": '/', "zero": '0', "one": '1',
	"two": '2', "three": '3', "four": '4', "five": '5', "six": '6', "seven": '7', "eight": '8',
	"nine": '9', "colon": ':', "semicolon": ';', "less": '<', "equal": '=', "greater": '>',
	"question": '?', "at": '@', "bracketleft": '[', "backslash": '\\', "bracketright": ']',
	"asciicircum": '^', "underscore": '_', "grave": '`', "braceleft": '{', "bar": '|',
	"braceright": '}', "asciitilde": '~', "quoteright": '’', "quoteleft": '‘', "quotedblleft": '“',
	"quotedblright": '”', "endash": '–', "emdash": '—', "bullet": '•', "ellipsis": '…', "minus": '−',
	"percent.fw": '％',
}

func glyphNameRune(name string) (rune, bool) {
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	if len(name) == 1 && (name[0] >= 'A' && name[0] <= 'Z' || name[0] >= 'a' && name[0] <= 'z') {
		return rune(name[0]), true
	}
	if r, ok := glyphNames[name]; ok {
		return r, true
	}
	for _, p := range []string{"uni", "u"} {
		if h, ok := strings.CutPrefix(name, p); ok && len(h) >= 4 && len(h) <= 6 {
			if v, err := strconv.ParseUint(h[:min(len(h), 6)], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
				if p == "uni" {
					v, _ = strconv.ParseUint(h[:4], 16, 32)
				}
				return rune(v), true
			}
		}
	}
	return 0, false
}

// widthRange gives the widths of CIDs lo..hi: one width for all, or one
// each.
type widthRange struct {
	lo, hi uint32
	w      float64
	ws     []float64
}

// widthTable is a composite font's /W array as ranges sorted by lo.
type widthTable []widthRange

func (t widthTable) lookup(cid uint32) (float64, bool) {
	i := sort.Search(len(t), func(i int) bool { return t[i].hi >= cid })
	if i == len(t) || t[i].lo > cid {
		return 0, false
	}
	if t[i].ws != nil {
		return t[i].ws[cid-t[i].lo], true
	}
	return t[i].w, true
}

// disjoint sorts the ranges by first CID and cuts from each the CIDs an
// earlier one in that order gives a width, so that lookup can search by
// halves. Real fonts have no overlapping entries.
func (t widthTable) disjoint() widthTable {
	sort.SliceStable(t, func(i, j int) bool { return t[i].lo < t[j].lo })
	out := t[:0]
	for _, r := range t {
		if k := len(out); k > 0 && out[k-1].hi >= r.lo {
			if out[k-1].hi >= r.hi {
				continue
			}
			lo := out[k-1].hi + 1
			if r.ws != nil {
				r.ws = r.ws[lo-r.lo:]
			}
			r.lo = lo
		}
		out = append(out, r)
	}
	return out
}
