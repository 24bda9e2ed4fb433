package parse

import "context"

// ParsePDF parses a PDF report. Not implemented yet: every PDF comes back
// with StatusUnsupported.
func ParsePDF(ctx context.Context, data []byte) (*Document, error) {
	return &Document{
		Format: FormatPDF,
		Status: StatusUnsupported,
		Warnings: []Warning{{
			Code: "pdf.unsupported", Message: "PDF reports are not parsed yet", Loc: Loc{Table: -1},
		}},
	}, nil
}
