package pdflayout

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"

	"github.com/ledongthuc/pdf"
)

var errMalformed = errors.New("pdf: malformed file")

// precheck inspects the cross-reference sections of a file before the
// library reads them, and rejects what would make the library allocate
// without bound (an object count or subsection far beyond what the file
// could hold) or loop forever (a /Prev chain that comes back on itself).
func precheck(data []byte) error {
	limit := int64(len(data))/2 + 100000
	if err := checkSizes(data, limit); err != nil {
		return err
	}
	if err := checkExtends(data); err != nil {
		return err
	}
	tail := data[max(0, len(data)-1024):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return nil // the library reports the missing startxref itself
	}
	lx := &lexer{b: tail[i+len("startxref"):]}
	t := lx.next()
	if t.kind != tokNum {
		return nil
	}
	seen := map[int64]bool{}
	for off := int64(t.num); off >= 0; {
		if off >= int64(len(data)) {
			return nil
		}
		if seen[off] {
			return fmt.Errorf("%w: cross-reference /Prev chain loops at offset %d", errMalformed, off)
		}
		if len(seen) > 1000 {
			return fmt.Errorf("%w: more than 1000 cross-reference sections", errMalformed)
		}
		seen[off] = true
		next, err := checkSection(data[off:], limit)
		if err != nil {
			return err
		}
		off = next
	}
	return nil
}

// checkSizes rejects a /Size entry larger than the file allows.
func checkSizes(data []byte, limit int64) error {
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("/Size"))
		if j < 0 {
			return nil
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
// trailer, or a stream's dictionary) and returns its /Prev offset, or -1.
func checkSection(b []byte, limit int64) (int64, error) {
	lx := &lexer{b: b}
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
		return dictPrev(lx, limit)
	}
	// an xref stream: "n g obj << … >>"
	if t.kind != tokNum || lx.next().kind != tokNum || lx.next().s != "obj" {
		return -1, nil
	}
	return dictPrev(lx, limit)
}

// dictPrev reads the next dictionary and returns its /Prev entry (-1 if
// none), checking any /Index array on the way.
func dictPrev(lx *lexer, limit int64) (int64, error) {
	for t := lx.next(); t.kind != tokDictOpen; t = lx.next() {
		if t.kind == tokEOF {
			return -1, nil
		}
	}
	prev := int64(-1)
	depth := 1
	for depth > 0 {
		t := lx.next()
		switch t.kind {
		case tokEOF:
			return prev, nil
		case tokDictOpen:
			depth++
		case tokDictClose:
			depth--
		case tokName:
			if depth != 1 {
				continue
			}
			switch t.s {
			case "Prev":
				if v := lx.next(); v.kind == tokNum {
					prev = int64(v.num)
				}
			case "Index":
				if lx.next().kind != tokArrOpen {
					continue
				}
				arr := readArray(lx)
				for i := 0; i+1 < len(arr); i += 2 {
					if arr[i].num < 0 || arr[i+1].num < 0 || arr[i].num+arr[i+1].num > float64(limit) {
						return -1, fmt.Errorf("%w: cross-reference stream /Index beyond the file's size", errMalformed)
					}
				}
			}
		}
	}
	return prev, nil
}

// checkXref inspects the cross-reference table the library built and
// rejects an object said to live in an object stream that itself lives in
// an object stream (resolving it would recurse without end). It reads the
// library's unexported table through reflection, read-only; if the layout
// is not as expected it checks nothing.
func checkXref(r *pdf.Reader) error {
	rv := reflect.ValueOf(r).Elem()
	tab := rv.FieldByName("xref")
	if !tab.IsValid() || tab.Kind() != reflect.Slice {
		return nil
	}
	n := tab.Len()
	if n == 0 {
		return nil
	}
	e := tab.Index(0)
	inStreamF, streamF := e.FieldByName("inStream"), e.FieldByName("stream")
	if !inStreamF.IsValid() || inStreamF.Kind() != reflect.Bool || !streamF.IsValid() || streamF.Kind() != reflect.Struct || streamF.NumField() < 1 {
		return nil
	}
	for i := 0; i < n; i++ {
		x := tab.Index(i)
		if !x.FieldByName("inStream").Bool() {
			continue
		}
		id := x.FieldByName("stream").Field(0)
		if !isUint(id.Kind()) {
			return nil
		}
		sid := id.Uint()
		if sid >= uint64(n) || tab.Index(int(sid)).FieldByName("inStream").Bool() {
			return fmt.Errorf("%w: object %d is in object stream %d, which is not a plain object", errMalformed, i, sid)
		}
	}
	return nil
}

// checkExtends rejects object streams whose /Extends chain loops, which
// would make the library search them forever. Object streams cannot be
// compressed themselves, so their dictionaries can be read from the file
// as it is: each /Extends belongs to the nearest "n g obj" before it.
func checkExtends(data []byte) error {
	next := map[int64]int64{}
	for i := 0; ; {
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
		k := bytes.LastIndex(data[max(0, at-4096):at], []byte(" obj"))
		if k < 0 {
			continue
		}
		k += max(0, at-4096)
		id, ok := objNumberBefore(data, k)
		if ok {
			next[id] = int64(t.num)
		}
	}
	for start := range next {
		seen := map[int64]bool{}
		for id, ok := start, true; ok; id, ok = next[id] {
			if seen[id] {
				return fmt.Errorf("%w: object stream %d: /Extends chain loops", errMalformed, start)
			}
			seen[id] = true
		}
	}
	return nil
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
