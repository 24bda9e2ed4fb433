package normalize

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// rep is a report of agency for year with cells in cellsOf's notation.
func rep(id, agency string, year int, cells string) *Report {
	return &Report{ID: id, Agency: agency, AgencyPrinted: agency, AgencyID: AgencyID("", agency), Year: year,
		Status: StatusOK, Template: Template2021, Cells: cellsOf(cells)}
}

func infos(rs ...*Report) []ReportInfo {
	var out []ReportInfo
	for _, r := range rs {
		out = append(out, ReportInfo{R: r})
	}
	return out
}

func TestCrossCarryOver(t *testing.T) {
	const a, b = "澄川县教育局", "澄川县自然资源局"
	tests := []struct {
		name  string
		reps  []*Report
		id    string
		want  CheckStatus // "" for no such check
		delta float64
		msg   string // in the message
	}{
		{"carries over", []*Report{
			rep("p", a, 2022, "t3/carried_forward/total=3"),
			rep("c", a, 2023, "t3/carried_over/total=3"),
		}, "x.carry_over.total", CheckPass, 0, "2022 report p"},
		{"does not", []*Report{
			rep("p", a, 2022, "t3/carried_forward/natural_person=0"),
			rep("c", a, 2023, "t3/carried_over/natural_person=3"),
		}, "x.carry_over.natural_person", CheckFail, 3, "printed 3 ≠ 0"},
		{"printed 0 is a number", []*Report{
			rep("p", a, 2022, "t3/carried_forward/total=0"),
			rep("c", a, 2023, "t3/carried_over/total=0"),
		}, "x.carry_over.total", CheckPass, 0, ""},
		{"no report of the year before", []*Report{
			rep("p", a, 2021, "t3/carried_forward/total=3"),
			rep("c", a, 2023, "t3/carried_over/total=3"),
		}, "x.carry_over.total", CheckNotAssessable, 0, "no report of the agency for 2022"},
		{"another agency's year before", []*Report{
			rep("p", b, 2022, "t3/carried_forward/total=3"),
			rep("c", a, 2023, "t3/carried_over/total=3"),
		}, "x.carry_over.total", CheckNotAssessable, 0, "no report"},
		{"blank this year", []*Report{
			rep("p", a, 2022, "t3/carried_forward/total=3"),
			rep("c", a, 2023, "t3/carried_over/total=null"),
		}, "x.carry_over.total", CheckNotAssessable, 0, "is blank"},
		{"blank the year before", []*Report{
			rep("p", a, 2022, "t3/carried_forward/total=null"),
			rep("c", a, 2023, "t3/carried_over/total=3"),
		}, "x.carry_over.total", CheckNotAssessable, 0, "is blank"},
		{"not printed the year before", []*Report{
			rep("p", a, 2022, "t3/new_received/total=3"),
			rep("c", a, 2023, "t3/carried_over/total=3"),
		}, "x.carry_over.total", CheckNotAssessable, 0, "is absent"},
		{"unreadable year before", []*Report{
			{ID: "p", Agency: a, AgencyID: AgencyID("", a), Year: 2022, Status: StatusNeedsOCR},
			rep("c", a, 2023, "t3/carried_over/total=3"),
		}, "x.carry_over.total", CheckNotAssessable, 0, "no cells (status needs_ocr)"},
		{"not printed this year: no check", []*Report{
			rep("p", a, 2022, "t3/carried_forward/total=3"),
			rep("c", a, 2023, "t3/new_received/total=3"),
		}, "x.carry_over.total", "", 0, ""},
		{"小计 only where both print it", []*Report{
			rep("p", a, 2022, "t3/carried_forward/total=3"),
			rep("c", a, 2023, "t3/carried_over/org_subtotal=1 t3/carried_over/total=3"),
		}, "x.carry_over.org_subtotal", "", 0, ""},
		{"小计 where both print it", []*Report{
			rep("p", a, 2022, "t3/carried_forward/org_subtotal=2"),
			rep("c", a, 2023, "t3/carried_over/org_subtotal=1"),
		}, "x.carry_over.org_subtotal", CheckFail, -1, ""},
		{"agency unknown", []*Report{
			rep("p", "", 2022, "t3/carried_forward/total=3"),
			rep("c", "", 2023, "t3/carried_over/total=3"),
		}, "x.carry_over.total", CheckNotAssessable, 0, "agency is unknown"},
		{"year unknown", []*Report{
			rep("p", a, 2022, "t3/carried_forward/total=3"),
			rep("c", a, 0, "t3/carried_over/total=3"),
		}, "x.carry_over.total", CheckNotAssessable, 0, "year is unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := tt.reps[len(tt.reps)-1]
			got := CrossChecks(infos(tt.reps...))[cur]
			c := find(got, tt.id)
			switch {
			case tt.want == "" && c != nil:
				t.Fatalf("unexpected check %s: %s", tt.id, c.Message)
			case tt.want == "":
				return
			case c == nil:
				t.Fatalf("no check %s in %v", tt.id, got)
			}
			if c.Status != tt.want {
				t.Errorf("status %s, want %s: %s", c.Status, tt.want, c.Message)
			}
			if tt.want != CheckNotAssessable && (c.Delta == nil || *c.Delta != tt.delta) {
				t.Errorf("delta %v, want %v", c.Delta, tt.delta)
			}
			if !strings.Contains(c.Message, tt.msg) || c.Identity == "" {
				t.Errorf("message %q, want it to say %q", c.Message, tt.msg)
			}
			if len(c.Cells) == 0 || !strings.HasPrefix(c.Cells[0], cur.ID+":t3/carried_over/") {
				t.Errorf("cells %v do not name the report's own cell first", c.Cells)
			}
			if tt.want != CheckNotAssessable && !slices.ContainsFunc(c.Cells, func(k string) bool { return strings.HasPrefix(k, "p:t3/carried_forward/") }) {
				t.Errorf("cells %v do not name the year before's", c.Cells)
			}
		})
	}
}

