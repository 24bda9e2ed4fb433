package normalize

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/parse"
)

func TestMatchRowLabels(t *testing.T) {
	tests := []struct {
		table       TableID
		label, want string
	}{
		{"t2", "规章", "art20_1.regulations"},
		{"t2", "规范性文件", "art20_1.normative_documents"},
		{"t2", "行政规范性文件", "art20_1.normative_documents"},
		{"t2", "行 政 许 可", "art20_5.licensing"},
		{"t2", "其他对外管理\n服务事项", "art20_5.other_services"},
		{"t2", "行政检查", ""}, // a local sub-row, not a template row
		{"t3", "一、本年新收政府信息公开申请数量", "new_received"},
		{"t3", "本年新收政府信息公开申请\n数量", "new_received"},
		{"t3", "(一) 予以公开", "result.disclosed"},
		{"t3", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "result.partly_disclosed"},
		{"t3", "（二）部分公开（区分处理的，只计这一情", "result.partly_disclosed"},
		{"t3", "1. 属于国家秘密", "result.withheld.state_secret"},
		{"t3", "1、属于国家秘密", "result.withheld.state_secret"},
		{"t3", "１．属于国家秘密", "result.withheld.state_secret"},
		{"t3", "2.其他法律行政止公开", "result.withheld.prohibited_by_law"},
		{"t3", "3.危及\"三安全一稳定\"", "result.withheld.security_stability"},
		{"t3", "1. 信访举报投诉类申", "result.not_processed.petition"},
		{"t3", "4.无正当理由大量反复 申请", "result.not_processed.mass_repeat"},
		{"t3", "（六）其他处理", "result.other"},
		{"t3", "3.其他", "result.other.other"},
		{"t3", "(七) 总计", "result.total"},
		{"t3", "四、结转下年度继续办理", "carried_forward"},
		{"t3", "（八）其他补充情况", ""},
		{"t3", "请", ""},
	}
	for _, tt := range tests {
		key, score, amb := rowMatchers[tt.table].match(tt.label)
		got := key
		if score < matchThreshold || amb {
			got = ""
		}
		if got != tt.want {
			t.Errorf("match(%s, %q) = %q (score %.2f, ambiguous %v), want %q", tt.table, tt.label, key, score, amb, tt.want)
		}
	}
}

func TestMatchColumnLabels(t *testing.T) {
	tests := []struct {
		table       TableID
		label, want string
	}{
		{"t2", "本年新\n制作数量", "new_made"},
		{"t2", "本年增/减", "change"},
		{"t2", "本年处理决定数量", "decisions"},
		{"t2", "采购总金额（万元，保留四位小数）", "procurement_amount_wan"},
		{"t2", "本年收费金额（单位：万元）", "fee_amount_wan"},
		{"t3", "商业\n企业", "commercial"},
		{"t3", "其他", "other_org"},
		{"t3", "小计", "org_subtotal"},
		{"t3", "总计", "total"},
		{"t3", "法人或其他组织", ""},
		{"t4", "结果\n纠正", "corrected"},
		{"t4", "总 计", "total"},
	}
	for _, tt := range tests {
		key, score, amb := colMatchers[tt.table].match(tt.label)
		got := key
		if score < 0.8 || amb {
			got = ""
		}
		if got != tt.want {
			t.Errorf("match(%s, %q) = %q (score %.2f), want %q", tt.table, tt.label, key, score, tt.want)
		}
	}
}

