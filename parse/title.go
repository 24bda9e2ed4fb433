package parse

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Title rule limits. A report title is one line of a few dozen characters;
// anything longer is a sentence that mentions the report.
const (
	maxTitleRunes   = 80 // longest line taken as the title
	maxTitleAbove   = 30 // longest heading line joined above a title that starts with its year
	maxTitleScanned = 60 // paragraphs read before giving up: the title comes first
)

// reportTitle decides a document's title, the same way for every format:
//  1. the first heading (Block.Heading) that names an annual report;
//  2. the article-title meta tag, then the page or PDF-information title,
//     when they name a report, without the site name a CMS appends;
//  3. the first short paragraph that names an annual report.
//
// A title line that starts with its year ("2023年政府信息公开工作年度报告")
// is joined to the heading line just above it, where the agency is set on a
// line of its own. Labels such as 标题： and Markdown markers are stripped.
func reportTitle(doc *Document) string {
	var paras []Block
	for _, b := range doc.Blocks {
		if b.Table != nil || len(paras) == maxTitleScanned {
			break
		}
		paras = append(paras, b)
	}
	for i, b := range paras {
		if b.Heading && namesReport(HeadingText(b.Text)) {
			return joinAbove(paras, i)
		}
	}
	for _, k := range []string{"articletitle", "title"} {
		if t := metaTitle(doc.Meta[k]); t != "" {
			return t
		}
	}
	for i, b := range paras {
		if namesReport(HeadingText(b.Text)) {
			return joinAbove(paras, i)
		}
	}
	return ""
}

// namesReport reports whether a line looks like an annual report's title
// rather than a sentence about one.
func namesReport(s string) bool {
	return strings.Contains(s, "年度报告") && utf8.RuneCountInString(s) <= maxTitleRunes &&
		!strings.ContainsAny(s, "。；;")
}

var leadingYear = regexp.MustCompile(`^20[0-9]{2}\s*年`)

func joinAbove(paras []Block, i int) string {
	t := HeadingText(paras[i].Text)
	if i > 0 && leadingYear.MatchString(t) {
		above := paras[i-1]
		if a := HeadingText(above.Text); above.Heading && a != "" && !strings.Contains(a, "报告") &&
			utf8.RuneCountInString(a) <= maxTitleAbove && (above.Loc.Page == paras[i].Loc.Page) {
			return a + t
		}
	}
	return t
}

// metaTitle cleans a title from metadata: the part that names a report,
// without the site name ("…年度报告_某县人民政府门户网站") or the
// producing program ("Microsoft Word - …").
func metaTitle(s string) string {
	s = foldSpace(s)
	if !strings.Contains(s, "报告") {
		return ""
	}
	for _, sep := range []string{"_", "|", "｜", " - ", "——", " – "} {
		for part := range strings.SplitSeq(s, sep) {
			if strings.Contains(part, "报告") && part != s {
				return metaTitle(part)
			}
		}
	}
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, ".docx"), ".doc"), ".pdf")
	return HeadingText(s)
}

// headingLabel is a field label a saved page or a form prints before the
// title or the agency ("标题：", "发布机构:").
var headingLabel = regexp.MustCompile(`^(?:文章标题|标题|题目|名称|单位|发布机构|发文机关|来源|信息来源)\s*[:：]\s*`)

// HeadingText is a heading line as a name: without Markdown markers
// ("# ", "**"), a field label such as 标题：, surrounding white space, or
// the spaces a layout puts between CJK characters ("2023 年" → "2023年").
func HeadingText(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "#")
	s = strings.TrimSpace(strings.Trim(s, "*"))
	s = headingLabel.ReplaceAllString(s, "")
	return squeezeCJK(foldSpace(s))
}

// squeezeCJK removes the spaces next to CJK characters and keeps those
// between Latin words.
func squeezeCJK(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if r == ' ' && i > 0 && i+1 < len(rs) && (wide(rs[i-1]) || wide(rs[i+1])) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}