// TestCrossPrevious: which report is the year before where there are
// several, and the id rules that make them one agency's.
func TestCrossPrevious(t *testing.T) {
	const a = "澄川县教育局"
	prevOf := func(t *testing.T, in []ReportInfo) string {
		t.Helper()
		cur := in[len(in)-1].R
		c := find(CrossChecks(in)[cur], "x.carry_over.total")
		if c == nil || len(c.Cells) < 2 {
			t.Fatalf("no carry-over against a report: %+v", c)
		}
		id, _, _ := strings.Cut(c.Cells[1], ":")
		return id
	}
	t.Run("the current version, not the superseded one", func(t *testing.T) {
		v1 := rep("v1", a, 2022, "t3/carried_forward/total=9 t3/new_received/total=1 t3/result.total/total=1")
		v2 := rep("v2", a, 2022, "t3/carried_forward/total=3")
		cur := rep("c", a, 2023, "t3/carried_over/total=3")
		in := []ReportInfo{{R: v1}, {R: v2, PreviousVersion: v1}, {R: cur}}
		if got := prevOf(t, in); got != "v2" {
			t.Errorf("year before %s, want v2", got)
		}
		v1.SupersededBy = "v2"
		if got := prevOf(t, []ReportInfo{{R: v1}, {R: v2}, {R: cur}}); got != "v2" {
			t.Errorf("with SupersededBy: year before %s, want v2", got)
		}
		c := find(CrossChecks(in)[cur], "x.carry_over.total")
		if c.Status != CheckPass || !strings.Contains(c.Message, "the current of 2") {
			t.Errorf("%s: %s", c.Status, c.Message)
		}
	})
	t.Run("not one of many", func(t *testing.T) {
		prev := rep("p", a, 2022, "t3/carried_forward/total=3 t2/art20_1.regulations/in_force=5 t3/new_received/total=4")
		cur := rep("c", a, 2023, "t3/carried_over/total=3 t2/art20_1.regulations/in_force=5 t3/new_received/total=4")
		const why = "9 reports name the agency for 2022: which is the year before cannot be told"
		got := CrossChecks([]ReportInfo{{R: prev}, {R: cur, Ambiguous: why}})[cur]
		n := 0
		for _, c := range got {
			if strings.HasPrefix(c.ID, "x.carry_over.") || strings.HasPrefix(c.ID, "x.stock.") || strings.HasPrefix(c.ID, "x.yoy.") {
				n++
				if c.Status != CheckNotAssessable || !strings.Contains(c.Message, why) {
					t.Errorf("%s: %s %s", c.ID, c.Status, c.Message)
				}
			}
		}
		if n < 3 {
			t.Errorf("%d checks against the year before", n)
		}
	})
	t.Run("a readable report over an unreadable one", func(t *testing.T) {
		bad := &Report{ID: "a0", Agency: a, AgencyID: AgencyID("", a), Year: 2022, Status: StatusFailed}
		good := rep("b1", a, 2022, "t3/carried_forward/total=3")
		cur := rep("c", a, 2023, "t3/carried_over/total=3")
		if got := prevOf(t, infos(bad, good, cur)); got != "b1" {
			t.Errorf("year before %s, want b1", got)
		}
	})
	t.Run("the same file twice", func(t *testing.T) {
		p1 := rep("same", a, 2022, "t3/carried_forward/total=3")
		p2 := rep("same", a, 2022, "t3/carried_forward/total=3")
		cur := rep("c", a, 2023, "t3/carried_over/total=3")
		in := infos(p1, p2, cur, cur) // and the current one listed twice
		got := CrossChecks(in)
		c := find(got[cur], "x.carry_over.total")
		if c == nil || c.Status != CheckPass || strings.Contains(c.Message, "the current of") {
			t.Errorf("carry-over %+v", c)
		}
		n := 0
		for _, x := range got[cur] {
			if x.ID == "x.carry_over.total" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d carry-over checks for a report listed twice, want 1", n)
		}
		if len(got[p1]) == 0 || len(got[p2]) == 0 {
			t.Errorf("the copies are not both checked")
		}
	})
	t.Run("agency printed two ways, one registry", func(t *testing.T) {
		p := &Report{ID: "p", Agency: "洪泽区人民政府", AgencyPrinted: "洪泽区人民政府", Year: 2022, Status: StatusOK, Cells: cellsOf("t3/carried_forward/total=3")}
		cur := &Report{ID: "c", Agency: "淮安市洪泽区人民政府", AgencyPrinted: "淮安市洪泽区人民政府", Year: 2023, Status: StatusOK, Cells: cellsOf("t3/carried_over/total=3")}
		IdentifyAgency(p, "淮安市洪泽区人民政府")
		IdentifyAgency(cur, "淮安市洪泽区人民政府")
		if got := prevOf(t, infos(p, cur)); got != "p" {
			t.Errorf("year before %s, want p", got)
		}
	})
	t.Run("agency printed two ways, no registry", func(t *testing.T) {
		p := &Report{ID: "p", Agency: "洪泽区政府", Year: 2022, Status: StatusOK, Cells: cellsOf("t3/carried_forward/total=3")}
		cur := &Report{ID: "c", Agency: "标题：洪泽区人民政府", Year: 2023, Status: StatusOK, Cells: cellsOf("t3/carried_over/total=3")}
		if got := prevOf(t, infos(p, cur)); got != "p" {
			t.Errorf("year before %s, want p", got)
		}
	})
	t.Run("ReportInfo.AgencyID wins", func(t *testing.T) {
		p := rep("p", "某甲", 2022, "t3/carried_forward/total=3")
		cur := rep("c", "某乙", 2023, "t3/carried_over/total=3")
		if got := prevOf(t, []ReportInfo{{R: p, AgencyID: "x"}, {R: cur, AgencyID: "x"}}); got != "p" {
			t.Errorf("year before %s, want p", got)
		}
	})
}

