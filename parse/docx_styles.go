package parse

import (
	"strconv"
	"strings"
)

// maxStyleChain is how many basedOn links are followed to find whether a
// style is a heading: Word's own chains are 3–4 long, and a loop in a
// hostile styles.xml must end.
const maxStyleChain = 16

// docxStyle is what the reader needs of a paragraph style.
type docxStyle struct {
	name    string // lower-cased w:name
	basedOn string
	outline int // w:outlineLvl + 1; 0 when not set
}

// docxStyles are a document's paragraph styles by id.
type docxStyles map[string]docxStyle

// styles reads the paragraph styles of the part name (styles.xml); a
// missing or unreadable part means no heading styles.
func (pk *docxPackage) styles(name string) docxStyles {
	out := docxStyles{}
	b, err := pk.part(name, &pk.scratch.small)
	if err != nil || b == nil {
		return out
	}
	sc := xmlScanner{data: b}
	var id string
	var cur docxStyle
	for {
		k, _ := sc.next()
		if k == 0 {
			break
		}
		switch k {
		case xmlStart:
			switch l := sc.local(); string(l) {
			case "rPr", "tblPr", "trPr", "tcPr", "latentStyles", "rPrDefault", "tblStylePr":
				// Hold nothing a paragraph style's heading needs: their
				// content is skipped rather than tokenized (Word's
				// latent styles are most of its styles.xml).
				if sc.skipElement(sc.space(), l) {
					sc.skipEndTag()
				}
				sc.end = false
			case "style":
				id, cur = "", docxStyle{}
				if string(xmlAttrRaw(sc.attrs(), "type")) == "paragraph" {
					id = xmlAttr(sc.attrs(), "styleId")
				}
			case "name":
				cur.name = strings.ToLower(xmlAttr(sc.attrs(), "val"))
			case "basedOn":
				cur.basedOn = xmlAttr(sc.attrs(), "val")
			case "outlineLvl":
				cur.outline = outlineLevel(xmlAttr(sc.attrs(), "val"))
			}
		case xmlEnd:
			if string(sc.local()) == "style" && id != "" {
				out[id] = cur
				id = ""
			}
		}
	}
	return out
}

// outlineLevel turns a w:outlineLvl value (0 for a top heading, 9 for
// body text) into 1-based heading levels, 0 for body text.
func outlineLevel(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n >= 9 {
		return 0
	}
	return n + 1
}

// headingNames are the style names (lower-cased, as Word and WPS write
// them in English and Chinese) of the levels read as headings: title and
// headings 1–3, like HTML's <h1>–<h3>.
var headingNames = map[string]bool{
	"title": true, "heading 1": true, "heading 2": true, "heading 3": true,
	"标题": true, "标题 1": true, "标题 2": true, "标题 3": true,
}

// heading reports whether paragraphs of style id are headings: the style,
// or one it is based on, is named as a heading or has an outline level of
// 1–3.
func (s docxStyles) heading(id string) bool {
	for range maxStyleChain {
		st, ok := s[id]
		if !ok {
			return false
		}
		if headingNames[st.name] {
			return true
		}
		if st.outline > 0 {
			return st.outline <= 3
		}
		if st.basedOn == "" || st.basedOn == id {
			return false
		}
		id = st.basedOn
	}
	return false
}
