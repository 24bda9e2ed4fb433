package pdflayout

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"errors"
	"fmt"
	"io"
	"slices"
)

// The library resolves an object that its cross-reference table places in
// an object stream by first resolving that stream, with no guard: a stream
// said to lie in itself, or two that lie in each other, recurse until the
// goroutine's stack overflows, which no recover catches. The library does
// not show its table, so precheck rebuilds it from the file's bytes, the
// way the library reads it: the cross-reference streams from startxref
// along /Prev, each entry kept from the newest section that gives it.

// pobj is an object read by precheck from the file's bytes: a number, name,
// string or keyword token, an array, a dictionary, or a reference ("n g
// R", with n in tok).
type pobj struct {
	tok  token
	ref  bool
	arr  []pobj
	dict pdict
	cut  bool // more than maxPrecheckItems elements or entries: the rest dropped
}

type pdict map[string]pobj

// truncated reports whether o, or an object inside it, was cut.
func (o pobj) truncated() bool {
	if o.cut {
		return true
	}
	for _, e := range o.arr {
		if e.truncated() {
			return true
		}
	}
	for _, e := range o.dict {
		if e.truncated() {
			return true
		}
	}
	return false
}

// maxPrecheckDepth bounds the nesting precheck reads; what it needs lies at
// most three levels down (/DecodeParms [<< /Predictor … >>]).
const maxPrecheckDepth = 8

// maxPrecheckItems bounds the elements of one array or dictionary.
const maxPrecheckItems = 1 << 16

// readDict reads a dictionary whose "<<" lx has just read, and reports
// whether entries were dropped.
func readDict(lx *lexer, depth int) (d pdict, cut bool) {
	d = pdict{}
	for {
		k := lx.next()
		switch k.kind {
		case tokEOF, tokDictClose:
			return d, cut
		case tokName:
		default:
			continue // the library rejects a key that is not a name
		}
		v := lx.next()
		if v.kind == tokEOF || v.kind == tokDictClose {
			return d, cut
		}
		o := readObj(lx, v, depth+1)
		if _, ok := d[k.s]; ok || len(d) < maxPrecheckItems {
			d[k.s] = o
		} else {
			cut = true
		}
	}
}

// readObj reads the object that starts with token t.
func readObj(lx *lexer, t token, depth int) pobj {
	switch t.kind {
	case tokArrOpen:
		if depth > maxPrecheckDepth {
			readArray(lx)
			return pobj{tok: t}
		}
		o := pobj{tok: t, arr: []pobj{}}
		for e := lx.next(); e.kind != tokEOF && e.kind != tokArrClose; e = lx.next() {
			if elem := readObj(lx, e, depth+1); len(o.arr) < maxPrecheckItems {
				o.arr = append(o.arr, elem)
			} else {
				o.cut = true
			}
		}
		return o
	case tokDictOpen:
		if depth > maxPrecheckDepth {
			skipDict(lx)
			return pobj{tok: t}
		}
		d, cut := readDict(lx, depth)
		return pobj{tok: t, dict: d, cut: cut}
	case tokNum:
		at := lx.pos
		if g := lx.next(); g.kind == tokNum {
			if r := lx.next(); r.kind == tokOp && r.s == "R" {
				return pobj{tok: t, ref: true}
			}
		}
		lx.pos = at
	}
	return pobj{tok: t}
}

// num returns o as a number the library reads from the dictionary as it
// stands (a reference does not resolve while the table is being read).
func (o pobj) num() (float64, bool) { return o.tok.num, o.tok.kind == tokNum && !o.ref }

func (o pobj) name() string {
	if o.tok.kind != tokName {
		return ""
	}
	return o.tok.s
}

// prev returns the dictionary's /Prev offset, or -1.
func (d pdict) prev() int64 {
	if p, ok := d["Prev"]; ok && p.tok.kind == tokNum {
		return int64(p.tok.num)
	}
	return -1
}

// xrefTable is the library's table as far as object streams go.
type xrefTable struct {
	started bool
	size    int // the newest section's /Size: the table's length before it grows
	ents    []xrefEntry
}

type xrefEntry struct {
	kept     bool // a newer section gave the entry; older ones cannot change it
	inStream bool
	stream   uint32 // the object stream holding the object
}

