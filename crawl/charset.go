package crawl

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
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

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)`)

// decodeHTML converts an HTML body to UTF-8. The encoding is taken from the
// HTTP header, a byte-order mark or a <meta> declaration, in that order; a
// declared UTF-8 that is not valid UTF-8 is ignored. Without a usable label,
// valid UTF-8 is UTF-8 and anything else is read as GB18030, the superset
// of GBK and GB2312 that Chinese government sites use.
func decodeHTML(body []byte, contentType string) (string, string) {
	var labels []string
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		labels = append(labels, params["charset"])
	}
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		labels = append(labels, "utf-8")
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		labels = append(labels, "utf-16le")
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		labels = append(labels, "utf-16be")
	}
	if m := metaCharset.FindSubmatch(body[:min(len(body), 4096)]); m != nil {
		labels = append(labels, string(m[1]))
	}
	for _, l := range labels {
		enc, name := lookupEncoding(l)
		if enc == nil {
			continue
		}
		if name == "utf-8" {
			if utf8.Valid(body) {
				return string(bytes.TrimPrefix(body, []byte{0xEF, 0xBB, 0xBF})), name
			}
			continue
		}
		if s, err := enc.NewDecoder().Bytes(body); err == nil {
			return string(s), name
		}
	}
	if utf8.Valid(body) {
		return string(body), "utf-8"
	}
	s, _ := simplifiedchinese.GB18030.NewDecoder().Bytes(body)
	return string(s), "gb18030"
}

// lookupEncoding resolves a charset label; GBK and GB2312 become GB18030.
func lookupEncoding(label string) (encoding.Encoding, string) {
	switch l := strings.ToLower(strings.TrimSpace(label)); l {
	case "gbk", "gb2312", "gb_2312-80", "x-gbk", "gb18030", "cp936", "windows-936", "euc-cn":
		return simplifiedchinese.GB18030, "gb18030"
	case "utf-8", "utf8":
		return unicode.UTF8, "utf-8"
	}
	enc, name := charset.Lookup(label)
	return enc, name
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
