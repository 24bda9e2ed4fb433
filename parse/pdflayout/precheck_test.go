package pdflayout

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/ascii85"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// withXref appends a cross-reference table with the given subsection
// header and trailer entries to body, and a startxref to it.
func withXref(body, subsection, trailer string) []byte {
	off := len(body)
	return []byte(fmt.Sprintf("%sxref\n%s\n0000000000 65535 f \ntrailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n", body, subsection, trailer, off))
}

func TestPrecheckRejectsHostileXref(t *testing.T) {
	body := "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
	selfPrev := fmt.Sprintf("/Size 2 /Root 1 0 R /Prev %d", len(body))
	extendsLoop := body + "5 0 obj\n<< /Type /ObjStm /N 0 /First 1 /Extends 6 0 R /Length 0 >>\nstream\nendstream\nendobj\n" +
		"6 0 obj\n<< /Type /ObjStm /N 0 /First 1 /Extends 5 0 R /Length 0 >>\nstream\nendstream\nendobj\n"
	tests := []struct {
		name string
		data []byte
		bad  bool
	}{
		{"fine", withXref(body, "0 1", "/Size 2 /Root 1 0 R"), false},
		{"huge Size", withXref(body, "0 1", "/Size 99999999999 /Root 1 0 R"), true},
		{"huge subsection", withXref(body, "4000000000 1", "/Size 2 /Root 1 0 R"), true},
		{"Prev loop", withXref(body, "0 1", selfPrev), true},
		{"Extends loop", withXref(extendsLoop, "0 1", "/Size 7 /Root 1 0 R"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := precheck(tt.data, nil)
			if tt.bad != (err != nil) {
				t.Fatalf("precheck = %v, want error %v", err, tt.bad)
			}
			if err != nil && !errors.Is(err, errMalformed) {
				t.Errorf("error %v does not wrap errMalformed", err)
			}
			// Open must come back promptly either way.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { _, err := Open(ctx, tt.data); done <- err }()
			select {
			case err := <-done:
				if tt.bad && err == nil {
					t.Error("Open accepted the file") // it has no page, rebuilt or not
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Open hung")
			}
		})
	}
}

func TestOpenNeverPanics(t *testing.T) {
	inputs := []string{"", "%PDF-1.4", "%PDF-1.4\n%%EOF", "%PDF-1.4\nstartxref\n0\n%%EOF\n", strings.Repeat("%PDF-1.7\n", 100) + "%%EOF"}
	for _, in := range inputs {
		if _, err := Open(context.Background(), []byte(in)); err == nil {
			t.Errorf("Open(%q) accepted garbage", in)
		}
	}
}

// xent is a cross-reference stream entry: type, then the two fields.
type xent struct{ typ, f2, f3 int }

// xsection is the entries of one cross-reference stream: the file's true
// entries with ents over them, or ents alone (an incremental update). An
// entry of type 1 at offset 0 stands for the object's true offset.
type xsection struct {
	ents  map[int]xent
	alone bool
}

// xrefStreamPDF builds a one-page PDF whose page tree lies in an object
// stream (object 6) and whose cross-reference streams (objects 7, 8, …,
// newest first) are encoded by enc.
func xrefStreamPDF(enc func([]byte) (dict string, data []byte), sections ...xsection) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	offs := map[int]int{}
	obj := func(n int, body string) {
		offs[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, body)
	}
	content := "BT /F1 12 Tf 72 700 Td (2023 annual report of the office, 21 requests) Tj ET"
	inStm := []string{
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
	}
	head := fmt.Sprintf("2 0 3 %d ", len(inStm[0])+1)
	stm := head + inStm[0] + " " + inStm[1]
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(4, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content)+1, content))
	obj(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	obj(6, fmt.Sprintf("<< /Type /ObjStm /N 2 /First %d /Length %d >>\nstream\n%s\nendstream", len(head), len(stm), stm))
	size := 7 + len(sections)
	prev := -1
	for i := len(sections) - 1; i >= 0; i-- {
		ents := map[int]xent{0: {0, 0, 65535}, 1: {1, offs[1], 0}, 2: {2, 6, 0}, 3: {2, 6, 1}, 4: {1, offs[4], 0}, 5: {1, offs[5], 0}, 6: {1, offs[6], 0}}
		if sections[i].alone {
			clear(ents)
		}
		for x, e := range sections[i].ents {
			if e.typ == 1 && e.f2 == 0 {
				e.f2 = offs[x]
			}
			ents[x] = e
		}
		n := 7 + i
		ents[n] = xent{1, b.Len(), 0}
		var rows []byte
		var index []string
		for x := 0; x < size; x++ {
			if e, ok := ents[x]; ok {
				rows = append(rows, byte(e.typ), byte(e.f2>>24), byte(e.f2>>16), byte(e.f2>>8), byte(e.f2), byte(e.f3>>8), byte(e.f3))
				index = append(index, fmt.Sprintf("%d 1", x))
			}
		}
		dict, data := enc(rows)
		if prev >= 0 {
			dict += fmt.Sprintf(" /Prev %d", prev)
		}
		prev = b.Len()
		obj(n, fmt.Sprintf("<< /Type /XRef /Size %d /Root 1 0 R /W [1 4 2] /Index [%s]%s /Length %d >>\nstream\n%s\nendstream",
			size, strings.Join(index, " "), dict, len(data), data))
	}
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", prev)
	return b.Bytes()
}

