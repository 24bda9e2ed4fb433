package parse

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// flateRef inflates src with compress/flate the way docxPackage.inflate
// has: read into a buffer of limit bytes until it is full or the stream
// ends. The error is nil when either happened, else the reader's, with
// the bytes it yielded before it. (An error that comes with the last of
// limit bytes is not one: the bytes wanted are out, and inflate need not
// look further.)
func flateRef(src []byte, limit int) ([]byte, error) {
	fr := flate.NewReader(bytes.NewReader(src))
	out := make([]byte, 0, min(limit, 1<<16))
	buf := make([]byte, 4096)
	for len(out) < limit {
		n, err := fr.Read(buf[:min(len(buf), limit-len(out))])
		out = append(out, buf[:n]...)
		if err == io.EOF || len(out) == limit {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// checkInflate holds inflate to compress/flate on src and limit: when
// the flate reader fills limit bytes or reaches the stream's end, inflate
// returns the same bytes and no error; when it fails first, inflate fails
// too, having yielded the same bytes. (inflate never fails once limit
// bytes are out: it does not read further, as a reader into a buffer of
// limit bytes does not.)
func checkInflate(t *testing.T, src []byte, limit int, dst []byte) {
	t.Helper()
	want, werr := flateRef(src, max(limit, 0))
	got, err := inflate(dst, src, limit)
	if len(got) > max(limit, 0) {
		t.Fatalf("limit %d: %d bytes out", limit, len(got))
	}
	if werr == nil {
		if err != nil {
			t.Fatalf("limit %d: %v; compress/flate reads %d bytes", limit, err, len(want))
		}
	} else {
		if err == nil {
			t.Fatalf("limit %d: %d bytes and no error; compress/flate: %v after %d bytes", limit, len(got), werr, len(want))
		}
		if errors.Is(werr, io.ErrUnexpectedEOF) != errors.Is(err, io.ErrUnexpectedEOF) {
			t.Logf("limit %d: %v; compress/flate: %v", limit, err, werr)
		}
		if !strings.HasPrefix(err.Error(), "deflate: ") {
			t.Fatalf("error %q does not say it is deflate's", err)
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("limit %d: %d bytes (err %v) differ from compress/flate's %d (err %v) at byte %d", limit, len(got), err, len(want), werr, firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func deflateAt(tb testing.TB, data []byte, level int) []byte {
	tb.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, level)
	if err != nil {
		tb.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// bitWriter writes a DEFLATE stream by hand, least significant bit first.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

func (w *bitWriter) bits(v uint64, n uint) *bitWriter {
	w.acc |= v << w.n
	w.n += n
	for w.n >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
	return w
}

// code writes a Huffman code, sent most significant bit first.
func (w *bitWriter) code(c hcode) *bitWriter {
	return w.bits(uint64(bits.Reverse16(c.code)>>(16-c.len)), uint(c.len))
}

func (w *bitWriter) align() *bitWriter {
	if w.n > 0 {
		w.bits(0, 8-w.n)
	}
	return w
}

func (w *bitWriter) bytes() []byte {
	w.align()
	return w.out
}

type hcode struct {
	code uint16
	len  uint8
}

// canonical returns the canonical Huffman code of the lengths.
func canonical(lens []uint8) []hcode {
	var count [16]int
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [16]int
	code := 0
	for l := 1; l < 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	codes := make([]hcode, len(lens))
	for s, l := range lens {
		if l != 0 {
			codes[s] = hcode{uint16(next[l]), l}
			next[l]++
		}
	}
	return codes
}

func fixedLitLens() []uint8 {
	lens := make([]uint8, 288)
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	return lens
}

var fixedLit = canonical(fixedLitLens())

// match is a length and distance to encode by hand.
type match struct{ length, dist int }

func (w *bitWriter) header(final bool, typ uint64) *bitWriter {
	f := uint64(0)
	if final {
		f = 1
	}
	return w.bits(f, 1).bits(typ, 2)
}

// lengthSym returns a length's symbol and extra bits.
func lengthSym(n int) (sym int, extra uint64, nb uint) {
	base := 3
	for s := 257; s < 286; s++ {
		x := 0
		if s >= 265 && s < 285 {
			x = (s - 261) / 4
		}
		if s == 285 {
			base = 258
		}
		if n >= base && n < base+1<<x {
			return s, uint64(n - base), uint(x)
		}
		base += 1 << x
	}
	panic("bad length")
}

func distSym(d int) (sym int, extra uint64, nb uint) {
	base := 1
	for s := range 30 {
		x := 0
		if s >= 4 {
			x = (s - 2) / 2
		}
		if d >= base && d < base+1<<x {
			return s, uint64(d - base), uint(x)
		}
		base += 1 << x
	}
	panic("bad distance")
}

func (w *bitWriter) fixedLiteral(b byte) *bitWriter { return w.code(fixedLit[b]) }

func (w *bitWriter) fixedMatch(m match) *bitWriter {
	s, x, n := lengthSym(m.length)
	w.code(fixedLit[s]).bits(x, n)
	s, x, n = distSym(m.dist)
	return w.code(hcode{uint16(s), 5}).bits(x, n)
}

func (w *bitWriter) fixedEnd() *bitWriter { return w.code(fixedLit[256]) }

func (w *bitWriter) stored(final bool, data []byte) *bitWriter {
	w.header(final, 0).align()
	n := len(data)
	w.out = append(w.out, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
	w.out = append(w.out, data...)
	return w
}

// clLens is a complete code-length code of every length symbol and two
// of the repeats: 0-13 in 4 bits, 14-17 in 5, no 18.
var clLens = [19]uint8{0: 4, 1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 4, 8: 4, 9: 4, 10: 4, 11: 4, 12: 4, 13: 4, 14: 5, 15: 5, 16: 5, 17: 5}

// clSym is a code-length symbol and its extra bits.
type clSym struct {
	sym   int
	extra uint64
}

// dynamicHeader writes the header of a dynamic block of nlit and ndist
// codes: the code-length code cl (clLens when nil), then the symbols syms
// that send the code lengths, which may be too few or wrong.
func (w *bitWriter) dynamicHeader(final bool, nlit, ndist int, cl *[19]uint8, syms []clSym) *bitWriter {
	if cl == nil {
		cl = &clLens
	}
	w.header(final, 2).bits(uint64(nlit-257), 5).bits(uint64(ndist-1), 5).bits(19-4, 4)
	for _, s := range codeLengthOrder {
		w.bits(uint64(cl[s]), 3)
	}
	codes := canonical(cl[:])
	for _, s := range syms {
		w.code(codes[s.sym])
		switch s.sym {
		case 16:
			w.bits(s.extra, 2)
		case 17:
			w.bits(s.extra, 3)
		case 18:
			w.bits(s.extra, 7)
		}
	}
	return w
}

// dynamicBlock writes a dynamic block of the code lengths lit and dist,
// sent one by one, and its data: literal bytes, then the end.
func (w *bitWriter) dynamicBlock(final bool, lit, dist []uint8, data []byte) *bitWriter {
	w.dynamicData(final, lit, dist, data)
	if lit[256] != 0 {
		w.code(canonical(lit)[256])
	}
	return w
}

// dynamicData is dynamicBlock without the end of the block.
func (w *bitWriter) dynamicData(final bool, lit, dist []uint8, data []byte) *bitWriter {
	var syms []clSym
	for _, l := range append(append([]uint8(nil), lit...), dist...) {
		syms = append(syms, clSym{sym: int(l)})
	}
	w.dynamicHeader(final, len(lit), len(dist), nil, syms)
	codes := canonical(lit)
	for _, b := range data {
		w.code(codes[b])
	}
	return w
}

// litLens returns n >= 258 literal/length code lengths of a complete
// code for hand-made dynamic blocks: the 256 literals in 9 bits (half
// the code space), the end and length 3 (symbol 257) in 2 bits each.
func litLens(n int) []uint8 {
	lens := make([]uint8, n)
	for i := range 256 {
		lens[i] = 9
	}
	lens[256], lens[257] = 2, 2
	return lens
}

func TestInflateStreams(t *testing.T) {
	text := []byte(strings.Repeat("<w:p><w:r><w:t>二〇二三年政府信息公开工作年度报告</w:t></w:r></w:p>\n", 40))
	rnd := make([]byte, 5000)
	for i := range rnd {
		rnd[i] = byte(rand.Uint32())
	}
	lit := litLens(258)
	tests := []struct {
		name string
		src  []byte
		want []byte
	}{
		{"stored", new(bitWriter).stored(true, []byte("hello, world")).bytes(), []byte("hello, world")},
		{"stored empty", new(bitWriter).stored(true, nil).bytes(), []byte{}},
		{"stored then stored", new(bitWriter).stored(false, []byte("ab")).stored(true, []byte("cd")).bytes(), []byte("abcd")},
		{"fixed", new(bitWriter).header(true, 1).fixedLiteral('a').fixedLiteral('b').fixedMatch(match{10, 2}).fixedLiteral(0xff).fixedEnd().bytes(), []byte("abababababab\xff")},
		{"fixed empty", new(bitWriter).header(true, 1).fixedEnd().bytes(), []byte{}},
		{"fixed distance 1", new(bitWriter).header(true, 1).fixedLiteral('z').fixedMatch(match{258, 1}).fixedMatch(match{3, 1}).fixedEnd().bytes(), bytes.Repeat([]byte("z"), 262)},
		{"fixed then stored then fixed", new(bitWriter).header(false, 1).fixedLiteral('x').fixedEnd().stored(false, []byte("yy")).header(true, 1).fixedMatch(match{4, 3}).fixedEnd().bytes(), []byte("xyyxyyx")},
		{"dynamic", new(bitWriter).dynamicBlock(true, lit, []uint8{1, 1}, []byte("dynamic")).bytes(), []byte("dynamic")},
		{"dynamic one distance code", new(bitWriter).dynamicBlock(true, lit, []uint8{1}, []byte("one")).bytes(), []byte("one")},
		{"dynamic no distance code", new(bitWriter).dynamicBlock(true, lit, []uint8{0}, []byte("none")).bytes(), []byte("none")},
		{"dynamic then fixed", new(bitWriter).dynamicBlock(false, lit, []uint8{1, 1}, []byte("dy")).header(true, 1).fixedMatch(match{3, 2}).fixedEnd().bytes(), []byte("dydyd")},
		{"level 6", deflateAt(t, text, 6), text},
		{"huffman only", deflateAt(t, text, flate.HuffmanOnly), text},
		{"random stored", deflateAt(t, rnd, 0), rnd},
		{"empty level 6", deflateAt(t, nil, 6), []byte{}},
		{"empty level 0", deflateAt(t, nil, 0), []byte{}},
		{"trailing garbage", append(new(bitWriter).stored(true, []byte("end")).bytes(), "garbage\xff\x00"...), []byte("end")},
		{"trailing garbage fixed", append(new(bitWriter).header(true, 1).fixedLiteral('e').fixedEnd().bytes(), 0xff, 0xff), []byte("e")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := inflate(nil, tt.src, len(tt.want)+1)
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			checkInflate(t, tt.src, 1<<20, nil)
		})
	}
}

func TestInflateLimit(t *testing.T) {
	text := []byte(strings.Repeat("limit cut exactly here and there, ", 300))
	streams := map[string][]byte{
		"stored":  deflateAt(t, text, 0),
		"level 1": deflateAt(t, text, 1),
		"level 9": deflateAt(t, text, 9),
		"huffman": deflateAt(t, text, flate.HuffmanOnly),
	}
	for name, src := range streams {
		for _, limit := range []int{-1, 0, 1, 2, 257, 258, 259, 300, len(text) - 1, len(text), len(text) + 1, 1 << 30} {
			got, err := inflate(nil, src, limit)
			want := text[:min(max(limit, 0), len(text))]
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s, limit %d: %d bytes, %v; want %d", name, limit, len(got), err, len(want))
			}
			if cap(got) > max(limit, 0) {
				t.Errorf("%s, limit %d: %d bytes allocated", name, limit, cap(got))
			}
			checkInflate(t, src, limit, nil)
			checkInflate(t, src, limit, make([]byte, 0, 10))
			if limit < 1<<20 {
				checkInflate(t, src, limit, make([]byte, 0, max(limit, 0)+1000)) // room past limit
			}
		}
	}
}

// TestInflateBomb checks that a stream that inflates a thousand fold is
// cut at limit without more being allocated.
func TestInflateBomb(t *testing.T) {
	src := deflateAt(t, make([]byte, 20<<20), 9)
	for _, limit := range []int{1, 1000, 1 << 20} {
		got, err := inflate(nil, src, limit)
		if err != nil || len(got) != limit || cap(got) > limit {
			t.Errorf("limit %d: %d bytes (capacity %d), %v", limit, len(got), cap(got), err)
		}
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := inflate(make([]byte, 0, 4096), src, 4096); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations with the output's room given", allocs)
	}
}

func TestInflateReusesDst(t *testing.T) {
	text := []byte(strings.Repeat("reuse ", 1000))
	src := deflateAt(t, text, 6)
	dst := make([]byte, 3, len(text)+1)
	got, err := inflate(dst, src, len(text)+1)
	if err != nil || !bytes.Equal(got, text) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	if &got[0] != &dst[:1][0] {
		t.Error("dst's capacity is not reused")
	}
	// Too small a dst grows, up to limit.
	got, err = inflate(make([]byte, 0, 7), src, len(text)+1)
	if err != nil || !bytes.Equal(got, text) || cap(got) > len(text)+1 {
		t.Fatalf("%d bytes (capacity %d), %v", len(got), cap(got), err)
	}
}

func TestInflateRoundTrip(t *testing.T) {
	rnd := make([]byte, 300<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range rnd {
		rnd[i] = byte(r.Uint32())
	}
	var text bytes.Buffer
	for i := range 20000 {
		text.WriteString([]string{"<w:t>", "年度报告", "</w:t>", " ", "<w:r w:rsidR=\"00A1\">", "政府信息公开"}[r.IntN(6)])
		if i%97 == 0 {
			text.WriteString(strings.Repeat("0", r.IntN(400)))
		}
	}
	period := rnd[:32768]
	far := append(append(append([]byte(nil), period...), period...), period...)
	inputs := map[string][]byte{
		"random":        rnd,
		"text":          text.Bytes(),
		"run":           bytes.Repeat([]byte{'a'}, 200<<10),
		"period 32768":  far,
		"period 3":      bytes.Repeat([]byte("abc"), 50000),
		"period 7":      bytes.Repeat([]byte("abcdefg"), 20000),
		"one byte":      {'x'},
		"random little": rnd[:100],
	}
	_, raws, sizes := docxDocumentParts(t, "*.docx")
	for i, raw := range raws {
		out, err := inflate(nil, raw, sizes[i]+1)
		if err != nil {
			t.Fatal(err)
		}
		checkInflate(t, raw, sizes[i]+1, nil)
		inputs["document.xml "+string(rune('A'+i))] = out
	}
	for name, data := range inputs {
		for _, level := range []int{flate.HuffmanOnly, flate.NoCompression, flate.BestSpeed, flate.DefaultCompression, 6, flate.BestCompression} {
			src := deflateAt(t, data, level)
			got, err := inflate(nil, src, len(data)+1)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s, level %d: %d bytes, %v; want %d, first difference at %d", name, level, len(got), err, len(data), firstDiff(got, data))
			}
			got, err = inflate(make([]byte, 0, len(data)), src, len(data))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s, level %d, limit = size: %d bytes, %v", name, level, len(got), err)
			}
		}
	}
}

// TestInflateDistance32768 copies from the farthest a match may reach.
func TestInflateDistance32768(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	w := new(bitWriter).header(true, 1)
	var want []byte
	for range 32768 {
		b := byte(r.Uint32())
		w.fixedLiteral(b)
		want = append(want, b)
	}
	for range 3 {
		w.fixedMatch(match{258, 32768})
		want = append(want, want[len(want)-32768:len(want)-32768+258]...)
	}
	w.fixedMatch(match{3, 32768})
	want = append(want, want[len(want)-32768:len(want)-32768+3]...)
	src := w.fixedEnd().bytes()
	got, err := inflate(nil, src, 1<<20)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%d bytes, %v; first difference at %d", len(got), err, firstDiff(got, want))
	}
	checkInflate(t, src, 1<<20, nil)
	// One byte less of history is too far back.
	bad := new(bitWriter).header(true, 1)
	for range 32767 {
		bad.fixedLiteral('a')
	}
	bad.fixedMatch(match{3, 32768}).fixedEnd()
	if _, err := inflate(nil, bad.bytes(), 1<<20); err == nil || !strings.Contains(err.Error(), "distance too far back") {
		t.Fatalf("err %v", err)
	}
}

func TestInflateTruncated(t *testing.T) {
	text := []byte(strings.Repeat("truncated at every byte ", 20))
	lit := litLens(258)
	streams := map[string][]byte{
		"stored":  new(bitWriter).stored(false, []byte("abc")).stored(true, []byte("defg")).bytes(),
		"fixed":   new(bitWriter).header(true, 1).fixedLiteral('a').fixedMatch(match{20, 1}).fixedLiteral('b').fixedEnd().bytes(),
		"dynamic": new(bitWriter).dynamicBlock(true, lit, []uint8{1, 1}, []byte("dynamic")).bytes(),
		"level 6": deflateAt(t, text, 6),
		"level 1": deflateAt(t, text, 1),
		"huffman": deflateAt(t, text, flate.HuffmanOnly),
	}
	for name, src := range streams {
		full, err := inflate(nil, src, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for n := range len(src) {
			got, err := inflate(nil, src[:n], 1<<20)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%s cut to %d bytes: %d bytes, %v", name, n, len(got), err)
			}
			if !bytes.HasPrefix(full, got) {
				t.Errorf("%s cut to %d bytes: wrong bytes", name, n)
			}
			checkInflate(t, src[:n], 1<<20, nil)
			checkInflate(t, src[:n], len(got), nil)
			checkInflate(t, src[:n], len(got)+1, nil)
		}
	}
}

// TestInflateEOBLookahead is compress/flate's reading of as many bits as
// the end-of-block code has before it decodes a literal: a stream cut
// right after a short literal yields the bytes before it only.
func TestInflateEOBLookahead(t *testing.T) {
	lit := make([]uint8, 258)
	lit['a'] = 1 // 'a' in 1 bit, the end in 9
	for i := range 256 {
		if i != 'a' {
			lit[i] = 9
		}
	}
	lit[256], lit[257] = 9, 9
	lit[0] = 0 // 1/2 + 256 codes of 9 bits: complete
	src := new(bitWriter).dynamicBlock(true, lit, []uint8{1, 1}, []byte("aaaaaaaaaaaaaaaaaaaa")).bytes()
	full, err := inflate(nil, src, 1<<20)
	if err != nil || string(full) != strings.Repeat("a", 20) {
		t.Fatalf("%q, %v", full, err)
	}
	for n := range len(src) {
		for _, limit := range []int{1 << 20, 1, 2, 5, 19, 20} {
			checkInflate(t, src[:n], limit, nil)
		}
	}
}

func TestInflateInvalid(t *testing.T) {
	lit := litLens(258)
	oversubscribed := [19]uint8{}
	for i := range oversubscribed {
		oversubscribed[i] = 1
	}
	incompleteCL := [19]uint8{0: 2, 1: 2, 2: 2}
	single2 := [19]uint8{0: 2}
	degenerateCL := [19]uint8{8: 1} // one code-length code of length 1: valid, but it sends only 8s
	incompleteLit := append([]uint8(nil), lit...)
	incompleteLit[257] = 0
	zeros := func(n int) []clSym { return make([]clSym, n) }
	sendLens := func(l []uint8) []clSym {
		var s []clSym
		for _, x := range l {
			s = append(s, clSym{sym: int(x)})
		}
		return s
	}
	tests := []struct {
		name, msg string
		src       []byte
	}{
		{"reserved block type", "reserved block type", []byte{0x07}},
		{"stored complement", "complement", []byte{0x01, 0x05, 0x00, 0x00, 0x00, 'a', 'b', 'c', 'd', 'e'}},
		{"too many literal codes", "too many literal/length codes", new(bitWriter).header(true, 2).bits(30, 5).bits(0, 5).bits(0, 4).bits(0, 64).bytes()},
		{"too many distance codes", "too many distance codes", new(bitWriter).header(true, 2).bits(0, 5).bits(30, 5).bits(0, 4).bits(0, 64).bytes()},
		{"over-subscribed code-length code", "invalid code-length code", new(bitWriter).dynamicHeader(true, 257, 1, &oversubscribed, nil).bits(0, 64).bytes()},
		{"incomplete code-length code", "invalid code-length code", new(bitWriter).dynamicHeader(true, 257, 1, &incompleteCL, nil).bits(0, 64).bytes()},
		{"single code-length code of 2 bits", "invalid code-length code", new(bitWriter).dynamicHeader(true, 257, 1, &single2, nil).bits(0, 64).bytes()},
		{"empty code-length code", "invalid code-length symbol", new(bitWriter).dynamicHeader(true, 257, 1, &[19]uint8{}, nil).bits(0, 64).bytes()},
		{"degenerate code-length code, bad bit", "invalid code-length symbol", new(bitWriter).dynamicHeader(true, 257, 1, &degenerateCL, nil).bits(0, 3).bits(1, 1).bits(0, 60).bytes()},
		{"degenerate code-length code, all 8s", "invalid literal/length code", new(bitWriter).dynamicHeader(true, 257, 1, &degenerateCL, nil).bits(0, 64).bits(0, 64).bits(0, 64).bits(0, 64).bits(0, 64).bytes()},
		{"repeat of nothing", "repeat of no code length", new(bitWriter).dynamicHeader(true, 257, 1, nil, []clSym{{16, 0}}).bits(0, 64).bytes()},
		{"repeat past the end", "repeated past their end", new(bitWriter).dynamicHeader(true, 257, 1, nil, append(zeros(250), clSym{17, 7})).bits(0, 64).bytes()},
		{"incomplete literal/length code", "invalid literal/length code", new(bitWriter).dynamicHeader(true, 258, 1, nil, append(sendLens(incompleteLit), clSym{sym: 1})).bits(0, 64).bytes()},
		{"incomplete distance code", "invalid distance code", new(bitWriter).dynamicHeader(true, 258, 2, nil, append(sendLens(lit), clSym{sym: 1}, clSym{sym: 2})).bits(0, 64).bytes()},
		{"single distance code of 2 bits", "invalid distance code", new(bitWriter).dynamicHeader(true, 258, 1, nil, append(sendLens(lit), clSym{sym: 2})).bits(0, 64).bytes()},
		{"no distance code, a match", "invalid distance symbol", new(bitWriter).dynamicData(false, lit, []uint8{0}, []byte("a")).code(canonical(lit)[257]).bits(0, 64).bytes()},
		{"degenerate distance code, bad bit", "invalid distance symbol", new(bitWriter).dynamicData(false, lit, []uint8{1}, []byte("a")).code(canonical(lit)[257]).bits(1, 1).bits(0, 64).bytes()},
		{"degenerate literal code, bad bit", "invalid literal/length symbol", new(bitWriter).dynamicHeader(true, 257, 1, nil, append(zeros(256), clSym{sym: 1}, clSym{sym: 1})).bits(1, 1).bits(0, 64).bytes()},
		{"empty literal code", "invalid literal/length symbol", new(bitWriter).dynamicHeader(true, 257, 1, nil, zeros(258)).bits(0, 64).bytes()},
		{"distance too far back", "distance too far back", new(bitWriter).header(true, 1).fixedLiteral('a').fixedMatch(match{3, 2}).fixedEnd().bytes()},
		{"distance too far back, none out", "distance too far back", new(bitWriter).header(true, 1).fixedMatch(match{3, 1}).fixedEnd().bytes()},
		{"fixed literal/length 286", "invalid literal/length symbol", new(bitWriter).header(true, 1).code(fixedLit[286]).bits(0, 64).bytes()},
		{"fixed literal/length 287", "invalid literal/length symbol", new(bitWriter).header(true, 1).code(fixedLit[287]).bits(0, 64).bytes()},
		{"fixed distance 30", "invalid distance symbol", new(bitWriter).header(true, 1).fixedLiteral('a').code(fixedLit[257]).code(hcode{30, 5}).bits(0, 64).bytes()},
		{"fixed distance 31", "invalid distance symbol", new(bitWriter).header(true, 1).fixedLiteral('a').code(fixedLit[257]).code(hcode{31, 5}).bits(0, 64).bytes()},
		{"second block bad", "reserved block type", new(bitWriter).stored(false, []byte("ok")).header(true, 3).bits(0, 64).bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inflate(nil, tt.src, 1<<20)
			if err == nil || errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), "at input byte ") {
				t.Fatalf("err %v, want one saying %q", err, tt.msg)
			}
			if _, ferr := flateRef(tt.src, 1<<20); ferr == nil {
				t.Fatalf("compress/flate accepts it")
			}
			checkInflate(t, tt.src, 1<<20, nil)
			// Short streams are padded to 8 bytes and more, so that
			// the fast loop sees them too.
			checkInflate(t, append(tt.src, make([]byte, 300)...), 1<<20, nil)
		})
	}
}

// TestInflateDegenerate is the single code of length 1 that zlib makes
// and compress/flate accepts, for literals/lengths and for distances.
func TestInflateDegenerate(t *testing.T) {
	lit := make([]uint8, 257)
	lit[256] = 1
	src := new(bitWriter).dynamicBlock(true, lit, []uint8{0, 1}, nil).bytes()
	got, err := inflate(nil, src, 10)
	if err != nil || len(got) != 0 {
		t.Fatalf("%q, %v", got, err)
	}
	checkInflate(t, src, 10, nil)
	lit2 := litLens(258)
	src = new(bitWriter).dynamicData(false, lit2, []uint8{0, 1}, []byte("ab")).code(canonical(lit2)[257]).bits(0, 1).code(canonical(lit2)[256]).header(true, 1).fixedEnd().bytes()
	got, err = inflate(nil, src, 10)
	if err != nil || string(got) != "ababa" {
		t.Fatalf("%q, %v", got, err)
	}
	checkInflate(t, src, 10, nil)
}

// fuzzSeeds are valid streams of each kind, and a few broken ones.
func fuzzSeeds(tb testing.TB) [][]byte {
	text := []byte(strings.Repeat("<w:p><w:r><w:t>报告 seed</w:t></w:r></w:p>", 30))
	lit := litLens(258)
	seeds := [][]byte{
		{},
		{0x03, 0x00},
		{0x07},
		new(bitWriter).stored(true, []byte("stored")).bytes(),
		new(bitWriter).stored(false, []byte("ab")).header(true, 1).fixedMatch(match{5, 2}).fixedEnd().bytes(),
		new(bitWriter).header(true, 1).fixedLiteral('a').fixedMatch(match{258, 1}).fixedEnd().bytes(),
		new(bitWriter).dynamicBlock(true, lit, []uint8{1, 1}, []byte("dynamic")).bytes(),
		new(bitWriter).dynamicBlock(true, lit, []uint8{0, 1}, []byte("degenerate")).bytes(),
	}
	for _, level := range []int{flate.HuffmanOnly, 0, 1, 6, 9} {
		seeds = append(seeds, deflateAt(tb, text, level), deflateAt(tb, text[:50], level))
	}
	return seeds
}

func FuzzInflate(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, uint32(1<<20))
		f.Add(s, uint32(7))
	}
	f.Fuzz(func(t *testing.T, src []byte, limit uint32) {
		l := int(limit % (1 << 22))
		checkInflate(t, src, l, nil)
		checkInflate(t, src, l, make([]byte, min(l, 5), min(l, 300)))
	})
}
