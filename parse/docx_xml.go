package parse

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf8"
)

// xmlScanner splits document.xml into tags and text without allocating:
// encoding/xml's Decoder makes a string per name and attribute and reads
// a report's body at a tenth of the speed of the HTML tokenizer. Only
// what WordprocessingML needs is understood: start, end and empty-element
// tags with quoted attributes, text with the predefined and numeric
// character references, CDATA, and comments, processing instructions and
// a DOCTYPE, which are skipped (its entities are never expanded, so an
// entity bomb is plain text). Nothing recurses.
//
// The current token is kept as offsets into the input, read through
// local, space, attrs and text: a token of slices, returned by value, is
// copied word by word at every return, and stored through a pointer costs
// a write barrier per slice whenever the collector is marking.
type xmlScanner struct {
	data []byte
	pos  int
	end  bool // an empty-element tag's end is due
	// The current token: its kind, a tag's name data[n0:n1] with its
	// local part from l0 (n0 when it has no prefix), and a start tag's
	// attributes or a text's or CDATA section's bytes, data[v0:v1].
	kind       xmlKind
	n0, l0, n1 int
	v0, v1     int
}

type xmlKind uint8

const (
	xmlStart xmlKind = iota + 1
	xmlEnd
	xmlText
	xmlCDATA
)

var errXMLSyntax = errors.New("unterminated markup")

// local is the current tag's local name.
func (s *xmlScanner) local() []byte { return s.data[s.l0:s.n1] }

// space is the current tag's prefix, nil when it has none.
func (s *xmlScanner) space() []byte {
	if s.l0 == s.n0 {
		return nil
	}
	return s.data[s.n0 : s.l0-1]
}

// attrs are the current start tag's attributes, unparsed.
func (s *xmlScanner) attrs() []byte { return s.data[s.v0:s.v1] }

// text is the current text, its references not resolved, or CDATA.
func (s *xmlScanner) text() []byte { return s.data[s.v0:s.v1] }

// next reads the next token and returns its kind; 0 at the end of the
// input or on an error, which err tells. Tags in document.xml are a few
// dozen bytes apart, too close for bytes.IndexByte's set-up to pay: the
// short distances are walked byte by byte.
func (s *xmlScanner) next() (xmlKind, error) {
	if s.end { // the name is the start tag's, read last
		s.end, s.kind, s.v0, s.v1 = false, xmlEnd, 0, 0
		return xmlEnd, nil
	}
	data := s.data
	for s.pos < len(data) {
		if data[s.pos] != '<' {
			i := textEnd(data, s.pos)
			s.kind, s.v0, s.v1, s.pos = xmlText, s.pos, i, i
			return xmlText, nil
		}
		if s.pos+1 < len(data) {
			switch data[s.pos+1] {
			case '?', '!':
				if k, err, done := s.markup(); done {
					return k, err
				}
				continue
			}
		}
		return s.tag()
	}
	s.kind = 0
	return 0, nil
}

// textEnd returns the index of the first '<' at or after i, len(data)
// when there is none.
func textEnd(data []byte, i int) int {
	for lim := min(i+16, len(data)); i < lim; i++ {
		if data[i] == '<' {
			return i
		}
	}
	if i >= len(data) {
		return len(data)
	}
	if k := bytes.IndexByte(data[i:], '<'); k >= 0 {
		return i + k
	}
	return len(data)
}

// markup reads the processing instruction, comment, CDATA section or
// DOCTYPE at s.pos; done is false for those that make no token.
func (s *xmlScanner) markup() (k xmlKind, err error, done bool) {
	rest := s.data[s.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("<?")):
		if !s.skipPast("?>") {
			return 0, errXMLSyntax, true
		}
	case bytes.HasPrefix(rest, []byte("<!--")):
		if !s.skipPast("-->") {
			return 0, errXMLSyntax, true
		}
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		i := bytes.Index(rest, []byte("]]>"))
		if i < 0 {
			return 0, errXMLSyntax, true
		}
		s.kind, s.v0, s.v1 = xmlCDATA, s.pos+9, s.pos+i
		s.pos += i + 3
		return xmlCDATA, nil, true
	default: // <!DOCTYPE …>, with or without an internal subset
		end := "]>"
		if j, k := bytes.IndexByte(rest, '['), bytes.IndexByte(rest, '>'); j < 0 || (k >= 0 && k < j) {
			end = ">"
		}
		if !s.skipPast(end) {
			return 0, errXMLSyntax, true
		}
	}
	return 0, nil, false
}

// skipPast moves past the next occurrence of end.
func (s *xmlScanner) skipPast(end string) bool {
	i := bytes.Index(s.data[s.pos:], []byte(end))
	if i < 0 {
		return false
	}
	s.pos += i + len(end)
	return true
}

