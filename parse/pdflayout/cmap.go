package pdflayout

import (
	"unicode/utf16"
)

// A cmap is a parsed CMap program: an embedded /ToUnicode map, or an
// embedded /Encoding CMap of a composite font. Codes are kept as integers
// together with their byte length, so ranges whose bounds differ in more
// than the last byte (e.g. <00FF> to <0102>) map every code in between.
type cmap struct {
	space     []codeSpace
	uni       map[uint64]string // (n<<32 | code) → text, from bfchar and small bfranges
	uniRanges []uniRange        // bfranges too large to expand
	cid       map[uint64]uint32 // (n<<32 | code) → CID, from cidchar and small cidranges
	cidRanges []cidRange
	useCMap   string // name of a predefined CMap named by usecmap
	wmode     int
}

// codeSpace is one codespace range: codes of n bytes whose every byte lies
// between the corresponding bytes of lo and hi.
type codeSpace struct {
	n      int
	lo, hi [4]byte
}

type uniRange struct {
	n      int
	lo, hi uint32
	dst    []rune   // text of code lo; the last rune is incremented along the range
	arr    []string // or one text per code
	hasArr bool
}

type cidRange struct {
	n      int
	lo, hi uint32
	cid    uint32
}

// Limits on what one CMap may expand to, so that a hostile map cannot
// exhaust memory.
const (
	maxExpand    = 1 << 16 // a range longer than this is kept as a range
	maxCMapItems = 1 << 20 // entries in total
)

func key(n int, code uint32) uint64 { return uint64(n)<<32 | uint64(code) }

func bytesToCode(s string) (uint32, int) {
	if len(s) > 4 {
		s = s[len(s)-4:]
	}
	var c uint32
	for i := 0; i < len(s); i++ {
		c = c<<8 | uint32(s[i])
	}
	return c, len(s)
}

// utf16Text decodes a bfchar/bfrange destination: UTF-16BE, or a single
// byte taken as its own code point.
func utf16Text(s string) []rune {
	if len(s) == 1 {
		return []rune{rune(s[0])}
	}
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return utf16.Decode(u)
}

// parseCMap parses a CMap program. It never fails: whatever it cannot
// understand is skipped.
func parseCMap(data []byte) *cmap {
	m := &cmap{uni: map[uint64]string{}, cid: map[uint64]uint32{}}
	lx := &lexer{b: data}
	var prev []token // operands since the last operator
	items := 0
	for {
		t := lx.next()
		if t.kind == tokEOF {
			return m
		}
		if t.kind != tokOp {
			if len(prev) < 8 {
				prev = append(prev, t)
			}
			continue
		}
		switch t.s {
		case "begincodespacerange":
			m.readCodeSpace(lx)
		case "beginbfchar":
			items += m.readBFChar(lx, maxCMapItems-items)
		case "beginbfrange":
			items += m.readBFRange(lx, maxCMapItems-items)
		case "begincidchar":
			items += m.readCIDChar(lx, maxCMapItems-items)
		case "begincidrange":
			items += m.readCIDRange(lx, maxCMapItems-items)
		case "usecmap":
			if len(prev) > 0 && prev[len(prev)-1].kind == tokName {
				m.useCMap = prev[len(prev)-1].s
			}
		case "def":
			if len(prev) >= 2 && prev[len(prev)-2].kind == tokName && prev[len(prev)-2].s == "WMode" {
				m.wmode = int(prev[len(prev)-1].num)
			}
		}
		prev = prev[:0]
	}
}

// section reads the operands of one begin…end section, stopping at its end
// operator (any operator ends it).
func section(lx *lexer, per int, fn func(ops []token)) {
	var ops []token
	for {
		t := lx.next()
		switch t.kind {
		case tokEOF, tokOp:
			return
		case tokArrOpen:
			arr := token{kind: tokArrOpen}
			var elems []string
			for {
				e := lx.next()
				if e.kind == tokArrClose || e.kind == tokEOF || e.kind == tokOp {
					break
				}
				if e.kind == tokStr && len(elems) < maxExpand {
					elems = append(elems, e.s)
				}
			}
			arr.s = joinElems(elems)
			ops = append(ops, arr)
		default:
			ops = append(ops, t)
		}
		if len(ops) == per {
			fn(ops)
			ops = ops[:0]
		}
	}
}

// joinElems packs array elements into one string, each prefixed by its
// length, so that a token can carry an array.
func joinElems(elems []string) string {
	var b []byte
	for _, e := range elems {
		if len(e) > 255 {
			e = e[:255]
		}
		b = append(b, byte(len(e)))
		b = append(b, e...)
	}
	return string(b)
}

