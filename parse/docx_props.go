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
	w                                                             string // the prefix
	endPPr, endTcPr, endTrPr, endT                                []byte
	pStyle, outlineLvl, gridSpan, vMerge, gridBefore, del, change []byte
}

func newDOCXNeedles(w string) docxNeedles {
	open := func(local string) []byte { return []byte("<" + w + ":" + local) }
	end := func(local string) []byte { return []byte("</" + w + ":" + local) }
	return docxNeedles{w: w,
		endPPr: end("pPr"), endTcPr: end("tcPr"), endTrPr: end("trPr"), endT: end("t>"),
		pStyle: open("pStyle"), outlineLvl: open("outlineLvl"), gridSpan: open("gridSpan"),
		vMerge: open("vMerge"), gridBefore: open("gridBefore"), del: open("del"), change: []byte("PrChange"),
	}
}

// properties reads the properties element local, whose start tag was just
// handled, from its bytes, and moves sc to its end tag. It does nothing
// for other elements, or when the properties need a full reading. It
// jumps from '<' to '<' (cell borders are most of the bytes, in long
// tags: the SIMD search pays) to the end, the first "</w:local", noting
// the first start tag of each wanted name on the way; then one search
// each says whether the content holds a …PrChange, a comment, CDATA or a
// processing instruction, which send the properties to the tokenizer.
func (r *docxReader) properties(sc *xmlScanner, local []byte) {
	n := &r.needles
	var end []byte
	var wanted [2][]byte
	switch string(local) {
	case "pPr":
		end, wanted = n.endPPr, [2][]byte{n.pStyle, n.outlineLvl}
	case "tcPr":
		end, wanted = n.endTcPr, [2][]byte{n.gridSpan, n.vMerge}
	case "trPr":
		end, wanted = n.endTrPr, [2][]byte{n.gridBefore, n.del}
	default:
		return
	}
	data := sc.data
	var at [2]int // where the attributes of each wanted tag start; 0 when not found
	for i := sc.pos; ; {
		k := bytes.IndexByte(data[i:], '<')
		if k < 0 {
			return // no end tag: let the tokenizer say so
		}
		k += i
		rest := data[k:]
		if len(rest) > 1 && rest[1] == '/' {
			if bytes.HasPrefix(rest, end) {
				content := data[sc.pos:k]
				if bytes.Contains(content, n.change) || bytes.IndexByte(content, '!') >= 0 || bytes.IndexByte(content, '?') >= 0 {
					return
				}
				r.foundProperties(wanted, at, data[:k])
				sc.pos = k
				return
			}
		} else {
			for w, needle := range wanted {
				if at[w] == 0 && bytes.HasPrefix(rest, needle) && len(rest) > len(needle) && nameEnds[rest[len(needle)]] {
					at[w] = k + len(needle)
				}
			}
		}
		i = k + 1
	}
}

// foundProperties acts on the wanted tags whose attributes start at at
// (0: absent) in data, which ends where the properties do.
func (r *docxReader) foundProperties(wanted [2][]byte, at [2]int, data []byte) {
	for w, needle := range wanted {
		if at[w] == 0 {
			continue
		}
		b := data[at[w]:]
		k := bytes.IndexByte(b, '>')
		if k < 0 {
			continue
		}
		attrs := b[:k]
		if k > 0 && attrs[k-1] == '/' {
			attrs = attrs[:k-1]
		}
		local := needle[len(r.w)+2:]
		if string(local) == "del" {
			if row := r.openRow(); row != nil {
				row.deleted = true
			}
			continue
		}
		r.start(needle[1:1+len(r.w)], local, attrs)
	}
}
