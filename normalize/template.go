package normalize

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Template versions, as named in keys.md.
const (
	Template2019    = "2019"
	Template2021    = "2021"
	TemplateUnknown = "unknown"
)

// RowDef is one row of a national template table.
type RowDef struct {
	Table     string   // t2, t3 or t4
	Key       string   // canonical row key, e.g. "result.withheld.state_secret"
	Label     string   // the label the template prints
	English   string   // a description for the data dictionary
	Variants  []string // other printed forms worth matching
	Templates string   // "2019", "2021" or "" for both
}

// ColDef is one column of a national template table.
type ColDef struct {
	Table     string
	Key       string
	Label     string
	English   string
	Variants  []string
	Templates string
	Money     bool // in 万元; values printed in 元 are converted
	Signed    bool // may be negative
}

// Rows and Cols are the two national templates, every row and column, in
// template order. Keys never change meaning (see keys.md).
var Rows = []RowDef{
	{Table: "t2", Key: "art20_1.regulations", Label: "规章", English: "Rules (government regulations, 规章)"},
	{Table: "t2", Key: "art20_1.normative_documents", Label: "行政规范性文件", Variants: []string{"规范性文件"}, English: "Administrative normative documents"},
	{Table: "t2", Key: "art20_5.licensing", Label: "行政许可", English: "Administrative licensing"},
	{Table: "t2", Key: "art20_5.other_services", Label: "其他对外管理服务事项", Templates: Template2019, English: "Other external management and service matters"},
	{Table: "t2", Key: "art20_6.penalty", Label: "行政处罚", English: "Administrative penalties"},
	{Table: "t2", Key: "art20_6.coercion", Label: "行政强制", English: "Administrative coercive measures"},
	{Table: "t2", Key: "art20_8.fees", Label: "行政事业性收费", English: "Administrative fees"},
	{Table: "t2", Key: "art20_9.procurement", Label: "政府集中采购", Templates: Template2019, English: "Centralised government procurement"},

	{Table: "t3", Key: "new_received", Label: "一、本年新收政府信息公开申请数量", English: "Requests received this year"},
	{Table: "t3", Key: "carried_over", Label: "二、上年结转政府信息公开申请数量", English: "Requests carried over from last year"},
	{Table: "t3", Key: "result.disclosed", Label: "（一）予以公开", English: "Result: disclosed"},
	{Table: "t3", Key: "result.partly_disclosed", Label: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", English: "Result: partly disclosed"},
	{Table: "t3", Key: "result.withheld.state_secret", Label: "1.属于国家秘密", English: "Withheld: state secret"},
	{Table: "t3", Key: "result.withheld.prohibited_by_law", Label: "2.其他法律行政法规禁止公开", English: "Withheld: prohibited by other laws or regulations"},
	{Table: "t3", Key: "result.withheld.security_stability", Label: "3.危及“三安全一稳定”", English: "Withheld: endangers security or stability"},
	{Table: "t3", Key: "result.withheld.third_party", Label: "4.保护第三方合法权益", English: "Withheld: protects a third party's rights"},
	{Table: "t3", Key: "result.withheld.internal_affairs", Label: "5.属于三类内部事务信息", English: "Withheld: internal affairs"},
	{Table: "t3", Key: "result.withheld.process_info", Label: "6.属于四类过程性信息", English: "Withheld: process information"},
	{Table: "t3", Key: "result.withheld.enforcement_file", Label: "7.属于行政执法案卷", English: "Withheld: law-enforcement case file"},
	{Table: "t3", Key: "result.withheld.query_matter", Label: "8.属于行政查询事项", English: "Withheld: administrative query matter"},
	{Table: "t3", Key: "result.unavailable.not_held", Label: "1.本机关不掌握相关政府信息", English: "Unavailable: not held by this body"},
	{Table: "t3", Key: "result.unavailable.needs_creation", Label: "2.没有现成信息需要另行制作", English: "Unavailable: would have to be created"},
	{Table: "t3", Key: "result.unavailable.unclear", Label: "3.补正后申请内容仍不明确", English: "Unavailable: request still unclear after correction"},
	{Table: "t3", Key: "result.not_processed.petition", Label: "1.信访举报投诉类申请", English: "Not processed: petition, report or complaint"},
	{Table: "t3", Key: "result.not_processed.duplicate", Label: "2.重复申请", English: "Not processed: duplicate request"},
	{Table: "t3", Key: "result.not_processed.publication", Label: "3.要求提供公开出版物", English: "Not processed: asks for a publication"},
	{Table: "t3", Key: "result.not_processed.mass_repeat", Label: "4.无正当理由大量反复申请", English: "Not processed: mass repeated requests"},
	{Table: "t3", Key: "result.not_processed.confirm_reissue", Label: "5.要求行政机关确认或重新出具已获取信息", English: "Not processed: asks to confirm or reissue information already obtained"},
	{Table: "t3", Key: "result.other", Label: "（六）其他处理", English: "Other handling (printed as one row)"},
	{Table: "t3", Key: "result.other.no_correction", Label: "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", Templates: Template2021, English: "Other: applicant did not correct in time"},
	{Table: "t3", Key: "result.other.no_fee", Label: "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", Templates: Template2021, English: "Other: applicant did not pay the fee in time"},
	{Table: "t3", Key: "result.other.other", Label: "3.其他", Templates: Template2021, English: "Other: other"},
	{Table: "t3", Key: "result.total", Label: "（七）总计", English: "Results: total"},
	{Table: "t3", Key: "carried_forward", Label: "四、结转下年度继续办理", English: "Carried forward to next year"},

	{Table: "t4", Key: "reconsideration", Label: "行政复议", English: "Administrative reconsideration"},
	{Table: "t4", Key: "litigation_direct", Label: "未经复议直接起诉", English: "Litigation without prior reconsideration"},
	{Table: "t4", Key: "litigation_after_reconsideration", Label: "复议后起诉", English: "Litigation after reconsideration"},
}

var Cols = []ColDef{
	{Table: "t2", Key: "new_made", Label: "本年新制作数量", Templates: Template2019, English: "Newly made this year"},
	{Table: "t2", Key: "new_published", Label: "本年新公开数量", Templates: Template2019, English: "Newly published this year"},
	{Table: "t2", Key: "total_published", Label: "对外公开总数量", Templates: Template2019, English: "Total published"},
	{Table: "t2", Key: "prev_year_items", Label: "上一年项目数量", Templates: Template2019, English: "Items last year"},
	{Table: "t2", Key: "change", Label: "本年增/减", Templates: Template2019, Signed: true, English: "Change this year (may be negative)"},
	{Table: "t2", Key: "decisions", Label: "处理决定数量", Variants: []string{"本年处理决定数量"}, English: "Decisions made (this year)"},
	{Table: "t2", Key: "procurement_items", Label: "采购项目数量", Templates: Template2019, English: "Procurement projects"},
	{Table: "t2", Key: "procurement_amount_wan", Label: "采购总金额", Templates: Template2019, Money: true, English: "Procurement amount, 10,000 yuan"},
	{Table: "t2", Key: "issued", Label: "本年制发件数", Templates: Template2021, English: "Issued this year"},
	{Table: "t2", Key: "repealed", Label: "本年废止件数", Templates: Template2021, English: "Repealed this year"},
	{Table: "t2", Key: "in_force", Label: "现行有效件数", Templates: Template2021, English: "In force"},
	{Table: "t2", Key: "fee_amount_wan", Label: "本年收费金额（单位：万元）", Templates: Template2021, Money: true, English: "Fees collected this year, 10,000 yuan"},

	{Table: "t3", Key: "natural_person", Label: "自然人", English: "Natural persons"},
	{Table: "t3", Key: "commercial", Label: "商业企业", English: "Organisations: commercial enterprises"},
	{Table: "t3", Key: "research", Label: "科研机构", English: "Organisations: research institutions"},
	{Table: "t3", Key: "social_welfare", Label: "社会公益组织", English: "Organisations: public-interest organisations"},
	{Table: "t3", Key: "legal_service", Label: "法律服务机构", English: "Organisations: legal service providers"},
	{Table: "t3", Key: "other_org", Label: "其他", English: "Organisations: other"},
	{Table: "t3", Key: "org_subtotal", Label: "小计", English: "Organisations: subtotal (only where printed)"},
	{Table: "t3", Key: "total", Label: "总计", English: "Total of all applicants"},

	{Table: "t4", Key: "upheld", Label: "结果维持", English: "Decision upheld"},
	{Table: "t4", Key: "corrected", Label: "结果纠正", English: "Decision corrected"},
	{Table: "t4", Key: "other", Label: "其他结果", English: "Other outcome"},
	{Table: "t4", Key: "pending", Label: "尚未审结", English: "Not yet concluded"},
	{Table: "t4", Key: "total", Label: "总计", English: "Total"},
}

// groupLabels are labels a template prints that are not rows or columns
// of their own: group headings, header captions and table titles.
var groupLabels = []string{
	"本年度办理结果", "不予公开", "无法提供", "不予处理", "申请人情况", "法人或其他组织",
	"信息内容", "行政诉讼", "第二十条", "本列数据的勾稽关系",
}

// A matcher finds the template row or column a printed label stands for.
type matcher struct {
	cands []cand
	exact map[string]int // core label → index in cands; -1 when ambiguous
}

type cand struct {
	key  string
	core string
}

func newMatcher(pairs [][2]string) *matcher {
	m := &matcher{exact: map[string]int{}}
	for _, p := range pairs {
		c := cand{key: p[0], core: core(p[1])}
		if i, ok := m.exact[c.core]; ok && m.cands[i].key != c.key {
			m.exact[c.core] = -1
		} else if !ok {
			m.exact[c.core] = len(m.cands)
		}
		m.cands = append(m.cands, c)
	}
	return m
}

// match returns the key whose label is most like label, its score in [0,1],
// and whether another key scored nearly as well.
func (m *matcher) match(label string) (key string, score float64, ambiguous bool) {
	c := core(label)
	if c == "" {
		return "", 0, false
	}
	if i, ok := m.exact[c]; ok && i >= 0 {
		return m.cands[i].key, 1, false
	}
	best, second := 0.0, 0.0
	bestKey := ""
	perKey := map[string]float64{}
	for _, cd := range m.cands {
		s := similarity(c, cd.core)
		if len(c) >= 5*3 && strings.Contains(cd.core, c) {
			// A label cut short by a line break: 缴纳费用、 / 行政机关….
			s = max(s, 0.85)
		}
		if s > perKey[cd.key] {
			perKey[cd.key] = s
		}
	}
	for k, s := range perKey {
		switch {
		case s > best || (s == best && k < bestKey):
			second, best, bestKey = best, s, k
		case s > second:
			second = s
		}
	}
	return bestKey, best, best-second < 0.1
}

var (
	numbering = regexp.MustCompile(`^(?:[一二三四五六七八九十]+[、.,]|[(][一二三四五六七八九十0-9]+[)]|[0-9]+[.、,)]|[一二三四五六七八九十]+[)])`)
	remark    = regexp.MustCompile(`[(][^()]*(?:[)]|$)`)
)

// core reduces a printed label to what identifies it: Unicode-normalised
// (full-width forms, Kangxi radicals), without white space, numbering,
// bracketed remarks or punctuation.
func core(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == 0x200B || r == 0xFEFF {
			return -1
		}
		return r
	}, s)
	for {
		t := numbering.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	if t := remark.ReplaceAllString(s, ""); t != "" && strings.ContainsFunc(t, unicode.IsLetter) {
		s = t
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' {
			return r
		}
		return -1
	}, s)
}

