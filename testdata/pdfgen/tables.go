package main

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// A Doc is the report as a flow of blocks, rendered either to HTML (for
// the converters) or onto a Canvas (for the direct PDF writers).
type Doc struct {
	Title  string
	Blocks []Block
}

// Block is a heading, a paragraph or a table.
type Block struct {
	Heading string
	Para    string
	Table   *Table
}

// Table is a grid with merged cells, like an HTML table with
// rowspan/colspan.
type Table struct {
	NCols   int
	Weights []float64 // relative column widths
	NRows   int
	Cells   []TCell
	RowKeys []string // 表三 row key of each grid row ("" for others)
	Header  int      // number of leading header rows
}

// TCell is one merged cell of a Table.
type TCell struct {
	Row, Col, RowSpan, ColSpan int
	Text                       string // "\n" forces a line break
	Kind                       byte   // 'h' header, 'l' label, 'v' value, 't' block title
	Vertical                   bool   // one character per line
}

type tb struct {
	t   *Table
	row int
}

func (b *tb) add(col, rs, cs int, kind byte, text string) {
	b.t.Cells = append(b.t.Cells, TCell{Row: b.row, Col: col, RowSpan: rs, ColSpan: cs, Text: text, Kind: kind})
}
func (b *tb) next(key string) {
	b.t.RowKeys = append(b.t.RowKeys, key)
	b.row++
	b.t.NRows = b.row
}

// BuildDoc lays out the report's text and three tables.
func (r *Report) BuildDoc(v *Values) *Doc {
	d := &Doc{Title: fmt.Sprintf("%s%d年政府信息公开工作年度报告", r.Agency, r.Year)}
	notice := "国办公开办函〔2021〕30号"
	if r.Template == "2019" {
		notice = "国办公开办函〔2019〕60号"
	}
	d.Blocks = append(d.Blocks,
		Block{Para: fmt.Sprintf("本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和%s的要求编制，由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。报告中所列数据的统计期限为%d年1月1日至%d年12月31日。", notice, r.Year, r.Year)},
		Block{Heading: "一、总体情况"},
	)
	for i := 0; i < max(1, r.Layout.BodyParas); i++ {
		d.Blocks = append(d.Blocks, Block{Para: bodyPara(i, r.Year)})
	}
	d.Blocks = append(d.Blocks,
		Block{Heading: "二、主动公开政府信息情况"},
		Block{Table: r.buildT2(v)},
		Block{Heading: "三、收到和处理政府信息公开申请情况"},
		Block{Table: r.buildT3(v)},
		Block{Heading: "四、政府信息公开行政复议、行政诉讼情况"},
		Block{Table: r.buildT4(v)},
		Block{Heading: "五、存在的主要问题及改进情况"},
		Block{Para: fmt.Sprintf("%d年工作中仍存在一些不足：部分单位对公开内容的审核把关不够细致，个别栏目更新不够及时。下一步将加强业务培训，每季度开展1次专项检查，持续提升公开质量。", r.Year)},
		Block{Heading: "六、其他需要报告的事项"},
		Block{Para: fmt.Sprintf("本机关%d年度未收取信息处理费。", r.Year)},
	)
	if r.Layout.Kangxi {
		for i := range d.Blocks {
			if t := d.Blocks[i].Table; t != nil {
				for j := range t.Cells {
					t.Cells[j].Text = kangxi(t.Cells[j].Text)
				}
			}
		}
	}
	return d
}

var bodyTexts = []string{
	"%d年，本机关坚持以公开为常态、不公开为例外，围绕中心工作做好政府信息公开，全年在门户网站发布各类信息1136条，其中政策文件解读46篇，召开新闻发布会7场。",
	"在依申请公开方面，严格执行登记、审核、办理、答复、归档的工作流程，对每件申请均在法定期限内答复，并加强与申请人的沟通，全年未发生逾期答复。",
	"在政府信息管理方面，落实公开前保密审查机制，对拟公开的信息逐条审核，开展历史文件清理，对已失效的文件作出标注。全年组织业务培训3次，参训人员112人次。",
	"在平台建设方面，优化门户网站政府信息公开专栏设置，完善政策文件库检索功能，同时做好政务新媒体的日常管理，关停长期不更新账号2个。",
	"在监督保障方面，将政务公开工作纳入年度绩效考核，每月开展网站内容巡查，发现问题及时通报整改，全年发出整改通知9份。",
	"在重点领域信息公开方面，围绕财政预决算、重大建设项目、公共资源配置、社会公益事业建设等领域，及时、准确公开相关信息，全年共公开重点领域信息391条。",
}

func bodyPara(i, year int) string {
	s := bodyTexts[i%len(bodyTexts)]
	if strings.Contains(s, "%d") {
		return fmt.Sprintf(s, year)
	}
	return s
}

