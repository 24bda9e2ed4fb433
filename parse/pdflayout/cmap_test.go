package pdflayout

import "testing"

const toUnicodeCrossing = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
2 beginbfchar
<0003> <0020>
<0611> <4FE1>
endbfchar
3 beginbfrange
<00FE> <0102> <4E00>
<0200> <0202> [<5F00> <5F01> <D840DC00>]
<1000> <10FF> <0041>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end`

func TestParseCMapToUnicode(t *testing.T) {
	m := parseCMap([]byte(toUnicodeCrossing), nil)
	tests := []struct {
		code uint32
		want string
		ok   bool
	}{
		{0x0003, " ", true},
		{0x0611, "信", true},
		{0x00FE, "一", true},          // range start
		{0x00FF, "丁", true},          // U+4E01
		{0x0100, "丂", true},          // crosses the low-byte boundary: U+4E02
		{0x0102, "丄", true},          // U+4E04, range end
		{0x0103, "", false},          // past the range
		{0x0201, "弁", true},          // array form: U+5F01
		{0x0202, "\U00020000", true}, // surrogate pair in an array element
		{0x1005, "F", true},
		{0x7777, "", false},
	}
	for _, tt := range tests {
		got, ok := m.lookupText(tt.code, 2)
		if ok != tt.ok || got != tt.want {
			t.Errorf("code %04X: got %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.ok)
		}
	}
	if len(m.space) != 1 || m.space[0].n != 2 {
		t.Errorf("codespace = %+v, want one 2-byte range", m.space)
	}
}

func TestParseCMapCIDAndMixedCodespace(t *testing.T) {
	src := `begincmap /WMode 1 def
2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange
1 begincidrange <8140> <81FE> 1000 endcidrange
1 begincidchar <41> 34 endcidchar
/Registry (Adobe) def endcmap`
	m := parseCMap([]byte(src), nil)
	if m.wmode != 1 {
		t.Errorf("wmode = %d, want 1", m.wmode)
	}
	if c, ok := m.lookupCID(0x8142, 2); !ok || c != 1002 {
		t.Errorf("cid(8142) = %d, %v; want 1002", c, ok)
	}
	if c, ok := m.lookupCID(0x41, 1); !ok || c != 34 {
		t.Errorf("cid(41) = %d, %v; want 34", c, ok)
	}
	tests := []struct {
		in     string
		code   uint32
		nbytes int
	}{
		{"A\x81\x40", 0x41, 1},
		{"\x81\x40A", 0x8140, 2},
		{"\xff", 0xff, 1}, // no range matches: the shortest length
	}
	for _, tt := range tests {
		code, n := nextCode(m.space, tt.in, 2)
		if code != tt.code || n != tt.nbytes {
			t.Errorf("nextCode(%q) = %X, %d; want %X, %d", tt.in, code, n, tt.code, tt.nbytes)
		}
	}
}

func TestParseCMapHostile(t *testing.T) {
	// A range of 2^32 codes must not be expanded, and garbage must not panic.
	m := parseCMap([]byte("1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange begincodespacerange <00> endcodespacerange ((( <<"), nil)
	if len(m.uni) != 0 || len(m.uniRanges) != 1 {
		t.Fatalf("uni = %d entries, ranges = %d; want the range kept unexpanded", len(m.uni), len(m.uniRanges))
	}
	if got, ok := m.lookupText(0x10, 4); !ok || got != "Q" {
		t.Errorf("lookup in a large range = %q, %v; want Q", got, ok)
	}
}

func TestPredefinedCMaps(t *testing.T) {
	warn := func(WarnKind, string) {}
	tests := []struct {
		cmap string
		in   string
		want string
	}{
		{"GBK-EUC-H", "\xd0\xc5\xcf\xa2 12", "信息 12"},
		{"GB-EUC-H", "\xb9\xab\xbf\xaa", "公开"},
		{"UniGB-UCS2-H", "\x4f\xe1\x00\x35", "信5"},
		{"UniGB-UTF16-H", "\xd8\x40\xdc\x00\x4e\x00", "\U00020000一"},
	}
	for _, tt := range tests {
		f := &font{composite: true, dw: 1000, scale: 0.001}
		f.setPredef(tt.cmap, warn)
		var got string
		for _, g := range decoded(f, tt.in) {
			got += g.text
		}
		if got != tt.want {
			t.Errorf("%s: decoded %q, want %q", tt.cmap, got, tt.want)
		}
	}
}

func TestToUnicodeCodeLengthMismatch(t *testing.T) {
	// A two-byte Identity-H font whose ToUnicode map writes one-byte codes.
	f := &font{composite: true, dw: 1000, scale: 0.001}
	f.setPredef("Identity-H", func(WarnKind, string) {})
	f.toUni = parseCMap([]byte("2 beginbfchar <41> <4E00> <0102> <4E8C> endbfchar"), nil)
	var got string
	for _, g := range decoded(f, "\x00\x41\x01\x02\x00\x42") {
		got += g.text
	}
	if want := "一二\uFFFD"; got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
	if f.missing != 1 {
		t.Errorf("missing = %d, want 1 (the unmapped code counted)", f.missing)
	}
}

func TestAdobeGB1(t *testing.T) {
	// Identity-H over an Adobe-GB1 font with neither ToUnicode nor an
	// embedded TrueType cmap: CIDs decode through the character
	// collection. CID 4511 is 政 and 4000 is 姓 (Adobe's UniGB-UCS2-H maps
	// U+653F to 4511); CIDs past the collection stay undecoded.
	f := &font{composite: true, dw: 1000, scale: 0.001, gb1: true}
	f.setPredef("Identity-H", func(WarnKind, string) {})
	var got string
	for _, g := range decoded(f, "\x00\x12\x00\x11\x00\x0f\x0f\xa0\x11\x9f\xff\xf0") {
		got += g.text
	}
	if want := "10.姓政\uFFFD"; got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
}

// decoded decodes a whole string with font f.
func decoded(f *font, s string) []glyph {
	gl, _ := f.decodeString(s, nil, len(s))
	return gl
}