func TestCore(t *testing.T) {
	tests := map[string]string{
		"（一）予以公开":   "予以公开",
		"(三) 不予公开":  "不予公开",
		"三、本年度办理结果": "本年度办理结果",
		"2. 重复申请":   "重复申请",
		"⾦额":        "金额", // Kangxi radical
		"本年增/减":     "本年增/减",
		"（本列数据的勾稽关系为：…）": "本列数据的勾稽关系为",
	}
	for in, want := range tests {
		if got := core(in); got != want {
			t.Errorf("core(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTemplateKeys(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range append(defsOf(rowDefs, "row"), defsOf(colDefs, "col")...) {
		if seen[d] {
			t.Errorf("%s defined twice", d)
		}
		seen[d] = true
	}
	ids := map[string]bool{}
	for _, f := range checkFamilies {
		if ids[f.ID] {
			t.Errorf("check family %s defined twice", f.ID)
		}
		ids[f.ID] = true
		ph := map[Over]string{OverReport: "", OverCols: "<col>", OverRows: "<row>", OverPrintedRows: "<row>"}[f.Over]
		if ph != "" && (!strings.Contains(f.ID, ph) || !strings.Contains(f.Identity, ph)) {
			t.Errorf("%s: id and identity must name the placeholder %s", f.ID, ph)
		}
		if f.rule != ruleSum {
			continue
		}
		// Sides name rows when the family runs over columns, else columns.
		kind, defs := "col", defsOf(colDefs, "col")
		if f.Over == OverCols {
			kind, defs = "row", defsOf(rowDefs, "row")
		}
		for _, k := range append(slices.Clone(f.lhs), f.rhs...) {
			if len(f.expand(k)) == 0 || !strings.HasSuffix(k, "*") && !slices.Contains(defs, kind+" "+string(f.Table)+"/"+k) {
				t.Errorf("%s: %s %q is not in %s", f.ID, kind, k, f.Table)
			}
		}
	}
}

func defsOf[D def](defs []D, kind string) []string {
	var out []string
	for _, d := range defs {
		out = append(out, kind+" "+string(d.at().table)+"/"+d.at().key)
	}
	return out
}

// TestIdentityWords: an identity that spells its cells out names the ones
// the family adds up.
func TestIdentityWords(t *testing.T) {
	for _, f := range checkFamilies {
		_, words, _ := strings.Cut(f.Identity, ": ")
		if f.rule != ruleSum || strings.HasPrefix(words, "sum of") {
			continue
		}
		if want := strings.Join(f.lhs, "+") + " = " + strings.Join(f.rhs, "+"); words != want {
			t.Errorf("%s: identity says %q, its cells are %q", f.ID, words, want)
		}
	}
}

// TestCuesAreCores: captions and headings are compared with core labels,
// so they must be cores themselves.
func TestCuesAreCores(t *testing.T) {
	var cues []string
	for _, tb := range tables {
		cues = append(cues, tb.captions...)
		for _, h := range tb.headings {
			cues = append(cues, h...)
		}
	}
	for _, c := range append(cues, afterTables...) {
		if core(c) != c {
			t.Errorf("cue %q is not a core label (core %q)", c, core(c))
		}
	}
}

// TestAccessorsCopy: the template cannot be changed through its accessors.
func TestAccessorsCopy(t *testing.T) {
	for _, r := range Rows {
		r.Label = "x"
	}
	for _, c := range Cols {
		c.Signed = true
	}
	for _, tb := range Tables {
		tb.Title = "x"
	}
	for _, f := range CheckFamilies {
		f.Identity = "x"
	}
	if rowDefs[0].Label == "x" || colDefs[0].Signed || tables[0].Title == "x" || checkFamilies[0].Identity == "x" {
		t.Error("the template changed through an accessor")
	}
}

func TestDefaultColumns(t *testing.T) {
	keys := func(slots []slot) string {
		var out []string
		for _, s := range slots {
			out = append(out, strings.TrimPrefix(s.row+"/", "/")+s.key)
		}
		return strings.Join(out, " ")
	}
	m := newMapper(&parse.Document{}, &Report{})
	m.t4Row(parse.Row{}, nil, make([]cellValue, 15)) // a t4 row with no header above it
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"t3, 7 values", keys(defaultT3Slots(7)), "natural_person commercial research social_welfare legal_service other_org total"},
		{"t3, 8 values", keys(defaultT3Slots(8)), "natural_person commercial research social_welfare legal_service other_org org_subtotal total"},
		{"t4", keys(m.heads[T4].slots), "reconsideration/upheld reconsideration/corrected reconsideration/other reconsideration/pending reconsideration/total " +
			"litigation_direct/upheld litigation_direct/corrected litigation_direct/other litigation_direct/pending litigation_direct/total " +
			"litigation_after_reconsideration/upheld litigation_after_reconsideration/corrected litigation_after_reconsideration/other litigation_after_reconsideration/pending litigation_after_reconsideration/total"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: columns %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestTemplateVersion(t *testing.T) {
	tests := []struct {
		cells, want string
	}{
		{"", TemplateUnknown},
		{"t3/new_received/total=1", TemplateUnknown},
		{"t2/art20_1.regulations/new_made=1", Template2019},
		{"t2/art20_1.regulations/issued=1 t2/art20_8.fees/fee_amount_wan=1", Template2021},
		{"t2/art20_5.other_services[行政检查]/decisions=1", Template2019}, // a sub-row votes as its parent
		// Each key votes once however often it is printed.
		{"t2/a/new_made=1 t2/b/new_made=1 t2/c/new_made=1 t2/a/issued=1 t2/a/repealed=1", Template2021},
		{"t2/a/new_made=1 t2/a/issued=1", TemplateUnknown},
	}
	for _, tt := range tests {
		if got := templateVersion(cellsOf(tt.cells)); got != tt.want {
			t.Errorf("templateVersion(%s) = %s, want %s", tt.cells, got, tt.want)
		}
	}
}

// TestReportStatus: every status package parse has (read from its
// source, so that a new one cannot be missed) becomes the report status
// of the same name, the string that reports.parquet has always held.
func TestReportStatus(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, "../parse", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, f := range pkgs["parse"].Files {
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Status" {
					for _, v := range vs.Values {
						s, _ := strconv.Unquote(v.(*ast.BasicLit).Value)
						statuses = append(statuses, s)
					}
				}
			}
			return true
		})
	}
	if len(statuses) < 2 {
		t.Fatalf("found only %q as parse statuses", statuses)
	}
	for _, st := range statuses {
		if st == string(parse.StatusOK) {
			continue
		}
		if got, ok := parseStatuses[parse.Status(st)]; !ok || string(got) != st {
			t.Errorf("parse status %q: report status %q (listed: %v), want %q", st, got, ok, st)
		}
	}
}
