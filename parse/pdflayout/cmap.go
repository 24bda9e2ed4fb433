package pdflayout

import (
	"sort"
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
	dropped   int // entries not kept: past maxCMapCodes, or ranges past maxCMapRanges
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
// exhaust memory or make every lookup slow.
const (
	maxExpand = 1 << 16 // a range longer than this is kept as a range
	// maxCMapCodes is the most codes the entries of one CMap may expand
	// to: a CID font has at most 65,536 two-byte codes and 256 one-byte
	// ones, and twice that leaves room for maps that define codes twice.
	// It costs about 10 MB. Ranges past it are kept as ranges.
	maxCMapCodes = 2 << 16
	// maxCMapRanges is the most ranges kept as ranges; a lookup searches
	// them by halves.
	maxCMapRanges = 4096
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
// understand is skipped, and what the caps leave out is counted in
// dropped. It stops early, keeping what it read, when st says so.
func parseCMap(data []byte, st *stopper) *cmap {
	m := &cmap{uni: map[uint64]string{}, cid: map[uint64]uint32{}}
	lx := &lexer{b: data, st: st}
	var prev []token // operands since the last operator
	items := 0
	for {
		t := lx.next()
		if t.kind == tokEOF {
			m.uniRanges = disjointUni(m.uniRanges)
			m.cidRanges = disjointCID(m.cidRanges)
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
			items += m.readBFChar(lx, maxCMapCodes-items)
		case "beginbfrange":
			items += m.readBFRange(lx, maxCMapCodes-items)
		case "begincidchar":
			items += m.readCIDChar(lx, maxCMapCodes-items)
		case "begincidrange":
			m.readCIDRange(lx)
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
			// an array of strings; nested arrays and dictionaries are not
			// recursed into, and an operator ends an unclosed array and
			// the section with it
			arr := token{kind: tokArrOpen}
			var elems []string
			var end tokKind
			for {
				e := lx.next()
				if end = e.kind; end == tokArrClose || end == tokEOF || end == tokOp {
					break
				}
				if e.kind == tokStr && len(elems) < maxExpand {
					elems = append(elems, e.s)
				}
			}
			arr.s = joinElems(elems)
			ops = append(ops, arr)
			if end != tokArrClose {
				if len(ops) == per {
					fn(ops)
				}
				return
			}
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
		if ops[0].kind != tokStr || len(ops[0].s) == 0 {
			return
		}
		if n >= budget {
			m.dropped++
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
		if len(m.uniRanges) < maxCMapRanges {
			m.uniRanges = append(m.uniRanges, r)
		} else {
			m.dropped++
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
	if len(r.dst) == 1 {
		return string(r.dst[0] + rune(off)), true
	}
	d := make([]rune, len(r.dst))
	copy(d, r.dst)
	d[len(d)-1] += rune(off)
	return string(d), true
}

func (m *cmap) readCIDChar(lx *lexer, budget int) int {
	n := 0
	section(lx, 2, func(ops []token) {
		if ops[0].kind != tokStr || ops[1].kind != tokNum || len(ops[0].s) == 0 {
			return
		}
		if n >= budget {
			m.dropped++
			return
		}
		code, nb := bytesToCode(ops[0].s)
		m.cid[key(nb, code)] = uint32(ops[1].num)
		n++
	})
	return n
}

func (m *cmap) readCIDRange(lx *lexer) {
	section(lx, 3, func(ops []token) {
		if ops[0].kind != tokStr || ops[1].kind != tokStr || ops[2].kind != tokNum || len(ops[0].s) == 0 {
			return
		}
		lo, nb := bytesToCode(ops[0].s)
		hi, _ := bytesToCode(ops[1].s)
		if hi < lo {
			return
		}
		if len(m.cidRanges) >= maxCMapRanges {
			m.dropped++
			return
		}
		m.cidRanges = append(m.cidRanges, cidRange{n: nb, lo: lo, hi: hi, cid: uint32(ops[2].num)})
	})
}

// lookupText maps a code of nb bytes to text.
func (m *cmap) lookupText(code uint32, nb int) (string, bool) {
	if t, ok := m.uni[key(nb, code)]; ok {
		return t, true
	}
	rs := m.uniRanges
	i := sort.Search(len(rs), func(i int) bool { return rs[i].n > nb || rs[i].n == nb && rs[i].hi >= code })
	if i < len(rs) && rs[i].n == nb && rs[i].lo <= code {
		return rs[i].text(code)
	}
	return "", false
}

// lookupCID maps a code of nb bytes to a CID.
func (m *cmap) lookupCID(code uint32, nb int) (uint32, bool) {
	if c, ok := m.cid[key(nb, code)]; ok {
		return c, true
	}
	rs := m.cidRanges
	i := sort.Search(len(rs), func(i int) bool { return rs[i].n > nb || rs[i].n == nb && rs[i].hi >= code })
	if i < len(rs) && rs[i].n == nb && rs[i].lo <= code {
		return rs[i].cid + (code - rs[i].lo), true
	}
	return 0, false
}

// disjointUni sorts ranges by code length and first code, and cuts from
// each range the codes an earlier one in that order covers, so that a
// lookup can search them by halves. Real maps have no overlapping ranges.
func disjointUni(rs []uniRange) []uniRange {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].n < rs[j].n || rs[i].n == rs[j].n && rs[i].lo < rs[j].lo })
	out := rs[:0]
	for _, r := range rs {
		if k := len(out); k > 0 && out[k-1].n == r.n && out[k-1].hi >= r.lo {
			if out[k-1].hi >= r.hi {
				continue
			}
			r.from(out[k-1].hi + 1)
		}
		out = append(out, r)
	}
	return out
}

// from drops the codes of the range below lo.
func (r *uniRange) from(lo uint32) {
	off := lo - r.lo
	if r.hasArr {
		r.arr = r.arr[min(int(off), len(r.arr)):]
	} else {
		r.dst = append([]rune(nil), r.dst...)
		r.dst[len(r.dst)-1] += rune(off)
	}
	r.lo = lo
}

// disjointCID is disjointUni for CID ranges.
func disjointCID(rs []cidRange) []cidRange {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].n < rs[j].n || rs[i].n == rs[j].n && rs[i].lo < rs[j].lo })
	out := rs[:0]
	for _, r := range rs {
		if k := len(out); k > 0 && out[k-1].n == r.n && out[k-1].hi >= r.lo {
			if out[k-1].hi >= r.hi {
				continue
			}
			lo := out[k-1].hi + 1
			r.cid += lo - r.lo
			r.lo = lo
		}
		out = append(out, r)
	}
	return out
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
