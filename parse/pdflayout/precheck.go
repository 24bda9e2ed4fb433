package pdflayout

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
)

var errMalformed = errors.New("pdf: malformed file")

// precheck inspects the cross-reference sections of a file before the
// library reads them, and rejects what would make the library allocate
// without bound (an object count or subsection far beyond what the file
// could hold), loop forever (a /Prev chain that comes back on itself) or
// recurse without end (an object stream said to lie in an object stream).
// It stops, with the stopper's error, when st says so.
func precheck(data []byte, st *stopper) error { return precheckWith(data, st, true) }

// precheckRebuilt checks a copy whose cross-reference table rebuild wrote:
// the table and its /Size are known to be sane, and the /Size entries of
// the old ones, which the library no longer reads, are not checked.
func precheckRebuilt(data []byte, st *stopper) error { return precheckWith(data, st, false) }

func precheckWith(data []byte, st *stopper, sizes bool) error {
	if st == nil {
		st = &stopper{}
	}
	limit := int64(len(data))/2 + 100000
	if sizes {
		if err := checkSizes(data, limit, st); err != nil {
			return err
		}
	}
	if err := checkExtends(data, st); err != nil {
		return err
	}
	off, ok := startxref(data)
	if !ok {
		return st.err // the library reports the missing startxref itself
	}
	var objs xrefTable
	seen := map[int64]bool{}
	for off >= 0 {
		if st.now() {
			return st.err
		}
		if off >= int64(len(data)) {
			return nil
		}
		if seen[off] {
			return fmt.Errorf("%w: cross-reference /Prev chain loops at offset %d", errMalformed, off)
		}
		if len(seen) > maxXrefSections {
			return fmt.Errorf("%w: more than %d cross-reference sections", errMalformed, maxXrefSections)
		}
		seen[off] = true
		next, err := checkSection(data[off:], limit, &objs, st)
		if err != nil {
			return err
		}
		off = next
	}
	if st.err != nil {
		return st.err
	}
	return objs.checkNesting()
}

// maxXrefSections bounds the /Prev chain: a file updated this many times
// is not a report.
const maxXrefSections = 1000

// startxref returns the offset of the last cross-reference section, found
// as the library finds it: on a line of its own in the last 100 bytes,
// before the %%EOF that ends the file.
func startxref(data []byte) (int64, bool) {
	const tailLen = 100
	if len(data) < tailLen {
		return 0, false
	}
	tail := bytes.TrimRight(data[len(data)-tailLen:], "\r\n\t ")
	if !bytes.HasSuffix(tail, []byte("%%EOF")) {
		return 0, false
	}
	kw := []byte("startxref")
	for end := len(tail); ; {
		i := bytes.LastIndex(tail[:end], kw)
		if i <= 0 || i+len(kw) >= len(tail) {
			return 0, false
		}
		if isEOL(tail[i-1]) && isEOL(tail[i+len(kw)]) {
			lx := &lexer{b: tail[i+len(kw):]}
			if t := lx.next(); t.kind == tokNum {
				return int64(t.num), true
			}
			return 0, false
		}
		end = i
	}
}

func isEOL(c byte) bool { return c == '\n' || c == '\r' }

// checkSizes rejects a /Size entry larger than the file allows.
func checkSizes(data []byte, limit int64, st *stopper) error {
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("/Size"))
		if j < 0 || st.stop() {
			return st.err
		}
		i += j + 5
		k := i
		for k < len(data) && isWhite(data[k]) {
			k++
		}
		var n int64
		digits := 0
		for k < len(data) && data[k] >= '0' && data[k] <= '9' && digits < 19 {
			n = n*10 + int64(data[k]-'0')
			k++
			digits++
		}
		if digits > 0 && n > limit {
			return fmt.Errorf("%w: cross-reference /Size %d is larger than the file allows", errMalformed, n)
		}
	}
}

