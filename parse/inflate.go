package parse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sync"
)

// A DOCX's XML parts are deflated zip entries, and the whole entry is in
// memory, as is the whole output: the flate reader's streaming (a 32 KiB
// window copied out to the caller, bytes read one call at a time) is then
// pure cost, a quarter of a DOCX parse. This decoder writes straight into
// the output slice, reads its bits from the input slice 64 at a time and
// decodes Huffman codes with one table look-up, which makes it more than
// twice as fast on document.xml; no pure-Go library does that, and cgo is
// not used.
//
// It accepts exactly the streams compress/flate accepts and yields the
// same bytes (FuzzInflate holds it to that): in particular the rules of
// compress/flate's huffmanDecoder.init on which Huffman codes are valid,
// which are stricter than zlib's, and the bits it wants to have in hand
// before it decodes a symbol, which decide how much of a truncated stream
// it yields before its error.

// Table geometry. A code no longer than the primary bits is decoded by
// one look-up; a longer one by a second, in a sub-table the primary entry
// points to. Ten bits hold nearly every literal/length code of a real
// stream and nine most distance codes, and the primary tables are small
// enough to be filled anew for every block at little cost: eleven bits
// and more cost more in the filling than they save in the decoding.
const (
	inflateLitBits  = 10
	inflateDistBits = 9
	inflateCLBits   = 7 // the code-length code's codes are at most 7 bits: no sub-tables

	// The table sizes are powers of two, so that a masked index needs no
	// bounds check, and bound what the sub-tables can take: a sub-table of
	// 2^k entries serves a complete subtree with at least k+1 codes, so
	// 288 literal/length codes need at most 2^10 + 32*(288/6) = 2560
	// entries (2960 with 11 primary bits), and 32 distance codes
	// 2^9 + 64*(32/7) = 768.
	inflateLitTable  = 1 << 12
	inflateDistTable = 1 << 10

	inflateMaxCodeLen = 15   // RFC 1951 3.2.7
	inflateMaxLit     = 286  // literal/length codes a dynamic block may define
	inflateMaxDist    = 30   // distance codes a dynamic block may define
	inflateNumCL      = 19   // code-length codes
	inflateMaxMatch   = 258  // the longest match
	inflateMinGrow    = 4096 // the first output buffer when dst has no room: small parts stay small

	// inflateSlop is how far past a match's end the fast copy may write:
	// it copies 8 bytes at a time.
	inflateSlop = 8
	// inflateFastLits is how many literals the fast loop may write before
	// a match, and inflateFastRoom the output room it needs for them.
	inflateFastLits = 3
	inflateFastRoom = inflateFastLits + inflateMaxMatch + inflateSlop
)

// A table entry packs what the decoding of one symbol needs, so that the
// hot loop does one load and no look-ups of its own.
const (
	entLenMask   = 0x3f    // bits 0-5: code length (the bits to drop); a pointer: the primary bits
	entExtraShft = 8       // bits 8-11: extra bits of a length or distance; a pointer: the sub-table's bits
	entLit       = 1 << 12 // a literal byte
	entSub       = 1 << 13 // a pointer to a sub-table
	entEOB       = 1 << 14 // the end of the block
	entBad       = 1 << 15 // no symbol: compress/flate fails on it
	entValShft   = 16      // bits 16-31: the literal, the length or distance base, a sub-table's start
)

// codeLengthOrder is the order of the code-length code's lengths (RFC
// 1951 3.2.7).
var codeLengthOrder = [inflateNumCL]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// The templates of each alphabet's entries, the code length to be or-ed in.
var litTemplate, distTemplate, clTemplate = func() (lit [288]uint32, dist [32]uint32, cl [inflateNumCL]uint32) {
	for s := range 256 {
		lit[s] = entLit | uint32(s)<<entValShft
	}
	lit[256] = entEOB
	base := uint32(3)
	for s := 257; s < 286; s++ {
		extra := uint32(0)
		if s >= 265 && s < 285 {
			extra = uint32(s-261) / 4
		}
		if s == 285 {
			base = 258
		}
		lit[s] = base<<entValShft | extra<<entExtraShft
		base += 1 << extra
	}
	lit[286], lit[287] = entBad, entBad
	base = 1
	for s := range 30 {
		extra := uint32(0)
		if s >= 4 {
			extra = uint32(s-2) / 2
		}
		dist[s] = base<<entValShft | extra<<entExtraShft
		base += 1 << extra
	}
	dist[30], dist[31] = entBad, entBad
	for s := range cl {
		cl[s] = uint32(s) << entValShft
	}
	return
}()

