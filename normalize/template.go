package normalize

import "strings"

// This file is the national template, written out once: its tables, rows,
// columns and arithmetic identities. Everything else — the label matchers,
// the mappers' default column orders, the checks, the data dictionary —
// is derived from it, so a change to the template is a change here only.

// Template versions, as named in keys.md.
const (
	Template2019    = "2019"
	Template2021    = "2021"
	TemplateUnknown = "unknown"
)

// TableID names one of the template's tables, as in keys.md.
type TableID string

const (
	T2 TableID = "t2"
	T3 TableID = "t3"
	T4 TableID = "t4"
)

// TableDef is one table of the national template.
type TableDef struct {
	ID      TableID
	Number  string // the section numeral printed before the title
	Title   string // as the template prints it
	English string
	// headings are what a line of text must contain to be this table's
	// title or section heading: any one of the sets, every part of it.
	headings [][]string
	// captions are header cells that name no column but tell the table:
	// a header row they appear in votes for it.
	captions []string
}

// RowDef is one row of a national template table.
type RowDef struct {
	Table     TableID
	Key       string // canonical row key, e.g. "result.withheld.state_secret"
	Label     string // the label the template prints
	English   string // a description for the data dictionary
	Templates string // "2019", "2021" or "" for both
	variants  []string
}

// ColDef is one column of a national template table.
type ColDef struct {
	Table     TableID
	Key       string
	Label     string
	English   string
	Templates string
	Money     bool // in 万元; values printed in 元 are converted
	Signed    bool // may be negative
	Optional  bool // printed by some reports only (小计)
	variants  []string
}

// tables, rowDefs and colDefs are the two national templates, every table,
// row and column, in template order. Keys never change meaning (see
// keys.md). Variants are other printed forms worth matching.
var tables = [numTables]TableDef{
	{ID: T2, Number: "二", Title: "主动公开政府信息情况", English: "Proactive disclosure of government information",
		headings: [][]string{{articleHeading}, {"主动公开政府信息情况"}}, captions: []string{"信息内容"}},
	{ID: T3, Number: "三", Title: "收到和处理政府信息公开申请情况", English: "Requests for government information received and handled",
		headings: [][]string{{"收到和处理政府信息公开"}, {"申请情况", "政府信息公开"}}, captions: []string{"申请人情况", "法人或其他组织"}},
	{ID: T4, Number: "四", Title: "政府信息公开行政复议、行政诉讼情况", English: "Administrative reconsideration and litigation over disclosure",
		headings: [][]string{{"行政复议", "行政诉讼"}}, captions: []string{"行政诉讼"}},
}

const numTables = 3

// articleHeading starts the 2019 template's t2 (第二十条第（一）项 …): a
// heading row inside the table as well as a title above it.
const articleHeading = "第二十条"

