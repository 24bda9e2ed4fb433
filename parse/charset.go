package parse

import "github.com/opengov-cn/nianbao/internal/textenc"

// DecodeHTML converts an HTML page to UTF-8: a byte order mark, then the
// charset given by the caller (an HTTP header), then a <meta> declaration;
// without any, valid UTF-8 is UTF-8 and anything else GB18030. It returns
// the text, the encoding used and what did not add up.
func DecodeHTML(data []byte, declared string) (string, string, []Warning) {
	s, name, notes := textenc.DecodeHTML(data, declared)
	return s, name, warnings(notes)
}

// DecodeText converts a plain-text document to UTF-8: BOM, then UTF-8 if
// the bytes are valid UTF-8, otherwise GB18030.
func DecodeText(data []byte) (string, string, []Warning) {
	s, name, notes := textenc.DecodeText(data)
	return s, name, warnings(notes)
}

func warnings(notes []textenc.Note) []Warning {
	var out []Warning
	for _, n := range notes {
		out = append(out, Warning{Code: Code(n.Code), Message: n.Message})
	}
	return out
}
