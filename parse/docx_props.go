package parse

import "bytes"

// Paragraph, cell and row properties (w:pPr, w:tcPr, w:trPr) are most of
// the tags of document.xml — borders, widths, spacing, fonts — and the
// reader needs three or four of them. Rather than tokenizing them all,
// properties finds the ones it needs in the element's bytes, the way
// skipElement jumps over content no one reads. Properties holding a
// tracked change of properties (…PrChange, whose old values must not be
// read), a comment or CDATA are tokenized as usual.

// docxNeedles are the byte strings properties looks for, with the
// document's prefix of the WordprocessingML namespace.
type docxNeedles struct {
	w                                                             string // the prefix
	endPPr, endTcPr, endTrPr, endT                                []byte
	rPr, endRPr                                                   []byte // a run's properties, for runBody
	pStyle, outlineLvl, gridSpan, vMerge, gridBefore, del, change []byte
}

func newDOCXNeedles(w string) docxNeedles {
	open := func(local string) []byte { return []byte("<" + w + ":" + local) }
	end := func(local string) []byte { return []byte("</" + w + ":" + local) }
	return docxNeedles{w: w,
		endPPr: end("pPr"), endTcPr: end("tcPr"), endTrPr: end("trPr"), endT: end("t>"),
		pStyle: open("pStyle"), outlineLvl: open("outlineLvl"), gridSpan: open("gridSpan"),
		vMerge: open("vMerge"), gridBefore: open("gridBefore"), del: open("del"), change: []byte("PrChange"),
		rPr: open("rPr"), endRPr: end("rPr>"),
	}
}

// properties reads the properties element local, whose start tag was just
// handled, from its bytes, and moves sc to its end tag. It does nothing
// for other elements, or when the properties need a full reading: the
// content, up to the first "</w:local", holds a …PrChange, a comment,
// CDATA or a processing instruction. The wanted tags are the first start
// tag of each name.
//
// Every search is anchored on an upper-case letter of its needle (the P
// of "</w:tcPr", the S of "<w:gridSpan"): those are rare in properties,
// whose bytes are mostly lower-case border attributes, so one SIMD search
// usually lands on the needle, where searching for '<' stops at every tag.
func (r *docxReader) properties(sc *xmlScanner, local []byte) {
	n := &r.needles
	var end []byte
	var wanted [2][]byte
	var memo *propsMemo
	switch string(local) {
	case "pPr":
		end, wanted, memo = n.endPPr, [2][]byte{n.pStyle, n.outlineLvl}, &r.memo[0]
	case "tcPr":
		end, wanted, memo = n.endTcPr, [2][]byte{n.gridSpan, n.vMerge}, &r.memo[1]
	case "trPr":
		end, wanted, memo = n.endTrPr, [2][]byte{n.gridBefore, n.del}, &r.memo[2]
	default:
		return
	}
	data := sc.data
	rest := data[sc.pos:]
	var m *propsSeen
	ok := false
	if r.fast {
		m, ok = memo.find(rest, end)
	}
	if !ok {
		var fresh propsSeen
		m = &fresh
		e := propertiesEnd(rest, end)
		if e < 0 {
			return // no end tag, or a change: let the tokenizer read them
		}
		content := rest[:e]
		if bytes.IndexByte(content, '!') >= 0 || bytes.IndexByte(content, '?') >= 0 {
			return
		}
		m.content = content
		for w, needle := range wanted {
			if i := startTag(content, needle); i >= 0 {
				m.at[w] = i + len(needle)
			}
		}
		memo.add(*m)
	}
	var at [2]int
	for w, a := range m.at {
		if a > 0 {
			at[w] = sc.pos + a
		}
	}
	e := len(m.content)
	r.foundProperties(wanted, at, data[:sc.pos+e])
	sc.pos += e
}

// propsMemoSize is how many property elements of each kind are
// remembered: a table's cells have a few kinds of properties (a
// column's width, a merge), repeated row after row.
const propsMemoSize = 16

// propsMemo remembers the last property elements of one kind read, so
// that one written again, byte for byte, as most are, is known by one
// comparison rather than searched again.
type propsMemo struct {
	seen   [propsMemoSize]propsSeen
	filled int // entries seen[:filled] are in use
	next   int // the entry replaced next
	last   int // the entry found last
}

// propsSeen is the content of a property element, a slice of the
// document being read, up to its end tag, and where in it the
// attributes of each wanted tag start (0: absent).
type propsSeen struct {
	content []byte
	at      [2]int
}

