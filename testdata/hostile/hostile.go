// Package hostile generates the broken and hostile documents nianbao must
// survive: each function returns one file's bytes, built from the attack it
// is named after, so tests can make them on the fly instead of storing
// megabytes of junk. Sizes are parameters where the attack scales.
package hostile

import (
	"bytes"
	"fmt"
	"strings"
)

// report is a minimal but complete 2021-template table three, enough for
// the normalizer to recognise a report around the hostile part.
const report = `<p>某县人民政府2023年政府信息公开工作年度报告</p>
<table>
<tr><td>本列数据的勾稽关系</td><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td><td>总计</td></tr>
<tr><td>一、本年新收政府信息公开申请数量</td><td>3</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td></tr>
</table>
`

// Report is a small valid HTML report, for runs that mix hostile files
// with good ones.
func Report() []byte { return []byte("<html><body>" + report + "</body></html>") }

// RowspanBomb is an HTML table of rows rows whose every row opens a cell
// spanning 65,535 rows: expanded naively it is rows² cells.
func RowspanBomb(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("<html><body>" + report + "<table>")
	for range rows {
		b.WriteString("<tr><td rowspan=65535>x</td></tr>\n")
	}
	b.WriteString("</table></body></html>")
	return b.Bytes()
}

// ManyTables is n sibling <table>s, each one row: a quadratic scan per
// table shows at once.
func ManyTables(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<html><body>" + report)
	for i := range n {
		fmt.Fprintf(&b, "<table><tr><td>%d</td></tr></table>\n", i)
	}
	b.WriteString("</body></html>")
	return b.Bytes()
}

// DeepNesting is n nested <div>s (or any element) around the report: a
// reader that recurses on depth overflows its stack.
func DeepNesting(n int) []byte {
	return []byte("<html><body>" + strings.Repeat("<div>", n) + report + strings.Repeat("</div>", n) + "</body></html>")
}

// HugePage is a report followed by paragraphs up to about size bytes.
func HugePage(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 1024)
	b.WriteString("<html><body>" + report)
	para := "<p>" + strings.Repeat("政府信息公开", 20) + "</p>\n"
	for b.Len() < size {
		b.WriteString(para)
	}
	b.WriteString("</body></html>")
	return b.Bytes()
}

// HugeDump is a text dump of about size bytes: a report's row, then lines
// of prose.
func HugeDump(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 1024)
	b.WriteString("某县人民政府2023年政府信息公开工作年度报告\n一、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n")
	line := strings.Repeat("政府信息公开", 20) + "\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.Bytes()
}

// WideRow is a text dump whose one table row has fields values: a
// normalizer that warns per extra value floods its log.
func WideRow(fields int) []byte {
	var b bytes.Buffer
	b.WriteString("某县人民政府2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n")
	b.WriteString("本列数据的勾稽关系\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n")
	b.WriteString("一、本年新收政府信息公开申请数量")
	for range fields {
		b.WriteString("\t1")
	}
	b.WriteString("\n")
	return b.Bytes()
}

// StrayByte is a UTF-8 report page without a charset declaration and one
// invalid byte (0xFF) in its text.
func StrayByte() []byte {
	return []byte(strings.Replace(string(Report()), "某县", "某\xff县", 1))
}

// StrayNUL is a UTF-8 report page with one NUL byte in its first KiB.
func StrayNUL() []byte {
	return []byte(strings.Replace(string(Report()), "<body>", "<body>\x00", 1))
}
