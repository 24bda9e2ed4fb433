package hostile

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// pdf assembles a PDF from object bodies (object i+1 is objs[i]) with a
// correct cross-reference table; object 1 must be the catalog.
func pdf(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// flate compresses data the way a PDF stream's /FlateDecode expects.
func flate(data []byte) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func stream(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// onePage is a PDF of one page drawing content with font F1, whose
// dictionary is fontDict.
func onePage(content []byte, fontDict string) []byte {
	return pdf(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		fontDict,
		stream("/Filter /FlateDecode", flate(content)),
	)
}

const helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"

// TextPDF is a small valid one-page PDF with a line of text.
func TextPDF() []byte {
	return onePage([]byte("BT /F1 12 Tf 72 720 Td (2023 annual report) Tj ET"), helvetica)
}

// DeepArray is a PDF whose content stream opens depth arrays ("[" × depth):
// a parser that recurses per array overflows its stack. Ten million fit in
// about 10 KB once compressed.
func DeepArray(depth int) []byte {
	return onePage(bytes.Repeat([]byte("["), depth), helvetica)
}

// DeepXrefIndex is a PDF with a cross-reference stream whose /Index is
// depth nested arrays.
func DeepXrefIndex(depth int) []byte {
	base := TextPDF()
	i := bytes.LastIndex(base, []byte("xref\n"))
	body := base[:i]
	idx := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	obj := fmt.Sprintf("6 0 obj\n%s\nendobj\n", stream("/Type /XRef /Size 7 /W [1 2 1] /Index "+idx+" /Root 1 0 R", []byte{1, 0, 0, 0}))
	off := len(body)
	return fmt.Appendf(append(append([]byte(nil), body...), obj...), "startxref\n%d\n%%%%EOF\n", off)
}

// HugeString is a PDF whose page shows one string of n bytes with Tj: a
// reader that decodes every glyph before capping them holds n glyphs.
func HugeString(n int) []byte {
	var c bytes.Buffer
	c.Grow(n + 64)
	c.WriteString("BT /F1 12 Tf 72 720 Td (")
	c.Write(bytes.Repeat([]byte("A"), n))
	c.WriteString(") Tj ET")
	return onePage(c.Bytes(), helvetica)
}

// HugeWidths is a PDF whose CID font's /W array has ranges ranges of the
// form "first last width", each covering 65,536 codes: capped by range it
// is small, expanded it is ranges × 65,536 widths.
func HugeWidths(ranges int) []byte {
	var w strings.Builder
	w.WriteString("[")
	for range ranges {
		w.WriteString(" 0 65535 500")
	}
	w.WriteString(" ]")
	font := "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [6 0 R] >>"
	return pdf(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		font,
		stream("/Filter /FlateDecode", flate([]byte("BT /F1 12 Tf 72 720 Td <00410042> Tj ET"))),
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W "+w.String()+" >>",
	)
}

// HugeToUnicode is a PDF whose font's ToUnicode CMap has n bfrange entries
// each mapping the whole two-byte code space.
func HugeToUnicode(n int) []byte {
	var m bytes.Buffer
	m.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n")
	for range n {
		m.WriteString("1 beginbfrange <0000> <FFFF> <4E00> endbfrange\n")
	}
	m.WriteString("endcmap CMapName currentdict /CMap defineresource pop end end\n")
	font := "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>"
	return pdf(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		font,
		stream("/Filter /FlateDecode", flate([]byte("BT /F1 12 Tf 72 720 Td <00410042> Tj ET"))),
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
		stream("/Filter /FlateDecode", flate(m.Bytes())),
	)
}

// ManyPages is a PDF of n pages, each with a line of text.
func ManyPages(n int) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", helvetica,
		stream("", []byte("BT /F1 12 Tf 72 720 Td (page) Tj ET"))}
	var kids strings.Builder
	for i := range n {
		fmt.Fprintf(&kids, "%d 0 R ", 5+i)
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), n)
	return pdf(objs...)
}

// JunkBefore puts n bytes of junk before a PDF's header, as some servers
// and mail gateways do; readers accept up to 1 KiB.
func JunkBefore(p []byte, n int) []byte {
	return append(bytes.Repeat([]byte("X"), n), p...)
}

// JunkAfter appends junk after a PDF's %%EOF.
func JunkAfter(p []byte, n int) []byte {
	return append(append([]byte(nil), p...), bytes.Repeat([]byte("<html>junk</html>\n"), n)...)
}

// Version rewrites a PDF's header version, e.g. to "2.0".
func Version(p []byte, v string) []byte {
	i := bytes.IndexByte(p, '\n')
	return append([]byte("%PDF-"+v), p[i:]...)
}

// BrokenXref damages a PDF's cross-reference offsets, so that only a
// reader that rebuilds the table by scanning finds the objects.
func BrokenXref(p []byte) []byte {
	out := append([]byte(nil), p...)
	i := bytes.LastIndex(out, []byte("xref\n"))
	if i < 0 {
		return out
	}
	for j := i; j < len(out); j++ {
		if out[j] >= '1' && out[j] <= '9' && out[j-1] == '0' {
			out[j] = '9'
		}
	}
	return out
}
