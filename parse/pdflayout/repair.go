package pdflayout

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/opengov-cn/nianbao/internal/sniff"
)

// Tolerant opening. The library reads only a file that starts with a
// header it knows (%PDF-1.0 to %PDF-1.7), ends with %%EOF in its last 100
// bytes, and whose cross-reference offsets are right. Files from the web
// often are not: servers and mail gateways put junk before the header or
// after the end, producers write %PDF-2.0, downloads are cut short and
// editors damage the table. As poppler does, the reader accepts them: tidy
// makes a copy the library reads, and when the library still cannot read
// it, rebuild writes a new cross-reference table from the objects found by
// scanning the file. Each repair is reported, with what it was.

// libraryHeader is the header the library is handed when the file's own is
// one it does not know.
const libraryHeader = "%PDF-1.7\n"

// tidy returns data as the library can read it, and what was changed:
// junk before a header in the first KiB dropped (offsets counted from the
// header, as other readers count them), a header the library does not know
// read as %PDF-1.7, and junk after the last %%EOF dropped. data itself is
// never changed.
func tidy(data []byte) ([]byte, []string) {
	var notes []string
	if i := bytes.Index(data[:min(len(data), sniff.HeaderWindow)], []byte("%PDF-")); i > 0 {
		data = data[i:]
		notes = append(notes, fmt.Sprintf("%d bytes of junk before the %%PDF- header skipped", i))
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) && !knownHeader(data) {
		eol := bytes.IndexAny(data[:min(len(data), 64)], "\r\n")
		if eol >= len(libraryHeader)-1 {
			version := string(bytes.TrimSpace(data[len("%PDF-"):eol]))
			data = append([]byte(libraryHeader), data[len(libraryHeader):]...)
			notes = append(notes, fmt.Sprintf("header version %.16q read as 1.7", version))
		}
	}
	if !endsWithEOF(data) {
		if i := bytes.LastIndex(data, []byte("%%EOF")); i >= 0 {
			end := i + len("%%EOF")
			if end < len(data) && data[end] == '\r' {
				end++
			}
			if end < len(data) && data[end] == '\n' {
				end++
			}
			notes = append(notes, fmt.Sprintf("%d bytes of junk after the last %%%%EOF dropped", len(data)-end))
			data = data[:end]
		}
	}
	return data, notes
}

// knownHeader reports whether data starts with a header the library reads.
func knownHeader(data []byte) bool {
	return len(data) > 8 && bytes.HasPrefix(data, []byte("%PDF-1.")) && data[7] >= '0' && data[7] <= '7' && (data[8] == '\r' || data[8] == '\n')
}

// endsWithEOF reports whether the library finds %%EOF at the end of data.
func endsWithEOF(data []byte) bool {
	return bytes.HasSuffix(bytes.TrimRight(data[max(0, len(data)-100):], "\r\n\t "), []byte("%%EOF"))
}

// objLoc is an object found by scanning: its number, generation and the
// offset of its "n g obj" header.
type objLoc struct {
	num, gen, off int
}

// scanWindow is how much after an object's header is read to tell what
// the object is (a catalog, a cross-reference stream with a trailer's
// entries): the dictionary's first entries.
const scanWindow = 4096

// rebuilt is what scanning a file found.
type rebuilt struct {
	objs    map[int]objLoc // by number: the last definition in the file
	packed  map[int]packed // objects in object streams, by number
	stms    map[int]bool   // the object streams
	catalog objLoc         // the last object with /Type /Catalog
	trailer map[string]string
}

// packed is an object found in an object stream: the stream's number and
// header offset, and the object's index in it.
type packed struct {
	stm, at, idx int
}

