package normalize

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

// Expected is a hand-checked expected.json (see shared/spec/keys.md).
type Expected struct {
	File              string              `json:"file"`
	Format            string              `json:"format"`
	Template          string              `json:"template"`
	Year              int                 `json:"year"`
	Agency            string              `json:"agency"`
	Cells             map[string]*float64 `json:"cells"`
	Unscored          []string            `json:"unscored"`
	FailingIdentities []string            `json:"failing_identities"`
	Notes             string              `json:"notes"`
}

// LoadExpected reads an expected.json file.
func LoadExpected(path string) (*Expected, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e Expected
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &e, nil
}

// Score compares a report's cells and failed checks with the expected ones.
type Score struct {
	Right   int
	Wrong   []Mismatch // printed under the key, with a different value
	Missing []string   // expected keys the report lacks
	Extra   []Mismatch // keys the report has that are neither expected nor unscored
	// Identities: the failing identities expected but not flagged, and
	// flagged but not expected.
	Unflagged, Overflagged []string
	Template               bool // template version detected as expected
}

// Mismatch is one cell that differs from the expectation.
type Mismatch struct {
	Key           string
	Expected, Got *float64
	Raw           string
}

// Accuracy is right / (expected + extra): invented cells count against it.
func (s Score) Accuracy() float64 {
	n := s.Right + len(s.Wrong) + len(s.Missing) + len(s.Extra)
	if n == 0 {
		return 1
	}
	return float64(s.Right) / float64(n)
}

// IdentitiesOK reports whether exactly the expected identities failed.
func (s Score) IdentitiesOK() bool { return len(s.Unflagged) == 0 && len(s.Overflagged) == 0 }

// Compare scores r against e.
func Compare(r *Report, e *Expected) Score {
	var s Score
	got := map[string]Cell{}
	for _, c := range r.Cells {
		got[c.Key()] = c
	}
	unscored := map[string]bool{}
	for _, k := range e.Unscored {
		unscored[k] = true
	}
	for k, want := range e.Cells {
		c, ok := got[k]
		switch {
		case !ok:
			s.Missing = append(s.Missing, k)
		case sameValue(want, c.Value):
			s.Right++
		default:
			s.Wrong = append(s.Wrong, Mismatch{Key: k, Expected: want, Got: c.Value, Raw: c.Raw})
		}
	}
	for k, c := range got {
		if _, ok := e.Cells[k]; !ok && !unscored[k] {
			s.Extra = append(s.Extra, Mismatch{Key: k, Got: c.Value, Raw: c.Raw})
		}
	}
	sort.Strings(s.Missing)
	sort.Slice(s.Wrong, func(i, j int) bool { return s.Wrong[i].Key < s.Wrong[j].Key })
	sort.Slice(s.Extra, func(i, j int) bool { return s.Extra[i].Key < s.Extra[j].Key })

	flagged := map[string]bool{}
	for _, c := range r.Checks {
		if c.Status == CheckFail {
			flagged[c.Identity] = true
		}
	}
	want := map[string]bool{}
	for _, id := range e.FailingIdentities {
		id, _, _ = strings.Cut(id, " (")
		want[strings.TrimSpace(id)] = true
		if !flagged[strings.TrimSpace(id)] {
			s.Unflagged = append(s.Unflagged, id)
		}
	}
	for id := range flagged {
		if !want[id] {
			s.Overflagged = append(s.Overflagged, id)
		}
	}
	sort.Strings(s.Overflagged)
	s.Template = e.Template == "" || e.Template == r.Template || len(e.Cells) == 0
	return s
}

func sameValue(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*a))
}