// find returns the entry whose content rest starts with, followed by the
// end tag end: the content properties would find, the end being the
// first in rest since it is the first in the entry's content. The entry
// found last and the one after it are tried first: runs repeat the run
// before, and the cells of a row the row above's, in order.
func (m *propsMemo) find(rest, end []byte) (*propsSeen, bool) {
	if m.filled == 0 {
		return nil, false
	}
	next := m.last + 1
	if next == m.filled {
		next = 0
	}
	if m.seen[m.last].starts(rest, end) {
		return &m.seen[m.last], true
	}
	if m.seen[next].starts(rest, end) {
		m.last = next
		return &m.seen[next], true
	}
	for i := range m.filled {
		if i != next && i != m.last && m.seen[i].starts(rest, end) {
			m.last = i
			return &m.seen[i], true
		}
	}
	return nil, false
}

// starts reports whether rest starts with the entry's content and then
// end. The end tag is compared first, by its second byte and then whole:
// it tells most entries apart by their length.
func (s *propsSeen) starts(rest, end []byte) bool {
	e := len(s.content)
	return e+len(end) <= len(rest) && rest[e+1] == end[1] && string(rest[e:e+len(end)]) == string(end) && string(rest[:e]) == string(s.content)
}

func (m *propsMemo) add(s propsSeen) {
	m.seen[m.next], m.last = s, m.next
	m.filled = max(m.filled, m.next+1)
	if m.next++; m.next == propsMemoSize {
		m.next = 0
	}
}

// propertiesEnd returns where the end tag named by end ("</w:pPr") first
// is in s, -1 when there is none or "PrChange" comes before it. Both are
// found by their P, in one search: a change is found on the way to the
// end, which searching for it apart would walk again.
func propertiesEnd(s, end []byte) int {
	a := bytes.IndexByte(end, 'P')
	if a < 0 || indexUpper(end) != a {
		e := indexAnchored(s, end)
		if e < 0 || bytes.Contains(s[:e], []byte("PrChange")) {
			return -1
		}
		return e
	}
	for i := 0; i < len(s); {
		k := bytes.IndexByte(s[i:], 'P')
		if k < 0 {
			return -1
		}
		q := i + k
		if p := q - a; p >= 0 && p+len(end) <= len(s) && string(s[p:p+len(end)]) == string(end) {
			return p
		}
		if bytes.HasPrefix(s[q:], []byte("PrChange")) {
			return -1
		}
		i = q + 1
	}
	return -1
}

// indexUpper returns the index of b's first upper-case ASCII letter, -1
// when it has none.
func indexUpper(b []byte) int {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			return i
		}
	}
	return -1
}

// startTag returns where the first start tag named by needle ("<w:name")
// is in b, -1 when there is none: an occurrence followed by a longer name
// (<w:delText for <w:del) is not one, and one at the end of b ends the
// search.
func startTag(b, needle []byte) int {
	for from := 0; ; {
		i := indexAnchored(b[from:], needle)
		if i < 0 {
			return -1
		}
		i += from
		k := i + len(needle)
		if k >= len(b) {
			return -1
		}
		if nameEnds[b[k]] {
			return i
		}
		from = k
	}
}

// indexAnchored is bytes.Index(s, needle), searching for the needle's
// first upper-case byte rather than its first (always '<'), which would
// stop at every tag.
func indexAnchored(s, needle []byte) int {
	a := indexUpper(needle)
	if a < 0 {
		return bytes.Index(s, needle)
	}
	c := needle[a]
	for i := a; i < len(s); {
		k := bytes.IndexByte(s[i:], c)
		if k < 0 {
			return -1
		}
		if p := i + k - a; p+len(needle) <= len(s) && string(s[p:p+len(needle)]) == string(needle) {
			return p
		}
		i += k + 1
	}
	return -1
}

// foundProperties acts on the wanted tags whose attributes start at at
// (0: absent) in data, which ends where the properties do.
func (r *docxReader) foundProperties(wanted [2][]byte, at [2]int, data []byte) {
	for w, needle := range wanted {
		if at[w] == 0 {
			continue
		}
		b := data[at[w]:]
		k := bytes.IndexByte(b, '>')
		if k < 0 {
			continue
		}
		attrs := b[:k]
		if k > 0 && attrs[k-1] == '/' {
			attrs = attrs[:k-1]
		}
		local := needle[len(r.w)+2:]
		if string(local) == "del" {
			if row := r.openRow(); row != nil {
				row.deleted = true
			}
			continue
		}
		r.start(needle[1:1+len(r.w)], local, attrs)
	}
}
