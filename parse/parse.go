package parse

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

func (l Loc) String() string {
	var parts []string
	if l.Page > 0 {
		parts = append(parts, fmt.Sprintf("page %d", l.Page))
	}
	if l.Line > 0 {
		parts = append(parts, fmt.Sprintf("line %d", l.Line))
	}
	if l.Table >= 0 {
		parts = append(parts, fmt.Sprintf("table %d row %d col %d", l.Table+1, l.Row+1, l.Col+1))
	}
	if len(parts) == 0 {
		return "document"
	}
	return strings.Join(parts, ", ")
}

// Parse parses one document. The format is detected from the bytes, with
// the file name's extension as a hint only. An error means the document
// could not be read at all; a document the parser does not understand comes
// back with a non-OK Status and warnings instead.
func Parse(ctx context.Context, name string, data []byte) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch f := DetectFormat(name, data); f {
	case FormatHTML:
		return ParseHTML(data)
	case FormatText:
		return ParseText(data)
	case FormatPDF:
		return ParsePDF(ctx, data)
	default:
		return &Document{
			Format: f,
			Status: StatusUnsupported,
			Warnings: []Warning{{
				Code:    "format.unsupported",
				Message: fmt.Sprintf("%s: format %q is not supported", name, f),
				Loc:     Loc{Table: -1},
			}},
		}, nil
	}
}

// DetectFormat tells a document's format from its leading bytes; the
// extension of name decides only between plain text and HTML when the bytes
// do not.
func DetectFormat(name string, data []byte) Format {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		// UTF-16 text: look at it decoded.
		s, _, _ := DecodeText(head)
		head = []byte(s)
	}
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return FormatPDF
	case bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-")) && !looksLikeHTML(head):
		// The header may follow up to 1 KiB of junk; a page that merely
		// mentions it is still a page.
		return FormatPDF
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}): // OLE2: .doc, .wps
		return FormatWord
	case bytes.HasPrefix(head, []byte("PK\x03\x04")): // zip: .docx, .ofd
		return FormatWord
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return FormatUnknown
	}
	if looksLikeHTML(head) {
		return FormatHTML
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".shtml", ".xhtml":
		return FormatHTML
	}
	if utf8.Valid(head) || isLikelyGBText(head) {
		return FormatText
	}
	return FormatUnknown
}

func looksLikeHTML(head []byte) bool {
	s := strings.ToLower(string(head))
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<table", "<p>", "<p ", "<div", "<meta"} {
		if strings.Contains(s, tag) {
			return true
		}
	}
	return false
}

// isLikelyGBText accepts bytes that are not UTF-8 but are plausible GB18030
// text: no control characters other than whitespace.
func isLikelyGBText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			return false
		}
	}
	return true
}

// Pages returns the number of pages the document's blocks come from: the
// highest page number, 0 for formats without pages.
func (d *Document) Pages() int {
	n := 0
	for _, b := range d.Blocks {
		n = max(n, b.Loc.Page)
	}
	return n
}
