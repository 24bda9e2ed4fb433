package parse

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/opengov-cn/nianbao/internal/sniff"
)

func (l Loc) String() string {
	var parts []string
	if l.Page > 0 {
		parts = append(parts, fmt.Sprintf("page %d", l.Page))
	}
	if l.Line > 0 {
		parts = append(parts, fmt.Sprintf("line %d", l.Line))
	}
	if l.Table > 0 {
		grid := fmt.Sprintf("table %d", l.Table)
		if l.Row > 0 {
			grid += fmt.Sprintf(" row %d", l.Row)
		}
		if l.Col > 0 {
			grid += fmt.Sprintf(" col %d", l.Col)
		}
		parts = append(parts, grid)
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
	doc, err := read(ctx, name, data)
	if doc != nil {
		doc.Title = reportTitle(doc)
		doc.Warnings = capWarnings(doc.Warnings)
	}
	return doc, err
}

// read dispatches to the reader of the document's format.
func read(ctx context.Context, name string, data []byte) (*Document, error) {
	switch f := DetectFormat(name, data); f {
	case FormatHTML:
		return ParseHTML(ctx, data)
	case FormatText:
		return ParseText(ctx, data)
	case FormatPDF:
		return ParsePDF(ctx, data)
	case FormatDOCX:
		return ParseDOCX(ctx, data)
	case FormatWord:
		return ParseWord(ctx, name, data)
	case FormatMarkdown:
		return ParseMarkdown(ctx, data)
	case FormatOFD:
		return ParseOFD(ctx, data)
	default:
		return &Document{
			Format: f,
			Status: StatusUnsupported,
			Warnings: []Warning{{
				Code:    CodeFormatUnsupported,
				Message: fmt.Sprintf("%s: format %q is not supported", name, f),
			}},
		}, nil
	}
}

// DetectFormat tells a document's format from its bytes (see package
// sniff). The extension of name decides only what the bytes cannot: HTML
// or Markdown for text, Markdown for a .md file with HTML tables in it
// (converters embed them). A text whose lines hold a Markdown table
// separator ("|---|---|") is Markdown whatever its name.
func DetectFormat(name string, data []byte) Format {
	ext := strings.ToLower(filepath.Ext(name))
	switch sniff.Detect(data) {
	case sniff.PDF:
		return FormatPDF
	case sniff.OLE:
		return FormatWord
	case sniff.DOCX:
		return FormatDOCX
	case sniff.Zip:
		switch {
		case IsOFD(data):
			return FormatOFD
		case ext == ".docx": // a damaged one: its reader says what is wrong
			return FormatDOCX
		case ext == ".ofd":
			return FormatOFD
		}
	case sniff.OFD:
		return FormatOFD
	case sniff.HTML:
		if markdownExt[ext] {
			return FormatMarkdown
		}
		return FormatHTML
	case sniff.Text:
		switch {
		case ext == ".html" || ext == ".htm" || ext == ".shtml" || ext == ".xhtml":
			return FormatHTML
		case markdownExt[ext] || looksLikeMarkdown(data):
			return FormatMarkdown
		}
		return FormatText
	}
	return FormatUnknown
}

// markdownExt are the extensions of Markdown files.
var markdownExt = map[string]bool{".md": true, ".markdown": true}

// Pages returns the number of pages the document's blocks come from: the
// highest page number, 0 for formats without pages.
func (d *Document) Pages() int {
	n := 0
	for _, b := range d.Blocks {
		n = max(n, b.Loc.Page)
	}
	return n
}