func TestCrossStock(t *testing.T) {
	const a = "澄川县人民政府"
	const row = "art20_1.normative_documents"
	cells := func(s string) string { return strings.ReplaceAll(s, "R/", "t2/"+row+"/") }
	tests := []struct {
		name       string
		prev, cur  string
		prevTpl    string
		want       CheckStatus
		delta      float64
		msgPrinted string
	}{
		{"holds", "R/in_force=10", "R/issued=3 R/repealed=1 R/in_force=12", Template2021, CheckPass, 0, "= 12"},
		{"broken", "R/in_force=10", "R/issued=3 R/repealed=1 R/in_force=13", Template2021, CheckFail, 1, "printed 13 ≠ 12"},
		{"blank issued counts as absent", "R/in_force=10", "R/issued=null R/repealed=1 R/in_force=9", Template2021, CheckPass, 0, "issued blank"},
		{"blank in force the year before", "R/in_force=null", "R/issued=3 R/repealed=1 R/in_force=12", Template2021, CheckNotAssessable, 0, "in_force is blank"},
		{"blank in force this year", "R/in_force=10", "R/issued=3 R/repealed=1 R/in_force=null", Template2021, CheckNotAssessable, 0, "in_force is blank"},
		{"2019 template the year before", "R/new_made=3", "R/issued=3 R/repealed=1 R/in_force=12", Template2019, CheckNotAssessable, 0, "(2019 template)"},
		{"no in force this year: no check", "R/in_force=10", "R/issued=3", Template2021, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rep("p", a, 2022, cells(tt.prev))
			p.Template = tt.prevTpl
			c := rep("c", a, 2023, cells(tt.cur))
			got := find(CrossChecks(infos(p, c))[c], "x.stock."+row)
			if tt.want == "" {
				if got != nil {
					t.Fatalf("unexpected %s", got.Message)
				}
				return
			}
			if got == nil {
				t.Fatal("no check")
			}
			if got.Status != tt.want || !strings.Contains(got.Message, tt.msgPrinted) {
				t.Errorf("%s: %s; want %s saying %q", got.Status, got.Message, tt.want, tt.msgPrinted)
			}
			if tt.want != CheckNotAssessable && *got.Delta != tt.delta {
				t.Errorf("delta %v, want %v", *got.Delta, tt.delta)
			}
		})
	}
	// Without the year before.
	c := rep("c", a, 2023, cells("R/in_force=12"))
	if got := find(CrossChecks(infos(c))[c], "x.stock."+row); got == nil || got.Status != CheckNotAssessable {
		t.Errorf("alone: %+v", got)
	}
}