// rebuild returns a copy of data with a new cross-reference table listing
// the objects found by scanning for "n g obj" headers (stream data
// skipped), and a trailer whose /Root is that of the file's last trailer
// when it names an object found, else the last catalog found. Its /Info,
// /Encrypt and /ID are carried over. It returns the number of objects
// listed, or an error when no catalog was found.
func rebuild(data []byte, st *stopper) ([]byte, int, error) {
	if st == nil {
		st = &stopper{}
	}
	rb := scanObjects(data, st)
	if st.now() {
		return nil, 0, st.err
	}
	root, ok := rb.root()
	if !ok {
		return nil, 0, fmt.Errorf("pdf: no catalog found among the %d objects of the file", len(rb.objs)+len(rb.packed))
	}
	ents := rb.entries()
	var b bytes.Buffer
	b.Grow(len(libraryHeader) + len(data) + 32*len(ents) + 512)
	b.WriteString(libraryHeader)
	shift := b.Len()
	b.Write(data)
	b.WriteString("\n")
	trailer := "/Root " + root
	for _, k := range []string{"Info", "Encrypt", "ID"} {
		if v, ok := rb.trailer[k]; ok {
			trailer += fmt.Sprintf(" /%s %s", k, v)
		}
	}
	var xref int
	if len(rb.packed) == 0 {
		xref = writeXrefTable(&b, ents, shift, trailer)
	} else {
		xref = writeXrefStream(&b, ents, shift, trailer)
	}
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes(), len(ents), nil
}

// entry is one entry of a rebuilt cross-reference table: an object at an
// offset, or in an object stream when packed.
type entry struct {
	num, gen, off int
	packed        bool
	stm, idx      int
}

// entries lists the objects found, by number: each as its last definition
// in the file, an object stream's own entry never taken from inside one.
func (rb *rebuilt) entries() []entry {
	var out []entry
	for n, o := range rb.objs {
		if p, ok := rb.packed[n]; ok && p.at > o.off && !rb.stms[n] {
			continue
		}
		out = append(out, entry{num: n, gen: o.gen, off: o.off})
	}
	for n, p := range rb.packed {
		if o, ok := rb.objs[n]; ok && (o.off > p.at || rb.stms[n]) {
			continue
		}
		out = append(out, entry{num: n, packed: true, stm: p.stm, idx: p.idx})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].num < out[j].num })
	return out
}

// runs splits entries into runs of consecutive numbers.
func runs(ents []entry) [][]entry {
	var out [][]entry
	for i := 0; i < len(ents); {
		j := i + 1
		for j < len(ents) && ents[j].num == ents[j-1].num+1 {
			j++
		}
		out = append(out, ents[i:j])
		i = j
	}
	return out
}

// writeXrefTable writes a cross-reference table of ents, whose offsets are
// shift bytes into b, and its trailer with the entries trailer; it returns
// the table's offset.
func writeXrefTable(b *bytes.Buffer, ents []entry, shift int, trailer string) int {
	xref := b.Len()
	b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, run := range runs(ents) {
		fmt.Fprintf(b, "%d %d\n", run[0].num, len(run))
		for _, e := range run {
			fmt.Fprintf(b, "%010d %05d n \n", e.off+shift, e.gen)
		}
	}
	fmt.Fprintf(b, "trailer\n<< /Size %d %s >>\n", ents[len(ents)-1].num+1, trailer)
	return xref
}

// writeXrefStream writes a cross-reference stream of ents, as object
// number one past the last, with the trailer's entries; it returns the
// stream's offset.
func writeXrefStream(b *bytes.Buffer, ents []entry, shift int, trailer string) int {
	self := ents[len(ents)-1].num + 1
	xref := b.Len()
	ents = append(ents, entry{num: self, off: xref - shift})
	var rows []byte
	var index []string
	for _, run := range runs(ents) {
		index = append(index, fmt.Sprintf("%d %d", run[0].num, len(run)))
		for _, e := range run {
			typ, f2, f3 := 1, e.off+shift, e.gen
			if e.packed {
				typ, f2, f3 = 2, e.stm, e.idx
			}
			rows = append(rows, byte(typ), byte(f2>>24), byte(f2>>16), byte(f2>>8), byte(f2), byte(f3>>8), byte(f3))
		}
	}
	fmt.Fprintf(b, "%d 0 obj\n<< /Type /XRef /Size %d %s /W [1 4 2] /Index [%s] /Length %d >>\nstream\n", self, self+1, trailer, strings.Join(index, " "), len(rows))
	b.Write(rows)
	b.WriteString("\nendstream\nendobj\n")
	return xref
}

