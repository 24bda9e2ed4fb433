package normalize

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/parse"
)

// selfCheckReport is an HTML report whose 表三 prints its columns under
// the header labels heads (in that order) and, row by row, the values of
// want (in template column order) with row bump[row] added to its total.
// The t2 and t4 tables are there so that only the self-check can make the
// report partial.
func selfCheckReport(heads []string, want map[string][]float64, rows []string, bump map[string]float64) []byte {
	var b strings.Builder
	b.WriteString("<html><head><title>白沙市2023年政府信息公开工作年度报告</title></head><body>")
	b.WriteString("<p>二、主动公开政府信息情况</p><table><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>")
	b.WriteString("<tr><td>规章</td><td>1</td><td>0</td><td>3</td></tr></table>")
	b.WriteString("<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>（本列数据的勾稽关系）</td>")
	for _, h := range heads {
		fmt.Fprintf(&b, "<td>%s</td>", h)
	}
	b.WriteString("</tr>")
	for _, key := range rows {
		fmt.Fprintf(&b, "<tr><td>%s</td>", rowLabel(key))
		for i, v := range want[key] {
			if t3Required[i] == "total" {
				v += bump[key]
			}
			fmt.Fprintf(&b, "<td>%g</td>", v)
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table><p>四、政府信息公开行政复议、行政诉讼情况</p><table>")
	b.WriteString(`<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>`)
	b.WriteString(`<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr><tr>`)
	for range 2 {
		b.WriteString("<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>")
	}
	b.WriteString("</tr><tr>")
	for range 3 {
		b.WriteString("<td>1</td><td>1</td><td>0</td><td>0</td><td>2</td>")
	}
	b.WriteString("</tr></table><p>五、存在的主要问题及改进情况</p></body></html>")
	return []byte(b.String())
}

func rowLabel(key string) string {
	for _, r := range rowDefs {
		if r.Table == T3 && r.Key == key {
			return r.Label
		}
	}
	panic(key)
}

// selfCheckRows are some 表三 rows, with applicant numbers that add up and
// an 其他 column that differs from the total in every row.
func selfCheckRows() ([]string, map[string][]float64) {
	rows := []string{"new_received", "carried_over", "result.disclosed", "result.partly_disclosed",
		"result.unavailable.not_held", "result.total", "carried_forward"}
	want := map[string][]float64{}
	for i, r := range rows {
		v := []float64{float64(10 + i), float64(i % 3), 0, 1, 0, float64(1 + i%2)}
		var sum float64
		for _, x := range v {
			sum += x
		}
		want[r] = append(v, sum)
	}
	return rows, want
}

func TestSelfCheck(t *testing.T) {
	inOrder := []string{"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}
	swapped := []string{"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计", "其他"}
	rows, want := selfCheckRows()
	garbled := map[string]float64{}
	for i, r := range rows {
		garbled[r] = float64(3 + i)
	}
	tests := []struct {
		name    string
		heads   []string
		bump    map[string]float64
		warning parse.Code // expected self-check warning, or ""
		status  Status
		failing []string // t3.applicants checks that must fail: the agency's
	}{
		{"read right", inOrder, nil, "", StatusOK, nil},
		{"agency slip in one row", inOrder, map[string]float64{"carried_over": 1}, "", StatusOK, []string{"t3.applicants.carried_over"}},
		{"two columns swapped by the header", swapped, nil, CodeReadingSwapped, StatusOK, nil},
		{"swapped, and an agency slip", swapped, map[string]float64{"result.disclosed": 2}, CodeReadingSwapped, StatusOK, []string{"t3.applicants.result.disclosed"}},
		{"no reading agrees", inOrder, garbled, CodeReadingDoubtful, StatusPartial, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := selfCheckReport(tt.heads, want, rows, tt.bump)
			r := Process(context.Background(), Source{Path: "selfcheck.html"}, body)
			var codes []parse.Code
			for _, w := range r.Warnings {
				if w.Code == CodeReadingSwapped || w.Code == CodeReadingDoubtful {
					codes = append(codes, w.Code)
				}
			}
			if tt.warning == CodeReadingDoubtful {
				if len(codes) != len(rows) {
					t.Errorf("%d rows marked in doubt, want %d", len(codes), len(rows))
				}
				codes = slices.Compact(codes) // one a row in doubt
			}
			if tt.warning == "" && len(codes) > 0 || tt.warning != "" && !slices.Equal(codes, []parse.Code{tt.warning}) {
				t.Errorf("self-check warnings %v, want %q; all: %v", codes, tt.warning, r.Warnings)
			}
			if r.Status != tt.status {
				t.Errorf("status %s, want %s; warnings %v", r.Status, tt.status, r.Warnings)
			}
			var failing []string
			for _, c := range r.Checks {
				if strings.HasPrefix(c.ID, "t3.applicants.") && c.Status == CheckFail {
					failing = append(failing, c.ID)
				}
			}
			if tt.warning != CodeReadingDoubtful && !slices.Equal(failing, tt.failing) {
				t.Errorf("failing applicant sums %v, want %v", failing, tt.failing)
			}
			if tt.warning == CodeReadingDoubtful {
				return // the cells stay as read
			}
			for _, c := range r.Cells {
				if c.Table != T3 {
					continue
				}
				i := slices.Index(t3Required, c.Col)
				w := want[c.Row][i]
				if c.Col == "total" {
					w += tt.bump[c.Row]
				}
				if c.Value == nil || *c.Value != w {
					t.Errorf("%s = %v, want %v", c.Key(), c.Value, w)
				}
			}
		})
	}
}

func TestSelfCheckByPage(t *testing.T) {
	// 表三 read right on page 1 and with 其他 and 总计 exchanged on page 2,
	// where its header was read again: the swap is mended for page 2 only.
	rows, want := selfCheckRows()
	var cells []Cell
	for i, key := range rows {
		page := 1 + i*2/len(rows)
		for j, col := range t3Required {
			v := want[key][j]
			if page == 2 && (col == "other_org" || col == "total") {
				col = map[string]string{"other_org": "total", "total": "other_org"}[col]
			}
			cells = append(cells, Cell{Table: T3, Row: key, Col: col, Value: &v, Loc: parse.Loc{Page: page}})
		}
	}
	m := &mapper{r: &Report{Cells: cells}, assumed: map[TableID]bool{}}
	m.selfCheckTable(T3)
	for _, c := range m.r.Cells {
		if w := want[c.Row][slices.Index(t3Required, c.Col)]; *c.Value != w {
			t.Errorf("%s = %v, want %v (page %d)", c.Key(), *c.Value, w, c.Loc.Page)
		}
	}
	if len(m.r.Warnings) != 1 || m.r.Warnings[0].Code != CodeReadingSwapped || m.r.Warnings[0].Loc.Page != 2 {
		t.Errorf("warnings %v, want one %s on page 2", m.r.Warnings, CodeReadingSwapped)
	}
}

// TestSelfCheckKeepsTheTotal checks that rows failing their sums (a
// scan's unsure digits left blank, say) do not have their total swapped
// with a column printed blank: that would leave them without a side to
// check, not make them agree.
func TestSelfCheckKeepsTheTotal(t *testing.T) {
	num := func(v float64) *float64 { return &v }
	var rows []rowVals
	for i := range 5 {
		rows = append(rows, rowVals{key: fmt.Sprintf("r%d", i), vals: map[string]*float64{
			"natural_person": num(3), // short of the total: an unsure digit left out, say
			"commercial":     num(2), "research": num(1), "social_welfare": num(0),
			"legal_service": nil, // printed blank in every row
			"other_org":     num(1), "total": num(float64(10 + i)),
		}})
	}
	cols := []string{"natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"}
	if s, ok := mendingSwap(rows, cols, rowFamilies[T3]); ok {
		t.Errorf("took swap %v: the rows would escape their identities, not meet them", s)
	}
}
