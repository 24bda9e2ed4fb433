package parse

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// docxDocumentParts returns the raw (deflated) document.xml of each
// report.docx of the formats set and the fixtures, and its inflated
// size; the formats set is missing from a user's clone.
func docxDocumentParts(tb testing.TB, pattern string) (names []string, raws [][]byte, sizes []int) {
	tb.Helper()
	for _, pat := range []string{"../../shared/formats/*/" + pattern, "../testdata/word/*/" + pattern} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			r, err := zip.OpenReader(p)
			if err != nil {
				tb.Fatal(err)
			}
			for _, f := range r.File {
				if f.Name != "word/document.xml" || f.Method != zip.Deflate {
					continue
				}
				rc, err := f.OpenRaw()
				if err != nil {
					tb.Fatal(err)
				}
				raw, err := io.ReadAll(rc)
				if err != nil {
					tb.Fatal(err)
				}
				names = append(names, filepath.Base(filepath.Dir(p)))
				raws = append(raws, raw)
				sizes = append(sizes, int(f.UncompressedSize64))
			}
			r.Close()
		}
	}
	return names, raws, sizes
}

// BenchmarkInflate compares the decoder with compress/flate used as
// docxPackage.inflate uses it: a reader reset onto the part's bytes,
// read into a buffer kept from the last part.
func BenchmarkInflate(b *testing.B) {
	names, raws, sizes := docxDocumentParts(b, "report.docx")
	if len(raws) == 0 {
		b.Skip("no DOCX reports found")
	}
	for i, raw := range raws {
		limit := sizes[i] + 1
		part := "part=" + strings.ReplaceAll(names[i], "/", "_")
		b.Run("impl=stdlib/"+part, func(b *testing.B) {
			buf := make([]byte, 0, limit)
			var br bytes.Reader
			br.Reset(raw)
			fr := flate.NewReader(&br)
			b.SetBytes(int64(sizes[i]))
			b.ReportAllocs()
			for b.Loop() {
				br.Reset(raw)
				if err := fr.(flate.Resetter).Reset(&br, nil); err != nil {
					b.Fatal(err)
				}
				out := buf[:0]
				for len(out) < limit {
					n, err := fr.Read(out[len(out):limit])
					out = out[:len(out)+n]
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				if len(out) != sizes[i] {
					b.Fatalf("%d bytes, want %d", len(out), sizes[i])
				}
				buf = out[:0]
			}
		})
		b.Run("impl=nianbao/"+part, func(b *testing.B) {
			buf := make([]byte, 0, limit)
			b.SetBytes(int64(sizes[i]))
			b.ReportAllocs()
			for b.Loop() {
				out, err := inflate(buf, raw, limit)
				if err != nil {
					b.Fatal(err)
				}
				if len(out) != sizes[i] {
					b.Fatalf("%d bytes, want %d", len(out), sizes[i])
				}
				buf = out[:0]
			}
		})
	}
}
