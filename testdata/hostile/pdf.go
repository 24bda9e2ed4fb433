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

// TextLine is the text of TextPDF's page.
const TextLine = "2023 annual report on government information disclosure"

// TextPDF is a small valid one-page PDF with a line of text in Helvetica,
// a standard font with neither /Widths nor /Encoding. The line is long
// enough for a text layer: readers take a document with fewer than 20
// characters for a scan.
func TextPDF() []byte {
	return onePage([]byte("BT /F1 12 Tf 72 720 Td ("+TextLine+") Tj ET"), helvetica)
}

// DeepArray is a PDF whose content stream opens depth arrays ("[" × depth):
// a parser that recurses per array overflows its stack. Ten million fit in
// about 10 KB once compressed.
func DeepArray(depth int) []byte {
	return onePage(bytes.Repeat([]byte("["), depth), helvetica)
}

// DeepXrefIndex is TextPDF with, in place of its cross-reference table, a
// cross-reference stream whose /Index is depth nested arrays.
func DeepXrefIndex(depth int) []byte {
	base := TextPDF()
	i := bytes.LastIndex(base, []byte("\nxref\n"))
	body := base[:i+1]
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
	return cidFontPDF("Identity-H", "/W", ranges, " 0 65535 500")
}

// cidFontPDF is a one-page PDF whose Type0 font (encoding enc) has a CID
// font with the array key made of n copies of entry.
func cidFontPDF(enc, key string, n int, entry string) []byte {
	var w strings.Builder
	w.WriteString("[")
	for range n {
		w.WriteString(entry)
	}
	w.WriteString(" ]")
	font := "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /" + enc + " /DescendantFonts [6 0 R] >>"
	return pdf(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		font,
		stream("/Filter /FlateDecode", flate([]byte("BT /F1 12 Tf 72 720 Td <00410042> Tj ET"))),
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 "+key+" "+w.String()+" >>",
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

// ManyPages is a PDF of n pages, each with TextPDF's line of text.
func ManyPages(n int) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", helvetica,
		stream("", []byte("BT /F1 12 Tf 72 720 Td ("+TextLine+") Tj ET"))}
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

// BrokenXref damages the offsets of a PDF's last cross-reference table
// (the first digit after the leading zeros of each becomes a 9), so that
// only a reader that rebuilds the table by scanning finds the objects.
func BrokenXref(p []byte) []byte {
	out := append([]byte(nil), p...)
	i := bytes.LastIndex(out, []byte("\nxref"))
	if i < 0 {
		return out
	}
	end := bytes.Index(out[i:], []byte("trailer"))
	if end < 0 {
		end = len(out) - i
	}
	for j := i; j < i+end; j++ {
		if out[j] >= '1' && out[j] <= '9' && out[j-1] == '0' {
			out[j] = '9'
		}
	}
	return out
}

// DeepDict is a PDF whose content stream holds, as an operand and in an
// inline image's dictionary, dictionaries inside arrays inside
// dictionaries depth deep, and then shows TextPDF's line.
func DeepDict(depth int) []byte {
	nest := strings.Repeat("<< /A [ ", depth) + strings.Repeat("] >> ", depth)
	c := "[ " + nest + "] n\nBI /W 1 /H 1 /D " + nest + "ID \x00 EI\n" +
		"BT /F1 12 Tf 72 720 Td (" + TextLine + ") Tj ET"
	return onePage([]byte(c), helvetica)
}

// DeepForms is a PDF whose page draws a form XObject that draws the next,
// depth forms deep, the last showing TextPDF's line.
func DeepForms(depth int) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /XObject << /X 5 0 R >> >> /Contents 6 0 R >>",
		helvetica,
	}
	for i := range depth {
		content := "/X Do"
		res := fmt.Sprintf("<< /XObject << /X %d 0 R >> >>", 7+i)
		if i == depth-1 {
			content = "BT /F1 12 Tf 72 720 Td (" + TextLine + ") Tj ET"
			res = "<< /Font << /F1 4 0 R >> >>"
		}
		form := stream("/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources "+res, []byte(content))
		if i == 0 {
			objs = append(objs, form, stream("", []byte("/X Do")))
			continue
		}
		objs = append(objs, form)
	}
	return pdf(objs...)
}

// DeepPageTree is a PDF whose one page lies depth /Pages nodes down.
func DeepPageTree(depth int) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>"}
	for i := range depth {
		objs = append(objs, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", 3+i))
	}
	objs = append(objs,
		fmt.Sprintf("<< /Type /Page /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", depth+3, depth+4),
		helvetica,
		stream("", []byte("BT /F1 12 Tf 72 720 Td ("+TextLine+") Tj ET")))
	return pdf(objs...)
}

// DeepContents is a PDF whose page's /Contents is depth nested arrays
// around its content stream.
func DeepContents(depth int) []byte {
	return pdf(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents "+strings.Repeat("[", depth)+"5 0 R"+strings.Repeat("]", depth)+" >>",
		helvetica,
		stream("", []byte("BT /F1 12 Tf 72 720 Td ("+TextLine+") Tj ET")),
	)
}

// HugeW2 is a PDF whose vertical CID font's /W2 array has ranges ranges
// of the form "first last w1y vx vy", each covering 65,536 codes.
func HugeW2(ranges int) []byte {
	return cidFontPDF("Identity-V", "/W2", ranges, " 0 65535 -1000 500 880")
}

// DenseGrid is a PDF of pages pages, each drawing a ruled grid of lines
// horizontal and as many vertical rulings, every one drawn thrice 1.1
// points apart (too far apart to be joined into one, near enough to be
// one grid line), with a number in each cell: a table builder that
// compares every cell with every ruling does lines⁴ work per page.
func DenseGrid(pages, lines int) []byte {
	var c bytes.Buffer
	const step = 12.0
	top := 36 + step*float64(lines-1)
	for i := range lines {
		for k := range 3 {
			y := 36 + step*float64(i) + 1.1*float64(k)
			fmt.Fprintf(&c, "36 %.1f m %.1f %.1f l S\n", y, top, y)
			fmt.Fprintf(&c, "%.1f 36 m %.1f %.1f l S\n", y, y, top)
		}
	}
	c.WriteString("BT /F1 6 Tf\n")
	for r := range lines - 1 {
		for col := range lines - 1 {
			fmt.Fprintf(&c, "1 0 0 1 %.1f %.1f Tm (%d) Tj\n", 40+step*float64(col), 40+step*float64(r), (r+col)%10)
		}
	}
	c.WriteString("ET\n")
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", helvetica,
		stream("/Filter /FlateDecode", flate(c.Bytes()))}
	var kids strings.Builder
	size := fmt.Sprintf("%.0f", top+36)
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", 5+i)
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 "+size+" "+size+"] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), pages)
	return pdf(objs...)
}