func TestCrossYoY(t *testing.T) {
	tests := []struct {
		prev, cur string
		want      CheckStatus
	}{
		{"10", "60", CheckHint},
		{"60", "10", CheckHint},
		{"1", "6", CheckPass}, // too small to matter
		{"100", "19", CheckHint},
		{"100", "21", CheckPass},
		{"0", "50", CheckHint},
		{"0", "49", CheckPass},
		{"200", "210", CheckPass},
		{"null", "200", CheckNotAssessable},
		{"200", "null", CheckNotAssessable},
	}
	for _, tt := range tests {
		p := rep("p", "某局", 2022, "t3/new_received/total="+tt.prev)
		c := rep("c", "某局", 2023, "t3/new_received/total="+tt.cur)
		got := find(CrossChecks(infos(p, c))[c], "x.yoy.new_received")
		if got == nil || got.Status != tt.want {
			t.Errorf("%s → %s: %+v, want %s", tt.prev, tt.cur, got, tt.want)
			continue
		}
		if got.Status == CheckHint && !strings.Contains(got.Message, "hint, not an error") {
			t.Errorf("hint message %q does not say it is a hint", got.Message)
		}
	}
}

func TestCrossLate(t *testing.T) {
	tests := []struct {
		name, agency, level, published string
		year                           int
		want                           CheckStatus
		msg                            []string
	}{
		{"department on the day", "澄川县教育局", "", "2024-01-31", 2023, CheckPass, []string{"2024-01-31"}},
		{"department a day late", "澄川县教育局", "", "2024-02-01", 2023, CheckFail, []string{"2024-02-01", "2024-01-31", "1 days after"}},
		{"department very late", "澄川县教育局", "", "2024-03-05", 2023, CheckFail, []string{"2024-03-05", "2024-01-31"}},
		{"government in March", "澄川县人民政府", "", "2024-03-31", 2023, CheckPass, []string{"2024-03-31"}},
		{"government in April", "澄川县人民政府", "", "2024-04-01", 2023, CheckFail, []string{"2024-04-01", "2024-03-31"}},
		{"registry level wins", "澄川县人民政府", LevelDepartment, "2024-02-10", 2023, CheckFail, []string{"2024-01-31"}},
		{"township gets the later date", "白沙镇人民政府", "", "2024-02-10", 2023, CheckPass, []string{"2024-03-31"}},
		{"a time after the date", "澄川县教育局", "", "2024-01-30 09:30:00", 2023, CheckPass, nil},
		{"slashes", "澄川县教育局", "", "2024/02/03", 2023, CheckFail, nil},
		{"level unknown, early", "平潭综合实验区", "", "2024-01-20", 2023, CheckPass, []string{"whatever its level"}},
		{"level unknown, after both", "平潭综合实验区", "", "2024-05-20", 2023, CheckFail, []string{"2024-03-31"}},
		{"level unknown, in between", "平潭综合实验区", "", "2024-02-20", 2023, CheckNotAssessable, []string{"level"}},
		{"no date", "澄川县教育局", "", "", 2023, CheckNotAssessable, []string{"unknown"}},
		{"not a date", "澄川县教育局", "", "2024年2月", 2023, CheckNotAssessable, []string{"not a date"}},
		{"no year", "澄川县教育局", "", "2024-01-20", 0, CheckNotAssessable, []string{"year"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rep("r", tt.agency, tt.year, "")
			got := find(CrossChecks([]ReportInfo{{R: r, Level: tt.level, PublishDate: tt.published}})[r], "x.late")
			if got == nil {
				t.Fatal("no x.late")
			}
			if got.Status != tt.want {
				t.Errorf("%s, want %s: %s", got.Status, tt.want, got.Message)
			}
			for _, m := range tt.msg {
				if !strings.Contains(got.Message, m) {
					t.Errorf("message %q does not say %q", got.Message, m)
				}
			}
		})
	}
}

