package normalize

import (
	"context"
	"testing"

	"github.com/opengov-cn/nianbao/parse"
)

func TestReportYearAgency(t *testing.T) {
	tests := []struct {
		name, file, src string
		year            int
		agency          string
	}{
		{"saved page whose body starts with 标题：", "a.html",
			"<p>标题：沭阳县发展和改革局2023年政府信息公开工作年度报告</p><p>正文</p>", 2023, "沭阳县发展和改革局"},
		{"Markdown dump", "a.md",
			"# 沐阳县人民政府\n\n2023年政府信息公开工作年度报告\n\n正文\n", 2023, "沐阳县人民政府"},
		{"agency on its own line above a title without it", "a.html",
			"<p>某市某区人民政府</p><p>2021年度政府信息公开工作年度报告</p>", 2021, "某市某区人民政府"},
		{"year only", "a.txt", "2022年度\n正文\n", 2022, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parse.Parse(context.Background(), tt.file, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			year, agency := reportYearAgency(doc)
			if year != tt.year || agency != tt.agency {
				t.Errorf("year, agency = %d, %q; want %d, %q", year, agency, tt.year, tt.agency)
			}
		})
	}
}
