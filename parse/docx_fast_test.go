package parse

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestPlainWord(t *testing.T) {
	interesting := func(c byte) bool { return c <= ' ' || foldClass[c] == foldLead }
	for c := range 256 {
		for k := range 8 {
			w := []byte("abcdefgh")
			w[k] = byte(c)
			if got, want := plainWord(binary.LittleEndian.Uint64(w)), !interesting(byte(c)); got != want {
				t.Errorf("plainWord(%q) = %v, want %v", w, got, want)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		var w [8]byte
		want := true
		for k := range w {
			w[k] = byte(rng.UintN(256))
			want = want && !interesting(w[k])
		}
		if got := plainWord(binary.LittleEndian.Uint64(w[:])); got != want {
			t.Fatalf("plainWord(%q) = %v, want %v", w, got, want)
		}
	}
}

// fastPathCases are document bodies that take the reader's fast paths
// (docxReader.fast) to their edges: runs and properties they read
// whole, and those they must leave to the tokenizer.
var fastPathCases = []string{
	p("a", "b") + p("c"),
	`<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>a</w:t><w:t xml:space="preserve"> b </w:t></w:r></w:p>`,
	`<w:p><w:r><w:rPr></w:rPr><w:t/><w:rPr/><w:t>x&amp;y</w:t></w:r></w:p>`,
	`<w:p><w:r w:rsidR="1"><w:t>attrs</w:t></w:r><w:r><w:t>a<!-- c -->b</w:t></w:r></w:p>`,
	`<w:p><w:r><w:rPr><w:rPrChange><w:rPr><w:b/></w:rPr></w:rPrChange></w:rPr><w:t>changed</w:t></w:r></w:p>`,
	`<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>one</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>two</w:t></w:r></w:p>`,
	`<w:p><w:r><w:t>open` + `<w:p><w:r><w:t>after</w:t></w:r></w:p>`,
	`<w:p><w:r><w:tab/><w:t>tab</w:t><w:br/></w:r><w:r><w:delText>gone</w:delText></w:r></w:p>`,
	`<w:p><w:pPr><w:pStyle w:val="H1"/></w:pPr><w:r><w:t>Heading</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="H1"/></w:pPr><w:r><w:t>Again</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="Body"/></w:pPr><w:r><w:t>Body</w:t></w:r></w:p>`,
	`<w:tbl><w:tr><w:trPr></w:trPr>` + tc(`<w:gridSpan w:val="2"/>`, "a") + tc(`<w:vMerge w:val="restart"/>`, "b") + `</w:tr>` +
		`<w:tr><w:trPr></w:trPr>` + tc(`<w:gridSpan w:val="2"/>`, "c") + tc(`<w:vMerge/>`, "") + `</w:tr>` +
		`<w:tr><w:trPr><w:del w:id="1"/></w:trPr>` + tc(`<w:gridSpan w:val="2"/>`, "d") + tc(`<w:vMerge/>`, "") + `</w:tr>` +
		`<w:tr><w:trPr></w:trPr>` + tc(`<w:gridSpan w:val="2"/>`, "e") + tc(`<w:vMerge/><w:tcPrChange><w:tcPr><w:gridSpan w:val="3"/></w:tcPr></w:tcPrChange>`, "f") + `</w:tr></w:tbl>`,
	// Properties of one length that differ only at their end, as a memo
	// that compared less than the whole would confuse.
	`<w:tbl><w:tr>` + tc(`<w:tcW w:w="1"/><w:gridSpan w:val="2"/>`, "a") + tc(`<w:tcW w:w="1"/><w:noWrapXX w:val="2"/>`, "b") + `</w:tr>` +
		`<w:tr>` + tc(`<w:tcW w:w="1"/><w:noWrapXX w:val="2"/>`, "c") + tc(`<w:tcW w:w="1"/><w:gridSpan w:val="2"/>`, "d") + `</w:tr></w:tbl>` +
		`<w:p><w:pPr><w:ind/><w:pStyle w:val="H1"/></w:pPr><w:r><w:t>h</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:ind/><w:jcXXXX w:val="H1"/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>`,
	`<w:tbl><w:tr><w:tc><w:p><w:tbl><w:tr>` + tc("", "inner") + `</w:tr></w:tbl></w:p></w:tc></w:tr></w:tbl>`,
	`<w:p><w:r><w:t>unterminated</w:t></w:r`,
	`<w:p><w:r><w:rPr><w:b/>`,
}

// fastPathDocuments are whole document.xml parts for the fast paths:
// prefixes bound anew by a second root (the memos must not carry over)
// and prefixes no name can have.
var fastPathDocuments = []string{
	`<w:document xmlns:w="` + wordMainNS + `"><w:body><w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>one</w:t></w:r></w:p></w:body></w:document>` +
		`<x:document xmlns:x="` + wordMainNS + `"><x:body><x:p><x:pPr><w:outlineLvl w:val="0"/></x:pPr><x:r><x:t>two</x:t></x:r></x:p></x:body></x:document>`,
	`<w:document xmlns:w="` + wordMainNS + `"><w:body><w:p><w:r><w:rPr></x:rPr><x:t>hidden</x:t></w:rPr><w:t>one</w:t></w:r></w:p></w:body></w:document>` +
		`<x:document xmlns:x="` + wordMainNS + `"><x:body><x:p><x:r><x:rPr></x:rPr><x:t>hidden</x:t></x:rPr><x:t>two</x:t></x:r></x:p></x:body></x:document>`,
	`<a:b:document xmlns:a:b="` + wordMainNS + `"><a:b:body><a:b:p><a:b:r><a:b:t>x</a:b:t></a:b:r></a:b:p></a:b:body></a:b:document>`,
	`<w x:document xmlns:w x="` + wordMainNS + `"><w x:p><w x:r><w x:t>x</w x:t></w x:r></w x:p></w x:document>`,
	`<ns0:document xmlns:ns0="` + wordMainNS + `"><ns0:body><ns0:p><ns0:pPr><ns0:pStyle ns0:val="H1"/></ns0:pPr><ns0:r><ns0:rPr><ns0:b/></ns0:rPr><ns0:t>h</ns0:t></ns0:r></ns0:p></ns0:body></ns0:document>`,
}

// TestDOCXFastPathsReadAlike reads documents with the reader's fast paths
// on and off: the two readings must be the same, for real reports and
// for thousands of mangled ones, whose broken markup the fast paths must
// leave to the tokenizer.
func TestDOCXFastPathsReadAlike(t *testing.T) {
	var bodies [][]byte
	for _, c := range fastPathCases {
		bodies = append(bodies, []byte(`<w:document xmlns:w="`+wordMainNS+`"><w:body>`+c+`</w:body></w:document>`))
	}
	for _, d := range fastPathDocuments {
		bodies = append(bodies, []byte(d))
	}
	m, _ := filepath.Glob("../testdata/word/docx-*/report.docx")
	shared, _ := filepath.Glob("../../shared/formats/*/report.docx")
	for _, path := range append(m, shared...) {
		body := documentXML(t, path)
		bodies = append(bodies, body)
		rng := rand.New(rand.NewPCG(uint64(len(body)), 7))
		for range 300 {
			bodies = append(bodies, mangle(rng, body))
		}
	}
	if len(m) == 0 {
		t.Fatal("no DOCX fixtures in ../testdata/word")
	}
	for i, body := range bodies {
		data := makeDOCX(t, "", map[string]string{"word/document.xml": string(body)})
		fast, err1 := parseDOCX(context.Background(), data, true)
		slow, err2 := parseDOCX(context.Background(), data, false)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("body %d reads differently with the fast paths (err %v, %v):\n%.300s\nfast: %+v\nslow: %+v", i, err1, err2, body, fast, slow)
		}
	}
}

// TestDOCXScratchKeepsNothing checks that a scratch kept for the next
// document holds nothing of the last one: its directory entries and its
// memos are slices of the document's bytes.
func TestDOCXScratchKeepsNothing(t *testing.T) {
	for range cap(docxScratches) + 1 { // empty the free list
		select {
		case <-docxScratches:
		default:
		}
	}
	body := p("a") + `<w:tbl><w:tr><w:trPr></w:trPr>` + tc(`<w:gridSpan w:val="2"/>`, "b") + `</w:tr></w:tbl>` +
		`<w:p><w:pPr><w:pStyle w:val="H1"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>c</w:t></w:r></w:p>`
	if _, err := ParseDOCX(context.Background(), makeDOCX(t, body, nil)); err != nil {
		t.Fatal(err)
	}
	sc := getDOCXScratch()
	if len(sc.entries) != 0 || sc.reader.doc != nil {
		t.Errorf("the kept scratch holds %d entries, doc %v", len(sc.entries), sc.reader.doc != nil)
	}
	for _, e := range sc.entries[:cap(sc.entries)] {
		if e.name != nil || e.file != nil {
			t.Errorf("a kept entry holds %q", e.name)
		}
	}
	for k, m := range sc.reader.memo {
		for _, e := range m.seen {
			if e.content != nil {
				t.Errorf("memo %d holds %q", k, e.content)
			}
		}
	}
}

// documentXML returns the document.xml part of the DOCX at path.
func documentXML(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("%s has no word/document.xml", path)
	return nil
}

// mangleBits are what mangle inserts: the markup the fast paths read,
// whole and broken.
var mangleBits = []string{"<", ">", "/", "</w:t>", "<w:t>", "<w:t/>", "<w:rPr>", "</w:rPr>", "<w:rPr/>", "</w:r>", "<w:r>",
	"<w:p>", "</w:p>", "<w:tc>", "</w:tc>", "<w:tcPr>", "</w:tcPr>", "<w:pPr>", "</w:pPr>", "<!--", "-->", "&amp;", "&#x41;",
	"<w:rPrChange>", "<w:gridSpan w:val=\"2\"/>", "<w:vMerge/>", "<![CDATA[x]]>", "\xff", " "}

// mangle returns body with a few random cuts, copies and insertions.
func mangle(rng *rand.Rand, body []byte) []byte {
	out := bytes.Clone(body)
	for range 1 + rng.IntN(4) {
		i := rng.IntN(len(out) + 1)
		switch rng.IntN(3) {
		case 0: // cut
			j := min(len(out), i+rng.IntN(40))
			out = append(out[:i:i], out[j:]...)
		case 1: // copy a stretch elsewhere
			j := min(len(out), i+rng.IntN(80))
			k := rng.IntN(len(out) + 1)
			out = append(out[:k:k], append(bytes.Clone(out[i:j]), out[k:]...)...)
		default:
			bit := mangleBits[rng.IntN(len(mangleBits))]
			out = append(out[:i:i], append([]byte(bit), out[i:]...)...)
		}
	}
	return out
}