// inflateTables is one block's decoding tables.
type inflateTables struct {
	lit  [inflateLitTable]uint32
	dist [inflateDistTable]uint32
	// litMin is the bits compress/flate wants in hand before it decodes
	// a literal/length symbol: the shortest code's length, raised to the
	// end-of-block code's, since every block ends with that one.
	litMin uint
}

// inflateState is the scratch of one call, pooled: its tables are 20 KiB,
// too much to clear or to grow a goroutine's stack for on every call.
type inflateState struct {
	dyn  inflateTables
	cl   [1 << inflateCLBits]uint32
	lens [inflateMaxLit + inflateMaxDist]uint8
}

var inflatePool = sync.Pool{New: func() any { return new(inflateState) }}

// fixedTables decodes the blocks of fixed Huffman codes (RFC 1951 3.2.6).
var fixedTables = sync.OnceValue(func() *inflateTables {
	t := new(inflateTables)
	var lens [288]uint8
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
	m, ok := buildInflateTable(t.lit[:], lens[:], litTemplate[:], inflateLitBits)
	var dl [32]uint8
	for i := range dl {
		dl[i] = 5
	}
	_, ok2 := buildInflateTable(t.dist[:], dl[:], distTemplate[:], inflateDistBits)
	if !ok || !ok2 {
		panic("parse: the fixed Huffman codes do not build")
	}
	t.litMin = m
	return t
})

