// Package textenc decodes the text of report pages and dumps to UTF-8 the
// way Chinese government sites need: GBK and GB2312 labels read as
// GB18030, their superset, and undeclared bytes detected. The crawler and
// the parser both use it, so a page reads the same in either stage.
package textenc

import (
	"bytes"
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
		warns = append(warns, Note{Code: "charset.mismatch",
			Message: "declared UTF-8 but the bytes are not UTF-8; reading as GB18030"})
		enc = nil
	}
	if enc == nil {
		if utf8.Valid(data) {
			return string(data), "utf-8", warns
		}
		enc, name = simplifiedchinese.GB18030, "gb18030"
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

// Note is something decoding met: a charset it does not know, or a
// declaration the bytes contradict.
type Note struct {
	Code    string // charset.unknown, charset.mismatch, charset.decode
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
