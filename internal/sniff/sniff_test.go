package sniff

import (
	"archive/zip"
	"bytes"
	"fmt"
	"testing"
)

// zipOf is a zip holding empty entries with the given names.
func zipOf(names ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		zw.Create(n)
	}
	zw.Close()
	return buf.Bytes()
}

// cutDirectory drops the last central directory record's name, so that
// the directory no longer adds up.
func cutDirectory(z []byte) []byte {
	i := bytes.LastIndex(z, []byte("word/document.xml"))
	return append(z[:i:i], z[i+len("word/document.xml"):]...)
}

// TestWalkZip checks the in-place walk of a central directory against
// archive/zip's listing, on a zip and on every cut and flip of it.
func TestWalkZip(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, name := range []string{"[Content_Types].xml", "word/document.xml", "word/styles.xml", "docProps/core.xml"} {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: uint16(i%2) * zip.Deflate})
		w.Write(bytes.Repeat([]byte(name), 10*i))
	}
	zw.Close()
	base := buf.Bytes()
	variants := structural(base)
	for i := range len(base) + 1 {
		variants = append(variants, base[:i], flip(base, i))
	}
	for i, data := range variants {
		var sized []string
		plain := WalkZip(data, func(e ZipEntry) bool {
			sized = append(sized, fmt.Sprint(string(e.Name), e.Method, e.CompressedSize, e.Size))
			return true
		})
		if !plain {
			continue // for archive/zip to read or refuse
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Errorf("variant %d: walked as plain, but archive/zip refuses it: %v", i, err)
			continue
		}
		var listed []string
		for _, f := range zr.File {
			listed = append(listed, fmt.Sprint(f.Name, f.Method, f.CompressedSize64, f.UncompressedSize64))
		}
		if fmt.Sprint(sized) != fmt.Sprint(listed) {
			t.Errorf("variant %d: walked %q, archive/zip lists %q", i, sized, listed)
		}
	}
}

// structural returns zips made from z with their directory at odds with
// their end record, the ways a hostile zip can be: counts too low and too
// high, a record more after the directory or within it, a comment length
// that overruns, a size archive/zip takes for Zip64's.
func structural(z []byte) [][]byte {
	eocd := endRecord(z)
	off, size := int(le32(z[eocd+16:])), int(le32(z[eocd+12:]))
	first := z[off : off+46+int(le16(z[off+28:]))+int(le16(z[off+30:]))+int(le16(z[off+32:]))]
	put16 := func(b []byte, at int, v uint16) []byte {
		b = bytes.Clone(b)
		b[at], b[at+1] = byte(v), byte(v>>8)
		return b
	}
	put32 := func(b []byte, at int, v uint32) []byte {
		return put16(put16(b, at, uint16(v)), at+2, uint16(v>>16))
	}
	n := le16(z[eocd+10:])
	var out [][]byte
	for _, c := range []uint16{0, n - 1, n + 1, 0xFFFF} {
		out = append(out, put16(put16(z, eocd+8, c), eocd+10, c))
	}
	for _, c := range []uint16{1, 22, 0xFFFF} {
		out = append(out, put16(z, eocd+20, c))
	}
	out = append(out, put32(z, eocd+12, 0xFFFF))
	// A record more after the directory: the end record moves, its
	// offset and size stay.
	after := append(append(bytes.Clone(z[:eocd]), first...), z[eocd:]...)
	out = append(out, after)
	// And within it: the size grows, the count stays.
	within := append(append(bytes.Clone(z[:off+size]), first...), z[off+size:]...)
	out = append(out, put32(within, eocd+len(first)+12, uint32(size+len(first))))
	return out
}

func flip(b []byte, i int) []byte {
	b = bytes.Clone(b)
	if i < len(b) {
		b[i] ^= 0x5A
	}
	return b
}

func TestDetect(t *testing.T) {
	random := make([]byte, 2048)
	for i := range random {
		random[i] = byte(i*7919 + i/3)
	}
	tests := []struct {
		name string
		data []byte
		want Kind
	}{
		{"pdf", []byte("%PDF-1.7\n..."), PDF},
		{"pdf after junk", append(bytes.Repeat([]byte("junk "), 100), "%PDF-1.4\n"...), PDF},
		{"pdf header too deep", append(bytes.Repeat([]byte("junk "), 300), "%PDF-1.4\n"...), Text},
		{"page that mentions a pdf", []byte("<p>附件：%PDF-1.4</p>"), HTML},
		{"ole", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, OLE},
		{"zip", []byte("PK\x03\x04...."), Zip},
		{"docx", zipOf("[Content_Types].xml", "word/document.xml"), DOCX},
		{"ofd", zipOf("OFD.xml", "Doc_0/Document.xml"), OFD},
		{"xlsx is a zip", zipOf("[Content_Types].xml", "xl/workbook.xml"), Zip},
		{"zip of too many entries", zipOf(append(make([]string, MaxZipEntries), "word/document.xml")...), Zip},
		{"docx head only", zipOf("word/document.xml")[:30], Zip},
		{"docx, names in another case", zipOf("/Word/Document.XML"), DOCX},
		{"docx after junk (archive/zip's base offset)", append([]byte("PK\x03\x04junk"), zipOf("word/document.xml")...), DOCX},
		{"docx whose directory is cut", cutDirectory(zipOf("a", "word/document.xml")), Zip},
		{"rtf", []byte("{\\rtf1\\ansi"), RTF},
		{"html", []byte("<html><body><table></table>"), HTML},
		{"text", []byte("一、总体情况\n规章\t0"), Text},
		{"gbk text", []byte{0xB9, 0xE6, 0xD5, 0xC2, '\t', '0'}, Text},
		{"utf-16 html", []byte{0xFF, 0xFE, '<', 0, 'p', 0, '>', 0}, HTML},
		{"one stray NUL is still text", append([]byte("一、总体情况\n规章\t0\n行政许可\t3\n行政处罚\t5\n"+string(bytes.Repeat([]byte("正文 "), 40))), 0), Text},
		{"binary", random, Binary},
		{"empty", nil, Text},
	}
	for _, tt := range tests {
		if got := Detect(tt.data); got != tt.want {
			t.Errorf("%s: Detect = %v, want %v", tt.name, got, tt.want)
		}
	}
}
