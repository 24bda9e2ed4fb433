package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Report is the table spec of one fixture: which national template it
// follows, who published it, the numbers of 表二/表三/表四 and how the
// tables are laid out. The numbers come from a seeded generator that keeps
// every identity true; Set/Blank/Printed then override single cells (a
// Set on a total is how a fixture breaks an identity on purpose). The
// expected.json is derived from the final cells, so it is right by
// construction, and failing_identities is recomputed from them.
type Report struct {
	Template string // "2019" or "2021"
	Year     int
	Agency   string
	Seed     uint64

	// Set overrides the value of a cell ("t4/reconsideration/total": 0).
	Set map[string]float64
	// Delta adds to the generated value of a cell (breaks an identity by
	// a known amount whatever the seed produced).
	Delta map[string]float64
	// BlankCols are 表三 applicant columns printed empty in every row, like
	// reports that leave unused columns blank; the map value is what is
	// printed. Their numbers are generated as 0 so no identity breaks.
	BlankCols map[string]string
	// Blank prints a cell without a number; the map value is what is
	// printed instead ("" for an empty cell, "—", "/", "无").
	Blank map[string]string
	// Printed overrides how a numeric cell is printed ("251000元", "3.4600");
	// the cell's value is unchanged.
	Printed map[string]string
	// CarryOver fixes 表三 二、上年结转 per applicant column (the previous
	// year's 四、结转下年度继续办理, for a series of reports); 一、本年新收
	// then follows from the other rows so that every identity still holds
	// (四 is raised if it would otherwise go negative). Nil draws it.
	CarryOver map[string]float64
	// Stock fixes 表二 现行有效件数 per row to the previous year's plus this
	// year's 本年制发 minus 本年废止 (a series of one agency's reports; the
	// 2021 template only).
	Stock map[string]float64

	Layout Layout
	Notes  string
}

// Layout switches the table shapes and drawing quirks a fixture exercises.
type Layout struct {
	Ruled           bool     // draw cell borders
	OrgSubtotal     bool     // 表三 prints 法人或其他组织 · 小计 (8 applicant columns)
	OtherSingle     bool     // 2021 template but （六）其他处理 printed as one row
	SubRows         []string // 2019 表二: local sub-rows under 其他对外管理服务事项
	VerticalGroup   bool     // 三、本年度办理结果 one character per line
	Kangxi          bool     // write some label characters as Kangxi radicals
	BreakBefore     string   // 表三 row key that must open a new page (canvas producers)
	BodyParas       int      // paragraphs of body text before 表二 (pushes tables down)
	FontSize        float64  // table font size in pt (canvas producers); 0 = 9
	SpacedTotals    bool     // 表四 header 总计 printed as "总 计"
	MoneyHeaderYuan bool     // 2019 (九) header 采购总金额 without unit; value printed in 元
	OffPage         bool     // HTML producers: a site breadcrumb that starts left of the page edge
}

// cell is one printed table cell.
type cell struct {
	key     string
	value   *float64 // nil = printed without a number
	printed string
}

// Values holds the generated cells of a report in document order.
type Values struct {
	order []string
	cells map[string]*cell
}

func (v *Values) put(key string, x float64) {
	if v.cells == nil {
		v.cells = map[string]*cell{}
	}
	if _, ok := v.cells[key]; !ok {
		v.order = append(v.order, key)
	}
	val := x
	v.cells[key] = &cell{key: key, value: &val}
}

