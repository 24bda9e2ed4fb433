package normalize_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
)

// TestQuotesCorpus: the counts quoted in the text of the real reports are
// found, and agree with their tables; in the fixtures, whose text is a
// template's ("全年共受理政府信息公开申请21件" whatever the tables say), that
// one sentence is the only quote among all their other counts (112条,
// 23件, 156件…).
func TestQuotesCorpus(t *testing.T) {
	real := map[string]string{
		"beijing-xicheng-waiban-2019": "received=2",
		"huaian-hongze-2023":          "received=21",
		"pingtan-2023":                "received=81 reconsideration=2 litigation=7",
		"shanghai-bangongting-2019":   "received=859 reconsideration=7 litigation=9",
	}
	seen := 0
	for _, exp := range cases(t) {
		name := filepath.Base(filepath.Dir(exp))
		t.Run(name, func(t *testing.T) {
			r, _ := run(t, exp)
			var got []string
			for _, q := range r.Quotes {
				got = append(got, fmt.Sprintf("%s=%v", q.What, q.Number))
			}
			quotes := strings.Join(got, " ")
			checks := normalize.NarrativeChecks(r)
			for _, c := range checks {
				t.Logf("%s %s: %s", c.Status, c.ID, c.Message)
			}
			want, isReal := real[name]
			if !isReal {
				if quotes != "" && quotes != "received=21" {
					t.Errorf("fixture quotes %q, want none or the template's received=21", quotes)
				}
				return
			}
			seen++
			if quotes != want {
				t.Errorf("quotes %q, want %q", quotes, want)
			}
			for _, c := range checks {
				if c.Status != normalize.CheckPass {
					t.Errorf("%s %s: %s", c.ID, c.Status, c.Message)
				}
			}
		})
	}
	if seen == 0 {
		t.Log("../../shared/corpus not found: only the fixtures were read")
	}
}
