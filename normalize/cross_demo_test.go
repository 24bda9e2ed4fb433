package normalize_test

import (
	"context"
	"io"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/internal/demo"
	"github.com/opengov-cn/nianbao/normalize"
)

// TestCrossDemo runs CrossChecks over the demo site's reports, fetched
// from its handler in memory (no listener) as the crawl would fetch
// them, and holds the outcome to what internal/demo.Expected says: which
// series carry over, which report is late, which one was revised and
// how. (internal/demo imports normalize in its tests only, so this
// import makes no cycle.)
func TestCrossDemo(t *testing.T) {
	site := demo.New()
	get := func(path string) []byte {
		t.Helper()
		rec := httptest.NewRecorder()
		site.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		b, err := io.ReadAll(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	process := func(r demo.Report, path string, body []byte) *normalize.Report {
		rep := normalize.Process(context.Background(), normalize.Source{Path: path}, body)
		// What the command line's annotate does: the crawl's year where
		// the report is silent (the unreadable ones).
		if rep.Year == 0 {
			rep.Year = r.Year
		}
		normalize.IdentifyAgency(rep, r.Agency) // the registry's name of the site
		return rep
	}

	exp := demo.Expected()
	reps := map[string]*normalize.Report{}
	var infos []normalize.ReportInfo
	var revisedFrom *normalize.Report
	for _, r := range exp {
		rep := process(r, r.Document, get(r.Document))
		reps[r.ID] = rep
		if lvl := normalize.AgencyLevel(r.Agency); lvl != r.Level {
			t.Errorf("%s: AgencyLevel(%s) = %q, the demo says %q", r.ID, r.Agency, lvl, r.Level)
		}
		infos = append(infos, normalize.ReportInfo{R: rep, PublishDate: r.PublishDate, Fetched: r.PublishDate})
		if r.Revised != nil {
			revisedFrom = rep
		}
	}
	site.Advance()
	var v2 *normalize.Report
	for _, r := range exp {
		if r.Revised == nil {
			continue
		}
		v2 = process(r, r.Page, get(r.Page))
		reps[r.ID].SupersededBy = v2.ID
		infos = append(infos, normalize.ReportInfo{R: v2, PublishDate: r.PublishDate,
			Fetched: r.Revised.Date, PreviousVersion: revisedFrom, PreviousFetched: r.PublishDate})
	}
	if v2 == nil {
		t.Fatal("the demo has no revised report")
	}

	got := normalize.CrossChecks(infos)
	for _, r := range exp {
		rep := reps[r.ID]
		checks := got[rep]
		if rep.AgencyID == "" || rep.AgencyID != normalize.AgencyID(r.Agency, "") {
			t.Errorf("%s: agency id %q, want that of %s", r.ID, rep.AgencyID, r.Agency)
		}
		t.Run(r.ID, func(t *testing.T) {
			for _, c := range checks {
				t.Logf("%s %s: %s", c.Status, c.ID, c.Message)
			}
			if carry := carryOver(checks); carry != r.CarryOver {
				t.Errorf("carry-over %s, the demo says %s", carry, r.CarryOver)
			}
			late := byID(checks, "x.late")
			switch {
			case late == nil:
				t.Error("no x.late check")
			case r.Late && late.Status != normalize.CheckFail, !r.Late && late.Status != normalize.CheckPass:
				t.Errorf("x.late %s (%s), the demo says late = %v", late.Status, late.Message, r.Late)
			case r.Late && (!strings.Contains(late.Message, r.PublishDate) || !strings.Contains(late.Message, r.Deadline)):
				t.Errorf("x.late message %q names not both %s and %s", late.Message, r.PublishDate, r.Deadline)
			}
			if c := byID(checks, "x.revised"); c != nil {
				t.Errorf("x.revised on a first version: %s", c.Message)
			}
			for _, c := range checks {
				if strings.HasPrefix(c.ID, "x.narrative.") {
					t.Errorf("the demo's text quotes no count, yet %s: %s", c.ID, c.Message)
				}
				// The demo's generator draws each year's 现行有效件数 on its
				// own, not as a series: x.stock fails across its years.
				expected := c.ID == "x.late" || strings.HasPrefix(c.ID, "x.carry_over.") || strings.HasPrefix(c.ID, "x.stock.")
				if c.Status == normalize.CheckHint || c.Status == normalize.CheckFail && !expected {
					t.Errorf("unexpected %s %s: %s", c.Status, c.ID, c.Message)
				}
			}
		})
	}

	// The revision: a hint on the new version naming both and the cells
	// whose value changed.
	var rev demo.Report
	for _, r := range exp {
		if r.Revised != nil {
			rev = r
		}
	}
	for _, c := range got[v2] {
		t.Logf("v2: %s %s: %s %v", c.Status, c.ID, c.Message, c.Cells)
	}
	c := byID(got[v2], "x.revised")
	if c == nil {
		t.Fatalf("no x.revised on %s's second version", rev.ID)
	}
	if c.Status != normalize.CheckHint || !strings.Contains(c.Message, revisedFrom.ID) || !strings.Contains(c.Message, v2.ID) || !strings.Contains(c.Message, rev.Revised.Date) {
		t.Errorf("x.revised %s: %s", c.Status, c.Message)
	}
	for k, was := range rev.Cells {
		is, ok := rev.Revised.Cells[k]
		if !ok || is == was {
			continue
		}
		change := k + " " + trimNum(was) + " → " + trimNum(is)
		if !strings.Contains(c.Message, change) || !slices.Contains(c.Cells, revisedFrom.ID+":"+k) || !slices.Contains(c.Cells, v2.ID+":"+k) {
			t.Errorf("x.revised does not list %s: %s %v", change, c.Message, c.Cells)
		}
	}
	// The next year's carry-over is checked against the current version:
	// the demo has none after the revised year, so the revised report's
	// own series is what is left to check.
	if carry := carryOver(got[v2]); carry != rev.CarryOver {
		t.Errorf("revised version: carry-over %s, the demo says %s", carry, rev.CarryOver)
	}
}

// carryOver sums a report's x.carry_over checks up as the demo does:
// mismatch if one fails, match if they all pass, else not_assessable.
func carryOver(checks []normalize.Check) string {
	n, pass := 0, 0
	for _, c := range checks {
		if !strings.HasPrefix(c.ID, "x.carry_over.") {
			continue
		}
		n++
		switch c.Status {
		case normalize.CheckFail:
			return "mismatch"
		case normalize.CheckPass:
			pass++
		}
	}
	if n > 0 && pass == n {
		return "match"
	}
	return "not_assessable"
}

func byID(checks []normalize.Check, id string) *normalize.Check {
	for i := range checks {
		if checks[i].ID == id {
			return &checks[i]
		}
	}
	return nil
}

func trimNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
