package pdflayout

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/testdata/hostile"
)

// pageText opens data and returns page 1's text and the document's
// warnings.
func pageText(t *testing.T, data []byte) (string, *Doc) {
	t.Helper()
	d, err := Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.Page(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, g := range p.Glyphs {
		b.WriteString(g.Text)
	}
	return b.String(), d
}

func TestTidy(t *testing.T) {
	pdf := hostile.TextPDF()
	for _, tt := range []struct {
		name string
		data []byte
		note string // "" for none
	}{
		{"as it is", pdf, ""},
		{"junk before", hostile.JunkBefore(pdf, 1000), "1000 bytes of junk before"},
		{"junk after", hostile.JunkAfter(pdf, 10), "180 bytes of junk after"},
		{"NUL padding after", append(append([]byte(nil), pdf...), make([]byte, 4096)...), "4096 bytes of junk after"},
		{"version 2.0", hostile.Version(pdf, "2.0"), `"2.0" read as 1.7`},
		{"version 1.10 and a comment", hostile.Version(pdf, "1.10 %comment"), `"1.10 %comment" read as 1.7`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, notes := tidy(tt.data)
			if tt.note == "" && len(notes) > 0 || tt.note != "" && !strings.Contains(strings.Join(notes, "; "), tt.note) {
				t.Errorf("notes %q, want %q", notes, tt.note)
			}
			if !knownHeader(out) || !endsWithEOF(out) {
				t.Errorf("tidied file starts %q and ends %q", out[:min(len(out), 10)], out[max(0, len(out)-10):])
			}
			text, d := pageText(t, tt.data)
			if text != hostile.TextLine {
				t.Errorf("text %q, want %q", text, hostile.TextLine)
			}
			if tt.note != "" && !hasWarning(d.Warnings, WarnRepair, tt.note) {
				t.Errorf("warnings %v, want a repair", d.Warnings)
			}
		})
	}
}

func TestRebuild(t *testing.T) {
	pdf := hostile.TextPDF()
	body := pdf[:bytes.LastIndex(pdf, []byte("\nxref"))+1]
	// an incremental update that redraws the page, its table cut off
	update := append(append([]byte(nil), body...), "5 0 obj\n<< /Length 40 >>\nstream\nBT /F1 12 Tf 72 720 Td (updated) Tj ET\nendstream\nendobj\n"...)
	// stream data that looks like objects, which must not be taken for them
	fake := bytes.Replace(body, []byte("4 0 obj"), []byte("9 0 obj\n<< /Length 44 >>\nstream\n1 0 obj << /Type /Catalog /Pages 7 0 R >>\nendstream\nendobj\n4 0 obj"), 1)
	stm := xrefStreamPDF(flateXref, xsection{})
	stmBody := stm[:bytes.LastIndex(stm, []byte("7 0 obj"))]
	for _, tt := range []struct {
		name string
		data []byte
		text string
	}{
		{"no table", body, hostile.TextLine},
		{"broken table", hostile.BrokenXref(pdf), hostile.TextLine},
		{"the last definition wins", update, "updated"},
		{"objects in stream data are not objects", fake, hostile.TextLine},
		{"page tree in an object stream, no cross-reference stream", stmBody, "2023 annual report of the office, 21 requests"},
		{"page tree in an object stream, startxref wrong", bytes.Replace(stm, []byte("startxref\n"), []byte("startxref\n1"), 1), "2023 annual report of the office, 21 requests"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, d := pageText(t, tt.data)
			if text != tt.text {
				t.Errorf("text %q, want %q", text, tt.text)
			}
			if !d.Rebuilt || !hasWarning(d.Warnings, WarnRepair, "rebuilt") {
				t.Errorf("rebuilt %v, warnings %v; want a rebuilt table", d.Rebuilt, d.Warnings)
			}
		})
	}
	if _, err := Open(context.Background(), []byte("%PDF-1.7\nnothing here\n")); err == nil {
		t.Error("a file without objects opened")
	}
}
