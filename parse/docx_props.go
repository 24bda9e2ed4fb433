package parse

import "bytes"

// Paragraph, cell and row properties (w:pPr, w:tcPr, w:trPr) are most of
// the tags of document.xml — borders, widths, spacing, fonts — and the
// reader needs three or four of them. Rather than tokenizing them all,
// properties finds the ones it needs in the element's bytes, the way
// skipElement jumps over content no one reads. Properties holding a
// tracked change of properties (…PrChange, whose old values must not be
// read), a comment or CDATA are tokenized as usual.

// docxNeedles are the byte strings properties looks for, with the
// document's prefix of the WordprocessingML namespace.
type docxNeedles struct {
	endPPr, endTcPr, endTrPr                                      []byte
	pStyle, outlineLvl, gridSpan, vMerge, gridBefore, del, change []byte
}

func newDOCXNeedles(w string) docxNeedles {
	open := func(local string) []byte { return []byte("<" + w + ":" + local) }
	end := func(local string) []byte { return []byte("</" + w + ":" + local) }
	return docxNeedles{
		endPPr: end("pPr"), endTcPr: end("tcPr"), endTrPr: end("trPr"),
		pStyle: open("pStyle"), outlineLvl: open("outlineLvl"), gridSpan: open("gridSpan"),
		vMerge: open("vMerge"), gridBefore: open("gridBefore"), del: open("del"), change: []byte("PrChange"),
	}
}

// properties reads the properties element local, whose start tag was just
// handled, from its bytes, and moves sc to its end tag. It does nothing
// for other elements, or when the properties need a full reading.
func (r *docxReader) properties(sc *xmlScanner, local []byte) {
	n := &r.needles
	var end []byte
	var wanted [][]byte
	switch string(local) {
	case "pPr":
		end, wanted = n.endPPr, [][]byte{n.pStyle, n.outlineLvl}
	case "tcPr":
		end, wanted = n.endTcPr, [][]byte{n.gridSpan, n.vMerge}
	case "trPr":
		end, wanted = n.endTrPr, [][]byte{n.gridBefore, n.del}
	default:
		return
	}
	rest := sc.data[sc.pos:]
	i := bytes.Index(rest, end)
	if i < 0 {
		return
	}
	content := rest[:i]
	if bytes.Contains(content, n.change) || bytes.IndexByte(content, '!') >= 0 || bytes.IndexByte(content, '?') >= 0 {
		return
	}
	for _, w := range wanted {
		if attrs, ok := findTag(content, w); ok {
			t := xmlToken{kind: xmlStart, space: []byte(r.w), local: w[len(r.w)+2:], attrs: attrs}
			if string(t.local) == "del" {
				if row := r.openRow(); row != nil {
					row.deleted = true
				}
				continue
			}
			r.start(&t)
		}
	}
	sc.pos += i
}

// findTag finds the first start tag named by needle ("<w:name") in b and
// returns its attributes.
func findTag(b, needle []byte) ([]byte, bool) {
	for {
		i := bytes.Index(b, needle)
		if i < 0 {
			return nil, false
		}
		b = b[i+len(needle):]
		if len(b) == 0 {
			return nil, false
		}
		if c := b[0]; c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '/' && c != '>' {
			continue // a longer name: <w:delText
		}
		k := bytes.IndexByte(b, '>')
		if k < 0 {
			return nil, false
		}
		attrs := b[:k]
		if k > 0 && attrs[k-1] == '/' {
			attrs = attrs[:k-1]
		}
		return attrs, true
	}
}
