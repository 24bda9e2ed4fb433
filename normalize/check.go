package normalize

import (
	"fmt"
	"math"
	"strings"
)

// Check statuses.
const (
	CheckPass          = "pass"
	CheckFail          = "fail"
	CheckNotAssessable = "not_assessable" // a cell it needs is blank or not printed
)

// Check is one arithmetic identity of the template, evaluated on a report.
type Check struct {
	ID       string   // stable, e.g. "t4.sum.reconsideration"
	Identity string   // the identity in words, e.g. "t4 reconsideration: upheld+corrected+other+pending = total"
	Status   string   // pass, fail or not_assessable
	LHS      *float64 // the sum side as printed (blank addends skipped)
	RHS      *float64 // the total side
	Delta    *float64 // LHS − RHS
	Cells    []string // keys of the cells involved
	Message  string
}

var (
	t3Cols    = []string{"natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "org_subtotal", "total"}
	orgCols   = []string{"commercial", "research", "social_welfare", "legal_service", "other_org"}
	t4Blocks  = []string{"reconsideration", "litigation_direct", "litigation_after_reconsideration"}
	t4Addends = []string{"upheld", "corrected", "other", "pending"}
)

// Checks evaluates every identity the template prints or implies on cells.
func Checks(cells []Cell) []Check {
	byKey := make(map[string]*float64, len(cells))
	var t3Rows []string
	seenRow := map[string]bool{}
	for _, c := range cells {
		byKey[c.Key()] = c.Value
		if c.Table == "t3" && !seenRow[c.Row] {
			seenRow[c.Row] = true
			t3Rows = append(t3Rows, c.Row)
		}
	}
	e := evaluator{cells: byKey}
	var out []Check
	for _, col := range t3Cols {
		out = e.add(out, "t3.balance."+col,
			fmt.Sprintf("t3 %s: new_received+carried_over = result.total+carried_forward", col),
			keys("t3", []string{"new_received", "carried_over"}, col),
			keys("t3", []string{"result.total", "carried_forward"}, col))
		out = e.add(out, "t3.results."+col,
			fmt.Sprintf("t3 %s: sum of results = result.total", col),
			keys("t3", resultLeaves(seenRow), col), keys("t3", []string{"result.total"}, col))
	}
	for _, row := range t3Rows {
		out = e.add(out, "t3.applicants."+row,
			fmt.Sprintf("t3 %s: sum of applicant columns = total", row),
			rowKeys("t3", row, append([]string{"natural_person"}, orgCols...)), rowKeys("t3", row, []string{"total"}))
		if _, ok := byKey["t3/"+row+"/org_subtotal"]; ok {
			out = e.add(out, "t3.orgs."+row,
				fmt.Sprintf("t3 %s: sum of organisation columns = org_subtotal", row),
				rowKeys("t3", row, orgCols), rowKeys("t3", row, []string{"org_subtotal"}))
		}
	}
	for _, b := range t4Blocks {
		out = e.add(out, "t4.sum."+b,
			fmt.Sprintf("t4 %s: upheld+corrected+other+pending = total", b),
			rowKeys("t4", b, t4Addends), rowKeys("t4", b, []string{"total"}))
	}
	return append(out, nonNegative(cells))
}

// resultLeaves lists the result rows that add up to （七）总计: the three
// sub-rows of （六） when printed, else （六） as one row.
func resultLeaves(printed map[string]bool) []string {
	var out []string
	sub := printed["result.other.no_correction"] || printed["result.other.no_fee"] || printed["result.other.other"]
	for _, r := range Rows {
		if r.Table != "t3" || !strings.HasPrefix(r.Key, "result.") || r.Key == "result.total" {
			continue
		}
		if (r.Key == "result.other" && sub) || (strings.HasPrefix(r.Key, "result.other.") && !sub) {
			continue
		}
		out = append(out, r.Key)
	}
	return out
}

func keys(table string, rows []string, col string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = table + "/" + r + "/" + col
	}
	return out
}

func rowKeys(table, row string, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = table + "/" + row + "/" + c
	}
	return out
}

type evaluator struct {
	cells map[string]*float64
}

// add appends the check sum(lhs) = sum(rhs). Blank or unprinted cells
// count as absent; the identity is not assessable when either side has no
// number at all. An identity none of whose cells is printed is left out.
func (e evaluator) add(out []Check, id, identity string, lhs, rhs []string) []Check {
	l, lp, ln := e.sum(lhs)
	r, rp, rn := e.sum(rhs)
	if lp+rp == 0 {
		return out
	}
	c := Check{ID: id, Identity: identity, Cells: append(append([]string(nil), lhs...), rhs...)}
	c.Cells = e.printed(c.Cells)
	switch {
	case rn == 0 || ln == 0:
		c.Status = CheckNotAssessable
		c.Message = identity + ": not assessable, a side has no printed number"
		if rn > 0 {
			c.RHS = &r
		}
		if ln > 0 {
			c.LHS = &l
		}
		return append(out, c)
	}
	d := l - r
	c.LHS, c.RHS, c.Delta = &l, &r, &d
	if math.Abs(d) < 1e-6 {
		c.Status = CheckPass
		c.Message = fmt.Sprintf("%s: %s = %s", identity, num(l), num(r))
	} else {
		c.Status = CheckFail
		c.Message = fmt.Sprintf("%s: printed %s ≠ %s (off by %s)", identity, num(l), num(r), num(d))
	}
	return append(out, c)
}

// sum adds the numbers among keys; printed counts the cells printed at all
// and numbers those with a number.
func (e evaluator) sum(keys []string) (total float64, printed, numbers int) {
	for _, k := range keys {
		v, ok := e.cells[k]
		if !ok {
			continue
		}
		printed++
		if v != nil {
			total += *v
			numbers++
		}
	}
	return total, printed, numbers
}

func (e evaluator) printed(keys []string) []string {
	var out []string
	for _, k := range keys {
		if _, ok := e.cells[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func nonNegative(cells []Cell) Check {
	c := Check{ID: "nonneg", Identity: "counts are non-negative", Status: CheckPass}
	for _, cell := range cells {
		if cell.Value != nil && *cell.Value < 0 && !colDef(cell.Table, cell.Col).Signed {
			c.Cells = append(c.Cells, cell.Key())
		}
	}
	if len(c.Cells) > 0 {
		c.Status = CheckFail
		c.Message = "negative counts: " + strings.Join(c.Cells, ", ")
	} else {
		c.Message = "no negative count"
	}
	return c
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.6f", f), "0"), ".")
}