func TestCrossRevised(t *testing.T) {
	const a = "鹿溪市苍澜区人民政府"
	v1 := rep("v1", a, 2023, "t3/new_received/total=196 t3/carried_over/total=null t3/result.total/total=184 t4/reconsideration/total=5")
	tests := []struct {
		name    string
		v2      string
		want    CheckStatus
		changes []string
	}{
		{"a number changed", "t3/new_received/total=186 t3/carried_over/total=null t3/result.total/total=184 t4/reconsideration/total=5",
			CheckHint, []string{"t3/new_received/total 196 → 186"}},
		{"blank to number, a cell dropped, one added", "t3/new_received/total=196 t3/carried_over/total=0 t3/result.total/total=184 t4/litigation_direct/total=1",
			CheckHint, []string{"t3/carried_over/total blank → 0", "t4/reconsideration/total 5 → absent", "t4/litigation_direct/total absent → 1"}},
		{"only the wording changed", "t3/new_received/total=196 t3/carried_over/total=null t3/result.total/total=184 t4/reconsideration/total=5",
			CheckPass, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v2 := rep("v2", a, 2023, tt.v2)
			v2.Revision = 2
			got := CrossChecks([]ReportInfo{{R: v1}, {R: v2, PreviousVersion: v1, Fetched: "2024-04-08", PreviousFetched: "2024-03-22"}})
			if c := find(got[v1], "x.revised"); c != nil {
				t.Errorf("x.revised on the first version: %s", c.Message)
			}
			c := find(got[v2], "x.revised")
			if c == nil {
				t.Fatal("no x.revised")
			}
			if c.Status != tt.want {
				t.Errorf("%s, want %s: %s", c.Status, tt.want, c.Message)
			}
			for _, s := range append([]string{"v1", "v2", "2024-04-08", "2024-03-22", "revision 2"}, tt.changes...) {
				if !strings.Contains(c.Message, s) {
					t.Errorf("message %q does not say %q", c.Message, s)
				}
			}
			if *c.Delta != float64(len(tt.changes)) {
				t.Errorf("%v changes, want %d", *c.Delta, len(tt.changes))
			}
			for _, ch := range tt.changes {
				key, _, _ := strings.Cut(ch, " ")
				if !slices.Contains(c.Cells, "v1:"+key) && !slices.Contains(c.Cells, "v2:"+key) {
					t.Errorf("cells %v do not name %s", c.Cells, key)
				}
			}
		})
	}
	// The same bytes fetched again is no revision.
	same := rep("v1", a, 2023, "t3/new_received/total=196")
	if c := find(CrossChecks([]ReportInfo{{R: same, PreviousVersion: v1}})[same], "x.revised"); c != nil {
		t.Errorf("x.revised for the same report: %s", c.Message)
	}
}

