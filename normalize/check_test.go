package normalize

import (
	"strings"
	"testing"
)

func cellsOf(spec string) []Cell {
	var out []Cell
	for _, f := range strings.Fields(spec) {
		key, val, _ := strings.Cut(f, "=")
		p := strings.Split(key, "/")
		c := Cell{Table: TableID(p[0]), Row: p[1], Col: p[2]}
		if val != "null" {
			v, ok := parseValue(val)
			if !ok {
				panic(val)
			}
			c.Value = v.Num
		}
		out = append(out, c)
	}
	return out
}

func find(checks []Check, id string) *Check {
	for i := range checks {
		if checks[i].ID == id {
			return &checks[i]
		}
	}
	return nil
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name  string
		cells string
		id    string
		want  CheckStatus // or "" for no such check
		delta float64
	}{
		{"t4 holds", "t4/reconsideration/upheld=1 t4/reconsideration/corrected=1 t4/reconsideration/other=0 t4/reconsideration/pending=0 t4/reconsideration/total=2",
			"t4.sum.reconsideration", CheckPass, 0},
		{"t4 total printed 0", "t4/reconsideration/upheld=10 t4/reconsideration/corrected=1 t4/reconsideration/other=0 t4/reconsideration/pending=0 t4/reconsideration/total=0",
			"t4.sum.reconsideration", CheckFail, 11},
		{"t4 total blank", "t4/reconsideration/upheld=5 t4/reconsideration/total=null",
			"t4.sum.reconsideration", CheckNotAssessable, 0},
		{"blank addends are skipped", "t4/litigation_direct/upheld=8 t4/litigation_direct/corrected=null t4/litigation_direct/pending=1 t4/litigation_direct/total=9",
			"t4.sum.litigation_direct", CheckPass, 0},
		{"no cells, no check", "t3/new_received/total=1", "t4.sum.reconsideration", "", 0},
		{"balance", "t3/new_received/total=859 t3/carried_over/total=18 t3/result.total/total=805 t3/carried_forward/total=72",
			"t3.balance.total", CheckPass, 0},
		{"balance broken", "t3/new_received/total=10 t3/carried_over/total=0 t3/result.total/total=8 t3/carried_forward/total=1",
			"t3.balance.total", CheckFail, 1},
		{"balance with a blank side", "t3/new_received/research=null t3/carried_over/research=null t3/result.total/research=null t3/carried_forward/research=null",
			"t3.balance.research", CheckNotAssessable, 0},
		{"results with blank leaves only", "t3/result.disclosed/total=null t3/result.other/total=null t3/result.total/total=805",
			"t3.results.total", CheckNotAssessable, 0},
		{"results use （六） sub-rows when printed", "t3/result.disclosed/total=2 t3/result.other.no_correction/total=1 t3/result.other.other/total=1 t3/result.total/total=4",
			"t3.results.total", CheckPass, 0},
		{"applicant columns", "t3/new_received/natural_person=80 t3/new_received/commercial=1 t3/new_received/research=0 t3/new_received/total=82",
			"t3.applicants.new_received", CheckFail, -1},
		{"org subtotal", "t3/new_received/commercial=1 t3/new_received/research=2 t3/new_received/org_subtotal=3",
			"t3.orgs.new_received", CheckPass, 0},
		{"negative count", "t3/new_received/total=-1", "nonneg", CheckFail, 0},
		{"negative change is allowed", "t2/art20_5.licensing/change=-3", "nonneg", CheckPass, 0},
		{"no cells: signs not assessable", "", "nonneg", CheckNotAssessable, 0},
		{"blank cells only: signs not assessable", "t3/new_received/total=null", "nonneg", CheckNotAssessable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := find(Checks(cellsOf(tt.cells)), tt.id)
			switch {
			case tt.want == "" && c != nil:
				t.Fatalf("unexpected check %s: %s", tt.id, c.Message)
			case tt.want == "":
				return
			case c == nil:
				t.Fatalf("no check %s", tt.id)
			}
			if c.Status != tt.want {
				t.Errorf("%s status = %s, want %s (%s)", tt.id, c.Status, tt.want, c.Message)
			}
			if tt.want == CheckFail && c.Delta != nil && *c.Delta != tt.delta {
				t.Errorf("%s delta = %v, want %v", tt.id, *c.Delta, tt.delta)
			}
			if c.Message == "" || c.Identity == "" {
				t.Errorf("%s has no message or identity", tt.id)
			}
		})
	}
}
