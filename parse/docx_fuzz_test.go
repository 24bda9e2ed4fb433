package parse

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzParseDOCX feeds the DOCX reader mangled document.xml parts (zipped
// afresh, since a mutated zip rarely opens) and the Markdown reader the
// same bytes. Neither may panic; every cell must say where it is and hold
// valid UTF-8; the DOCX reader's fast paths must read as its tokens do.
func FuzzParseDOCX(f *testing.F) {
	m, _ := filepath.Glob("../testdata/word/docx-*/report.docx")
	for _, p := range m {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			for _, e := range zr.File {
				if e.Name == "word/document.xml" {
					rc, _ := e.Open()
					b, _ := io.ReadAll(io.LimitReader(rc, 16<<10)) // small seeds: the fuzzer grows them
					f.Add(b)
				}
			}
		}
	}
	f.Add([]byte(`<w:document xmlns:w="` + wordMainNS + `"><w:body><w:tbl><w:tr><w:tc><w:tcPr><w:vMerge/><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>`))
	f.Add([]byte("| a | b |\n|---|---|\n| 1 | 2 |\n<table><tr><td rowspan=2>x</td></tr></table>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("word/document.xml")
		w.Write(body)
		zw.Close()
		doc, err := ParseDOCX(context.Background(), buf.Bytes())
		if err == nil {
			checkCells(t, doc)
		}
		if slow, err2 := parseDOCX(context.Background(), buf.Bytes(), false); (err == nil) != (err2 == nil) || !reflect.DeepEqual(doc, slow) {
			t.Fatalf("the fast paths read differently:\nfast: %+v\nslow: %+v", doc, slow)
		}
		if doc, err := ParseMarkdown(context.Background(), body); err == nil {
			checkCells(t, doc)
		}
	})
}

func checkCells(t *testing.T, doc *Document) {
	for _, b := range doc.Blocks {
		if !utf8.ValidString(b.Text) {
			t.Fatalf("paragraph %q is not UTF-8", b.Text)
		}
		if b.Table == nil {
			continue
		}
		for _, r := range b.Table.Rows {
			for _, c := range r.Cells {
				if !c.Loc.InTable() || c.ColSpan < 1 || c.RowSpan < 1 || c.Col < 0 || !utf8.ValidString(c.Text) {
					t.Fatalf("cell %q has a bad place or text: %+v", c.Text, c)
				}
			}
		}
	}
}
