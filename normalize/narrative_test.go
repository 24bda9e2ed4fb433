package normalize

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/parse"
)

// quotesOf is what findQuotes makes of paragraphs (one block each) in a
// report of year, as "what=number" in order.
func quotesOf(year int, paras ...string) string {
	doc := &parse.Document{}
	for i, p := range paras {
		doc.Blocks = append(doc.Blocks, parse.Block{Text: p, Loc: parse.Loc{Line: i + 1}})
	}
	var out []string
	for _, q := range findQuotes(doc, year) {
		out = append(out, fmt.Sprintf("%s=%v", q.What, q.Number))
	}
	return strings.Join(out, " ")
}

func TestFindQuotes(t *testing.T) {
	tests := []struct {
		name  string
		paras []string
		want  string
	}{
		// What the patterns are for.
		{"收到…申请…件", []string{"2023年，本机关共收到政府信息公开申请154件，办结151件。"}, "received=154"},
		{"新收, spaced, thousands", []string{"全年新收政府信息公开申请 1,059 件。"}, "received=1059"},
		{"受理…依申请公开", []string{"本年度受理依申请公开申请21件，均按期答复。"}, "received=21"},
		{"a gap with 、", []string{"全区接收通过邮寄、网络提交的各类政府信息公开申请共计81件，涉及自然人80件。"}, "received=81"},
		{"the number before 申请", []string{"2.依申请公开办理情况。今年从电子邮箱等渠道收到２项申请，全部办结。"}, "received=2"},
		{"wrapped over lines", []string{"（二）依申请公开情况。全年共受理政府信息公开申", "请21件，均在法定期限答复。"}, "received=21"},
		{"wrapped around a page number", []string{"全年共受理政府信息公开", "-1-", "申请21件，均在法定期限答复。"}, "received=21"},
		{"with those carried over in brackets", []string{"共受理政府信息公开申请21件（含上年结转3件）。"}, "received=21"},
		{"复议 and 诉讼", []string{"因政府信息公开被申请行政复议3起，被提起行政诉讼2起。"}, "reconsideration=3 litigation=2"},
		{"诉讼 after 复议", []string{"信息公开类行政复议7件，诉讼9件，均获维持。"}, "reconsideration=7 litigation=9"},
		{"案件", []string{"因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。"}, "reconsideration=2 litigation=7"},
		{"this year named", []string{"2023年全区受理政府信息公开申请21件。"}, "received=21"},
		{"the same quote twice", []string{"共收到政府信息公开申请5件。", "共收到政府信息公开申请5件。"}, "received=5"},

		// What they must not take.
		{"a part: 其中", []string{"共收到政府信息公开申请154件，其中，区政府本级受理政府信息公开申请20件。"}, "received=154"},
		{"a part: by applicant", []string{"受理自然人申请80件。"}, ""},
		{"a part: 各部门", []string{"全区各部门共受理政府信息公开申请300件。"}, ""},
		{"another year", []string{"2022年收到政府信息公开申请120件，2023年收到政府信息公开申请150件。"}, "received=150"},
		{"last year", []string{"上年度收到政府信息公开申请120件。"}, ""},
		{"cumulative", []string{"累计受理政府信息公开申请1000件。"}, ""},
		{"a change, not a count", []string{"收到政府信息公开申请数量较去年回落12.3%。"}, ""},
		{"carried over", []string{"上年结转政府信息公开申请3件。"}, ""},
		{"handled, not received", []string{"办结依申请公开81件，答复政府信息公开申请805件。"}, ""},
		{"a heading", []string{"三、收到和处理政府信息公开申请情况"}, ""},
		{"proactive disclosure", []string{"全年主动公开政府信息112条，其中政策文件23件，审查拟公开文件156件。"}, ""},
		{"bare 申请 outside disclosure", []string{"收到申请5件。"}, ""},
		{"the government as reconsideration body", []string{"在推进政府信息公开的同时，全年受理行政复议申请120件，审结115件。"}, ""},
		{"复议 outside disclosure", []string{"全年发生行政复议3件。"}, ""},
		{"复议 and 诉讼 together", []string{"因政府信息公开引起的行政复议和行政诉讼案件共5件。"}, ""},
		{"each", []string{"因政府信息公开引起的行政复议、行政诉讼各1件。"}, ""},
		{"复议 last year", []string{"因政府信息公开被申请行政复议3起，较上年减少2起。", "上年因政府信息公开被申请行政复议5起。"}, "reconsideration=3"},
		{"Chinese numerals", []string{"共收到政府信息公开申请十五件。"}, ""},
		{"digits split by a space", []string{"共收到政府信息公开申请1 5件。"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quotesOf(2023, tt.paras...); got != tt.want {
				t.Errorf("quotes %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQuoteSentenceAndLoc(t *testing.T) {
	long := strings.Repeat("围绕中心工作做好政府信息公开，", 20)
	doc := &parse.Document{Blocks: []parse.Block{
		{Text: "一、总体情况", Heading: true, Loc: parse.Loc{Line: 1}},
		{Text: long + "全年共收到政府信息公开申请 154 件，" + long + "。", Loc: parse.Loc{Line: 2}},
	}}
	qs := findQuotes(doc, 2023)
	if len(qs) != 1 {
		t.Fatalf("quotes %+v", qs)
	}
	q := qs[0]
	if q.Loc.Line != 2 || !strings.Contains(q.Sentence, "全年共收到政府信息公开申请154件") ||
		!strings.HasPrefix(q.Sentence, "…") || !strings.HasSuffix(q.Sentence, "…") || len([]rune(q.Sentence)) > maxSentence {
		t.Errorf("quote %+v", q)
	}
}

func TestNormalizeFillsQuotes(t *testing.T) {
	doc := &parse.Document{Format: parse.FormatText, Status: parse.StatusOK, Title: "澄川县教育局2023年政府信息公开工作年度报告",
		Blocks: []parse.Block{{Text: "全年共收到政府信息公开申请5件。", Loc: parse.Loc{Line: 3}}}}
	r := Normalize(doc, Source{Path: "x.txt"})
	if len(r.Quotes) != 1 || r.Quotes[0].Number != 5 || r.AgencyPrinted != "澄川县教育局" || r.AgencyID != AgencyID("", "澄川县教育局") {
		t.Errorf("report %+v", r)
	}
}