// buildInflateTable fills table for the canonical Huffman code of the
// code lengths lens (each at most 15), with symbol s's entry made from
// templ[s], and returns the shortest code's length. It refuses, as
// compress/flate's huffmanDecoder.init does, an over-subscribed or an
// incomplete code, save one code of length 1 (zlib makes those) and no
// code at all; their missing codes decode to entBad entries. Every entry
// of a complete code's primary table and sub-tables is written, so the
// table need not be cleared first.
func buildInflateTable(table []uint32, lens []uint8, templ []uint32, primary uint) (uint, bool) {
	var count [inflateMaxCodeLen + 1]int
	for _, l := range lens {
		count[l&inflateMaxCodeLen]++
	}
	count[0] = 0
	minLen, maxLen := 0, 0
	for l := 1; l <= inflateMaxCodeLen; l++ {
		if count[l] > 0 {
			if minLen == 0 {
				minLen = l
			}
			maxLen = l
		}
	}
	size := 1 << primary
	if maxLen == 0 {
		// No code: every look-up fails, as compress/flate's does.
		for i := range table[:size] {
			table[i] = entBad
		}
		return 0, true
	}
	var next [inflateMaxCodeLen + 1]int
	code := 0
	for l := minLen; l <= maxLen; l++ {
		code <<= 1
		next[l] = code
		code += count[l]
	}
	if code != 1<<maxLen {
		if code != 1 || maxLen != 1 {
			return 0, false
		}
		// One code of length 1, the bit 0; the bit 1 is no symbol.
		e := uint32(entBad)
		for s, l := range lens {
			if l == 1 {
				e = templ[s]
			}
		}
		for i := range table[:size] {
			if i&1 == 0 {
				table[i] = e | 1
			} else {
				table[i] = entBad | 1
			}
		}
		return 1, true
	}

	// The symbols in canonical order: by length, then by value.
	var offs [inflateMaxCodeLen + 2]int
	for l := 1; l <= inflateMaxCodeLen; l++ {
		offs[l+1] = offs[l] + count[l]
	}
	var sorted [288]uint16
	for s, l := range lens {
		if l != 0 {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}

	mask := size - 1
	end := size          // where the next sub-table goes
	prefix, sub := -1, 0 // the current sub-table's primary index, start
	i := 0
	for l := minLen; l <= maxLen; l++ {
		c := next[l]
		for k := 0; k < count[l]; k++ {
			s := sorted[i]
			i++
			rev := int(bits.Reverse16(uint16(c)) >> (16 - l))
			c++
			if l <= int(primary) {
				e := templ[s] | uint32(l)
				for j := rev; j < size; j += 1 << l {
					table[j] = e
				}
				continue
			}
			if rev&mask != prefix {
				// A new sub-table, as wide as its subtree's longest code:
				// the codes still to come fill the subtree first, so
				// count them depth by depth until it is full.
				prefix = rev & mask
				subBits := l - int(primary)
				used := count[l] - k
				for used < 1<<subBits && int(primary)+subBits < maxLen {
					subBits++
					used = used<<1 + count[int(primary)+subBits]
				}
				sub = end
				end += 1 << subBits
				if end > len(table) {
					return 0, false // cannot happen: see inflateLitTable
				}
				table[prefix] = entSub | uint32(primary) | uint32(subBits)<<entExtraShft | uint32(sub)<<entValShft
			}
			subSize := 1 << ((table[prefix] >> entExtraShft) & 15)
			e := templ[s] | uint32(l-int(primary))
			for j := rev >> primary; j < subSize; j += 1 << (l - int(primary)) {
				table[sub+j] = e
			}
		}
	}
	return uint(minLen), true
}

// inflater is the decoder's state between blocks.
type inflater struct {
	src   []byte
	pos   int    // the next byte of src to load into bb
	bb    uint64 // bits loaded, the next one lowest; above nb, zeros or src's next bits
	nb    uint   // how many bits of bb are loaded
	buf   []byte // the output, its whole capacity
	op    int    // the output's length
	limit int
}

// errInflateDone stops the decoding when limit bytes are out.
var errInflateDone = errors.New("deflate: limit reached")

// inflate decodes the raw DEFLATE stream src (RFC 1951, as in a zip
// entry) into dst[:0], reusing its capacity, and returns at most limit
// bytes of output: once limit bytes are out, the rest of src is not
// looked at, valid or not, just as a flate reader read into a buffer of
// limit bytes stops there, so a caller that passes a declared size plus
// one learns that an entry is too long without inflating it. The output
// grows geometrically but never beyond limit bytes, whatever src says.
//
// Decoding stops at the end of the final block; bytes after it are
// ignored. A stream cut short is an error wrapping io.ErrUnexpectedEOF;
// invalid data an error saying what and at which input byte. On error
// the bytes decoded before it are returned too, as the flate reader
// yields them, so that a caller may keep the buffer.
func inflate(dst, src []byte, limit int) ([]byte, error) {
	if limit <= 0 {
		return dst[:0], nil
	}
	st := inflatePool.Get().(*inflateState)
	defer inflatePool.Put(st)
	return inflateWith(st, dst, src, limit)
}

// inflateWith is inflate with the scratch st, which a caller that
// inflates part after part keeps (the DOCX reader keeps one per scratch):
// a pool is emptied by every other collection.
func inflateWith(st *inflateState, dst, src []byte, limit int) ([]byte, error) {
	if limit <= 0 {
		return dst[:0], nil
	}
	d := inflater{src: src, buf: dst[:cap(dst)], limit: limit}
	err := d.run(st)
	if err == errInflateDone {
		err = nil
	}
	return d.buf[:d.op], err
}

// run decodes blocks until the final one ends or limit bytes are out,
// the dynamic blocks' tables built in st.
func (d *inflater) run(st *inflateState) error {
	for {
		if d.op >= d.limit {
			return errInflateDone
		}
		if !d.need(3) {
			return d.truncated()
		}
		final := d.bb&1 != 0
		typ := (d.bb >> 1) & 3
		d.drop(3)
		var err error
		switch typ {
		case 0:
			err = d.stored()
		case 1:
			err = d.huffman(fixedTables())
		case 2:
			if err = d.readDynamic(st); err == nil {
				err = d.huffman(&st.dyn)
			}
		default:
			return d.corrupt("reserved block type")
		}
		if err != nil {
			return err
		}
		if final {
			return nil
		}
	}
}

// refill loads bits into bb: at least 56 when 8 bytes of src are left,
// else what is left, up to 56; never more than 63, which the branchless
// load needs.
func (d *inflater) refill() {
	if d.pos <= len(d.src)-8 {
		d.bb |= binary.LittleEndian.Uint64(d.src[d.pos:]) << (d.nb & 63)
		d.pos += int((63 - d.nb) >> 3)
		d.nb |= 56
		return
	}
	for d.nb < 56 && d.pos < len(d.src) {
		d.bb |= uint64(d.src[d.pos]) << (d.nb & 63)
		d.pos++
		d.nb += 8
	}
}

// need reports whether n bits (n <= 56) are loaded, loading them if not.
func (d *inflater) need(n uint) bool {
	if d.nb < n {
		d.refill()
	}
	return d.nb >= n
}

func (d *inflater) drop(n uint) {
	d.bb >>= n & 63
	d.nb -= n
}

// offset is the input byte of the next bit.
func (d *inflater) offset() int { return d.pos - int(d.nb>>3) }

func (d *inflater) corrupt(what string) error {
	return fmt.Errorf("deflate: %s at input byte %d", what, d.offset())
}

func (d *inflater) truncated() error {
	return fmt.Errorf("deflate: stream cut short at input byte %d: %w", len(d.src), io.ErrUnexpectedEOF)
}

// grow makes room for at least n more bytes of output, n <= limit-op:
// doubling, at least inflateMinGrow, never beyond limit.
func (d *inflater) grow(n int) {
	if d.op+n <= len(d.buf) {
		return
	}
	size := min(max(2*len(d.buf), d.op+n, inflateMinGrow), d.limit)
	b := make([]byte, size)
	copy(b, d.buf[:d.op])
	d.buf = b
}

// stored copies a stored block. Its data starts at the next byte: the
// bits left of the current one are dropped.
func (d *inflater) stored() error {
	d.drop(d.nb & 7)
	d.pos -= int(d.nb >> 3)
	d.bb, d.nb = 0, 0
	if len(d.src)-d.pos < 4 {
		return d.truncated()
	}
	n := int(binary.LittleEndian.Uint16(d.src[d.pos:]))
	if nn := binary.LittleEndian.Uint16(d.src[d.pos+2:]); uint16(n) != ^nn {
		return d.corrupt("stored block length not matched by its complement")
	}
	d.pos += 4
	k := min(n, len(d.src)-d.pos, d.limit-d.op)
	d.grow(k)
	copy(d.buf[d.op:d.op+k], d.src[d.pos:])
	d.op += k
	d.pos += k
	switch {
	case d.op >= d.limit:
		return errInflateDone
	case k < n:
		return d.truncated()
	}
	return nil
}

// readDynamic reads a dynamic block's code definitions into st.dyn.
func (d *inflater) readDynamic(st *inflateState) error {
	if !d.need(14) {
		return d.truncated()
	}
	nlit := int(d.bb&0x1f) + 257
	ndist := int(d.bb>>5&0x1f) + 1
	ncl := int(d.bb>>10&0xf) + 4
	if nlit > inflateMaxLit {
		return d.corrupt("too many literal/length codes")
	}
	if ndist > inflateMaxDist {
		return d.corrupt("too many distance codes")
	}
	d.drop(14)
	var cl [inflateNumCL]uint8
	for i := range ncl {
		if !d.need(3) {
			return d.truncated()
		}
		cl[codeLengthOrder[i]] = uint8(d.bb & 7)
		d.drop(3)
	}
	if _, ok := buildInflateTable(st.cl[:], cl[:], clTemplate[:], inflateCLBits); !ok {
		return d.corrupt("invalid code-length code")
	}
	lens := st.lens[:nlit+ndist]
	// The lengths are a few hundred symbols: decoded on locals, refilled
	// only when a symbol and its extra bits (7 + 7) may not be in hand.
	clt := &st.cl
	src := d.src
	pos, bb, nb := d.pos, d.bb, d.nb
	for i := 0; i < len(lens); {
		if nb < 14 {
			if pos <= len(src)-8 {
				bb |= binary.LittleEndian.Uint64(src[pos:]) << (nb & 63)
				pos += int((63 - nb) >> 3)
				nb |= 56
			} else {
				d.pos, d.bb, d.nb = pos, bb, nb
				d.refill()
				pos, bb, nb = d.pos, d.bb, d.nb
			}
		}
		e := clt[bb&(1<<inflateCLBits-1)]
		n := uint(e & entLenMask)
		if nb < n {
			return d.truncated()
		}
		if e&entBad != 0 {
			d.pos, d.bb, d.nb = pos, bb, nb
			return d.corrupt("invalid code-length symbol")
		}
		bb >>= n
		nb -= n
		sym := e >> entValShft
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var xb uint
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				d.pos, d.bb, d.nb = pos, bb, nb
				return d.corrupt("repeat of no code length")
			}
			rep, xb, v = 3, 2, lens[i-1]
		case 17:
			rep, xb = 3, 3
		default:
			rep, xb = 11, 7
		}
		if nb < xb {
			return d.truncated()
		}
		rep += int(bb & (1<<xb - 1))
		bb >>= xb
		nb -= xb
		if i+rep > len(lens) {
			d.pos, d.bb, d.nb = pos, bb, nb
			return d.corrupt("code lengths repeated past their end")
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	d.pos, d.bb, d.nb = pos, bb, nb
	t := &st.dyn
	m, ok := buildInflateTable(t.lit[:], lens[:nlit], litTemplate[:], inflateLitBits)
	if !ok {
		return d.corrupt("invalid literal/length code")
	}
	if _, ok := buildInflateTable(t.dist[:], lens[nlit:], distTemplate[:], inflateDistBits); !ok {
		return d.corrupt("invalid distance code")
	}
	t.litMin = max(m, uint(lens[256]))
	return nil
}

// huffman decodes a block of Huffman codes with tables t. The fast loop
// runs while 8 bytes of input are left, so that one refill brings the
// 48 bits a length and distance may take, and while a longest match and
// the fast copy's slop fit in the output, so that nothing is checked but
// the distance; the careful step after it decodes one symbol checking
// everything, as compress/flate does, and makes room.
func (d *inflater) huffman(t *inflateTables) error {
	lit, dist := &t.lit, &t.dist
	for {
		if d.op >= d.limit {
			return errInflateDone
		}
		if d.op+inflateFastRoom > len(d.buf) && len(d.buf) < d.limit {
			d.grow(min(inflateFastRoom, d.limit-d.op))
		}
		// The fast loop, on locals the compiler keeps in registers.
		src, buf := d.src, d.buf
		pos, bb, nb, op := d.pos, d.bb, d.nb, d.op
		inEnd := len(src) - 2*8
		outEnd := min(len(buf)-inflateFastRoom, d.limit-inflateMaxMatch-inflateFastLits)
		for pos <= inEnd && op <= outEnd {
			bb |= binary.LittleEndian.Uint64(src[pos:]) << (nb & 63)
			pos += int((63 - nb) >> 3)
			nb |= 56
			e := lit[bb&(1<<inflateLitBits-1)]
			if e&entLit != 0 {
				// Up to three literals on one refill, the next entry
				// looked up while the last byte is stored.
				n := e & entLenMask
				bb >>= n
				nb -= uint(n)
				buf[op] = byte(e >> entValShft)
				op++
				e = lit[bb&(1<<inflateLitBits-1)]
				if e&entLit != 0 {
					n := e & entLenMask
					bb >>= n
					nb -= uint(n)
					buf[op] = byte(e >> entValShft)
					op++
					e = lit[bb&(1<<inflateLitBits-1)]
					if e&entLit != 0 {
						n := e & entLenMask
						bb >>= n
						nb -= uint(n)
						buf[op] = byte(e >> entValShft)
						op++
						continue
					}
				}
				// A length and distance take up to 48 bits.
				if nb < 48 {
					bb |= binary.LittleEndian.Uint64(src[pos:]) << (nb & 63)
					pos += int((63 - nb) >> 3)
					nb |= 56
				}
			}
			if e&entSub != 0 {
				bb >>= inflateLitBits
				nb -= inflateLitBits
				e = lit[(e>>entValShft+uint32(bb)&(1<<(e>>entExtraShft&15)-1))&(inflateLitTable-1)]
				if e&entLit != 0 {
					n := e & entLenMask
					bb >>= n
					nb -= uint(n)
					buf[op] = byte(e >> entValShft)
					op++
					continue
				}
			}
			if e&(entEOB|entBad) != 0 {
				if e&entBad != 0 {
					d.pos, d.bb, d.nb, d.op = pos, bb, nb, op
					return d.corrupt("invalid literal/length symbol")
				}
				n := e & entLenMask
				d.pos, d.bb, d.nb, d.op = pos, bb>>n, nb-uint(n), op
				return nil
			}
			n := e & entLenMask
			bb >>= n
			nb -= uint(n)
			xb := e >> entExtraShft & 15
			length := int(e>>entValShft) + int(bb&(1<<xb-1))
			bb >>= xb
			nb -= uint(xb)

			e = dist[bb&(1<<inflateDistBits-1)]
			if e&entSub != 0 {
				bb >>= inflateDistBits
				nb -= inflateDistBits
				e = dist[(e>>entValShft+uint32(bb)&(1<<(e>>entExtraShft&15)-1))&(inflateDistTable-1)]
			}
			if e&entBad != 0 {
				d.pos, d.bb, d.nb, d.op = pos, bb, nb, op
				return d.corrupt("invalid distance symbol")
			}
			n = e & entLenMask
			bb >>= n
			nb -= uint(n)
			xb = e >> entExtraShft & 15
			dd := int(e>>entValShft) + int(bb&(1<<xb-1))
			bb >>= xb
			nb -= uint(xb)
			if dd > op {
				d.pos, d.bb, d.nb, d.op = pos, bb, nb, op
				return d.corrupt("distance too far back")
			}
			copyMatch(buf, op, dd, length)
			op += length
		}
		d.pos, d.bb, d.nb, d.op = pos, bb, nb, op
		if d.op >= d.limit {
			return errInflateDone
		}
		if done, err := d.carefulSymbol(t); done || err != nil {
			return err
		}
	}
}

// copyMatch copies a match of length bytes at distance dist to buf[op:],
// forward, so that an overlapping match repeats its pattern. It may write
// up to inflateSlop bytes past the match, which must fit in buf.
func copyMatch(buf []byte, op, dist, length int) {
	s := op - dist
	switch {
	case dist >= length:
		// Not overlapping: memmove's wide moves beat a loop of words.
		copy(buf[op:op+length], buf[s:s+length])
	case dist >= 8:
		for k := 0; k < length; k += 8 {
			binary.LittleEndian.PutUint64(buf[op+k:], binary.LittleEndian.Uint64(buf[s+k:]))
		}
	case dist == 1:
		v := uint64(buf[s]) * 0x0101010101010101
		for k := 0; k < length; k += 8 {
			binary.LittleEndian.PutUint64(buf[op+k:], v)
		}
	default:
		for k := range length {
			buf[op+k] = buf[s+k]
		}
	}
}

// carefulSymbol decodes one symbol of a Huffman block, checking that its
// bits are there and the output has room, and copies its bytes; done when
// it was the block's end.
func (d *inflater) carefulSymbol(t *inflateTables) (done bool, err error) {
	d.refill()
	e := t.lit[d.bb&(1<<inflateLitBits-1)]
	n := uint(e & entLenMask)
	if e&entSub != 0 {
		e = t.lit[(e>>entValShft+uint32(d.bb>>inflateLitBits)&(1<<(e>>entExtraShft&15)-1))&(inflateLitTable-1)]
		n += uint(e & entLenMask)
	}
	if d.nb < max(t.litMin, n) {
		return false, d.truncated()
	}
	if e&entBad != 0 {
		return false, d.corrupt("invalid literal/length symbol")
	}
	d.drop(n)
	switch {
	case e&entLit != 0:
		d.grow(1)
		d.buf[d.op] = byte(e >> entValShft)
		d.op++
		return false, nil
	case e&entEOB != 0:
		return true, nil
	}
	xb := uint(e >> entExtraShft & 15)
	if !d.need(xb) {
		return false, d.truncated()
	}
	length := int(e>>entValShft) + int(d.bb&(1<<xb-1))
	d.drop(xb)

	d.refill()
	e = t.dist[d.bb&(1<<inflateDistBits-1)]
	n = uint(e & entLenMask)
	if e&entSub != 0 {
		e = t.dist[(e>>entValShft+uint32(d.bb>>inflateDistBits)&(1<<(e>>entExtraShft&15)-1))&(inflateDistTable-1)]
		n += uint(e & entLenMask)
	}
	if d.nb < n {
		return false, d.truncated()
	}
	if e&entBad != 0 {
		return false, d.corrupt("invalid distance symbol")
	}
	d.drop(n)
	xb = uint(e >> entExtraShft & 15)
	if !d.need(xb) {
		return false, d.truncated()
	}
	dist := int(e>>entValShft) + int(d.bb&(1<<xb-1))
	d.drop(xb)
	if dist > d.op {
		return false, d.corrupt("distance too far back")
	}
	length = min(length, d.limit-d.op)
	d.grow(length)
	for length > 0 {
		k := min(length, dist)
		copy(d.buf[d.op:d.op+k], d.buf[d.op-dist:])
		d.op += k
		length -= k
	}
	return false, nil
}