func rawXref(rows []byte) (string, []byte) { return "", rows }

func flateXref(rows []byte) (string, []byte) {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(rows)
	w.Close()
	return " /Filter /FlateDecode", z.Bytes()
}

// pngUpXref encodes rows of 7 bytes with the PNG Up predictor, as most
// writers do, in a filter array.
func pngUpXref(rows []byte) (string, []byte) {
	var up []byte
	last := make([]byte, 7)
	for i := 0; i+7 <= len(rows); i += 7 {
		up = append(up, 2)
		for j, c := range rows[i : i+7] {
			up = append(up, c-last[j])
		}
		copy(last, rows[i:i+7])
	}
	_, z := flateXref(up)
	return " /Filter [/FlateDecode] /DecodeParms [<< /Predictor 12 /Columns 7 >>]", z
}

func ascii85Xref(rows []byte) (string, []byte) {
	out := make([]byte, ascii85.MaxEncodedLen(len(rows)))
	out = out[:ascii85.Encode(out, rows)]
	return " /Filter /ASCII85Decode", append(out, "~>"...)
}

// TestPrecheckObjectStreams opens files whose objects lie in object
// streams, and rejects those that place an object stream in an object
// stream, which would make the library recurse until the stack overflows.
func TestPrecheckObjectStreams(t *testing.T) {
	good := xsection{}
	selfNested := xsection{ents: map[int]xent{6: {2, 6, 2}}}
	tests := []struct {
		name     string
		enc      func([]byte) (string, []byte)
		sections []xsection
		bad      bool
	}{
		{"raw", rawXref, []xsection{good}, false},
		{"flate", flateXref, []xsection{good}, false},
		{"png up", pngUpXref, []xsection{good}, false},
		{"ascii85", ascii85Xref, []xsection{good}, false},
		{"in itself", flateXref, []xsection{selfNested}, true},
		{"in itself, png up", pngUpXref, []xsection{selfNested}, true},
		{"in the xref stream", rawXref, []xsection{{ents: map[int]xent{6: {2, 7, 0}}}}, true},
		{"fixed by an update", flateXref, []xsection{{ents: map[int]xent{6: {1, 0, 0}}, alone: true}, selfNested}, false},
		{"broken by an update", flateXref, []xsection{{ents: map[int]xent{6: {2, 6, 2}}, alone: true}, good}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := xrefStreamPDF(tt.enc, tt.sections...)
			err := precheck(data, nil)
			if tt.bad != (err != nil) || err != nil && !errors.Is(err, errMalformed) {
				t.Fatalf("precheck = %v, want an error %v", err, tt.bad)
			}
			// A hostile table is never handed to the library: the file is
			// read, if at all, through a table rebuilt from its objects.
			d, err := Open(context.Background(), data)
			if tt.bad && err == nil && !d.Rebuilt {
				t.Fatal("Open accepted the file's own table")
			}
			if err != nil {
				t.Fatal(err)
			}
			p, err := d.Page(context.Background(), 1)
			if err != nil || len(p.Glyphs) == 0 {
				t.Fatalf("page 1: %v, %d glyphs", err, len(p.Glyphs))
			}
		})
	}
}
