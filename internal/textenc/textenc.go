// Package textenc decodes the text of report pages and dumps to UTF-8 the
// way Chinese government sites need: GBK and GB2312 labels read as
// GB18030, their superset, and undeclared bytes detected. The crawler and
// the parser both use it, so a page reads the same in either stage.
package textenc

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)`)

// DecodeHTML converts an HTML page to UTF-8. It honours, in order, a byte
// order mark, a charset given by the caller (from an HTTP header), and a
// <meta> declaration; without any of these, bytes that are valid UTF-8 are
// taken as UTF-8 and anything else as GB18030. GBK and GB2312 labels are
// read as GB18030, their superset, because sites that declare GB2312 often
// serve characters outside it.
func DecodeHTML(data []byte, declared string) (string, string, []Note) {
	head := data
	if len(head) > 8192 {
		head = head[:8192]
	}
	if name, enc, n := bomEncoding(data); enc != nil {
		s, _ := enc.NewDecoder().Bytes(data[n:])
		return string(s), name, nil
	}
	if declared == "" {
		if m := metaCharset.FindSubmatch(head); m != nil {
			declared = string(m[1])
		}
	}
	return decodeDeclared(data, declared)
}

// DecodeText converts a plain-text document to UTF-8: BOM, then UTF-8 if
// the bytes are valid UTF-8, otherwise GB18030.
func DecodeText(data []byte) (string, string, []Note) {
	if name, enc, n := bomEncoding(data); enc != nil {
		s, _ := enc.NewDecoder().Bytes(data[n:])
		return string(s), name, nil
	}
	return decodeDeclared(data, "")
}

func decodeDeclared(data []byte, declared string) (string, string, []Note) {
	var warns []Note
	if n := bytes.Count(data, []byte{0}); n > 0 {
		// A stray NUL (a truncated copy, a bad converter) says nothing about
		// the encoding and breaks every label it lands in.
		data = bytes.ReplaceAll(data, []byte{0}, nil)
		warns = append(warns, Note{Code: "charset.nul", Message: fmt.Sprintf("%d NUL bytes removed", n)})
	}
	enc, name := lookupEncoding(declared)
	if declared != "" && enc == nil {
		warns = append(warns, Note{Code: "charset.unknown",
			Message: "unknown charset " + declared + "; detecting from the bytes"})
	}
	if enc != nil && name != "utf-8" && utf8.Valid(data) && !isASCII(data) {
		// GB-encoded Chinese is practically never valid UTF-8, so valid
		// UTF-8 with non-ASCII bytes means the declaration is wrong.
		warns = append(warns, Note{Code: "charset.mismatch",
			Message: "declared " + declared + " but the bytes are UTF-8; reading as UTF-8"})
		return string(data), "utf-8", warns
	}
	if name == "utf-8" && !utf8.Valid(data) {
		s, got, notes := decodeUndeclared(data)
		if got != "utf-8" {
			warns = append(warns, Note{Code: "charset.mismatch",
				Message: "declared UTF-8 but the bytes are not UTF-8; reading as " + got})
		}
		return s, got, append(warns, notes...)
	}
	if enc == nil {
		s, got, notes := decodeUndeclared(data)
		return s, got, append(warns, notes...)
	}
	if name == "utf-8" {
		return string(data), name, warns
	}
	s, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		warns = append(warns, Note{Code: "charset.decode",
			Message: "cannot decode as " + name + ": " + err.Error()})
		return strings.ToValidUTF8(string(data), "\uFFFD"), name, warns
	}
	return string(s), name, warns
}

// decodeUndeclared reads bytes whose encoding is not declared: UTF-8 when
// valid, GB18030 when no line is UTF-8 with Chinese in it. A file that
// mixes the two (pasted together, or UTF-8 with a damaged byte) is read
// line by line, each in the encoding it is in, and says so.
func decodeUndeclared(data []byte) (string, string, []Note) {
	if utf8.Valid(data) {
		return string(data), "utf-8", nil
	}
	var utf8Lines int
	for line := range bytes.Lines(data) {
		if !isASCII(line) && utf8.Valid(line) {
			utf8Lines++
		}
	}
	gb := simplifiedchinese.GB18030.NewDecoder()
	if utf8Lines == 0 {
		s, err := gb.Bytes(data)
		if err != nil {
			return strings.ToValidUTF8(string(data), "\uFFFD"), "gb18030",
				[]Note{{Code: "charset.decode", Message: "cannot decode as gb18030: " + err.Error()}}
		}
		return string(s), "gb18030", nil
	}
	var b strings.Builder
	b.Grow(len(data))
	var asGB, damaged int
	for line := range bytes.Lines(data) {
		switch {
		case utf8.Valid(line):
			b.Write(line)
		case damagedUTF8(line):
			damaged++
			b.WriteString(strings.ToValidUTF8(string(line), "\uFFFD"))
		default:
			asGB++
			s, err := gb.Bytes(line)
			if err != nil {
				s = []byte(strings.ToValidUTF8(string(line), "\uFFFD"))
			}
			b.Write(s)
		}
	}
	name := "utf-8"
	if asGB > utf8Lines {
		name = "gb18030"
	}
	return b.String(), name, []Note{{Code: "charset.mixed", Message: fmt.Sprintf(
		"mixed encodings: %d lines UTF-8, %d lines read as GB18030, %d lines of UTF-8 with invalid bytes replaced",
		utf8Lines, asGB, damaged)}}
}

// damagedUTF8 reports whether a line that is not valid UTF-8 is UTF-8
// with a few bad bytes (lost or flipped in a copy) rather than GB18030, in
// which every byte sequence decodes. Chinese in GB18030 read as UTF-8 almost
// never forms a valid three-byte sequence, so a line with at least two of
// them per invalid byte is UTF-8.
func damagedUTF8(line []byte) bool {
	bad, wide := 0, 0
	for len(line) > 0 {
		r, n := utf8.DecodeRune(line)
		switch {
		case r == utf8.RuneError && n == 1:
			bad++
		case n >= 3:
			wide++
		}
		line = line[n:]
	}
	return wide > 0 && wide >= 2*bad
}

// Note is something decoding met: a charset it does not know, or a
// declaration the bytes contradict.
type Note struct {
	Code    string // charset.unknown, charset.mismatch, charset.decode, charset.mixed, charset.nul
	Message string
}

// ContentTypeCharset returns the charset parameter of an HTTP
// Content-Type, or "".
func ContentTypeCharset(contentType string) string {
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["charset"]
	}
	return ""
}

func lookupEncoding(label string) (encoding.Encoding, string) {
	label = strings.ToLower(strings.TrimSpace(label))
	switch label {
	case "":
		return nil, ""
	case "gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn", "x-euc-cn", "csgb2312", "ms936", "windows-936":
		return simplifiedchinese.GB18030, "gb18030"
	case "utf8", "utf-8":
		return unicode.UTF8, "utf-8"
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, ""
	}
	name, _ := htmlindex.Name(enc)
	return enc, name
}

func bomEncoding(data []byte) (string, encoding.Encoding, int) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return "utf-8", unicode.UTF8, 3
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return "utf-16le", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), 2
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return "utf-16be", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), 2
	}
	return "", nil, 0
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
