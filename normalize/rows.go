package normalize

import (
	"slices"
	"strings"

	"github.com/opengov-cn/nianbao/parse"
)

// cellValue is a cell read as a value.
type cellValue struct {
	parse.Cell
	value
}

// splitRow splits a row into its label cells and the run of value cells
// that ends it, appending the values to vals and parsing numbers into
// nums (one per cell). Text dumps print no blank cells, only stray
// separators, so with trimEmpty empty fields at either end of the run are
// not values.
func splitRow(cells []parse.Cell, trimEmpty bool, vals []cellValue, nums []float64) ([]parse.Cell, []cellValue) {
	// Read from the end until a cell is not a value, keeping the values
	// read (backwards) so that no cell is parsed twice.
	i := len(cells)
	for i > 0 {
		c := cells[i-1]
		if c.Continued && c.Text == "" {
			break
		}
		v, ok := parseValueInto(c.Text, &nums[i-1])
		if !ok {
			break
		}
		vals = append(vals, cellValue{Cell: c, value: v})
		i--
	}
	slices.Reverse(vals)
	labels := cells[:i]
	if trimEmpty {
		for len(vals) > 0 && vals[len(vals)-1].Text == "" {
			vals = vals[:len(vals)-1]
		}
		j := 0
		for j < len(vals) && vals[j].Text == "" {
			j++
		}
		labels, vals = cells[:i+j], vals[j:]
	}
	return labels, vals
}

// lastLabel returns the row's own innermost label: the last label cell
// with text that is not carried down from a row above, else the last one.
func lastLabel(labels []parse.Cell) (parse.Cell, int, bool) {
	for i := len(labels) - 1; i >= 0; i-- {
		if !labels[i].Continued && labels[i].Text != "" {
			return labels[i], i, true
		}
	}
	for i := len(labels) - 1; i >= 0; i-- {
		if labels[i].Text != "" {
			return labels[i], i, true
		}
	}
	return parse.Cell{}, -1, false
}

func allBlank(vals []cellValue) bool {
	for _, v := range vals {
		if v.Num != nil {
			return false
		}
	}
	return true
}

const matchThreshold = 0.67

// matchRow finds the template row for a data row of table t: by its own
// label, else by the label-only rows just above it joined to it (labels
// that wrap over several printed rows), else by those rows alone.
func (m *mapper) matchRow(t TableID, leaf parse.Cell, hasLeaf bool) (key, label string) {
	defer func() { m.pending = nil }()
	try := func(text string) bool {
		k, s, amb := match(rowMatchers[t], text)
		if s >= matchThreshold && !amb {
			key, label = k, text
			return true
		}
		return false
	}
	if hasLeaf && try(leaf.Text) {
		return
	}
	if len(m.pending) == 0 {
		return "", ""
	}
	var b strings.Builder
	for _, c := range m.pending {
		b.WriteString(c.Text)
	}
	above := b.String()
	if hasLeaf && try(above+leaf.Text) {
		return
	}
	try(above)
	return
}

func (m *mapper) t2Row(row parse.Row, labels []parse.Cell, vals []cellValue) {
	h := m.heads[T2]
	leaf, pos, ok := lastLabel(labels)
	if !ok && allBlank(vals) {
		return
	}
	key, label := m.matchRow(T2, leaf, ok)
	if key == "" && ok {
		key = m.subRowParent(labels, pos)
		if key != "" {
			label = strings.TrimSpace(leaf.Text)
			key += "[" + strings.Join(strings.Fields(label), "") + "]"
		}
	} else if key != "" {
		m.lastParent = key
	}
	if key == "" {
		m.unplaced(row, leaf.Text, vals)
		return
	}
	if h == nil || len(h.slots) == 0 {
		m.warn(CodeHeaderMissing, row.Loc, "t2 row %q has values but no column header above it", label)
		m.trouble = true
		return
	}
	m.emit(T2, key, label, row, vals, h.slots)
}

// subRowParent returns the template row a local sub-row (行政检查 under
// 其他对外管理服务事项) belongs to: a label to its left that names a
// template row, or, for an indented label, the last template row above.
func (m *mapper) subRowParent(labels []parse.Cell, leafPos int) string {
	for i := leafPos - 1; i >= 0; i-- {
		if k, s, amb := match(rowMatchers[T2], labels[i].Text); s >= 0.8 && !amb {
			m.lastParent = k
			return k
		}
	}
	if leafPos > 0 {
		return m.lastParent
	}
	return ""
}

func (m *mapper) t3Row(row parse.Row, labels []parse.Cell, vals []cellValue) {
	leaf, _, ok := lastLabel(labels)
	if !ok && allBlank(vals) {
		return
	}
	key, label := m.matchRow(T3, leaf, ok)
	if key == "" {
		m.unplaced(row, leaf.Text, vals)
		return
	}
	h := m.heads[T3]
	if h == nil || len(h.slots) == 0 {
		h = &header{slots: defaultT3Slots(len(vals))}
		m.heads[T3] = h
		m.assumed[T3] = true
		m.warn(CodeHeaderAssumed, row.Loc, "t3 column header not recognised; assuming the template's column order")
	}
	m.emit(T3, key, label, row, vals, h.slots)
}