func TestNarrativeChecks(t *testing.T) {
	q := func(what string, n float64) Quote {
		return Quote{What: what, Number: n, Sentence: "全年共受理政府信息公开申请" + num(n) + "件"}
	}
	tests := []struct {
		name   string
		cells  string
		quotes []Quote
		id     string
		want   CheckStatus
	}{
		{"received holds", "t3/new_received/total=154", []Quote{q(QuoteReceived, 154)}, "x.narrative.received", CheckPass},
		{"received broken", "t3/new_received/total=150", []Quote{q(QuoteReceived, 154)}, "x.narrative.received", CheckFail},
		{"received with those carried over", "t3/new_received/total=150 t3/carried_over/total=4", []Quote{q(QuoteReceived, 154)}, "x.narrative.received", CheckPass},
		{"one quote of two broken", "t3/new_received/total=154", []Quote{q(QuoteReceived, 154), q(QuoteReceived, 21)}, "x.narrative.received", CheckFail},
		{"blank table cell", "t3/new_received/total=null", []Quote{q(QuoteReceived, 154)}, "x.narrative.received", CheckNotAssessable},
		{"table not printed", "t4/reconsideration/total=1", []Quote{q(QuoteReceived, 154)}, "x.narrative.received", CheckNotAssessable},
		{"no quote, no check", "t3/new_received/total=154", nil, "x.narrative.received", ""},
		{"reconsideration", "t4/reconsideration/total=2", []Quote{q(QuoteReconsideration, 2)}, "x.narrative.reconsideration", CheckPass},
		{"reconsideration broken", "t4/reconsideration/total=3", []Quote{q(QuoteReconsideration, 2)}, "x.narrative.reconsideration", CheckFail},
		{"litigation adds both blocks", "t4/litigation_direct/total=5 t4/litigation_after_reconsideration/total=2", []Quote{q(QuoteLitigation, 7)}, "x.narrative.litigation", CheckPass},
		{"litigation, a blank block skipped", "t4/litigation_direct/total=9 t4/litigation_after_reconsideration/total=null", []Quote{q(QuoteLitigation, 9)}, "x.narrative.litigation", CheckPass},
		{"litigation broken", "t4/litigation_direct/total=5 t4/litigation_after_reconsideration/total=2", []Quote{q(QuoteLitigation, 5)}, "x.narrative.litigation", CheckFail},
		{"litigation all blank", "t4/litigation_direct/total=null t4/litigation_after_reconsideration/total=null", []Quote{q(QuoteLitigation, 5)}, "x.narrative.litigation", CheckNotAssessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{ID: "r", Cells: cellsOf(tt.cells), Quotes: tt.quotes}
			c := find(NarrativeChecks(r), tt.id)
			if tt.want == "" {
				if c != nil {
					t.Fatalf("unexpected %s", c.Message)
				}
				return
			}
			if c == nil {
				t.Fatal("no check")
			}
			if c.Status != tt.want {
				t.Errorf("%s, want %s: %s", c.Status, tt.want, c.Message)
			}
			if tt.want == CheckFail && !strings.Contains(c.Message, "全年共受理政府信息公开申请") {
				t.Errorf("message %q does not quote the sentence", c.Message)
			}
			if tt.want != CheckNotAssessable && (c.LHS == nil || c.RHS == nil || c.Delta == nil || (*c.Delta == 0) != (tt.want == CheckPass)) {
				t.Errorf("sides %v %v %v", c.LHS, c.RHS, c.Delta)
			}
			for _, k := range c.Cells {
				if !strings.HasPrefix(k, "r:t") {
					t.Errorf("cell %q is not named with the report", k)
				}
			}
		})
	}
	// CrossChecks includes them.
	r := &Report{ID: "r", Cells: cellsOf("t3/new_received/total=150"), Quotes: []Quote{q(QuoteReceived, 154)}}
	if c := find(CrossChecks(infos(r))[r], "x.narrative.received"); c == nil || c.Status != CheckFail {
		t.Errorf("CrossChecks: %+v", c)
	}
}