// root returns the reference the new trailer's /Root is: the old
// trailer's if it names an object found, else the last catalog found.
func (rb *rebuilt) root() (string, bool) {
	if raw, ok := rb.trailer["Root"]; ok {
		lx := &lexer{b: []byte(raw)}
		n, g, r := lx.next(), lx.next(), lx.next()
		if n.kind == tokNum && g.kind == tokNum && r.kind == tokOp && r.s == "R" {
			if o, ok := rb.objs[int(n.num)]; ok && o.gen == int(g.num) {
				return fmt.Sprintf("%d %d R", o.num, o.gen), true
			}
			if _, ok := rb.packed[int(n.num)]; ok && g.num == 0 {
				return fmt.Sprintf("%d 0 R", int(n.num)), true
			}
		}
	}
	if rb.catalog.num > 0 {
		return fmt.Sprintf("%d %d R", rb.catalog.num, rb.catalog.gen), true
	}
	return "", false
}

// maxPackedObjects is the most objects read of one object stream; its
// index field in a cross-reference stream has two bytes.
const maxPackedObjects = 1 << 16

// objStm reads the object stream whose header is o and whose dictionary
// starts b, as far as rebuilding the table needs: the numbers of the
// objects it holds, and whether one is the catalog. A stream the reader
// cannot decode (an unknown filter, encrypted data) gives nothing.
func (rb *rebuilt) objStm(b []byte, o objLoc) {
	lx := &lexer{b: b}
	if lx.next().kind != tokDictOpen {
		return
	}
	d, _ := readDict(lx, 0)
	n, ok1 := d["N"].num()
	first, ok2 := d["First"].num()
	if d["Type"].name() != "ObjStm" || !ok1 || !ok2 || n <= 0 || first < 0 {
		return
	}
	raw, ok := streamData(b, lx, d)
	if !ok {
		raw, ok = toEndstream(b, lx)
	}
	if !ok {
		return
	}
	rd, ok := xrefData(raw, d["Filter"], d["DecodeParms"])
	if !ok {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(rd, maxStreamBytes))
	head := &lexer{b: body[:min(len(body), int(first))]}
	rb.stms[o.num] = true
	var offs []int
	var nums []int
	for i := 0; i < int(n) && i < maxPackedObjects; i++ {
		num, off := head.next(), head.next()
		if num.kind != tokNum || off.kind != tokNum || num.num <= 0 || off.num < 0 {
			break
		}
		nums = append(nums, int(num.num))
		offs = append(offs, int(first)+int(off.num))
	}
	for i, num := range nums {
		rb.packed[num] = packed{stm: o.num, at: o.off, idx: i}
		start, end := offs[i], len(body)
		if i+1 < len(offs) {
			end = offs[i+1]
		}
		if start < end && end <= len(body) && bytes.Contains(body[start:end], []byte("/Catalog")) {
			lx := &lexer{b: body[start:end]}
			if lx.next().kind == tokDictOpen && strings.TrimSpace(rawEntries(lx)["Type"]) == "/Catalog" {
				rb.catalog = objLoc{num: num}
			}
		}
	}
}

// toEndstream returns the data of the stream whose dictionary lx has just
// read from b, up to its endstream, for a stream whose /Length is not
// given as a number.
func toEndstream(b []byte, lx *lexer) ([]byte, bool) {
	if t := lx.next(); t.kind != tokOp || t.s != "stream" {
		return nil, false
	}
	at := lx.pos
	if at < len(b) && b[at] == '\r' {
		at++
	}
	if at < len(b) && b[at] == '\n' {
		at++
	}
	k := bytes.Index(b[at:], []byte("endstream"))
	if k < 0 {
		return nil, false
	}
	return b[at : at+k], true
}

// maxScanObjects bounds the object numbers a rebuilt table lists: an
// object takes at least 16 bytes of the file, so a real file's numbers do
// not go past a sixteenth of its size, and a larger one would make the
// library allocate a table for it.
func maxScanObjects(size int) int { return size/16 + 1000 }

