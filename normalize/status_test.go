package normalize

import (
	"context"
	"os"
	"testing"

	"github.com/opengov-cn/nianbao/parse"
)

// TestStatusOCRTrouble checks that a report whose every table was read is
// ok, and partial once OCR left a cell blank or could not read a page.
func TestStatusOCRTrouble(t *testing.T) {
	const path = "../testdata/reports/html-2021-utf8-nodecl-split-labels/report.html"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		code parse.Code
		want Status
	}{
		{"", StatusOK},
		{parse.CodeOCRUnsure, StatusPartial},
		{parse.CodeOCRFailed, StatusPartial},
	} {
		doc, err := parse.Parse(context.Background(), path, data)
		if err != nil {
			t.Fatal(err)
		}
		if tt.code != "" {
			doc.Warnings = append(doc.Warnings, parse.Warning{Code: tt.code, Message: "page 3"})
		}
		if got := Normalize(doc, Source{Path: path}).Status; got != tt.want {
			t.Errorf("with warning %q: status %s, want %s", tt.code, got, tt.want)
		}
	}
}
