package pdflayout

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"

	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// expiring is a context whose time runs out at its n-th look, so that a
// test can stop a loop in its middle without timing anything.
type expiring struct {
	context.Context
	n int
}

func (e *expiring) Err() error {
	if e.n--; e.n < 0 {
		return context.DeadlineExceeded
	}
	return nil
}

func expired(n int) *stopper {
	return &stopper{ctx: &expiring{Context: context.Background(), n: n}}
}

func hasWarning(ws []Warning, kind WarnKind, part string) bool {
	for _, w := range ws {
		if w.Kind == kind && strings.Contains(w.Msg, part) {
			return true
		}
	}
	return false
}

// TestLoopsStopWhenTold runs each loop of the layer that grows with its
// input on an input that would keep it busy, with a context that runs out
// after a few looks: each must stop part-way and say why.
func TestLoopsStopWhenTold(t *testing.T) {
	var cm strings.Builder
	cm.WriteString("1 begincodespacerange <0000> <FFFF> endcodespacerange\n100000 beginbfchar\n")
	for i := range 100_000 {
		fmt.Fprintf(&cm, "<%04X> <%04X>\n", i%0x10000, 0x4E00+i%0x5000)
	}
	cm.WriteString("endbfchar\n")
	t.Run("CMap", func(t *testing.T) {
		st := expired(2)
		m := parseCMap([]byte(cm.String()), st)
		if !errors.Is(st.err, context.DeadlineExceeded) || len(m.uni) >= 65536 {
			t.Errorf("stopper %v, %d entries read: want a stop part-way", st.err, len(m.uni))
		}
	})
	t.Run("precheck sizes", func(t *testing.T) {
		err := precheck(bytes.Repeat([]byte("/Size 1 "), 1<<18), expired(2))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("precheck = %v, want the context's error", err)
		}
	})
	t.Run("precheck extends", func(t *testing.T) {
		err := precheck(bytes.Repeat([]byte("1 0 obj /Extends 1 "), 1<<16), expired(3))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("precheck = %v, want the context's error", err)
		}
	})
	t.Run("rebuild", func(t *testing.T) {
		_, _, err := rebuild(hostile.BrokenXref(hostile.ManyPages(20_000)), expired(2))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("rebuild = %v, want the context's error", err)
		}
	})
	pageOf := func(t *testing.T, data []byte) (*Doc, *Page) {
		d, err := Open(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.Page(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		return d, p
	}
	t.Run("layout", func(t *testing.T) {
		_, p := pageOf(t, hostile.DenseGrid(1, 200))
		blocks, err := LayoutContext(&expiring{Context: context.Background(), n: 3}, p, nil)
		if !errors.Is(err, context.DeadlineExceeded) || len(tables(blocks)) != 0 {
			t.Errorf("layout = %d tables, %v; want the context's error and no table", len(tables(blocks)), err)
		}
		if full := Layout(p, nil); len(tables(full)) != 1 {
			t.Errorf("without a deadline: %d tables, want 1", len(tables(full)))
		}
	})
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"content stream", hostile.DenseGrid(1, 200)},
		{"ToUnicode", hostile.HugeToUnicode(100_000)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(context.Background(), tt.data)
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.Page(&expiring{Context: context.Background(), n: 2}, 1)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("page = %v, want the context's error", err)
			}
		})
	}
}