// checkSection checks one cross-reference section (a table with its
// trailer, or a stream), adds the entries of a stream to objs, and returns
// the section's /Prev offset, or -1.
func checkSection(b []byte, limit int64, objs *xrefTable, st *stopper) (int64, error) {
	lx := &lexer{b: b, st: st}
	t := lx.next()
	if t.kind == tokOp && t.s == "xref" {
		for {
			t = lx.next()
			if t.kind != tokNum {
				break // "trailer" or garbage, which the library reports
			}
			n := lx.next()
			if t.num < 0 || n.kind != tokNum || n.num < 0 || t.num+n.num > float64(limit) {
				return -1, fmt.Errorf("%w: cross-reference subsection %v+%v beyond the file's size", errMalformed, t.num, n.num)
			}
			for i := 0; i < int(n.num)*3; i++ {
				if lx.next().kind == tokEOF {
					return -1, nil
				}
			}
		}
		d, err := sectionDict(lx, limit)
		return d.prev(), err
	}
	// an xref stream: "n g obj << … >> stream"
	if t.kind != tokNum || lx.next().kind != tokNum || lx.next().s != "obj" {
		return -1, nil
	}
	d, err := sectionDict(lx, limit)
	if err != nil {
		return -1, err
	}
	if err := objs.add(b, lx, d, st); err != nil {
		return -1, err
	}
	return d.prev(), nil
}

// sectionDict reads the next dictionary, a trailer or an xref stream's,
// checking any /Index array; nil where there is none.
func sectionDict(lx *lexer, limit int64) (pdict, error) {
	for t := lx.next(); t.kind != tokDictOpen; t = lx.next() {
		if t.kind == tokEOF {
			return nil, nil
		}
	}
	d, cut := readDict(lx, 0)
	if cut {
		return nil, fmt.Errorf("%w: cross-reference dictionary with %d or more entries", errMalformed, maxPrecheckItems)
	}
	idx := d["Index"].arr
	for i := 0; i+1 < len(idx); i += 2 {
		if first, n := idx[i].tok.num, idx[i+1].tok.num; first < 0 || n < 0 || first+n > float64(limit) {
			return nil, fmt.Errorf("%w: cross-reference stream /Index beyond the file's size", errMalformed)
		}
	}
	return d, nil
}

// checkExtends rejects object streams whose /Extends chain loops, which
// would make the library search them forever. Object streams cannot be
// compressed themselves, so their dictionaries can be read from the file
// as it is: each /Extends belongs to the nearest "n g obj" before it,
// within 4 KiB.
func checkExtends(data []byte, st *stopper) error {
	const window = 4096
	next := map[int64]int64{}
	var heads []int // offsets of " obj", found at the first /Extends
	for i := 0; !st.stop(); {
		j := bytes.Index(data[i:], []byte("/Extends"))
		if j < 0 {
			break
		}
		at := i + j
		i = at + len("/Extends")
		lx := &lexer{b: data[i:min(len(data), i+64)]}
		t := lx.next()
		if t.kind != tokNum {
			continue
		}
		if heads == nil {
			heads = objHeads(data, st)
		}
		// the last " obj" that ends before at
		k := sort.Search(len(heads), func(k int) bool { return heads[k]+len(" obj") > at }) - 1
		if k < 0 || heads[k] < at-window {
			continue
		}
		id, ok := objNumberBefore(data, heads[k])
		if ok {
			next[id] = int64(t.num)
		}
	}
	if st.err != nil {
		return st.err
	}
	// walk each chain once: a node met again on the walk that reached it
	// closes a loop; one met on an earlier walk leads nowhere new
	const onWalk, walked = 1, 2
	state := map[int64]int{}
	for start := range next {
		var path []int64
		id, ok := start, true
		for ; ok && state[id] == 0; id, ok = next[id] {
			state[id] = onWalk
			path = append(path, id)
		}
		if ok && state[id] == onWalk {
			return fmt.Errorf("%w: object stream %d: /Extends chain loops", errMalformed, start)
		}
		for _, p := range path {
			state[p] = walked
		}
	}
	return nil
}

// objHeads returns the offsets of every " obj" in data, in order.
func objHeads(data []byte, st *stopper) []int {
	heads := []int{}
	for i := 0; !st.stop(); {
		j := bytes.Index(data[i:], []byte(" obj"))
		if j < 0 {
			break
		}
		heads = append(heads, i+j)
		i += j + len(" obj")
	}
	return heads
}

// objNumberBefore reads the object number of the "n g obj" header whose
// " obj" starts at k.
func objNumberBefore(data []byte, k int) (int64, bool) {
	// walk back over "g" and the spaces around it to "n"
	i := k
	for pass := 0; pass < 2; pass++ {
		for i > 0 && isWhite(data[i-1]) {
			i--
		}
		end := i
		for i > 0 && data[i-1] >= '0' && data[i-1] <= '9' {
			i--
		}
		if i == end {
			return 0, false
		}
		if pass == 1 {
			var n int64
			for _, c := range data[i:end] {
				n = n*10 + int64(c-'0')
			}
			return n, true
		}
	}
	return 0, false
}