func splitElems(s string) []string {
	var out []string
	for len(s) > 0 {
		n := int(s[0])
		s = s[1:]
		if n > len(s) {
			n = len(s)
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

func (m *cmap) readCodeSpace(lx *lexer) {
	section(lx, 2, func(ops []token) {
		lo, hi := ops[0].s, ops[1].s
		if ops[0].kind != tokStr || ops[1].kind != tokStr || len(lo) != len(hi) || len(lo) == 0 || len(lo) > 4 {
			return
		}
		cs := codeSpace{n: len(lo)}
		copy(cs.lo[:], lo)
		copy(cs.hi[:], hi)
		if len(m.space) < 64 {
			m.space = append(m.space, cs)
		}
	})
}

func (m *cmap) readBFChar(lx *lexer, budget int) int {
	n := 0
	section(lx, 2, func(ops []token) {
		if n >= budget || ops[0].kind != tokStr || len(ops[0].s) == 0 {
			return
		}
		code, nb := bytesToCode(ops[0].s)
		switch ops[1].kind {
		case tokStr:
			m.uni[key(nb, code)] = string(utf16Text(ops[1].s))
		case tokName:
			if r, ok := glyphNameRune(ops[1].s); ok {
				m.uni[key(nb, code)] = string(r)
			}
		default:
			return
		}
		n++
	})
	return n
}

func (m *cmap) readBFRange(lx *lexer, budget int) int {
	n := 0
	section(lx, 3, func(ops []token) {
		if ops[0].kind != tokStr || ops[1].kind != tokStr || len(ops[0].s) == 0 {
			return
		}
		lo, nb := bytesToCode(ops[0].s)
		hi, _ := bytesToCode(ops[1].s)
		if hi < lo {
			return
		}
		r := uniRange{n: nb, lo: lo, hi: hi}
		switch ops[2].kind {
		case tokStr:
			r.dst = utf16Text(ops[2].s)
			if len(r.dst) == 0 {
				return
			}
		case tokArrOpen:
			r.arr = splitElems(ops[2].s)
			r.hasArr = true
		default:
			return
		}
		span := int(int64(hi) - int64(lo) + 1)
		if span <= maxExpand && n+span <= budget {
			for i := 0; i < span; i++ {
				if t, ok := r.text(lo + uint32(i)); ok {
					m.uni[key(nb, lo+uint32(i))] = t
				}
			}
			n += span
			return
		}
		if len(m.uniRanges) < 4096 {
			m.uniRanges = append(m.uniRanges, r)
			n++
		}
	})
	return n
}

// text maps one code of the range.
func (r *uniRange) text(code uint32) (string, bool) {
	off := int(code - r.lo)
	if r.hasArr {
		if off >= len(r.arr) {
			return "", false
		}
		return string(utf16Text(r.arr[off])), true
	}
	d := make([]rune, len(r.dst))
	copy(d, r.dst)
	d[len(d)-1] += rune(off)
	return string(d), true
}

func (m *cmap) readCIDChar(lx *lexer, budget int) int {
	n := 0
	section(lx, 2, func(ops []token) {
		if n >= budget || ops[0].kind != tokStr || ops[1].kind != tokNum || len(ops[0].s) == 0 {
			return
		}
		code, nb := bytesToCode(ops[0].s)
		m.cid[key(nb, code)] = uint32(ops[1].num)
		n++
	})
	return n
}

func (m *cmap) readCIDRange(lx *lexer, budget int) int {
	n := 0
	section(lx, 3, func(ops []token) {
		if ops[0].kind != tokStr || ops[1].kind != tokStr || ops[2].kind != tokNum || len(ops[0].s) == 0 {
			return
		}
		lo, nb := bytesToCode(ops[0].s)
		hi, _ := bytesToCode(ops[1].s)
		if hi < lo || len(m.cidRanges) >= 4096 {
			return
		}
		m.cidRanges = append(m.cidRanges, cidRange{n: nb, lo: lo, hi: hi, cid: uint32(ops[2].num)})
		n++
	})
	return n
}

// lookupText maps a code of nb bytes to text.
func (m *cmap) lookupText(code uint32, nb int) (string, bool) {
	if t, ok := m.uni[key(nb, code)]; ok {
		return t, true
	}
	for i := range m.uniRanges {
		r := &m.uniRanges[i]
		if r.n == nb && code >= r.lo && code <= r.hi {
			return r.text(code)
		}
	}
	return "", false
}

// lookupCID maps a code of nb bytes to a CID.
func (m *cmap) lookupCID(code uint32, nb int) (uint32, bool) {
	if c, ok := m.cid[key(nb, code)]; ok {
		return c, true
	}
	for _, r := range m.cidRanges {
		if r.n == nb && code >= r.lo && code <= r.hi {
			return r.cid + (code - r.lo), true
		}
	}
	return 0, false
}

// nextCode splits the next character code off s using the codespace
// ranges; with no codespace it falls back to def bytes per code.
func nextCode(space []codeSpace, s string, def int) (uint32, int) {
	if len(space) > 0 {
		for n := 1; n <= 4 && n <= len(s); n++ {
			for _, cs := range space {
				if cs.n == n && inSpace(cs, s[:n]) {
					c, _ := bytesToCode(s[:n])
					return c, n
				}
			}
		}
		// No range matches: consume as many bytes as the shortest range.
		n := 4
		for _, cs := range space {
			n = min(n, cs.n)
		}
		n = min(n, len(s))
		c, _ := bytesToCode(s[:n])
		return c, n
	}
	n := min(def, len(s))
	c, _ := bytesToCode(s[:n])
	return c, n
}

func inSpace(cs codeSpace, b string) bool {
	for i := 0; i < cs.n; i++ {
		if b[i] < cs.lo[i] || b[i] > cs.hi[i] {
			return false
		}
	}
	return true
}