func (r *Report) buildT2(v *Values) *Table {
	sub := len(r.Layout.SubRows) > 0
	lc := 1 // label columns
	if sub {
		lc = 2
	}
	t := &Table{NCols: lc + 3}
	if sub {
		t.Weights = []float64{3.2, 1.6, 2, 2, 2}
	} else {
		t.Weights = []float64{3.4, 2, 2, 2}
	}
	b := &tb{t: t}
	title := func(s string) { b.add(0, 1, t.NCols, 't', s); b.next("") }
	// hdr prints a header row; spans gives the colspan of each value header.
	hdr := func(spans []int, labels ...string) {
		b.add(0, 1, lc, 'h', "信息内容")
		c := lc
		for i, l := range labels {
			b.add(c, 1, spans[i], 'h', l)
			c += spans[i]
		}
		b.next("")
	}
	row := func(key, label string, spans []int, cols ...string) {
		b.add(0, 1, lc, 'l', label)
		c := lc
		for i, col := range cols {
			b.add(c, 1, spans[i], 'v', v.Text("t2/"+key+"/"+col))
			c += spans[i]
		}
		b.next("")
	}
	one, three := []int{1, 1, 1}, []int{3}
	if r.Template == "2021" {
		title("第二十条第（一）项")
		hdr(one, "本年制发件数", "本年废止件数", "现行有效件数")
		row("art20_1.regulations", "规章", one, "issued", "repealed", "in_force")
		row("art20_1.normative_documents", "行政规范性文件", one, "issued", "repealed", "in_force")
		title("第二十条第（五）项")
		hdr(three, "本年处理决定数量")
		row("art20_5.licensing", "行政许可", three, "decisions")
		title("第二十条第（六）项")
		hdr(three, "本年处理决定数量")
		row("art20_6.penalty", "行政处罚", three, "decisions")
		row("art20_6.coercion", "行政强制", three, "decisions")
		title("第二十条第（八）项")
		hdr(three, "本年收费金额（单位：万元）")
		row("art20_8.fees", "行政事业性收费", three, "fee_amount_wan")
		return t
	}
	p3 := []string{"prev_year_items", "change", "decisions"}
	title("第二十条第（一）项")
	hdr(one, "本年新制作数量", "本年新公开数量", "对外公开总数量")
	row("art20_1.regulations", "规章", one, "new_made", "new_published", "total_published")
	row("art20_1.normative_documents", "规范性文件", one, "new_made", "new_published", "total_published")
	title("第二十条第（五）项")
	hdr(one, "上一年项目数量", "本年增/减", "处理决定数量")
	row("art20_5.licensing", "行政许可", one, p3...)
	if !sub {
		row("art20_5.other_services", "其他对外管理服务事项", one, p3...)
	} else {
		b.add(0, len(r.Layout.SubRows), 1, 'l', "其他对外管理服务事项")
		for _, s := range r.Layout.SubRows {
			b.add(1, 1, 1, 'l', s)
			for i, col := range p3 {
				b.add(2+i, 1, 1, 'v', v.Text("t2/art20_5.other_services["+s+"]/"+col))
			}
			b.next("")
		}
	}
	title("第二十条第（六）项")
	hdr(one, "上一年项目数量", "本年增/减", "处理决定数量")
	row("art20_6.penalty", "行政处罚", one, p3...)
	row("art20_6.coercion", "行政强制", one, p3...)
	title("第二十条第（八）项")
	hdr([]int{1, 2}, "上一年项目数量", "本年增/减")
	row("art20_8.fees", "行政事业性收费", []int{1, 2}, "prev_year_items", "change")
	title("第二十条第（九）项")
	money := "采购总金额（万元）"
	if r.Layout.MoneyHeaderYuan {
		money = "采购总金额"
	}
	hdr([]int{1, 2}, "采购项目数量", money)
	row("art20_9.procurement", "政府集中采购", []int{1, 2}, "procurement_items", "procurement_amount_wan")
	return t
}

var t3Labels = map[string]string{
	"new_received":                         "一、本年新收政府信息公开申请数量",
	"carried_over":                         "二、上年结转政府信息公开申请数量",
	"result.disclosed":                     "（一）予以公开",
	"result.partly_disclosed":              "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
	"result.withheld.state_secret":         "1.属于国家秘密",
	"result.withheld.prohibited_by_law":    "2.其他法律行政法规禁止公开",
	"result.withheld.security_stability":   "3.危及“三安全一稳定”",
	"result.withheld.third_party":          "4.保护第三方合法权益",
	"result.withheld.internal_affairs":     "5.属于三类内部事务信息",
	"result.withheld.process_info":         "6.属于四类过程性信息",
	"result.withheld.enforcement_file":     "7.属于行政执法案卷",
	"result.withheld.query_matter":         "8.属于行政查询事项",
	"result.unavailable.not_held":          "1.本机关不掌握相关政府信息",
	"result.unavailable.needs_creation":    "2.没有现成信息需要另行制作",
	"result.unavailable.unclear":           "3.补正后申请内容仍不明确",
	"result.not_processed.petition":        "1.信访举报投诉类申请",
	"result.not_processed.duplicate":       "2.重复申请",
	"result.not_processed.publication":     "3.要求提供公开出版物",
	"result.not_processed.mass_repeat":     "4.无正当理由大量反复申请",
	"result.not_processed.confirm_reissue": "5.要求行政机关确认或重新出具已获取信息",
	"result.other":                         "（六）其他处理",
	"result.other.no_correction":           "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
	"result.other.no_fee":                  "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
	"result.other.other":                   "3.其他",
	"result.total":                         "（七）总计",
	"carried_forward":                      "四、结转下年度继续办理",
}