// maxFieldWidth is the widest field of /W precheck reads: eight bytes hold
// any number the library keeps, and a wider one is no real writer's.
const maxFieldWidth = 8

// add reads the entries of the xref stream whose dictionary d lx has just
// read from section b. A stream the library cannot read either (no /W, an
// unknown filter, data cut short) adds nothing: the library then fails to
// open the file. One whose entries precheck could not follow as the library
// does is rejected.
func (t *xrefTable) add(b []byte, lx *lexer, d pdict, st *stopper) error {
	first := !t.started
	t.started = true
	if d["Type"].name() != "XRef" {
		return nil
	}
	size, ok := d["Size"].num()
	if first {
		if !ok {
			return nil
		}
		t.size = int(size)
	}
	w, index := d["W"], d["Index"]
	for _, k := range []string{"W", "Index", "Filter", "DecodeParms"} {
		if d[k].truncated() {
			return fmt.Errorf("%w: cross-reference stream /%s with %d or more entries", errMalformed, k, maxPrecheckItems)
		}
	}
	widths, ok := fieldWidths(w)
	if !ok {
		return nil
	}
	if slices.Max(widths) > maxFieldWidth {
		return fmt.Errorf("%w: cross-reference stream /W field wider than %d bytes", errMalformed, maxFieldWidth)
	}
	objects := []float64{0, size} // without an /Index array, or with an empty one
	if len(index.arr) > 0 {
		objects = objects[:0]
		for _, e := range index.arr {
			n, ok := e.num()
			if !ok {
				return nil
			}
			objects = append(objects, n)
		}
	}
	raw, ok := streamData(b, lx, d)
	if !ok {
		return nil
	}
	if rd, ok := xrefData(raw, d["Filter"], d["DecodeParms"]); ok {
		t.read(bufio.NewReader(rd), widths, objects, st)
	}
	return nil
}

// fieldWidths returns the field widths of /W: at least three, none
// negative.
func fieldWidths(o pobj) ([]int, bool) {
	var w []int
	for _, e := range o.arr {
		n, ok := e.num()
		if !ok || n < 0 {
			return nil, false
		}
		w = append(w, int(min(n, maxFieldWidth+1)))
	}
	return w, len(w) >= 3
}

// streamData returns the raw data of the stream whose dictionary d lx has
// just read, found where the library finds it: after the keyword stream
// and one end of line, /Length bytes (or up to the end of the file).
func streamData(b []byte, lx *lexer, d pdict) ([]byte, bool) {
	length, ok := d["Length"].num()
	if t := lx.next(); !ok || length < 0 || t.kind != tokOp || t.s != "stream" {
		return nil, false
	}
	at := lx.pos
	switch {
	case at+1 < len(b) && b[at] == '\r' && b[at+1] == '\n':
		at += 2
	case at < len(b) && (b[at] == '\r' || b[at] == '\n'):
		at++
	default:
		return nil, false
	}
	return b[at:min(len(b), at+int(min(length, float64(len(b)))))], true
}

// read reads the entries of one section from rd, each of the fields w,
// for the object numbers of index (first, count pairs).
func (t *xrefTable) read(rd *bufio.Reader, w []int, index []float64, st *stopper) {
	field := func(n int) (int, bool) {
		x := 0
		for range n {
			c, err := rd.ReadByte()
			if err != nil {
				return 0, false
			}
			x = x<<8 | int(c)
		}
		return x, true
	}
	rest := 0
	for _, n := range w[3:] {
		rest += n
	}
	for i := 0; i+1 < len(index); i += 2 {
		first, count := int(index[i]), int(index[i+1])
		for j := 0; j < count; j++ {
			if st.stop() {
				return
			}
			typ, ok1 := field(w[0])
			f2, ok2 := field(w[1])
			f3, ok3 := field(w[2])
			if _, err := rd.Discard(rest); err != nil || !ok1 || !ok2 || !ok3 {
				return
			}
			if w[0] == 0 {
				typ = 1
			}
			t.set(first+j, typ, f2, f3)
		}
	}
}