// tag reads the tag at s.pos.
func (s *xmlScanner) tag() (xmlKind, error) {
	data, p := s.data, s.pos
	closing := p+1 < len(data) && data[p+1] == '/'
	i := p + 1
	if closing {
		i++
	}
	start, local := i, i
	for ; i < len(data); i++ {
		c := data[i]
		if nameEnds[c] {
			break
		}
		if c == ':' && local == start {
			local = i + 1
		}
	}
	j := tagEnd(data, i)
	if j < 0 || i == start {
		if j >= 0 {
			s.pos = j + 1
		}
		s.kind = 0
		return 0, errXMLSyntax
	}
	s.pos = j + 1
	s.n0, s.l0, s.n1 = start, local, i
	if closing {
		s.kind, s.v0, s.v1 = xmlEnd, 0, 0
		return xmlEnd, nil
	}
	if j > i && data[j-1] == '/' {
		j--
		s.end = true
	}
	s.kind, s.v0, s.v1 = xmlStart, i, j
	return xmlStart, nil
}

// tagEnd returns the index of the '>' that ends the tag whose name ends
// at b[i], the first one outside quoted attribute values; -1 when the tag
// is not closed. A plain loop, inlined: most tags are a few bytes long,
// and neither bytes.IndexByte nor eight bytes at a time pay for their
// set-up there (both were measured slower).
func tagEnd(b []byte, i int) int {
	for ; i < len(b); i++ {
		switch c := b[i]; c {
		case '>':
			return i
		case '"', '\'':
			for i++; i < len(b) && b[i] != c; i++ {
			}
		}
	}
	return -1
}

// nameEnds are the bytes that end a tag's name: white space, '>' and '/'.
var nameEnds = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '>': true, '/': true}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// xmlAttrBytes is xmlAttr without a copy when the value has no
// references: a view into attrs.
func xmlAttrBytes(attrs []byte, local string) []byte {
	v := xmlAttrRaw(attrs, local)
	if bytes.IndexByte(v, '&') >= 0 {
		return appendXMLText(nil, v)
	}
	return v
}

// xmlAttr returns the value of the attribute whose local name is local
// (any prefix), with references resolved; "" when absent.
func xmlAttr(attrs []byte, local string) string {
	v := xmlAttrRaw(attrs, local)
	if bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	return string(appendXMLText(nil, v))
}

// xmlAttrRaw returns the raw value of the attribute whose local name is
// local, nil when absent.
func xmlAttrRaw(attrs []byte, local string) []byte {
	for len(attrs) > 0 {
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return nil
		}
		name := bytes.TrimSpace(attrs[:eq])
		if c := bytes.IndexByte(name, ':'); c >= 0 {
			name = name[c+1:]
		}
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return nil
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return nil
		}
		if string(name) == local {
			return rest[1 : 1+end]
		}
		attrs = rest[end+2:]
	}
	return nil
}

// xmlAttrs calls f with each attribute's qualified name and raw value.
func xmlAttrs(attrs []byte, f func(name, value []byte)) {
	for len(attrs) > 0 {
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return
		}
		name := bytes.TrimSpace(attrs[:eq])
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return
		}
		f(name, rest[1:1+end])
		attrs = rest[end+2:]
	}
}

// appendXMLText appends raw XML text to dst with its character references
// resolved; an unknown reference is kept as written.
func appendXMLText(dst, raw []byte) []byte {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		semi := bytes.IndexByte(raw[:min(len(raw), 12)], ';')
		if semi < 0 {
			dst = append(dst, '&')
			raw = raw[1:]
			continue
		}
		if r, ok := xmlEntity(raw[1:semi]); ok {
			dst = utf8.AppendRune(dst, r)
		} else {
			dst = append(dst, raw[:semi+1]...)
		}
		raw = raw[semi+1:]
	}
	return dst
}

// xmlEntity resolves a predefined or numeric character reference's name.
func xmlEntity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !utf8.ValidRune(rune(n)) || n == 0 {
		return utf8.RuneError, true
	}
	return rune(n), true
}

// skipElement moves past the content of the element whose start tag t was
// just read, to just before its end tag, by looking for that end tag: the
// elements skipped this way (properties, deletions) never nest inside
// themselves, and if a hostile file nests them anyway the rest of the
// outer one is read as content, which costs nothing. An empty-element tag
// has no content to skip. It reports whether the end tag was found; the
// end tag of an element whose name starts with the skipped one's
// (</w:rPrChange> inside w:rPr) is not taken for it.
func (s *xmlScanner) skipElement(space, local []byte) bool {
	if s.end {
		return false
	}
	var buf [64]byte
	end := append(buf[:0], "</"...)
	if len(space) > 0 {
		end = append(append(end, space...), ':')
	}
	end = append(end, local...)
	for from := s.pos; ; {
		i := bytes.Index(s.data[from:], end)
		if i < 0 {
			return false
		}
		from += i
		if k := from + len(end); k < len(s.data) {
			if c := s.data[k]; c != '>' && !isXMLSpace(c) && c != '/' {
				from = k
				continue
			}
		}
		s.pos = from
		return true
	}
}

// skipEndTag moves past the end tag at s.pos, which skipElement found,
// reporting whether it is closed; when it is not, s.pos stays, for next
// to report the error.
func (s *xmlScanner) skipEndTag() bool {
	if j := tagEnd(s.data, s.pos+2); j >= 0 {
		s.pos = j + 1
		return true
	}
	return false
}