func (r *Report) buildT3(v *Values) *Table {
	cols := r.t3Cols()
	nv := len(cols)
	t := &Table{NCols: 3 + nv, Header: 3}
	grpW := 2.6
	if r.Layout.VerticalGroup {
		grpW = 1.0
	}
	t.Weights = append([]float64{grpW, 2.6, 7.5}, repeat(1.55, nv)...)
	b := &tb{t: t}
	org := 5
	if r.Layout.OrgSubtotal {
		org = 6
	}
	b.add(0, 3, 3, 'h', "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
	b.add(3, 1, nv, 'h', "申请人情况")
	b.next("")
	b.add(3, 2, 1, 'h', "自然人")
	b.add(4, 1, org, 'h', "法人或其他组织")
	b.add(4+org, 2, 1, 'h', "总计")
	b.next("")
	for i, h := range []string{"商业\n企业", "科研\n机构", "社会\n公益\n组织", "法律\n服务\n机构", "其他", "小计"}[:org] {
		b.add(4+i, 1, 1, 'h', h)
	}
	b.next("")

	values := func(key string) {
		for i, c := range cols {
			b.add(3+i, 1, 1, 'v', v.Text("t3/"+key+"/"+c))
		}
		b.next(key)
	}
	leaves := r.resultLeaves()
	b.add(0, 1, 3, 'l', t3Labels["new_received"])
	values("new_received")
	b.add(0, 1, 3, 'l', t3Labels["carried_over"])
	values("carried_over")
	grp := "三、本年度办理结果"
	b.t.Cells = append(b.t.Cells, TCell{Row: b.row, Col: 0, RowSpan: len(leaves) + 1, ColSpan: 1, Kind: 'l', Text: grp, Vertical: r.Layout.VerticalGroup})
	groups := map[string]string{"withheld": "（三）不予公开", "unavailable": "（四）无法提供", "not_processed": "（五）不予处理", "other": "（六）其他处理"}
	for i := 0; i < len(leaves); i++ {
		k := leaves[i]
		parts := strings.Split(k, ".")
		if len(parts) == 3 {
			n := 0
			for _, l := range leaves {
				if strings.HasPrefix(l, parts[0]+"."+parts[1]+".") {
					n++
				}
			}
			if strings.HasPrefix(k, parts[0]+"."+parts[1]+".") && (i == 0 || !strings.HasPrefix(leaves[i-1], parts[0]+"."+parts[1]+".")) {
				b.add(1, n, 1, 'l', groups[parts[1]])
			}
			b.add(2, 1, 1, 'l', t3Labels[k])
		} else {
			b.add(1, 1, 2, 'l', t3Labels[k])
		}
		values(k)
	}
	b.add(1, 1, 2, 'l', t3Labels["result.total"])
	values("result.total")
	b.add(0, 1, 3, 'l', t3Labels["carried_forward"])
	values("carried_forward")
	return t
}

func (r *Report) buildT4(v *Values) *Table {
	t := &Table{NCols: 15, Weights: repeat(1, 15), Header: 3}
	b := &tb{t: t}
	total := "总计"
	if r.Layout.SpacedTotals {
		total = "总 计"
	}
	heads := []string{"结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", total}
	b.add(0, 1, 5, 'h', "行政复议")
	b.add(5, 1, 10, 'h', "行政诉讼")
	b.next("")
	for i, h := range heads {
		b.add(i, 2, 1, 'h', h)
	}
	b.add(5, 1, 5, 'h', "未经复议直接起诉")
	b.add(10, 1, 5, 'h', "复议后起诉")
	b.next("")
	for i := 0; i < 10; i++ {
		b.add(5+i, 1, 1, 'h', heads[i%5])
	}
	b.next("")
	for i, row := range t4Rows {
		for j, col := range t4Cols {
			b.add(i*5+j, 1, 1, 'v', v.Text("t4/"+row+"/"+col))
		}
	}
	b.next("")
	return t
}

func repeat(x float64, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = x
	}
	return s
}

// kangxiMap maps a unified ideograph to the Kangxi radical code point that
// NFKC folds onto it, built from the Unicode data itself.
var kangxiMap = func() map[rune]rune {
	m := map[rune]rune{}
	for r := rune(0x2F00); r <= 0x2FD5; r++ {
		n := []rune(norm.NFKC.String(string(r)))
		if len(n) == 1 && n[0] != r {
			m[n[0]] = r
		}
	}
	return m
}()

// kangxiChars are the ideographs the wkhtmltopdf fixture prints as
// radicals (the way text pasted from some editors arrives in real reports).
const kangxiChars = "人行金一方"

func kangxi(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(kangxiChars, r) {
			if k, ok := kangxiMap[r]; ok {
				r = k
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