var rowDefs = []RowDef{
	{Table: T2, Key: "art20_1.regulations", Label: "规章", English: "Rules (government regulations, 规章)"},
	{Table: T2, Key: "art20_1.normative_documents", Label: "行政规范性文件", variants: []string{"规范性文件"}, English: "Administrative normative documents"},
	{Table: T2, Key: "art20_5.licensing", Label: "行政许可", English: "Administrative licensing"},
	{Table: T2, Key: "art20_5.other_services", Label: "其他对外管理服务事项", Templates: Template2019, English: "Other external management and service matters"},
	{Table: T2, Key: "art20_6.penalty", Label: "行政处罚", English: "Administrative penalties"},
	{Table: T2, Key: "art20_6.coercion", Label: "行政强制", English: "Administrative coercive measures"},
	{Table: T2, Key: "art20_8.fees", Label: "行政事业性收费", English: "Administrative fees"},
	{Table: T2, Key: "art20_9.procurement", Label: "政府集中采购", Templates: Template2019, English: "Centralised government procurement"},

	{Table: T3, Key: "new_received", Label: "一、本年新收政府信息公开申请数量", English: "Requests received this year"},
	{Table: T3, Key: "carried_over", Label: "二、上年结转政府信息公开申请数量", English: "Requests carried over from last year"},
	{Table: T3, Key: "result.disclosed", Label: "（一）予以公开", English: "Result: disclosed"},
	{Table: T3, Key: "result.partly_disclosed", Label: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", English: "Result: partly disclosed"},
	{Table: T3, Key: "result.withheld.state_secret", Label: "1.属于国家秘密", English: "Withheld: state secret"},
	{Table: T3, Key: "result.withheld.prohibited_by_law", Label: "2.其他法律行政法规禁止公开", English: "Withheld: prohibited by other laws or regulations"},
	{Table: T3, Key: "result.withheld.security_stability", Label: "3.危及“三安全一稳定”", English: "Withheld: endangers security or stability"},
	{Table: T3, Key: "result.withheld.third_party", Label: "4.保护第三方合法权益", English: "Withheld: protects a third party's rights"},
	{Table: T3, Key: "result.withheld.internal_affairs", Label: "5.属于三类内部事务信息", English: "Withheld: internal affairs"},
	{Table: T3, Key: "result.withheld.process_info", Label: "6.属于四类过程性信息", English: "Withheld: process information"},
	{Table: T3, Key: "result.withheld.enforcement_file", Label: "7.属于行政执法案卷", English: "Withheld: law-enforcement case file"},
	{Table: T3, Key: "result.withheld.query_matter", Label: "8.属于行政查询事项", English: "Withheld: administrative query matter"},
	{Table: T3, Key: "result.unavailable.not_held", Label: "1.本机关不掌握相关政府信息", English: "Unavailable: not held by this body"},
	{Table: T3, Key: "result.unavailable.needs_creation", Label: "2.没有现成信息需要另行制作", English: "Unavailable: would have to be created"},
	{Table: T3, Key: "result.unavailable.unclear", Label: "3.补正后申请内容仍不明确", English: "Unavailable: request still unclear after correction"},
	{Table: T3, Key: "result.not_processed.petition", Label: "1.信访举报投诉类申请", English: "Not processed: petition, report or complaint"},
	{Table: T3, Key: "result.not_processed.duplicate", Label: "2.重复申请", English: "Not processed: duplicate request"},
	{Table: T3, Key: "result.not_processed.publication", Label: "3.要求提供公开出版物", English: "Not processed: asks for a publication"},
	{Table: T3, Key: "result.not_processed.mass_repeat", Label: "4.无正当理由大量反复申请", English: "Not processed: mass repeated requests"},
	{Table: T3, Key: "result.not_processed.confirm_reissue", Label: "5.要求行政机关确认或重新出具已获取信息", English: "Not processed: asks to confirm or reissue information already obtained"},
	{Table: T3, Key: "result.other", Label: "（六）其他处理", English: "Other handling (printed as one row)"},
	{Table: T3, Key: "result.other.no_correction", Label: "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", Templates: Template2021, English: "Other: applicant did not correct in time"},
	{Table: T3, Key: "result.other.no_fee", Label: "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", Templates: Template2021, English: "Other: applicant did not pay the fee in time"},
	{Table: T3, Key: "result.other.other", Label: "3.其他", Templates: Template2021, English: "Other: other"},
	{Table: T3, Key: "result.total", Label: "（七）总计", English: "Results: total"},
	{Table: T3, Key: "carried_forward", Label: "四、结转下年度继续办理", English: "Carried forward to next year"},

	// t4's rows are blocks of columns side by side, each under its heading.
	{Table: T4, Key: "reconsideration", Label: "行政复议", English: "Administrative reconsideration"},
	{Table: T4, Key: "litigation_direct", Label: "未经复议直接起诉", English: "Litigation without prior reconsideration"},
	{Table: T4, Key: "litigation_after_reconsideration", Label: "复议后起诉", English: "Litigation after reconsideration"},
}

var colDefs = []ColDef{
	{Table: T2, Key: "new_made", Label: "本年新制作数量", Templates: Template2019, English: "Newly made this year"},
	{Table: T2, Key: "new_published", Label: "本年新公开数量", Templates: Template2019, English: "Newly published this year"},
	{Table: T2, Key: "total_published", Label: "对外公开总数量", Templates: Template2019, English: "Total published"},
	{Table: T2, Key: "prev_year_items", Label: "上一年项目数量", Templates: Template2019, English: "Items last year"},
	{Table: T2, Key: "change", Label: "本年增/减", Templates: Template2019, Signed: true, English: "Change this year (may be negative)"},
	{Table: T2, Key: "decisions", Label: "处理决定数量", variants: []string{"本年处理决定数量"}, English: "Decisions made (this year)"},
	{Table: T2, Key: "procurement_items", Label: "采购项目数量", Templates: Template2019, English: "Procurement projects"},
	{Table: T2, Key: "procurement_amount_wan", Label: "采购总金额", Templates: Template2019, Money: true, English: "Procurement amount, 10,000 yuan"},
	{Table: T2, Key: "issued", Label: "本年制发件数", Templates: Template2021, English: "Issued this year"},
	{Table: T2, Key: "repealed", Label: "本年废止件数", Templates: Template2021, English: "Repealed this year"},
	{Table: T2, Key: "in_force", Label: "现行有效件数", Templates: Template2021, English: "In force"},
	{Table: T2, Key: "fee_amount_wan", Label: "本年收费金额（单位：万元）", Templates: Template2021, Money: true, English: "Fees collected this year, 10,000 yuan"},

	{Table: T3, Key: "natural_person", Label: "自然人", English: "Natural persons"},
	{Table: T3, Key: "commercial", Label: "商业企业", English: "Organisations: commercial enterprises"},
	{Table: T3, Key: "research", Label: "科研机构", English: "Organisations: research institutions"},
	{Table: T3, Key: "social_welfare", Label: "社会公益组织", English: "Organisations: public-interest organisations"},
	{Table: T3, Key: "legal_service", Label: "法律服务机构", English: "Organisations: legal service providers"},
	{Table: T3, Key: "other_org", Label: "其他", English: "Organisations: other"},
	{Table: T3, Key: "org_subtotal", Label: "小计", Optional: true, English: "Organisations: subtotal (only where printed)"},
	{Table: T3, Key: "total", Label: "总计", English: "Total of all applicants"},

	{Table: T4, Key: "upheld", Label: "结果维持", English: "Decision upheld"},
	{Table: T4, Key: "corrected", Label: "结果纠正", English: "Decision corrected"},
	{Table: T4, Key: "other", Label: "其他结果", English: "Other outcome"},
	{Table: T4, Key: "pending", Label: "尚未审结", English: "Not yet concluded"},
	{Table: T4, Key: "total", Label: "总计", English: "Total"},
}

// groupHeadings are labels a template prints that are neither rows nor
// columns of their own, besides the tables' captions: group headings and
// remarks.
var groupHeadings = []string{"本年度办理结果", "不予公开", "无法提供", "不予处理", articleHeading, "本列数据的勾稽关系"}

// CheckFamily is one arithmetic identity of the template, stated once for
// every column or row it runs over. A check's ID and Identity are the
// family's with the placeholder (<col> or <row>) filled in.
type CheckFamily struct {
	ID       string // e.g. "t4.sum.<row>"
	Identity string // in words, e.g. "t4 <row>: upheld+corrected+other+pending = total"
	Note     string // where it applies, for the data dictionary
	Table    TableID
	Over     Over
	rule     rule
	// lhs and rhs are the addends and the totals: row keys when Over is
	// OverCols, column keys otherwise. "prefix.*" stands for every row
	// under prefix but the totals, a split row's sub-rows in its place
	// where the report prints them.
	lhs, rhs []string
	ifTotal  bool // only where a total cell is printed
}

// Over is what a check family's placeholder runs over.
type Over int

const (
	OverReport      Over = iota // one check per report
	OverCols                    // every column of the table, in template order: <col>
	OverRows                    // every row of the table, in template order: <row>
	OverPrintedRows             // every row of the table the report prints, in printed order: <row>
)

type rule int

const (
	ruleSum    rule = iota // sum(lhs) = sum(rhs)
	ruleNonNeg             // no negative value but in Signed columns
)

// checkFamilies are the identities the template prints or implies. Check
// ids, identities and messages are data (expected.json files name failing
// identities in words): they never change. Consecutive families that run
// over the same columns or rows are checked together, column by column.
var checkFamilies = []CheckFamily{
	{ID: "t3.balance.<col>", Table: T3, Over: OverCols,
		Identity: "t3 <col>: new_received+carried_over = result.total+carried_forward",
		Note:     "printed in the template itself",
		lhs:      []string{"new_received", "carried_over"},
		rhs:      []string{"result.total", "carried_forward"}},
	{ID: "t3.results.<col>", Table: T3, Over: OverCols,
		Identity: "t3 <col>: sum of results = result.total",
		Note:     "the result leaf rows; （六）'s sub-rows when printed, else （六） as one row",
		lhs:      []string{"result.*"},
		rhs:      []string{"result.total"}},
	{ID: "t3.applicants.<row>", Table: T3, Over: OverPrintedRows,
		Identity: "t3 <row>: sum of applicant columns = total",
		Note:     "natural_person + the five organisation columns",
		lhs:      []string{"natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"},
		rhs:      []string{"total"}},
	{ID: "t3.orgs.<row>", Table: T3, Over: OverPrintedRows, ifTotal: true,
		Identity: "t3 <row>: sum of organisation columns = org_subtotal",
		Note:     "only where 小计 is printed",
		lhs:      []string{"commercial", "research", "social_welfare", "legal_service", "other_org"},
		rhs:      []string{"org_subtotal"}},
	{ID: "t4.sum.<row>", Table: T4, Over: OverRows,
		Identity: "t4 <row>: upheld+corrected+other+pending = total",
		Note:     "for " + strings.Join(keysOf(rowDefs, T4), ", "),
		lhs:      []string{"upheld", "corrected", "other", "pending"},
		rhs:      []string{"total"}},
	{ID: "nonneg", Over: OverReport, rule: ruleNonNeg,
		Identity: "counts are non-negative",
		Note:     "every column but " + signedCols()},

	// Across reports (cross.go): CrossChecks evaluates these over all the
	// reports of a run, Checks never does. Their cells are named
	// "<report id>:<key>".
	{ID: "x.carry_over.<col>", Table: T3, Over: OverReports, rule: ruleCross,
		Identity: "x <col>: t3/carried_over/<col> of year N = t3/carried_forward/<col> of year N-1",
		Note:     "the same agency's (agency id) reports of consecutive years; not_assessable without a report of the year before or where a side is blank; 小计 only where both print it"},
	{ID: "x.stock.<row>", Table: T2, Over: OverReports, rule: ruleCross,
		Identity: "x <row>: in_force of year N = in_force of year N-1 + issued - repealed of year N",
		Note:     "2021 template, for " + strings.Join(stockRows, " and ") + "; blank issued or repealed count as absent"},
	{ID: "x.yoy.<row>", Table: T3, Over: OverReports, rule: ruleCross,
		Identity: "x <row>: total of year N within a factor of 5 of year N-1",
		Note:     "for " + strings.Join(yoyRows, ", ") + "; status hint (a soft flag, not an error) where one year is 5 times the other and the larger is at least 50"},
	{ID: "x.late", Over: OverReports, rule: ruleCross,
		Identity: "x: published by the legal deadline (条例 art. 49)",
		Note:     "31 January of the next year for a department, 31 March for a county-or-higher government (the level from the registry, else the agency's name); not_assessable without a publish date"},
	{ID: "x.revised", Over: OverReports, rule: ruleCross,
		Identity: "x: the report is unchanged since its source was first fetched",
		Note:     "on a report that replaced an earlier version of its source: status hint naming both versions and the cells changed (old → new); pass where no cell changed"},
	{ID: "x.narrative.<what>", Over: OverReports, rule: ruleCross,
		Identity: "x <what>: count quoted in the report's text = its table",
		Note:     "received: t3/new_received/total (or it + carried_over); reconsideration: t4/reconsideration/total; litigation: the two t4 litigation totals; only where the text quotes the count"},
}

// Tables ranges over the template's tables in template order:
// `for _, t := range normalize.Tables`. Like Rows, Cols and CheckFamilies
// it hands out copies, so that the template cannot be changed through it.
func Tables(yield func(int, TableDef) bool) { each(tables[:], yield) }

// Rows ranges over the rows of every table, in template order.
func Rows(yield func(int, RowDef) bool) { each(rowDefs, yield) }

// Cols ranges over the columns of every table, in template order.
func Cols(yield func(int, ColDef) bool) { each(colDefs, yield) }

// CheckFamilies ranges over the template's identities, in the order
// Checks reports them, then the cross-report families (Over
// OverReports) that CrossChecks evaluates.
func CheckFamilies(yield func(int, CheckFamily) bool) { each(checkFamilies, yield) }

func each[T any](s []T, yield func(int, T) bool) {
	for i, v := range s {
		if !yield(i, v) {
			return
		}
	}
}

// def is a row or column definition.
type def interface {
	at() tableKey
	forms() []string // the printed label, then its variants
}

func (r RowDef) at() tableKey    { return tableKey{r.Table, r.Key} }
func (r RowDef) forms() []string { return append([]string{r.Label}, r.variants...) }
func (c ColDef) at() tableKey    { return tableKey{c.Table, c.Key} }
func (c ColDef) forms() []string { return append([]string{c.Label}, c.variants...) }

// keysOf lists the keys of table's definitions, in template order.
func keysOf[D def](defs []D, table TableID) []string {
	var out []string
	for _, d := range defs {
		if k := d.at(); k.table == table {
			out = append(out, k.key)
		}
	}
	return out
}

// signedCols names the columns that may be negative, as the dictionary
// prints them: "t2 `change`".
func signedCols() string {
	var out []string
	for _, c := range colDefs {
		if c.Signed {
			out = append(out, string(c.Table)+" `"+c.Key+"`")
		}
	}
	return strings.Join(out, ", ")
}

// Lookups derived from the template once, for the mappers and the checks.
var (
	t3Cols   = keysOf(colDefs, T3) // the applicant columns in template order
	t4Blocks = keysOf(rowDefs, T4) // t4's blocks of columns, left to right
	t4Cols   = keysOf(colDefs, T4) // the columns of each block
	// t3Required are the columns every t3 prints, for a header that was
	// not recognised.
	t3Required = func() []string {
		var out []string
		for _, c := range colDefs {
			if c.Table == T3 && !c.Optional {
				out = append(out, c.Key)
			}
		}
		return out
	}()
	colByKey = func() map[tableKey]ColDef {
		m := map[tableKey]ColDef{}
		for _, c := range colDefs {
			m[tableKey{c.Table, c.Key}] = c
		}
		return m
	}()
)

// tableKey is a row or column key within its table.
type tableKey struct {
	table TableID
	key   string
}

// cellKey is a cell's address, for maps: Cell.Key without building it.
type cellKey struct {
	table    TableID
	row, col string
}

func colDef(table TableID, key string) ColDef {
	if c, ok := colByKey[tableKey{table, key}]; ok {
		return c
	}
	return ColDef{Table: table, Key: key}
}

// tableIndex is t's place among the template's tables, or -1.
func tableIndex(t TableID) int {
	for i := range tables {
		if tables[i].ID == t {
			return i
		}
	}
	return -1
}

// versionVotes maps every row and column that only one template version
// prints to that version.
var versionVotes = func() map[versionKey]versionVote {
	m := map[versionKey]versionVote{}
	add := func(k versionKey, version string) {
		if version != "" {
			m[k] = versionVote{len(m), version}
		}
	}
	for _, r := range rowDefs {
		add(versionKey{r.at(), false}, r.Templates)
	}
	for _, c := range colDefs {
		add(versionKey{c.at(), true}, c.Templates)
	}
	return m
}()

type versionKey struct {
	tableKey
	col bool
}

type versionVote struct {
	index   int // among the voting keys
	version string
}

// templateVersion tells the template version from the columns and rows a
// report prints, never from its year: each row or column that only one
// version has is one vote for it.
func templateVersion(cells []Cell) string {
	voted := make([]bool, len(versionVotes))
	var votes [2]int // 2019, 2021
	vote := func(k versionKey) {
		v, ok := versionVotes[k]
		if !ok || voted[v.index] {
			return
		}
		voted[v.index] = true
		if v.version == Template2019 {
			votes[0]++
		} else {
			votes[1]++
		}
	}
	for _, c := range cells {
		row, _, _ := strings.Cut(c.Row, "[") // a local sub-row votes as its parent
		vote(versionKey{tableKey{c.Table, c.Col}, true})
		vote(versionKey{tableKey{c.Table, row}, false})
	}
	switch {
	case votes[0] > votes[1]:
		return Template2019
	case votes[1] > votes[0]:
		return Template2021
	}
	return TemplateUnknown
}
