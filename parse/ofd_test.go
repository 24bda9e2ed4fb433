package parse_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// TestOFDFixtures reads the OFD fixtures (made by testdata/ofdgen) and
// scores them against their expected.json as nianbao eval does: every
// cell right, exactly the expected identities failing.
func TestOFDFixtures(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/ofd/*")
	if len(dirs) == 0 {
		t.Fatal("no OFD fixtures under testdata/ofd")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := normalize.LoadExpected(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, want.File))
			if err != nil {
				t.Fatal(err)
			}
			if !parse.IsOFD(data) {
				t.Fatal("IsOFD = false")
			}
			doc, err := parse.ParseOFD(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Status != parse.StatusOK || doc.Format != parse.FormatOFD {
				t.Fatalf("status %q, format %q: %v", doc.Status, doc.Format, doc.Warnings)
			}
			r := normalize.Normalize(doc, normalize.Source{Path: dir})
			s := normalize.Compare(r, want)
			if s.Accuracy() != 1 || !s.IdentitiesOK() {
				t.Errorf("accuracy %.4f, wrong %v, missing %v, extra %v, unflagged %v, overflagged %v",
					s.Accuracy(), s.Wrong, s.Missing, s.Extra, s.Unflagged, s.Overflagged)
			}
		})
	}
}

// ofdZip packs files into a zip.
func ofdZip(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, body := range files {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOFDBroken(t *testing.T) {
	doc0 := `<ofd:OFD xmlns:ofd="x"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`
	tests := []struct {
		name  string
		data  []byte
		isOFD bool
	}{
		{"not a zip", []byte("PK\x03\x04 garbage"), false},
		{"a zip without OFD.xml", ofdZip(t, map[string]string{"word/document.xml": "<w/>"}), false},
		{"no DocRoot", ofdZip(t, map[string]string{"OFD.xml": "<ofd:OFD/>"}), true},
		{"DocRoot missing", ofdZip(t, map[string]string{"OFD.xml": doc0}), true},
		{"no pages", ofdZip(t, map[string]string{"OFD.xml": doc0, "Doc_0/Document.xml": "<ofd:Document><ofd:Pages/></ofd:Document>"}), true},
		{"page outside the package", ofdZip(t, map[string]string{"OFD.xml": doc0,
			"Doc_0/Document.xml": `<ofd:Document><ofd:Pages><ofd:Page ID="1" BaseLoc="../../../etc/passwd"/></ofd:Pages></ofd:Document>`}), true},
		{"malformed page XML", ofdZip(t, map[string]string{"OFD.xml": doc0,
			"Doc_0/Document.xml": `<ofd:Document><ofd:Pages><ofd:Page ID="1" BaseLoc="P/C.xml"/></ofd:Pages></ofd:Document>`,
			"Doc_0/P/C.xml":      `<ofd:Page><ofd:TextObject Boundary="x y" Size="-1"><ofd:TextCode X="a" DeltaX="g g g">字</ofd:TextCode>`}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parse.IsOFD(tt.data); got != tt.isOFD {
				t.Errorf("IsOFD = %v, want %v", got, tt.isOFD)
			}
			doc, err := parse.ParseOFD(context.Background(), tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Status != parse.StatusFailed || len(doc.Warnings) == 0 {
				t.Errorf("status %q, warnings %v; want failed with a warning", doc.Status, doc.Warnings)
			}
		})
	}
}

func TestOFDBomb(t *testing.T) {
	doc0 := `<ofd:OFD xmlns:ofd="x"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, body := range map[string]string{"OFD.xml": doc0,
		"Doc_0/Document.xml": `<ofd:Document><ofd:Pages><ofd:Page ID="1" BaseLoc="P/C.xml"/></ofd:Pages></ofd:Document>`} {
		w, _ := z.Create(name)
		w.Write([]byte(body))
	}
	// a page of 40 MB of spaces, a few KB compressed
	w, _ := z.Create("Doc_0/P/C.xml")
	w.Write(bytes.Repeat([]byte(" "), 40<<20))
	z.Close()
	doc, err := parse.ParseOFD(context.Background(), b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != parse.StatusFailed || !hasWarning(doc, parse.CodeOFDPage) {
		t.Errorf("status %q, warnings %v; want failed with %s", doc.Status, doc.Warnings, parse.CodeOFDPage)
	}
}

func hasWarning(doc *parse.Document, code parse.Code) bool {
	for _, w := range doc.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}