// scanObjects finds the objects of data by their headers, skipping the
// data of streams, and the trailers of the file: "trailer" dictionaries
// and the dictionaries of cross-reference streams, the last one kept.
func scanObjects(data []byte, st *stopper) *rebuilt {
	rb := &rebuilt{objs: map[int]objLoc{}, packed: map[int]packed{}, stms: map[int]bool{}}
	limit := maxScanObjects(len(data))
	for i := 0; i < len(data) && !st.stop(); {
		j := nextKeyword(data, i)
		if j < 0 {
			break
		}
		switch {
		case bytes.HasPrefix(data[j:], []byte("obj")):
			i = j + len("obj")
			o, ok := objHeader(data, j)
			if !ok || o.num > limit {
				continue
			}
			rb.objs[o.num] = o
			w := data[i:min(len(data), i+scanWindow)]
			rb.look(w, o)
			if bytes.Contains(w, []byte("/ObjStm")) {
				rb.objStm(data[i:], o)
			}
		case bytes.HasPrefix(data[j:], []byte("trailer")):
			i = j + len("trailer")
			lx := &lexer{b: data[i:min(len(data), i+scanWindow)]}
			if lx.next().kind == tokDictOpen {
				if e := rawEntries(lx); e["Root"] != "" {
					rb.trailer = e
				}
			}
		default: // stream: its data may hold anything
			i = j + len("stream")
			if k := bytes.Index(data[i:], []byte("endstream")); k >= 0 {
				i += k + len("endstream")
			} else {
				i = len(data)
			}
		}
	}
	return rb
}

// look reads the start of object o, w, for a catalog or the dictionary of
// a cross-reference stream.
func (rb *rebuilt) look(w []byte, o objLoc) {
	if !bytes.Contains(w, []byte("/Catalog")) && !bytes.Contains(w, []byte("/XRef")) {
		return
	}
	lx := &lexer{b: w}
	if lx.next().kind != tokDictOpen {
		return
	}
	e := rawEntries(lx)
	switch name := bytes.TrimSpace([]byte(e["Type"])); string(name) {
	case "/Catalog":
		rb.catalog = o
	case "/XRef":
		if e["Root"] != "" {
			rb.trailer = e
		}
	}
}

// nextKeyword returns the offset of the next of the words obj, trailer and
// stream at or after i that stands alone (not endobj, endstream or part of
// a longer word), or -1.
func nextKeyword(data []byte, i int) int {
	for i < len(data) {
		k := bytes.IndexAny(data[i:], "ost")
		if k < 0 {
			return -1
		}
		j := i + k
		i = j + 1
		var w string
		switch {
		case bytes.HasPrefix(data[j:], []byte("obj")):
			w = "obj"
		case bytes.HasPrefix(data[j:], []byte("trailer")):
			w = "trailer"
		case bytes.HasPrefix(data[j:], []byte("stream")):
			w = "stream"
		default:
			continue
		}
		end := j + len(w)
		if j > 0 && !isWhite(data[j-1]) && !isDelim(data[j-1]) || end < len(data) && !isWhite(data[end]) && !isDelim(data[end]) {
			continue
		}
		if w == "stream" && (end >= len(data) || data[end] != '\r' && data[end] != '\n') {
			continue
		}
		return j
	}
	return -1
}

// objHeader reads the "n g" before the obj at j.
func objHeader(data []byte, j int) (objLoc, bool) {
	i := j
	var fields [2]int
	for f := 1; f >= 0; f-- {
		end := i
		for i > 0 && isWhite(data[i-1]) {
			i--
		}
		if i == end {
			return objLoc{}, false // "n g" must be followed by white space
		}
		end = i
		for i > 0 && data[i-1] >= '0' && data[i-1] <= '9' && end-i < 10 {
			i--
		}
		if i == end {
			return objLoc{}, false
		}
		n, err := strconv.Atoi(string(data[i:end]))
		if err != nil {
			return objLoc{}, false
		}
		fields[f] = n
	}
	if i > 0 && !isWhite(data[i-1]) && !isDelim(data[i-1]) || fields[0] <= 0 || fields[1] > 65535 {
		return objLoc{}, false
	}
	return objLoc{num: fields[0], gen: fields[1], off: i}, true
}

// rawEntries reads the entries of a dictionary whose "<<" lx has just
// read, each value as it is written.
func rawEntries(lx *lexer) map[string]string {
	out := map[string]string{}
	for {
		k := lx.next()
		switch k.kind {
		case tokEOF, tokDictClose:
			return out
		case tokName:
		default:
			continue
		}
		start := lx.pos
		v := lx.next()
		if v.kind == tokEOF || v.kind == tokDictClose {
			return out
		}
		readObj(lx, v, 1)
		out[k.s] = string(bytes.TrimSpace(lx.b[start:lx.pos]))
	}
}
