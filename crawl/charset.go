package crawl

import (
	"bytes"
	"regexp"
	"unicode/utf8"

	"github.com/opengov-cn/nianbao/internal/sniff"
	"github.com/opengov-cn/nianbao/internal/textenc"
)

// isBinary reports whether a body is a PDF, Word, WPS, OFD or other binary
// file, whatever Content-Type the server claimed: such bodies are stored
// byte for byte and never decoded as text. The parser asks sniff the same
// question, so no file is binary to one stage and text to the other.
func isBinary(b []byte) bool { return sniff.Detect(b).IsBinary() }

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