// similarity is the Dice coefficient of the longest common subsequence:
// robust to missing, extra and broken characters in hand-made labels.
func similarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for i := range ra {
		for j := range rb {
			switch {
			case ra[i] == rb[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return 2 * float64(prev[len(rb)]) / float64(len(ra)+len(rb))
}

// labelPairs lists (key, printed form) for the n definitions that at
// returns, keeping those of one table.
func labelPairs(table string, n int, at func(int) (tbl, key, label string, variants []string)) [][2]string {
	var out [][2]string
	for i := 0; i < n; i++ {
		tbl, key, label, variants := at(i)
		if tbl != table {
			continue
		}
		out = append(out, [2]string{key, label})
		for _, v := range variants {
			out = append(out, [2]string{key, v})
		}
	}
	return out
}

func rowPairs(table string) [][2]string {
	return labelPairs(table, len(Rows), func(i int) (string, string, string, []string) {
		return Rows[i].Table, Rows[i].Key, Rows[i].Label, Rows[i].Variants
	})
}

func colPairs(table string) [][2]string {
	return labelPairs(table, len(Cols), func(i int) (string, string, string, []string) {
		return Cols[i].Table, Cols[i].Key, Cols[i].Label, Cols[i].Variants
	})
}

var (
	rowMatchers = map[string]*matcher{"t2": newMatcher(rowPairs("t2")), "t3": newMatcher(rowPairs("t3"))}
	colMatchers = map[string]*matcher{"t2": newMatcher(colPairs("t2")), "t3": newMatcher(colPairs("t3")), "t4": newMatcher(colPairs("t4"))}
	t4Groups    = newMatcher(rowPairs("t4"))
	groupCores  = func() []string {
		var out []string
		for _, g := range groupLabels {
			out = append(out, core(g))
		}
		return out
	}()
)

func colDef(table, key string) ColDef {
	for _, c := range Cols {
		if c.Table == table && c.Key == key {
			return c
		}
	}
	return ColDef{Table: table, Key: key}
}

// isGroupLabel reports whether label is (or contains) a heading that is not
// a row of its own.
func isGroupLabel(label string) bool {
	c := core(label)
	for _, g := range groupCores {
		if strings.Contains(c, g) {
			return true
		}
	}
	return false
}