// defaultT3Slots are the template's t3 columns for a row of n values:
// every column when n says the optional ones are printed too.
func defaultT3Slots(n int) []slot {
	keys := t3Required
	if n == len(t3Cols) {
		keys = t3Cols
	}
	slots := make([]slot, len(keys))
	for i, k := range keys {
		slots[i] = slot{key: k, col: -1}
	}
	return slots
}

func (m *mapper) t4Row(row parse.Row, labels []parse.Cell, vals []cellValue) {
	if allBlank(vals) && len(vals) < 5 {
		return
	}
	h := m.heads[T4]
	if h == nil || len(h.slots) == 0 {
		h = &header{}
		for _, g := range t4Blocks {
			for _, c := range t4Cols {
				h.slots = append(h.slots, slot{row: g, key: c, col: -1})
			}
		}
		m.heads[T4] = h
		m.assumed[T4] = true
		m.warn(CodeHeaderAssumed, row.Loc, "t4 column header not recognised; assuming the template's column order")
	}
	m.emit(T4, "", "", row, vals, h.slots)
}

func (m *mapper) unplaced(row parse.Row, label string, vals []cellValue) {
	if allBlank(vals) {
		// No number is lost: most likely the tail of a label that wrapped
		// (or was cut by a page break) into a row of its own.
		if label != "" {
			m.pending = append(m.pending, parse.Cell{Text: label, Loc: row.Loc})
		}
		return
	}
	raw := make([]string, len(vals))
	for i, v := range vals {
		raw[i] = v.Text
	}
	m.warn(CodeLabelUnplaced, row.Loc, "%s: row %q with values [%s] matches no template row; its cells are not recorded",
		m.ctx, label, strings.Join(raw, " "))
	m.trouble = true
}

// emit records a data row's cells under the columns of its header.
func (m *mapper) emit(table TableID, rowKey, label string, row parse.Row, vals []cellValue, slots []slot) {
	at := m.align(table, label, row, vals, slots)
	for i, sl := range slots {
		j := at[i]
		if j < 0 {
			continue
		}
		v := vals[j]
		rk, lb := rowKey, label
		if table == T4 {
			if sl.row == "" {
				continue
			}
			rk, lb = sl.row, sl.raw
		}
		if v.Continued {
			m.warn(CodeValueSpanned, v.Loc, "%s/%s/%s: value %q spans several rows; not recorded", table, rk, sl.key, v.Text)
			m.trouble = true
			continue
		}
		num := v.Num
		if cd := colDef(table, sl.key); num != nil && cd.Money {
			unit := v.Unit
			if unit == "" {
				unit = moneyUnit(sl.raw)
			}
			w := toWan(*num, unit)
			num = &w
		}
		c := Cell{Table: table, Row: rk, Col: sl.key, Value: num, Raw: v.Text, Label: lb, Loc: v.Loc,
			Origin: v.Origin, Confidence: v.Confidence}
		if !m.record(cellKey{table, rk, sl.key}) {
			m.warn(CodeCellDuplicate, v.Loc, "%s printed twice; keeping the first", c.Key())
			m.trouble = true
			continue
		}
		m.r.Cells = append(m.r.Cells, c)
	}
}

// align pairs a row's values with its header's columns: in order when the
// counts agree; by grid column where positions can be trusted; otherwise
// only where every possible reading gives the same value.
func (m *mapper) align(table TableID, label string, row parse.Row, vals []cellValue, slots []slot) []int {
	at := slices.Grow(m.at[:0], len(slots))[:len(slots)]
	m.at = at
	k, n := len(vals), len(slots)
	if k == n {
		for i := range at {
			at[i] = i
		}
		return at
	}
	for i := range at {
		at[i] = -1
	}
	m.trouble = true
	if m.doc.PositionsReliable && slots[0].col >= 0 {
		taken := make([]bool, k)
		for i, sl := range slots {
			for j, v := range vals {
				if !taken[j] && v.Col >= sl.col && v.Col < sl.col+sl.span {
					at[i], taken[j] = j, true
					break
				}
			}
		}
		m.warn(CodeValuesCount, row.Loc, "%s row %q: %d values for %d columns; placed by grid column", table, label, k, n)
		return at
	}
	if k > n {
		for i := range slots {
			same := true
			for j := i + 1; j <= i+k-n; j++ {
				same = same && vals[j].Text == vals[i].Text
			}
			if same {
				at[i] = i
			}
		}
		m.warn(CodeValuesExtra, row.Loc, "%s row %q: %d values for %d columns; only cells that every reading agrees on are recorded", table, label, k, n)
		return at
	}
	m.warn(CodeValuesMissing, row.Loc, "%s row %q: %d values for %d columns; which cell lost its value cannot be told, so none is recorded", table, label, k, n)
	return at
}