// TestCrossFamilies: every cross check's id is its family's, filled in;
// Checks never makes one.
func TestCrossFamilies(t *testing.T) {
	pattern := map[string]bool{}
	for _, f := range CheckFamilies {
		if f.Over == OverReports {
			pattern[f.ID] = true
			if !strings.HasPrefix(f.ID, "x.") || f.Identity == "" || f.Note == "" {
				t.Errorf("family %s: id, identity or note missing", f.ID)
			}
		}
	}
	if len(pattern) != 6 {
		t.Errorf("%d cross families, want 6", len(pattern))
	}
	p := rep("p", "某局", 2022, "t3/carried_forward/total=3 t3/new_received/total=5 t2/art20_1.regulations/in_force=1")
	c := rep("c", "某局", 2023, "t3/carried_over/total=3 t3/new_received/total=5 t4/reconsideration/total=1 t2/art20_1.regulations/in_force=1")
	c.Quotes = []Quote{{What: QuoteReconsideration, Number: 1}}
	got := CrossChecks([]ReportInfo{{R: p}, {R: c, PublishDate: "2024-01-02", PreviousVersion: rep("c0", "某局", 2023, "")}})[c]
	for _, x := range got {
		fam := x.ID
		for _, ph := range []string{"<col>", "<row>", "<what>"} {
			for f := range pattern {
				if pre, _, ok := strings.Cut(f, ph); ok && strings.HasPrefix(x.ID, pre) {
					fam = f
				}
			}
		}
		if !pattern[fam] {
			t.Errorf("check %s is of no cross family", x.ID)
		}
	}
	if len(got) < 6 {
		t.Errorf("only %d checks: %v", len(got), got)
	}
	for _, x := range Checks(c.Cells) {
		if strings.HasPrefix(x.ID, "x.") {
			t.Errorf("Checks made cross check %s", x.ID)
		}
	}
}

// TestCrossDigest checks that CrossChecks finds the same over digests as
// over whole reports, on the demo site's series of years (carry-over,
// stock, year-on-year and narrative checks all apply there). The HTML
// pages do not print their agency: the file name's stands in for the
// registry's, as on the demo's crawl.
func TestCrossDigest(t *testing.T) {
	files, err := filepath.Glob("../internal/demo/site/*-20[0-9][0-9].*")
	if err != nil || len(files) < 10 {
		t.Fatalf("demo reports: %v (%d files)", err, len(files))
	}
	var whole, digests []ReportInfo
	for _, f := range files {
		r := ProcessFile(context.Background(), f)
		IdentifyAgency(r, strings.Split(filepath.Base(f), "-2")[0])
		whole = append(whole, ReportInfo{R: r})
		d := CrossDigest(r)
		if len(r.Cells) > 0 && len(d.Cells) >= len(r.Cells) || d.Warnings != nil || d.Checks != nil {
			t.Errorf("%s: digest keeps %d of %d cells, %d warnings, %d checks", f, len(d.Cells), len(r.Cells), len(d.Warnings), len(d.Checks))
		}
		digests = append(digests, ReportInfo{R: d})
	}
	a, b := CrossChecks(whole), CrossChecks(digests)
	n := 0
	for i := range whole {
		got, want := b[digests[i].R], a[whole[i].R]
		for _, c := range want {
			if c.Status == CheckPass || c.Status == CheckFail {
				n++
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: over the digest\n%v\nover the report\n%v", files[i], got, want)
		}
	}
	if n < 2*len(files) {
		t.Errorf("only %d cross checks passed or failed over %d reports: the test compares too little", n, len(files))
	}
}