// TestCapsOnExpansion checks that widths and CMaps are capped by the
// codes they expand to, with a warning, and stay quick to look up.
func TestCapsOnExpansion(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		part string
	}{
		{"/W", hostile.HugeWidths(65535), "/W gives widths to more than the cap"},
		{"/W2", hostile.HugeW2(65535), "/W2 gives metrics to more than the cap"},
		{"ToUnicode", hostile.HugeToUnicode(10_000), "ToUnicode CMap: 5902 entries past the caps"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(context.Background(), tt.data)
			if err != nil {
				t.Fatal(err)
			}
			p, err := d.Page(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if !hasWarning(p.Warnings, WarnLimit, tt.part) {
				t.Errorf("warnings %v, want one with %q", p.Warnings, tt.part)
			}
			for _, f := range d.order {
				codes := 0
				for _, r := range f.cidW {
					codes += int(r.hi-r.lo) + 1
				}
				if codes > maxWidthCodes || len(f.w2) > maxWidthCodes {
					t.Errorf("font %s: widths for %d codes, vertical metrics for %d; cap %d", f.name, codes, len(f.w2), maxWidthCodes)
				}
				if f.toUni != nil && (len(f.toUni.uni) > maxCMapCodes || len(f.toUni.uniRanges) > maxCMapRanges) {
					t.Errorf("font %s: ToUnicode with %d codes and %d ranges", f.name, len(f.toUni.uni), len(f.toUni.uniRanges))
				}
			}
		})
	}
	// Overlapping entries: the one that starts first wins where they
	// overlap, and lookups find every code.
	tab := widthTable{{lo: 10, hi: 20, w: 1}, {lo: 0, hi: 5, ws: []float64{0, 1, 2, 3, 4, 5}}, {lo: 3, hi: 12, w: 3}, {lo: 15, hi: 16, w: 4}}.disjoint()
	for cid, want := range map[uint32]float64{0: 0, 5: 5, 6: 3, 9: 3, 12: 3, 13: 1, 16: 1, 20: 1} {
		if w, ok := tab.lookup(cid); !ok || w != want {
			t.Errorf("cid %d: width %v %v, want %v (table %v)", cid, w, ok, want, tab)
		}
	}
	if _, ok := tab.lookup(21); ok {
		t.Error("cid 21 has a width")
	}
	m := &cmap{uni: map[uint64]string{}, uniRanges: disjointUni([]uniRange{
		{n: 2, lo: 0x100, hi: 0x1FF, dst: []rune{0x4E00}},
		{n: 2, lo: 0x150, hi: 0x250, dst: []rune{0x5000}},
		{n: 1, lo: 0x10, hi: 0x20, dst: []rune{'a'}},
		{n: 4, lo: 0, hi: 0xFFFFFFFF, dst: []rune{0x6000}},
	})}
	for _, c := range []struct {
		code uint32
		n    int
		want string // "" for none
	}{{0x100, 2, "\u4e00"}, {0x1FF, 2, "\u4eff"}, {0x200, 2, "\u50b0"}, {0x250, 2, "\u5100"}, {0x251, 2, ""},
		{0x15, 1, "f"}, {0x15, 2, ""}, {0x100, 4, "\u6100"}, {0x100, 3, ""}} {
		got, ok := m.lookupText(c.code, c.n)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("code %x (%d bytes): %q %v, want %q", c.code, c.n, got, ok, c.want)
		}
	}
}

// TestTrueTypeCMapCap checks that a cmap table of many full segments is
// read no further than maxTTFCodes codes.
func TestTrueTypeCMapCap(t *testing.T) {
	be := binary.BigEndian
	const groups = 10_000
	f12 := make([]byte, 16+12*groups)
	be.PutUint16(f12, 12)
	be.PutUint32(f12[12:], groups)
	for i := range groups {
		be.PutUint32(f12[16+12*i:], 0)
		be.PutUint32(f12[20+12*i:], 0xFFFF)
		be.PutUint32(f12[24+12*i:], uint32(1+i))
	}
	calls := 0
	parseFormat12(ttTable(fontWithCMap(3, 10, f12), "cmap")[12:], func(rune, uint32) bool {
		calls++
		return calls < maxTTFCodes
	})
	if calls != maxTTFCodes {
		t.Errorf("%d codes visited, want the cap %d", calls, maxTTFCodes)
	}
	if m := ttfCMap(fontWithCMap(3, 10, f12)); len(m) > maxTTFCodes {
		t.Errorf("%d glyphs mapped, cap %d", len(m), maxTTFCodes)
	}
}

// TestGlyphCaps shows strings past the caps on glyphs per string and per
// page: the codes past them are not decoded, and the page says so.
func TestGlyphCaps(t *testing.T) {
	long := "BT 0 700 Td (" + strings.Repeat("A", maxStringGlyphs+100) + ") Tj ET"
	p := runContent(t, simpleFont(500), long)
	if len(p.Glyphs) != maxStringGlyphs {
		t.Errorf("%d glyphs, want the string cap %d", len(p.Glyphs), maxStringGlyphs)
	}
	in := &interp{ctx: context.Background(), doc: &Doc{fonts: map[objKey]*font{}, byRes: map[objKey]*font{}}, page: &Page{Number: 1}}
	in.gs = gstate{ctm: identity, th: 1, font: simpleFont(500), fs: 1}
	in.toPage = matrix{1, 0, 0, -1, 0, 800}
	many := "BT 0 700 Td " + strings.Repeat("0 -1 Td ("+strings.Repeat("A", 60_000)+") Tj ", 5) + "ET"
	if err := in.run([]byte(many), pdf.Value{}); err != nil {
		t.Fatal(err)
	}
	in.reportCuts()
	if len(in.page.Glyphs) != maxGlyphs || !hasWarning(in.page.Warnings, WarnLimit, "glyphs on the page") {
		t.Errorf("%d glyphs, warnings %v; want the page cap %d and a warning", len(in.page.Glyphs), in.page.Warnings, maxGlyphs)
	}
	// a string far past the cap is read no further than maxStringBytes
	lx := &lexer{b: []byte("(" + strings.Repeat("\\101", 2*maxStringBytes) + ") <" + strings.Repeat("41", 2*maxStringBytes) + ">")}
	if a, b := lx.next(), lx.next(); len(a.s) != maxStringBytes || len(b.s) != maxStringBytes || lx.cut != 2 {
		t.Errorf("strings of %d and %d bytes, %d cut; want %d each, 2 cut", len(a.s), len(b.s), lx.cut, maxStringBytes)
	}
}