// set records entry x of type typ with fields f2, f3, unless a newer
// section gave it. Like the library, it takes an entry whose object number
// and generation are both 0 as not given.
func (t *xrefTable) set(x, typ, f2, f3 int) {
	if x < 0 {
		return
	}
	for x >= len(t.ents) {
		t.ents = append(t.ents, make([]xrefEntry, x-len(t.ents)+1)...)
	}
	if t.ents[x].kept {
		return
	}
	switch typ {
	case 0:
		t.ents[x] = xrefEntry{kept: true}
	case 1:
		t.ents[x] = xrefEntry{kept: x != 0 || uint16(f3) != 0}
	case 2:
		t.ents[x] = xrefEntry{kept: x != 0, inStream: true, stream: uint32(f2)}
	}
}

// checkNesting rejects an object whose object stream is not a plain
// object, or lies beyond the table.
func (t *xrefTable) checkNesting() error {
	n := max(t.size, len(t.ents))
	for i, e := range t.ents {
		if !e.inStream {
			continue
		}
		s := e.stream
		if uint64(s) >= uint64(n) || int(s) < len(t.ents) && t.ents[s].inStream {
			return fmt.Errorf("%w: object %d is in object stream %d, which is not a plain object", errMalformed, i, s)
		}
	}
	return nil
}

// xrefData decodes the data of an xref stream with its /Filter and
// /DecodeParms, as the library does, or reports false where the library
// cannot. References stand for null: they do not resolve while the table
// is being read.
func xrefData(raw []byte, filter, parms pobj) (io.Reader, bool) {
	var rd io.Reader = bytes.NewReader(raw)
	switch {
	case filter.ref || filter.tok.kind == tokEOF || filter.tok.kind == tokOp && filter.tok.s == "null":
		return rd, true
	case filter.tok.kind == tokName:
		return decodeFilter(rd, filter.tok.s, parms)
	case filter.tok.kind == tokArrOpen:
		ok := true
		for i, f := range filter.arr {
			var p pobj
			if i < len(parms.arr) {
				p = parms.arr[i]
			}
			if rd, ok = decodeFilter(rd, f.name(), p); !ok {
				return nil, false
			}
		}
		return rd, true
	}
	return nil, false
}

// decodeFilter applies one filter the library knows.
func decodeFilter(rd io.Reader, name string, parms pobj) (io.Reader, bool) {
	if parms.ref {
		parms = pobj{}
	}
	switch name {
	case "FlateDecode":
		zr, err := zlib.NewReader(rd)
		if err != nil {
			return nil, false
		}
		pred, ok := parms.dict["Predictor"]
		if !ok || pred.ref || pred.tok.kind == tokOp && pred.tok.s == "null" {
			return zr, true
		}
		cols, _ := parms.dict["Columns"].num()
		if p, _ := pred.num(); p != 12 || cols < 0 || cols > float64(maxStreamBytes) {
			return nil, false // the library knows the PNG Up predictor only
		}
		return &pngUpReader{r: zr, hist: make([]byte, 1+int(cols)), row: make([]byte, 1+int(cols))}, true
	case "ASCII85Decode":
		if parms.dict != nil {
			return nil, false // the library takes no parameters here
		}
		return ascii85.NewDecoder(&ascii85Chars{r: rd}), true
	}
	return nil, false
}

// pngUpReader undoes the PNG Up predictor, each row tagged 2 and added to
// the row before.
type pngUpReader struct {
	r         io.Reader
	hist, row []byte
	pend      []byte
}

var errPNGUp = errors.New("malformed PNG-Up encoding")

func (r *pngUpReader) Read(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		if len(r.pend) > 0 {
			m := copy(b, r.pend)
			n += m
			b, r.pend = b[m:], r.pend[m:]
			continue
		}
		if _, err := io.ReadFull(r.r, r.row); err != nil {
			return n, err
		}
		if r.row[0] != 2 {
			return n, errPNGUp
		}
		for i, c := range r.row {
			r.hist[i] += c
		}
		r.pend = r.hist[1:]
	}
	return n, nil
}

// ascii85Chars passes on the ASCII85 characters of r up to the "~" that
// ends the data, dropping white space and anything else, as the library
// does.
type ascii85Chars struct {
	r   io.Reader
	eod bool
}

func (a *ascii85Chars) Read(p []byte) (int, error) {
	if a.eod {
		return 0, io.EOF
	}
	n, err := a.r.Read(p)
	out := 0
	for _, c := range p[:n] {
		if c == '~' {
			a.eod = true
			return out, io.EOF
		}
		if c >= '!' && c <= 'u' || c == 'z' {
			p[out] = c
			out++
		}
	}
	return out, err
}
