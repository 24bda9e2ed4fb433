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
type xmlScanner struct {
	data []byte
	pos  int
	end  bool     // an empty-element tag's end is due
	tok  xmlToken // the token next returns, reused
}

type xmlKind uint8

const (
	xmlStart xmlKind = iota + 1
	xmlEnd
	xmlText
	xmlCDATA
)

// xmlToken is a tag or a run of text; its slices point into the input.
type xmlToken struct {
	kind         xmlKind
	space, local []byte // prefix and local name of a tag
	attrs        []byte // a start tag's attributes, unparsed
	text         []byte // raw text (references not resolved) or CDATA
}

var errXMLSyntax = errors.New("unterminated markup")

// next returns the next token, valid until the next call; nil at the end
// of the input or on an error, which err tells. Tags in document.xml are a
// few dozen bytes apart, too close for bytes.IndexByte's set-up to pay:
// the short distances are walked byte by byte.
func (s *xmlScanner) next() (*xmlToken, error) {
	if s.end {
		s.end = false
		s.tok.kind, s.tok.attrs = xmlEnd, nil
		return &s.tok, nil
	}
	data := s.data
	for s.pos < len(data) {
		if data[s.pos] != '<' {
			i := textEnd(data, s.pos)
			s.tok = xmlToken{kind: xmlText, text: data[s.pos:i]}
			s.pos = i
			return &s.tok, nil
		}
		if s.pos+1 < len(data) {
			switch data[s.pos+1] {
			case '?', '!':
				if tok, err, done := s.markup(); done {
					return tok, err
				}
				continue
			}
		}
		return s.tag(data[s.pos:])
	}
	return nil, nil
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
func (s *xmlScanner) markup() (tok *xmlToken, err error, done bool) {
	rest := s.data[s.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("<?")):
		if !s.skipPast("?>") {
			return nil, errXMLSyntax, true
		}
	case bytes.HasPrefix(rest, []byte("<!--")):
		if !s.skipPast("-->") {
			return nil, errXMLSyntax, true
		}
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		i := bytes.Index(rest, []byte("]]>"))
		if i < 0 {
			return nil, errXMLSyntax, true
		}
		s.pos += i + 3
		s.tok = xmlToken{kind: xmlCDATA, text: rest[9:i]}
		return &s.tok, nil, true
	default: // <!DOCTYPE …>, with or without an internal subset
		end := "]>"
		if j, k := bytes.IndexByte(rest, '['), bytes.IndexByte(rest, '>'); j < 0 || (k >= 0 && k < j) {
			end = ">"
		}
		if !s.skipPast(end) {
			return nil, errXMLSyntax, true
		}
	}
	return nil, nil, false
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

// tag reads the tag at the start of rest.
func (s *xmlScanner) tag(rest []byte) (*xmlToken, error) {
	closing := len(rest) > 1 && rest[1] == '/'
	i := 1
	if closing {
		i = 2
	}
	start, colon := i, -1
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == ' ' || c == '>' || c == '/' || c == '\n' || c == '\t' || c == '\r' {
			break
		}
		if c == ':' && colon < 0 {
			colon = i
		}
	}
	t := &s.tok
	*t = xmlToken{kind: xmlStart}
	name := rest[start:i]
	if colon >= 0 {
		t.space, t.local = rest[start:colon], rest[colon+1:i]
	} else {
		t.local = name
	}
	j := tagEnd(rest, i)
	if j < 0 {
		return nil, errXMLSyntax
	}
	s.pos += j + 1
	if len(name) == 0 {
		return nil, errXMLSyntax
	}
	if closing {
		t.kind = xmlEnd
		return t, nil
	}
	attrs := rest[i:j]
	if len(attrs) > 0 && attrs[len(attrs)-1] == '/' {
		attrs = attrs[:len(attrs)-1]
		s.end = true
	}
	t.attrs = attrs
	return t, nil
}

// tagEnd returns the index of the '>' that ends the tag whose name ends
// at b[i], the first one outside quoted attribute values; -1 when the tag
// is not closed.
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
