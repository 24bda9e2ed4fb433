package parse

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// cells renders a table as rows of "col:text" with ^ for a spanned copy.
func cells(t *Table) [][]string {
	var out [][]string
	for _, r := range t.Rows {
		var row []string
		for _, c := range r.Cells {
			s := c.Text
			if c.Continued {
				s = "^" + s
			}
			row = append(row, string(rune('0'+c.Col))+":"+s)
		}
		out = append(out, row)
	}
	return out
}

func tables(d *Document) []*Table {
	var out []*Table
	for _, b := range d.Blocks {
		if b.Table != nil {
			out = append(out, b.Table)
		}
	}
	return out
}

func TestHTMLGrid(t *testing.T) {
	tests := []struct {
		name string
		html string
		want [][]string
	}{{
		name: "rowspan and colspan",
		html: `<table><tr><td rowspan=2 colspan=2>A</td><td>B</td></tr><tr><td>C</td></tr><tr><td>D</td><td>E</td><td>F</td></tr></table>`,
		want: [][]string{{"0:A", "2:B"}, {"0:^A", "2:C"}, {"0:D", "1:E", "2:F"}},
	}, {
		name: "span reaching past the row's own cells",
		html: `<table><tr><td>A</td><td rowspan=3>B</td></tr><tr><td>C</td></tr><tr><td>D</td></tr></table>`,
		want: [][]string{{"0:A", "1:B"}, {"0:C", "1:^B"}, {"0:D", "1:^B"}},
	}, {
		name: "br, p, nbsp and nested tags",
		html: `<table><tr><td><p>商业</p><p>企业</p></td><td>结果<br/>纠正</td><td>&nbsp;</td><td><span><font>1</font>2</span></td></tr></table>`,
		want: [][]string{{"0:商业\n企业", "1:结果\n纠正", "2:", "3:12"}},
	}, {
		name: "malformed: unclosed cells and rows, uppercase, no </table>",
		html: `<TABLE><TR><TD>a<TD>1<TR><TD>b<TD><P>2`,
		want: [][]string{{"0:a", "1:1"}, {"0:b", "1:2"}},
	}, {
		name: "bad span attributes",
		html: `<table><tr><td colspan="x" rowspan="-2">a</td><td colspan=0>b</td></tr></table>`,
		want: [][]string{{"0:a", "1:b"}},
	}, {
		name: "only innermost tables: layout tables are unwrapped",
		html: `<table><tr><td>nav</td><td><table><tr><td>x</td><td>1</td></tr></table></td></tr></table>`,
		want: [][]string{{"0:x", "1:1"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseHTML(context.Background(), []byte(tt.html))
			if err != nil {
				t.Fatal(err)
			}
			ts := tables(d)
			if len(ts) != 1 {
				t.Fatalf("got %d tables, want 1", len(ts))
			}
			if got := cells(ts[0]); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("grid:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func gbk(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func TestDecodeHTML(t *testing.T) {
	const body = "<p>行政许可</p>"
	tests := []struct {
		name     string
		data     []byte
		wantEnc  string
		wantWarn string
	}{
		{"utf-8 meta", []byte(`<meta charset="utf-8">` + body), "utf-8", ""},
		{"utf-8 undeclared", []byte(body), "utf-8", ""},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, body...), "utf-8", ""},
		{"gbk meta", gbk(`<meta charset="gbk">` + body), "gb18030", ""},
		{"gb2312 http-equiv", gbk(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">` + body), "gb18030", ""},
		{"gbk undeclared", gbk(body), "gb18030", ""},
		{"gbk declared utf-8", gbk(`<meta charset="utf-8">` + body), "gb18030", "charset.mismatch"},
		{"utf-8 declared gb2312", []byte(`<meta charset="gb2312">` + body), "utf-8", "charset.mismatch"},
		{"unknown label", []byte(`<meta charset="klingon">` + body), "utf-8", "charset.unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, enc, warns := DecodeHTML(tt.data, "")
			if enc != tt.wantEnc {
				t.Errorf("encoding = %s, want %s", enc, tt.wantEnc)
			}
			if !strings.Contains(s, "行政许可") {
				t.Errorf("decoded text lost the label: %q", s)
			}
			var codes []string
			for _, w := range warns {
				codes = append(codes, string(w.Code))
			}
			if got := strings.Join(codes, ","); got != tt.wantWarn {
				t.Errorf("warnings = %q, want %q", got, tt.wantWarn)
			}
		})
	}
}

func TestSplitFields(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"二、主动公开政府信息情况", []string{"二、主动公开政府信息情况"}},
		{"规章\t0\t0\t0", []string{"规章", "0", "0", "0"}},
		{"\t\t2. 其他\t0\t", []string{"", "", "2. 其他", "0"}},
		{"第二十条第（一）项\t\t\t", []string{"第二十条第（一）项"}},
		{"一、本年新收  33  4   0", []string{"一、本年新收", "33", "4", "0"}},
		{"政府集中采购 5 3.4600", []string{"政府集中采购", "5", "3.4600"}},
		{"渠道收到 2 项申请", []string{"渠道收到 2 项申请"}},
		{"开展 1 次活动，共 3 次", []string{"开展 1 次活动，共 3 次"}},
	}
	for _, tt := range tests {
		if got := splitFields(tt.line); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitFields(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want Format
	}{
		{"a.pdf", []byte("%PDF-1.7\n..."), FormatPDF},
		{"a.html", []byte("%PDF-1.4 served as html"), FormatPDF},
		{"a.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1}, FormatWord},
		{"a.docx", []byte("PK\x03\x04...."), FormatDOCX},
		{"a.zip", []byte("PK\x03\x04...."), FormatUnknown},
		{"report.txt", []byte("<html><body><table></table>"), FormatHTML},
		{"page", []byte("<p>一、总体情况</p>"), FormatHTML},
		{"a.txt", []byte("一、总体情况\n规章\t0"), FormatText},
		{"a.txt", gbk("一、总体情况\n规章\t0"), FormatText},
		{"a.htm", []byte("plain words"), FormatHTML},
		{"a.bin", []byte{0x00, 0x01, 0x02}, FormatUnknown},
		{"a.pdf", []byte("junk\n%PDF-1.4\n"), FormatPDF},
		{"a.htm", []byte("<p>附件格式：%PDF-1.4</p>"), FormatHTML},
		{"a.txt", []byte{0xFF, 0xFE, '<', 0, 'p', 0, '>', 0}, FormatHTML},
		{"a.txt", []byte{0xFF, 0xFE, 'a', 0, '\t', 0, '1', 0}, FormatText},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.name, tt.data); got != tt.want {
			t.Errorf("DetectFormat(%s, %q) = %s, want %s", tt.name, tt.data[:min(len(tt.data), 12)], got, tt.want)
		}
	}
}

func TestHTMLLines(t *testing.T) {
	src := "<p>title</p>\n<table>\n<tr><td>a</td></tr>\n\n<tr><td>b</td></tr>\n</table>\n<table><td>implied row</td></table>"
	d, err := ParseHTML(context.Background(), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ts := tables(d)
	if got := []int{ts[0].Rows[0].Cells[0].Loc.Line, ts[0].Rows[1].Cells[0].Loc.Line}; !reflect.DeepEqual(got, []int{3, 5}) {
		t.Errorf("row lines = %v, want [3 5]", got)
	}
	// No <tr> tag: the parser made the row up, so the table's line stands.
	if got := ts[1].Rows[0].Cells[0].Loc.Line; got != 7 {
		t.Errorf("implied row line = %d, want 7", got)
	}
}