// TestStandardFontText reads text drawn with a standard font that has
// neither /Widths nor /Encoding: its ASCII codes are text.
func TestStandardFontText(t *testing.T) {
	d, err := Open(context.Background(), hostile.TextPDF())
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.Page(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, g := range p.Glyphs {
		b.WriteString(g.Text)
	}
	if b.String() != hostile.TextLine || len(p.Warnings) != 0 {
		t.Errorf("text %q, warnings %v; want %q", b.String(), p.Warnings, hostile.TextLine)
	}
	if w := p.Glyphs[1].BBox.X0 - p.Glyphs[0].BBox.X0; w <= 0 {
		t.Errorf("glyphs do not advance: %v", w)
	}
}

// TestDeepInputs opens files nested deeper than any reader should
// recurse: each ends with pages or an error, never a stack overflow.
func TestDeepInputs(t *testing.T) {
	deep := strings.Repeat("[<< /A ", 1_000_000)
	m := parseCMap([]byte("1 beginbfrange <00> <01> "+deep+" endbfrange 1 beginbfchar <41> <0042> endbfchar"), nil)
	if got, ok := m.lookupText(0x41, 1); !ok || got != "B" {
		t.Errorf("CMap after deep nesting: %q %v, want B", got, ok)
	}
	if err := precheck([]byte("%PDF-1.7\n1 0 obj << /Type /XRef /Index "+deep+" >> stream\n"+"startxref\n9\n%%EOF\n"), nil); err != nil {
		t.Logf("precheck: %v", err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		text bool   // the page's text is read
		warn string // a warning of the page, if any
		err  string // Open's error, if any
	}{
		{"arrays", hostile.DeepArray(1_000_000), false, "ends inside the array", ""},
		{"dictionaries in arrays in dictionaries", hostile.DeepDict(100_000), true, "", ""},
		{"xref stream /Index", hostile.DeepXrefIndex(100_000), true, "", ""},
		{"forms", hostile.DeepForms(50), false, "nested deeper than the cap", ""},
		{"page tree", hostile.DeepPageTree(1000), false, "", "deeper than 64 levels"},
		{"page tree at the cap", hostile.DeepPageTree(maxTreeDepth - 1), true, "", ""},
		{"contents arrays", hostile.DeepContents(10), false, "not a stream", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(context.Background(), tt.data)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Open = %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, _ := d.Page(context.Background(), 1)
			if tt.text != (len(p.Glyphs) > 0) {
				t.Errorf("%d glyphs, want text %v", len(p.Glyphs), tt.text)
			}
			if tt.warn != "" && !strings.Contains(fmt.Sprint(p.Warnings), tt.warn) {
				t.Errorf("warnings %v, want one with %q", p.Warnings, tt.warn)
			}
		})
	}
}

// TestLexerWindows checks that asking the stopper at the end of each
// window of input changes no token, even one that crosses a window's end.
func TestLexerWindows(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 5*lexWindow; i++ {
		fmt.Fprintf(&b, "%d /Name%d (a string (nested) with \\) escapes %d) <414243> [1 2 %d] << /K %d >> Tj %% comment\n", i, i, i, i, i)
		if i%500 == 0 {
			fmt.Fprintf(&b, "(%s) /%s ", strings.Repeat("x", lexWindow/3), strings.Repeat("n", lexWindow/5))
		}
	}
	data := []byte(b.String())
	plain := &lexer{b: data}
	windowed := &lexer{b: data, st: &stopper{ctx: context.Background()}}
	for n := 0; ; n++ {
		a, w := plain.next(), windowed.next()
		if a != w {
			t.Fatalf("token %d: %+v without a stopper, %+v with one", n, a, w)
		}
		if a.kind == tokEOF {
			if n < 20_000 {
				t.Fatalf("only %d tokens", n)
			}
			return
		}
	}
}
