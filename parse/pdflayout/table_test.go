package pdflayout

import (
	"fmt"
	"strings"
	"testing"
)

// textAt places the characters of s from x on a line whose top is y, each
// 10pt wide and high.
func textAt(s string, x, y float64) []Glyph {
	var out []Glyph
	for _, r := range s {
		out = append(out, Glyph{Text: string(r), BBox: Rect{x, y, x + 10, y + 10}, Size: 10})
		x += 10
	}
	return out
}

// dump renders a table as rows of "col:text" cells, "^" marking a
// continued cell.
func dump(t *Table) string {
	var b strings.Builder
	for _, r := range t.Rows {
		for i, c := range r.Cells {
			if i > 0 {
				b.WriteString(" ")
			}
			m := ""
			if c.Continued {
				m = "^"
			}
			fmt.Fprintf(&b, "%d:%s%s", c.Col, m, c.Text)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func tables(bs []Block) []*Table {
	var out []*Table
	for _, b := range bs {
		if b.Table != nil {
			out = append(out, b.Table)
		}
	}
	return out
}

func TestRuledGrid(t *testing.T) {
	// Columns at x = 0, 100, 150, 200; rows at y = 0, 20, 40, 60, 80.
	// The group label cell spans rows 1–3 of column 0 (no rule under it
	// at y = 40 and 60); the header cell spans columns 1–2 (no rule at
	// x = 150 in row 0). Values sit 2pt above their row's centre, and the
	// group label wraps over two lines.
	p := &Page{Width: 300, Height: 300}
	for _, y := range []float64{0, 20, 80} {
		p.Rules = append(p.Rules, Rule{0, y, 200, y})
	}
	for _, y := range []float64{40, 60} {
		p.Rules = append(p.Rules, Rule{100, y, 200, y})
	}
	p.Rules = append(p.Rules, Rule{0, 0, 0, 80}, Rule{100, 0, 100, 80}, Rule{150, 20, 150, 80}, Rule{200, 0, 200, 80})
	p.Glyphs = append(p.Glyphs, textAt("标题", 130, 5)...)
	p.Glyphs = append(p.Glyphs, textAt("三、本年", 10, 35)...)
	p.Glyphs = append(p.Glyphs, textAt("度结果", 10, 46)...)
	for i, v := range []string{"1", "2", "3"} {
		y := 20 + float64(i)*20 + 3
		p.Glyphs = append(p.Glyphs, textAt(v, 120, y)...)
		p.Glyphs = append(p.Glyphs, textAt(v+"0", 165, y)...)
	}
	p.Glyphs = append(p.Glyphs, textAt("第二十条", 0, 100)...)
	bs := Layout(p, nil)
	ts := tables(bs)
	if len(ts) != 1 {
		t.Fatalf("got %d tables", len(ts))
	}
	want := "0: 1:标题\n0:三、本年度结果 1:1 2:10\n0:^三、本年度结果 1:2 2:20\n0:^三、本年度结果 1:3 2:30\n"
	if got := dump(ts[0]); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	if c := ts[0].Rows[0].Cells[1]; c.ColSpan != 2 {
		t.Errorf("header span %d, want 2", c.ColSpan)
	}
	if c := ts[0].Rows[1].Cells[0]; c.RowSpan != 3 {
		t.Errorf("group label row span %d, want 3", c.RowSpan)
	}
	if bs[len(bs)-1].Text != "第二十条" {
		t.Errorf("last block %+v, want the paragraph below the table", bs[len(bs)-1])
	}
}

func TestPageSplitContinuation(t *testing.T) {
	// Page one ends inside a group whose label is printed there only; no
	// rule closes the table at the bottom.
	grid := func(p *Page, y0, y1 float64, closed bool) {
		for y := y0; y <= y1; y += 20 {
			if y == y1 && !closed {
				break
			}
			p.Rules = append(p.Rules, Rule{0, y, 200, y})
		}
		p.Rules = append(p.Rules, Rule{0, y0, 0, y1}, Rule{100, y0, 100, y1}, Rule{200, y0, 200, y1})
	}
	p1 := &Page{Width: 300, Height: 300}
	grid(p1, 0, 40, false)
	p1.Rules = p1.Rules[:1] // only the top rule across; the label column is open below
	p1.Rules = append(p1.Rules, Rule{100, 20, 200, 20}, Rule{0, 0, 0, 40}, Rule{100, 0, 100, 40}, Rule{200, 0, 200, 40})
	p1.Glyphs = append(textAt("组", 10, 5), textAt("1", 120, 5)...)
	p1.Glyphs = append(p1.Glyphs, textAt("2", 120, 25)...)
	p2 := &Page{Width: 300, Height: 300}
	grid(p2, 0, 40, true)
	p2.Glyphs = append(textAt("3", 120, 5), textAt("4", 120, 25)...)
	p2.Glyphs = append(p2.Glyphs, textAt("小计", 10, 25)...)

	t1 := tables(Layout(p1, nil))
	t2 := tables(Layout(p2, t1[0]))
	if len(t1) != 1 || len(t2) != 1 || !Continues(t1[0], t2[0]) {
		t.Fatalf("tables %d and %d, continues %v", len(t1), len(t2), len(t1) == 1 && len(t2) == 1 && Continues(t1[0], t2[0]))
	}
	t1[0].Append(t2[0])
	want := "0:组 1:1\n0:^组 1:2\n0:^组 1:3\n0:小计 1:4\n"
	if got := dump(t1[0]); got != want {
		t.Errorf("joined table:\n%s\nwant:\n%s", got, want)
	}
	if rs := t1[0].Rows[0].Cells[0].RowSpan; rs != 3 {
		t.Errorf("group label spans %d rows, want 3", rs)
	}
}

func TestAlignmentTable(t *testing.T) {
	// No rulings: a header with stacked words, a blank column (科研) and a
	// label that wraps around its values.
	p := &Page{Width: 600, Height: 800}
	add := func(s string, x, y float64) { p.Glyphs = append(p.Glyphs, textAt(s, x, y)...) }
	add("这是正文的一行文字，足够长以至于横跨大半个页面的宽度，不是表格的一部分。", 0, 0)
	add("项目", 10, 40)
	add("自然", 200, 40)
	add("科研", 260, 40)
	add("总计", 320, 40)
	add("人", 205, 52)
	add("机构", 260, 52)
	add("一、新收申请", 10, 70)
	add("21", 205, 70)
	add("21", 325, 70)
	add("（二）部分公开（区分", 10, 87)
	add("4", 210, 93)
	add("4", 330, 93)
	add("处理的）", 10, 99)
	add("四、结转", 10, 120)
	add("0", 210, 120)
	add("0", 330, 120)
	ts := tables(Layout(p, nil))
	if len(ts) != 1 {
		t.Fatalf("got %d tables", len(ts))
	}
	want := "0:项目 1:自然人 2:科研机构 3:总计\n" +
		"0:一、新收申请 1:21 2: 3:21\n" +
		"0:（二）部分公开（区分处理的） 1:4 2: 3:4\n" +
		"0:四、结转 1:0 2: 3:0\n"
	if got := dump(ts[0]); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	if ts[0].Ruled {
		t.Error("an alignment table is marked ruled")
	}
}

func TestRunningTextIsNotATable(t *testing.T) {
	// Justified lines whose numbers stand apart from the words around them.
	p := &Page{Width: 600, Height: 800}
	p.Glyphs = append(p.Glyphs, textAt("全年共收到申请", 0, 0)...)
	p.Glyphs = append(p.Glyphs, textAt("21", 90, 0)...)
	p.Glyphs = append(p.Glyphs, textAt("件，办结", 130, 0)...)
	p.Glyphs = append(p.Glyphs, textAt("20", 190, 0)...)
	p.Glyphs = append(p.Glyphs, textAt("件。", 230, 0)...)
	p.Glyphs = append(p.Glyphs, textAt("其余内容在下一段说明。", 0, 20)...)
	if ts := tables(Layout(p, nil)); len(ts) != 0 {
		t.Errorf("running text read as %d tables:\n%s", len(ts), dump(ts[0]))
	}
}

func TestRowRulesOnlyFallBackToAlignment(t *testing.T) {
	// A frame with rules between the rows but no column rules.
	p := &Page{Width: 600, Height: 800}
	for _, y := range []float64{0, 20, 40, 60} {
		p.Rules = append(p.Rules, Rule{0, y, 400, y})
	}
	p.Rules = append(p.Rules, Rule{0, 0, 0, 60}, Rule{400, 0, 400, 60})
	p.Glyphs = append(p.Glyphs, textAt("项目", 10, 5)...)
	p.Glyphs = append(p.Glyphs, textAt("本年", 200, 5)...)
	p.Glyphs = append(p.Glyphs, textAt("上年", 300, 5)...)
	p.Glyphs = append(p.Glyphs, textAt("规章", 10, 25)...)
	p.Glyphs = append(p.Glyphs, textAt("3", 205, 25)...)
	p.Glyphs = append(p.Glyphs, textAt("4", 305, 25)...)
	p.Glyphs = append(p.Glyphs, textAt("规范性文件", 10, 45)...)
	p.Glyphs = append(p.Glyphs, textAt("5", 205, 45)...)
	p.Glyphs = append(p.Glyphs, textAt("6", 305, 45)...)
	ts := tables(Layout(p, nil))
	if len(ts) != 1 {
		t.Fatalf("got %d tables", len(ts))
	}
	want := "0:项目 1:本年 2:上年\n0:规章 1:3 2:4\n0:规范性文件 1:5 2:6\n"
	if got := dump(ts[0]); got != want || ts[0].Ruled {
		t.Errorf("table (ruled %v):\n%s\nwant:\n%s", ts[0].Ruled, got, want)
	}
}

func TestRowCutByPageBreak(t *testing.T) {
	row := func(cells ...string) Row {
		var r Row
		for i, c := range cells {
			r.Cells = append(r.Cells, Cell{Text: c, Col: i, ColSpan: 1, RowSpan: 1})
		}
		return r
	}
	tests := []struct {
		name string
		next []Row
		want string
	}{
		{"label tail", []Row{row("明确", ""), row("下一行", "7")}, "0:补正后仍不明确 1:5\n0:下一行 1:7\n"},
		{"new row", []Row{row("下一行", "7")}, "0:补正后仍不 1:5\n0:下一行 1:7\n"},
		{"value under the number", []Row{row("明确", "6")}, "0:补正后仍不 1:5\n0:明确 1:6\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := &Table{Rows: []Row{row("补正后仍不", "5")}, Ruled: true}
			prev.Append(&Table{Rows: tt.next, Ruled: true})
			if got := dump(prev); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestAppendDropsTheBlankTailOfASplitRow(t *testing.T) {
	// LibreOffice breaks a row across pages: its text prints above the
	// break, its empty lower part opens the next page.
	row := func(cells ...Cell) Row { return Row{Cells: cells} }
	c := func(col int, text string) Cell { return Cell{Col: col, ColSpan: 1, RowSpan: 1, Text: text} }
	group := Cell{Col: 0, ColSpan: 1, RowSpan: 2, Text: "组", OpenBottom: true}
	tests := []struct {
		name string
		head Row
		want string
	}{
		{"blank tail", row(c(0, ""), c(1, ""), c(2, "")), "0:组 1:甲 2:1\n0:^组 1:乙 2:2\n"},
		{"label tail", row(c(0, ""), c(1, "续"), c(2, "")), "0:组 1:甲续 2:1\n0:^组 1:乙 2:2\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := &Table{NCols: 3, Rows: []Row{row(group, c(1, "甲"), c(2, "1"))}}
			next := &Table{NCols: 3, Rows: []Row{tc.head, row(c(0, ""), c(1, "乙"), c(2, "2"))}}
			prev.Append(next)
			if got := dump(prev); got != tc.want {
				t.Errorf("joined table:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestBrowserTable(t *testing.T) {
	// A browser sets a borderless table's cells flush left, a quarter em
	// apart: header words and a long label run up to the next column.
	p := &Page{Width: 600, Height: 800}
	line := func(y float64, words ...any) {
		for i := 0; i < len(words); i += 2 {
			p.Glyphs = append(p.Glyphs, textAt(words[i].(string), words[i+1].(float64), y)...)
		}
	}
	line(100, "信息内容", 0.0, "本年制发件数", 73.0, "本年废止件数", 136.0, "现行有效件数", 199.0)
	line(130, "规章", 0.0, "0", 73.0, "0", 136.0, "0", 199.0)
	line(160, "行政规范性文件", 0.0, "77", 73.0, "132", 136.0, "470", 199.0)
	ts := tables(Layout(p, nil))
	if len(ts) != 1 {
		t.Fatalf("got %d tables", len(ts))
	}
	want := "0:信息内容 1:本年制发件数 2:本年废止件数 3:现行有效件数\n0:规章 1:0 2:0 3:0\n0:行政规范性文件 1:77 2:132 3:470\n"
	if got := dump(ts[0]); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestHeaderCarriedOverPageBreak(t *testing.T) {
	// The break falls inside the header: its group row ends page 1, its
	// leaf row and the values open page 2.
	p1 := &Page{Number: 1, Width: 300, Height: 800}
	p1.Glyphs = append(textAt("行政复议案件", 0, 700), textAt("行政诉讼案件", 100, 700)...)
	p2 := &Page{Number: 2, Width: 300, Height: 800}
	for i, x := range []float64{0, 50, 100, 150} {
		p2.Glyphs = append(p2.Glyphs, textAt([]string{"维持", "总计"}[i%2], x, 20)...)
		p2.Glyphs = append(p2.Glyphs, textAt(fmt.Sprint(1+i/2), x, 50)...)
	}
	tail := TailOf(p1, Layout(p1, nil), nil)
	if tail == nil {
		t.Fatal("no tail on page 1")
	}
	blocks, used, err := LayoutAfter(t.Context(), p2, nil, tail)
	if err != nil {
		t.Fatal(err)
	}
	ts := tables(blocks)
	if len(ts) != 1 || len(used) != 1 || !used[0] {
		t.Fatalf("tables %d, tail used %v", len(ts), used)
	}
	got := dump(ts[0])
	if !strings.HasPrefix(got, "1:行政复议案件 3:行政诉讼案件\n") || !strings.HasSuffix(got, "1:维持 2:总计 3:维持 4:总计\n0: 1:1 2:1 3:2 4:2\n") {
		t.Errorf("table:\n%s", got)
	}
	if r := ts[0].Rows[0]; !r.FromTail || r.BBox.Y0 != 700 {
		t.Errorf("first row from tail %v at y %v, want true at 700", r.FromTail, r.BBox.Y0)
	}
	plain := tables(Layout(p2, nil))
	if len(plain) != 1 || strings.Contains(dump(plain[0]), "行政复议案件") {
		t.Errorf("without the tail the table has no group row, got %v", plain)
	}
}

func TestSliverRowsAreDropped(t *testing.T) {
	// Chromium ends the group cell of column 0 at y = 54, 6pt above the
	// rule under its last row (y = 60): the short border cuts that row.
	p := &Page{Width: 300, Height: 300}
	p.Rules = append(p.Rules, Rule{0, 0, 200, 0}, Rule{100, 30, 200, 30}, Rule{0, 54, 100, 54}, Rule{0, 60, 200, 60})
	p.Rules = append(p.Rules, Rule{0, 0, 0, 60}, Rule{100, 0, 100, 60}, Rule{150, 0, 150, 60}, Rule{200, 0, 200, 60})
	p.Glyphs = append(p.Glyphs, textAt("组", 10, 20)...)
	p.Glyphs = append(p.Glyphs, textAt("甲", 110, 10)...)
	p.Glyphs = append(p.Glyphs, textAt("1", 160, 10)...)
	p.Glyphs = append(p.Glyphs, textAt("乙", 110, 38)...)
	p.Glyphs = append(p.Glyphs, textAt("2", 160, 38)...)
	ts := tables(Layout(p, nil))
	if len(ts) != 1 {
		t.Fatalf("got %d tables", len(ts))
	}
	want := "0:组 1:甲 2:1\n0:^组 1:乙 2:2\n"
	if got := dump(ts[0]); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	if rs := ts[0].Rows[0].Cells[0].RowSpan; rs != 2 {
		t.Errorf("group label spans %d rows, want 2", rs)
	}
}

func TestHeaderOfATallerCell(t *testing.T) {
	// Without rulings, the header of a cell spanning two header rows is
	// centred in it: it prints on a line of its own, between the two lines
	// of its neighbours, and over the table's middle.
	p := &Page{Width: 400, Height: 800}
	for i, x := range []float64{0, 50, 150, 200} {
		p.Glyphs = append(p.Glyphs, textAt([]string{"结果", "其他"}[i%2], x, 100)...)
		p.Glyphs = append(p.Glyphs, textAt([]string{"维持", "结果"}[i%2], x, 112)...)
	}
	p.Glyphs = append(p.Glyphs, textAt("总计", 100, 106)...)
	for i, x := range []float64{0, 50, 100, 150, 200} {
		p.Glyphs = append(p.Glyphs, textAt(fmt.Sprint(i+1), x+5, 140)...)
	}
	ts := tables(Layout(p, nil))
	if len(ts) != 1 {
		t.Fatalf("got %d tables", len(ts))
	}
	want := "0: 1:结果维持 2:其他结果 3:总计 4:结果维持 5:其他结果\n0: 1:1 2:2 3:3 4:4 5:5\n"
	if got := dump(ts[0]); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestHeaderCentredVertically(t *testing.T) {
	// Writer centres each header cell vertically: a cell of one line, one
	// of two and one of three set their lines half a line apart, and the
	// page's lines cut across the cells.
	p := &Page{Width: 400, Height: 800}
	cell := func(x, y float64, lines ...string) {
		for i, s := range lines {
			p.Glyphs = append(p.Glyphs, textAt(s, x, y+float64(i)*10)...)
		}
	}
	cell(0, 110, "自然人")       // one line, centred
	cell(33, 105, "商业", "企业") // two lines, 3pt to the right
	cell(56, 100, "社会", "公益", "组织")
	cell(79, 110, "总计")
	for i, x := range []float64{10, 38, 61, 84} {
		p.Glyphs = append(p.Glyphs, textAt(fmt.Sprint(i+1), x, 150)...)
		p.Glyphs = append(p.Glyphs, textAt(fmt.Sprint(i+5), x, 170)...)
	}
	ts := tables(Layout(p, nil))
	if len(ts) != 1 {
		t.Fatalf("got %d tables", len(ts))
	}
	want := "0: 1:自然人 2:商业企业 3:社会公益组织 4:总计\n0: 1:1 2:2 3:3 4:4\n0: 1:5 2:6 3:7 4:8\n"
	if got := dump(ts[0]); got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}

func TestAlignmentTableContinuesWithDeeperLabels(t *testing.T) {
	// The same value columns on both pages; page 2 has labels two deep.
	p1 := &Page{Number: 1, Width: 300, Height: 300}
	p1.Glyphs = append(p1.Glyphs, textAt("名称", 0, 10)...)
	p1.Glyphs = append(p1.Glyphs, textAt("甲", 100, 10)...)
	p1.Glyphs = append(p1.Glyphs, textAt("乙", 150, 10)...)
	p1.Glyphs = append(p1.Glyphs, textAt("一行", 0, 30)...)
	p1.Glyphs = append(p1.Glyphs, textAt("1", 100, 30)...)
	p1.Glyphs = append(p1.Glyphs, textAt("2", 150, 30)...)
	t1 := tables(Layout(p1, nil))
	p2 := &Page{Number: 2, Width: 300, Height: 300}
	for i, y := range []float64{10, 30} {
		p2.Glyphs = append(p2.Glyphs, textAt(fmt.Sprint(3+2*i), 100, y)...)
		p2.Glyphs = append(p2.Glyphs, textAt(fmt.Sprint(4+2*i), 150, y)...)
	}
	p2.Glyphs = append(p2.Glyphs, textAt("组", 0, 20)...)
	p2.Glyphs = append(p2.Glyphs, textAt("二行", 30, 10)...)
	p2.Glyphs = append(p2.Glyphs, textAt("三行", 30, 30)...)
	if len(t1) != 1 {
		t.Fatalf("page 1: %d tables", len(t1))
	}
	t2 := tables(Layout(p2, t1[0]))
	if len(t2) != 1 || !Continues(t1[0], t2[0]) {
		t.Fatalf("page 2: %d tables, continues %v", len(t2), len(t2) == 1 && Continues(t1[0], t2[0]))
	}
	t1[0].Append(t2[0])
	for _, r := range t1[0].Rows {
		if c := r.Cells[len(r.Cells)-1]; c.Col != t1[0].NCols-1 {
			t.Errorf("row %q: last value in column %d of %d", dump(&Table{Rows: []Row{r}}), c.Col, t1[0].NCols)
		}
	}
}

func TestRunningTextEndingInANumber(t *testing.T) {
	// WPS sets a quarter em between CJK and digits; a paragraph's line
	// that ends in a number (地址 … 大道 90) is no label and value, even
	// under a line of several words.
	p := &Page{Width: 600, Height: 800}
	p.Glyphs = append(p.Glyphs, textAt("如对本报告有疑问，请与", 0, 0)...)
	p.Glyphs = append(p.Glyphs, textAt("办公室", 400, 0)...)
	p.Glyphs = append(p.Glyphs, textAt("联系（地址：洪泽区洪泽湖大道"+strings.Repeat("洪泽湖大道", 5)+"路", 0, 20)...)
	p.Glyphs = append(p.Glyphs, textAt("90", 403, 20)...)
	p.Glyphs = append(p.Glyphs, textAt("号）。", 0, 40)...)
	if ts := tables(Layout(p, nil)); len(ts) != 0 {
		t.Errorf("running text read as %d tables:\n%s", len(ts), dump(ts[0]))
	}
}
