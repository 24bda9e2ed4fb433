package crawl

import (
	"bytes"
	"regexp"
	"unicode/utf8"

	"github.com/opengov-cn/nianbao/internal/textenc"
)

// isBinary reports whether a body starts like a PDF, Word, WPS, OFD or other
// binary file, whatever Content-Type the server claimed. Such bodies are
// never decoded as text.
func isBinary(b []byte) bool {
	for _, magic := range [][]byte{
		[]byte("%PDF-"),
		{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, // OLE2: .doc, .wps, .xls
		[]byte("PK\x03\x04"),                             // zip: .docx, .ofd
		[]byte("{\\rtf"),
	} {
		if bytes.HasPrefix(b, magic) {
			return true
		}
	}
	head := b[:min(len(b), 1024)]
	return bytes.IndexByte(head, 0) >= 0 && !bytes.HasPrefix(head, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(head, []byte{0xFE, 0xFF})
}

// decodeHTML converts an HTML body to UTF-8, with the charset of the HTTP
// header as the declaration; see textenc.DecodeHTML.
func decodeHTML(body []byte, contentType string) (string, string) {
	s, name, _ := textenc.DecodeHTML(body, textenc.ContentTypeCharset(contentType))
	return s, name
}

var challengeMarkers = [][]byte{
	[]byte("__jsl_clearance"),
	[]byte("acw_sc__"),
	[]byte("document.cookie"),
	[]byte("challenge"),
	[]byte("location.reload"),
}

// isChallenge reports whether a body looks like a JavaScript anti-bot
// challenge: a small page of script that sets cookies or reloads itself and
// carries almost no text.
func isChallenge(b []byte, contentType string) bool {
	if len(b) > 32<<10 { // challenge pages are small
		return false
	}
	marker := false
	for _, m := range challengeMarkers {
		if bytes.Contains(b, m) {
			marker = true
			break
		}
	}
	if !marker || !bytes.Contains(bytes.ToLower(b), []byte("<script")) {
		return false
	}
	// Count Han characters outside <script> elements: a real page has text.
	decoded, _ := decodeHTML(b, contentType)
	han := 0
	for s := scriptRe.ReplaceAllString(decoded, ""); s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		if r >= 0x4E00 && r <= 0x9FFF {
			han++
		}
		s = s[n:]
	}
	return han < 20
}

var scriptRe = regexp.MustCompile(`(?is)<script.*?</script>`)
