package parse

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestParseMarkdown(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		paras []string
		grid  [][]string
	}{
		{"headings and paragraphs",
			"# 某县2023年度报告\n\n**一、总体情况**\n\n正文&nbsp;112条\n",
			[]string{"#某县2023年度报告", "一、总体情况", "正文 112条"}, nil},
		{"pipe table with <br>, escaped pipes and ragged rows",
			"| 信息内容 | 本年<br>新制作数量 | a\\|b |\n|:---|---:|:-:|\n| 规章 | 3 | 5 |\n| 规范性文件 | 7 |\n| 行政许可 | 1 | 2 | 9 |\n\nafter\n",
			[]string{"after"},
			[][]string{{"信息内容@0+1/1", "本年\n新制作数量@1+1/1", "a|b@2+1/1"}, {"规章@0+1/1", "3@1+1/1", "5@2+1/1"},
				{"规范性文件@0+1/1", "7@1+1/1"}, {"行政许可@0+1/1", "1@1+1/1", "2@2+1/1", "9@3+1/1"}, {"--"}}},
		{"repeated labels are one spanning cell, repeated numbers are not",
			"| 第二十条 | 第二十条 | 第二十条 |\n|---|---|---|\n| 规章 | 0 | 0 |\n| 小计 |  | 4 |\n",
			nil,
			[][]string{{"第二十条@0+3/1"}, {"规章@0+1/1", "0@1+1/1", "0@2+1/1"}, {"小计@0+1/1", "@1+1/1", "4@2+1/1"}, {"--"}}},
		{"embedded HTML table",
			"intro\n<table><tr><td rowspan=\"2\">申请人</td><td>自然人</td></tr>\n<tr><td>5</td></tr></table>\n| a | b |\n|---|---|\n| 1 | 2 |\n",
			[]string{"intro"},
			[][]string{{"申请人@0+1/2", "自然人@1+1/1"}, {"^申请人@0", "5@1+1/1"}, {"--"}, {"a@0+1/1", "b@1+1/1"}, {"1@0+1/1", "2@1+1/1"}, {"--"}}},
		{"MinerU's wrapped HTML table on one line",
			"<html><body><table><tr><td colspan=\"2\">合计</td></tr><tr><td>1</td><td>2</td></tr></table></body></html>\n后记\n",
			[]string{"后记"},
			[][]string{{"合计@0+2/1"}, {"1@0+1/1", "2@1+1/1"}, {"--"}}},
		{"a pipe without a separator row is prose",
			"政府信息 | 公开\n下一行\n", []string{"政府信息 | 公开", "下一行"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseMarkdown(context.Background(), []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := paragraphs(d); !reflect.DeepEqual(got, tt.paras) {
				t.Errorf("paragraphs = %q, want %q", got, tt.paras)
			}
			if got := gridOf(d); !reflect.DeepEqual(got, tt.grid) {
				t.Errorf("grid = %q, want %q", got, tt.grid)
			}
		})
	}
}

func TestParseMarkdownLocs(t *testing.T) {
	src := "# 标题\n\n<table>\n<tr><td>a</td></tr>\n</table>\n\n| x | y |\n|---|---|\n| 1 | 2 |\n"
	d, _ := ParseMarkdown(context.Background(), []byte(src))
	ts := tables(d)
	if len(ts) != 2 {
		t.Fatalf("%d tables, want 2", len(ts))
	}
	got := []string{d.Blocks[0].Loc.String(), ts[0].Rows[0].Cells[0].Loc.String(), ts[1].Rows[1].Cells[1].Loc.String()}
	want := []string{"line 1", "line 4, table 1 row 1 col 1", "line 9, table 2 row 2 col 2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("locs = %q, want %q", got, want)
	}
}

func TestHostileMarkdown(t *testing.T) {
	wide := "|" + strings.Repeat(" 1 |", MaxRowCells+10) + "\n|" + strings.Repeat("---|", MaxRowCells+10) + "\n"
	long := "| a | b |\n|---|---|\n" + strings.Repeat("| 1 | 2 |\n", MaxTableCells)
	open := "<table><tr><td>" + strings.Repeat("<table><tr><td>x", 5000)
	for name, src := range map[string]string{"wide": wide, "long": long, "unclosed html": open} {
		d, err := ParseMarkdown(context.Background(), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if name != "unclosed html" && !hasCode(d, CodeLimit) {
			t.Errorf("%s: no %s warning", name, CodeLimit)
		}
	}
}