// Text is what the report prints for key ("" if the cell does not exist).
func (v *Values) Text(key string) string {
	c, ok := v.cells[key]
	if !ok {
		panic("no such cell " + key)
	}
	if c.printed != "" || c.value == nil {
		return c.printed
	}
	return fmtNum(*c.value)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Column and row keys.
var (
	applicantCols = []string{"natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"}
	orgCols       = []string{"commercial", "research", "social_welfare", "legal_service", "other_org"}
	t4Rows        = []string{"reconsideration", "litigation_direct", "litigation_after_reconsideration"}
	t4Cols        = []string{"upheld", "corrected", "other", "pending", "total"}
)

func (r *Report) t3Cols() []string {
	c := append([]string{}, applicantCols...)
	if r.Layout.OrgSubtotal {
		c = append(c, "org_subtotal")
	}
	return append(c, "total")
}

// resultLeaves are the 表三 result rows that carry numbers, in print order.
func (r *Report) resultLeaves() []string {
	l := []string{"result.disclosed", "result.partly_disclosed"}
	for _, k := range []string{"state_secret", "prohibited_by_law", "security_stability", "third_party", "internal_affairs", "process_info", "enforcement_file", "query_matter"} {
		l = append(l, "result.withheld."+k)
	}
	for _, k := range []string{"not_held", "needs_creation", "unclear"} {
		l = append(l, "result.unavailable."+k)
	}
	for _, k := range []string{"petition", "duplicate", "publication", "mass_repeat", "confirm_reissue"} {
		l = append(l, "result.not_processed."+k)
	}
	if r.Template == "2019" || r.Layout.OtherSingle {
		l = append(l, "result.other")
	} else {
		l = append(l, "result.other.no_correction", "result.other.no_fee", "result.other.other")
	}
	return l
}

// t3Rows are all 表三 data rows in print order.
func (r *Report) t3Rows() []string {
	rows := []string{"new_received", "carried_over"}
	rows = append(rows, r.resultLeaves()...)
	return append(rows, "result.total", "carried_forward")
}

// t2Rows lists the 表二 rows and their value columns in print order.
func (r *Report) t2Rows() [][2]any {
	type rc = [2]any
	if r.Template == "2021" {
		return [][2]any{
			rc{"art20_1.regulations", []string{"issued", "repealed", "in_force"}},
			rc{"art20_1.normative_documents", []string{"issued", "repealed", "in_force"}},
			rc{"art20_5.licensing", []string{"decisions"}},
			rc{"art20_6.penalty", []string{"decisions"}},
			rc{"art20_6.coercion", []string{"decisions"}},
			rc{"art20_8.fees", []string{"fee_amount_wan"}},
		}
	}
	three := []string{"prev_year_items", "change", "decisions"}
	rows := [][2]any{
		rc{"art20_1.regulations", []string{"new_made", "new_published", "total_published"}},
		rc{"art20_1.normative_documents", []string{"new_made", "new_published", "total_published"}},
		rc{"art20_5.licensing", three},
	}
	if len(r.Layout.SubRows) == 0 {
		rows = append(rows, rc{"art20_5.other_services", three})
	}
	for _, s := range r.Layout.SubRows {
		rows = append(rows, rc{"art20_5.other_services[" + s + "]", three})
	}
	return append(rows,
		rc{"art20_6.penalty", three},
		rc{"art20_6.coercion", three},
		rc{"art20_8.fees", []string{"prev_year_items", "change"}},
		rc{"art20_9.procurement", []string{"procurement_items", "procurement_amount_wan"}},
	)
}

// Generate fills in all cells: seeded numbers with every identity true,
// then the spec's overrides.
func (r *Report) Generate() *Values {
	rng := rand.New(rand.NewPCG(r.Seed, 0x6e69616e62616f))
	v := &Values{}
	small := func(n int) float64 { return float64(rng.IntN(n)) }

	// 表二
	for _, rc := range r.t2Rows() {
		row := rc[0].(string)
		for _, col := range rc[1].([]string) {
			var x float64
			switch col {
			case "issued", "new_made", "new_published":
				x = small(40)
			case "repealed":
				x = small(12)
			case "in_force", "total_published":
				x = 40 + small(400)
			case "decisions":
				x = small(3000)
			case "prev_year_items":
				x = small(60)
			case "change":
				x = small(11) - 5
			case "fee_amount_wan":
				x = float64(rng.IntN(900000)) / 100
			case "procurement_items":
				x = small(20)
			case "procurement_amount_wan":
				x = float64(rng.IntN(50000)) / 100
			}
			if strings.HasPrefix(row, "art20_1.regulations") && col != "in_force" && col != "total_published" {
				x = 0
			}
			if prev, ok := r.Stock[row]; ok && col == "in_force" { // after issued and repealed
				x = prev + *v.cells["t2/"+row+"/issued"].value - *v.cells["t2/"+row+"/repealed"].value
			}
			v.put("t2/"+row+"/"+col, x)
		}
	}

	// 表三: leaves per applicant column, then the sums.
	leaves := r.resultLeaves()
	for _, col := range applicantCols {
		var sum float64
		for _, leaf := range leaves {
			var x float64
			if col == "natural_person" {
				if rng.IntN(3) > 0 {
					x = small(25)
				}
			} else if rng.IntN(8) == 0 {
				x = 1 + small(3)
			}
			if _, blank := r.BlankCols[col]; blank {
				x = 0
			}
			sum += x
			v.put("t3/"+leaf+"/"+col, x)
		}
		v.put("t3/result.total/"+col, sum)
		fwd := small(3)
		over := small(3)
		if _, blank := r.BlankCols[col]; blank || col != "natural_person" {
			fwd, over = 0, 0
		}
		if over > sum+fwd {
			over = 0
		}
		if x, ok := r.CarryOver[col]; ok {
			over = x
			fwd = max(fwd, over-sum) // keeps 一、本年新收 non-negative
		}
		v.put("t3/carried_forward/"+col, fwd)
		v.put("t3/carried_over/"+col, over)
		v.put("t3/new_received/"+col, sum+fwd-over)
	}
	for _, row := range r.t3Rows() {
		var tot, org float64
		for _, col := range applicantCols {
			x := *v.cells["t3/"+row+"/"+col].value
			tot += x
			if col != "natural_person" {
				org += x
			}
		}
		if r.Layout.OrgSubtotal {
			v.put("t3/"+row+"/org_subtotal", org)
		}
		v.put("t3/"+row+"/total", tot)
	}

	// 表四
	for _, row := range t4Rows {
		var tot float64
		for _, col := range t4Cols[:4] {
			x := small(4)
			if rng.IntN(2) == 0 {
				x = 0
			}
			tot += x
			v.put("t4/"+row+"/"+col, x)
		}
		v.put("t4/"+row+"/total", tot)
	}

	// Reorder: 表三 cells row by row (they were generated column by column).
	var order []string
	for _, k := range v.order {
		if strings.HasPrefix(k, "t2/") {
			order = append(order, k)
		}
	}
	for _, row := range r.t3Rows() {
		for _, col := range r.t3Cols() {
			order = append(order, "t3/"+row+"/"+col)
		}
	}
	for _, row := range t4Rows {
		for _, col := range t4Cols {
			order = append(order, "t4/"+row+"/"+col)
		}
	}
	if len(order) != len(v.order) {
		panic("cell order mismatch")
	}
	v.order = order

	// Overrides.
	for k, x := range r.Set {
		c, ok := v.cells[k]
		if !ok {
			panic("Set: unknown cell " + k)
		}
		val := x
		c.value = &val
	}
	for k, d := range r.Delta {
		c, ok := v.cells[k]
		if !ok {
			panic("Delta: unknown cell " + k)
		}
		val := *c.value + d
		c.value = &val
	}
	for col, p := range r.BlankCols {
		for _, row := range r.t3Rows() {
			c := v.cells["t3/"+row+"/"+col]
			c.value, c.printed = nil, p
		}
	}
	for k, p := range r.Blank {
		c, ok := v.cells[k]
		if !ok {
			panic("Blank: unknown cell " + k)
		}
		c.value, c.printed = nil, p
	}
	for k, p := range r.Printed {
		c, ok := v.cells[k]
		if !ok || c.value == nil {
			panic("Printed: unknown or blank cell " + k)
		}
		c.printed = p
	}
	return v
}

// FailingIdentities recomputes every arithmetic identity of the printed
// numbers and describes each one that does not hold. Blank addends count
// as absent; an identity whose total side is blank is not checkable.
func (r *Report) FailingIdentities(v *Values) []string {
	get := func(k string) (float64, bool) {
		c, ok := v.cells[k]
		if !ok || c.value == nil {
			return 0, false
		}
		return *c.value, true
	}
	sumOf := func(keys []string) (float64, []string) {
		var s float64
		var parts []string
		for _, k := range keys {
			x, ok := get(k)
			if ok {
				s += x
				parts = append(parts, fmtNum(x))
			} else {
				parts = append(parts, "blank")
			}
		}
		return s, parts
	}
	var out []string
	// 表四 rows.
	for _, row := range t4Rows {
		var keys []string
		for _, c := range t4Cols[:4] {
			keys = append(keys, "t4/"+row+"/"+c)
		}
		tot, ok := get("t4/" + row + "/total")
		s, parts := sumOf(keys)
		if ok && s != tot {
			out = append(out, fmt.Sprintf("t4 %s: upheld+corrected+other+pending = total (printed %s = %s, total printed %s)", row, strings.Join(parts, "+"), fmtNum(s), fmtNum(tot)))
		}
	}
	// 表三 rows: applicant columns add up to 总计, org columns to 小计.
	for _, row := range r.t3Rows() {
		var keys []string
		for _, c := range applicantCols {
			keys = append(keys, "t3/"+row+"/"+c)
		}
		if tot, ok := get("t3/" + row + "/total"); ok {
			s, parts := sumOf(keys)
			if s != tot {
				out = append(out, fmt.Sprintf("t3 %s: sum of applicant columns = total (printed %s = %s, total printed %s)", row, strings.Join(parts, "+"), fmtNum(s), fmtNum(tot)))
			}
		}
		if r.Layout.OrgSubtotal {
			if sub, ok := get("t3/" + row + "/org_subtotal"); ok {
				s, parts := sumOf(keys[1:])
				if s != sub {
					out = append(out, fmt.Sprintf("t3 %s: sum of organisation columns = org_subtotal (printed %s = %s, org_subtotal printed %s)", row, strings.Join(parts, "+"), fmtNum(s), fmtNum(sub)))
				}
			}
		}
	}
	// 表三 columns: leaves add up to （七）总计; 一+二 = 三（七）+四.
	for _, col := range r.t3Cols() {
		var keys []string
		for _, leaf := range r.resultLeaves() {
			keys = append(keys, "t3/"+leaf+"/"+col)
		}
		rt, ok := get("t3/result.total/" + col)
		if ok {
			s, _ := sumOf(keys)
			if s != rt {
				out = append(out, fmt.Sprintf("t3 %s: sum of results = result.total (printed leaves sum %s, result.total printed %s)", col, fmtNum(s), fmtNum(rt)))
			}
		}
		nr, ok1 := get("t3/new_received/" + col)
		co, ok2 := get("t3/carried_over/" + col)
		cf, ok3 := get("t3/carried_forward/" + col)
		if ok1 && ok2 && ok && ok3 && nr+co != rt+cf {
			out = append(out, fmt.Sprintf("t3 %s: new_received+carried_over = result.total+carried_forward (printed %s+%s = %s, %s+%s = %s)", col, fmtNum(nr), fmtNum(co), fmtNum(nr+co), fmtNum(rt), fmtNum(cf), fmtNum(rt+cf)))
		}
	}
	return out
}

// Expected is the corpus expected.json of one fixture.
type Expected struct {
	File, Format, Template string
	Year                   int
	Agency                 string
	Cells                  *Values // nil = no readable cells
	Unscored               []string
	Failing                []string
	Notes                  string
}

// Marshal writes the corpus expected.json format with the cells in
// document order (encoding/json would sort them).
func (e *Expected) Marshal() []byte {
	var b bytes.Buffer
	q := func(s string) string { return jsonString(s) }
	list := func(xs []string) string {
		if len(xs) == 0 {
			return "[]"
		}
		var parts []string
		for _, x := range xs {
			parts = append(parts, "\n    "+q(x))
		}
		return "[" + strings.Join(parts, ",") + "\n  ]"
	}
	fmt.Fprintf(&b, "{\n  \"file\": %s,\n  \"format\": %s,\n  \"template\": %s,\n  \"year\": %d,\n  \"agency\": %s,\n",
		q(e.File), q(e.Format), q(e.Template), e.Year, q(e.Agency))
	if e.Cells == nil || len(e.Cells.order) == 0 {
		b.WriteString("  \"cells\": {},\n")
	} else {
		b.WriteString("  \"cells\": {")
		for i, k := range e.Cells.order {
			if i > 0 {
				b.WriteString(",")
			}
			c := e.Cells.cells[k]
			val := "null"
			if c.value != nil {
				val = fmtNum(*c.value)
			}
			fmt.Fprintf(&b, "\n    %s: %s", q(k), val)
		}
		b.WriteString("\n  },\n")
	}
	fmt.Fprintf(&b, "  \"unscored\": %s,\n  \"failing_identities\": %s,\n  \"notes\": %s\n}\n",
		list(e.Unscored), list(e.Failing), q(e.Notes))
	return b.Bytes()
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func writeExpected(dir string, e *Expected) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "expected.json"), e.Marshal(), 0o644)
}
