package main

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// rawPDF is a minimal hand-written PDF writer: numbered objects, a
// classic xref table, Flate-compressed streams.
type rawPDF struct {
	objs [][]byte // objs[i] is object i+1
}

func (p *rawPDF) reserve() int { p.objs = append(p.objs, nil); return len(p.objs) }

func (p *rawPDF) set(n int, body string) { p.objs[n-1] = []byte(body) }

func (p *rawPDF) add(body string) int { n := p.reserve(); p.set(n, body); return n }

func (p *rawPDF) stream(dict string, data []byte) int {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	w.Write(data)
	w.Close()
	n := p.reserve()
	p.objs[n-1] = []byte(fmt.Sprintf("<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream", dict, z.Len(), z.Bytes()))
	return n
}

func (p *rawPDF) bytes(root, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(p.objs))
	for i, o := range p.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(p.objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	id := md5.Sum(b.Bytes())
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%x> <%x>] >>\nstartxref\n%d\n%%%%EOF\n", len(p.objs)+1, root, info, id, id, x)
	return b.Bytes()
}

func pdfUTF16(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		if r > 0xFFFF {
			r = '?'
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

// cmapCanvas draws with the non-embedded Adobe-GB1 font STSong-Light
// through predefined CMaps and no ToUnicode: /F1 uses UniGB-UCS2-H (text is
// UCS-2 code units), /F2 uses GBK-EUC-H (text is GBK bytes). Table labels
// go through /F1; numbers, body text and headings through /F2, so an
// extractor has to know both CMaps.
type cmapCanvas struct {
	pages     []*bytes.Buffer
	cur       int
	tableSize float64
}

func (c *cmapCanvas) NewPage() error {
	c.pages = append(c.pages, &bytes.Buffer{})
	c.cur = len(c.pages) - 1
	return nil
}

func (c *cmapCanvas) SetPage(n int) error { c.cur = n - 1; return nil }

func (c *cmapCanvas) Width(s string, size float64) float64 {
	var w float64
	for _, r := range s {
		if r < 0x80 {
			w += 0.5 * size
		} else {
			w += size
		}
	}
	return w
}

func (c *cmapCanvas) Text(x, y, size float64, s string) error {
	ascii := true
	for _, r := range s {
		if r >= 0x80 {
			ascii = false
		}
	}
	font, hex := "F2", ""
	if !ascii && size == c.tableSize {
		font = "F1"
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "%04X", r)
		}
		hex = b.String()
	} else {
		g, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			return fmt.Errorf("GBK: %q: %w", s, err)
		}
		hex = fmt.Sprintf("%X", g)
	}
	fmt.Fprintf(c.pages[c.cur], "BT /%s %.1f Tf 1 0 0 1 %.2f %.2f Tm <%s> Tj ET\n", font, size, x, pageH-y, hex)
	return nil
}

func (c *cmapCanvas) Line(x1, y1, x2, y2 float64) error {
	fmt.Fprintf(c.pages[c.cur], "%.2f %.2f m %.2f %.2f l S\n", x1, pageH-y1, x2, pageH-y2)
	return nil
}

func (c *cmapCanvas) Bytes(title, created string) []byte {
	p := &rawPDF{}
	catalog := p.reserve()
	pages := p.reserve()
	desc := p.add("<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
	cid := func() int {
		return p.add(fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor %d 0 R /DW 1000 /W [1 95 500 814 907 500] >>", desc))
	}
	f1 := p.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] >>", cid()))
	f2 := p.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-GBK-EUC-H /Encoding /GBK-EUC-H /DescendantFonts [%d 0 R] >>", cid()))
	var kids []string
	for _, pg := range c.pages {
		content := p.stream("", append([]byte("0.6 w\n"), pg.Bytes()...))
		kids = append(kids, fmt.Sprintf("%d 0 R", p.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> /ProcSet [/PDF /Text] >> /Contents %d 0 R >>", pages, pageW, pageH, f1, f2, content))))
	}
	p.set(pages, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))
	p.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pages))
	info := p.add(fmt.Sprintf("<< /Title %s /Producer (nianbao pdfgen raw writer) /CreationDate (D:%s) >>", pdfUTF16(title), created))
	return p.bytes(catalog, info)
}

// imagePDF wraps 8-bit grey page images (one per page, full page) into a
// PDF with no text layer, like a scanner's output.
func imagePDF(imgs []grayImage, created string) []byte {
	p := &rawPDF{}
	catalog := p.reserve()
	pages := p.reserve()
	var kids []string
	for _, im := range imgs {
		xo := p.stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", im.w, im.h), im.pix)
		content := p.stream("", []byte(fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q\n", pageW, pageH)))
		kids = append(kids, fmt.Sprintf("%d 0 R", p.add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im1 %d 0 R >> /ProcSet [/PDF /ImageB] >> /Contents %d 0 R >>", pages, pageW, pageH, xo, content))))
	}
	p.set(pages, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))
	p.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pages))
	info := p.add(fmt.Sprintf("<< /Producer (nianbao pdfgen scan) /CreationDate (D:%s) >>", created))
	return p.bytes(catalog, info)
}

type grayImage struct {
	w, h int
	pix  []byte
}

// parsePGM reads a binary (P5) PGM as written by pdftoppm -gray.
func parsePGM(b []byte) (grayImage, error) {
	var im grayImage
	var max int
	var hdr [4]string
	rest := b
	for i := 0; i < 4; i++ {
		// skip whitespace and comments
		for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\n' || rest[0] == '\r' || rest[0] == '\t' || rest[0] == '#') {
			if rest[0] == '#' {
				j := bytes.IndexByte(rest, '\n')
				rest = rest[j:]
			}
			rest = rest[1:]
		}
		j := bytes.IndexAny(rest, " \n\r\t")
		hdr[i] = string(rest[:j])
		rest = rest[j:]
	}
	rest = rest[1:]
	if hdr[0] != "P5" {
		return im, fmt.Errorf("not a binary PGM: %q", hdr[0])
	}
	fmt.Sscan(hdr[1], &im.w)
	fmt.Sscan(hdr[2], &im.h)
	fmt.Sscan(hdr[3], &max)
	if max != 255 || len(rest) < im.w*im.h {
		return im, fmt.Errorf("unexpected PGM %dx%d max %d, %d bytes", im.w, im.h, max, len(rest))
	}
	im.pix = rest[:im.w*im.h]
	return im, nil
}
