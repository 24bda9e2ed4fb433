package parse

import (
	"context"
	"testing"
)

func TestReportTitle(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{"saved page with a field label", "a.html",
			`<html><head><title>沭阳县发展和改革局2023年政府信息公开工作年度报告_沭阳县人民政府</title></head><body>
<p>标题：沭阳县发展和改革局2023年政府信息公开工作年度报告</p><p>发布机构：沭阳县发展和改革局</p><table><tr><td>x</td></tr></table>`,
			"沭阳县发展和改革局2023年政府信息公开工作年度报告"},
		{"heading beats page chrome", "a.html",
			`<title>首页_某县人民政府门户网站</title><ul><li>2022年政府信息公开工作年度报告</li></ul>
<h1>某县人民政府2023年政府信息公开工作年度报告</h1><table><tr><td>x</td></tr></table>`,
			"某县人民政府2023年政府信息公开工作年度报告"},
		{"site name cut from the page title", "a.html",
			`<title>某县财政局2021年政府信息公开工作年度报告_某县人民政府门户网站</title><p>正文</p>`,
			"某县财政局2021年政府信息公开工作年度报告"},
		{"Markdown dump with the agency on the line above", "a.md",
			"# 沐阳县人民政府\n\n## 2023年政府信息公开工作年度报告\n\n根据《条例》，编制本年度报告。\n\n| a | b |\n",
			"沐阳县人民政府2023年政府信息公开工作年度报告"},
		{"a sentence about the report is not its title", "a.txt",
			"根据《中华人民共和国政府信息公开条例》规定，编制本年度报告。\n某区2020年度政府信息公开工作年度报告\n",
			"某区2020年度政府信息公开工作年度报告"},
		{"spaces a layout put between characters", "a.txt",
			"2019 年政府信息公开工作年度报告\n", "2019年政府信息公开工作年度报告"},
		{"no title at all", "a.txt", "一些文字\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(context.Background(), tt.file, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tt.want {
				t.Errorf("title = %q, want %q", doc.Title, tt.want)
			}
		})
	}
}

func TestHeadingText(t *testing.T) {
	for in, want := range map[string]string{
		"# 沐阳县人民政府":     "沐阳县人民政府",
		"**某县人民政府**":    "某县人民政府",
		"标题：沭阳县发展和改革局":  "沭阳县发展和改革局",
		"单位: 某局":        "某局",
		"2023 年 度 报告":   "2023年度报告",
		"Annual Report": "Annual Report",
	} {
		if got := HeadingText(in); got != want {
			t.Errorf("HeadingText(%q) = %q, want %q", in, got, want)
		}
	}
}
