package normalize_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// cases lists every report with an expected.json: the fixtures in
// testdata/reports and testdata/pdf and, when it is there, the shared
// real corpus.
func cases(t testing.TB) []string {
	var out []string
	for _, dir := range []string{"../testdata/reports", "../testdata/pdf", "../testdata/pdfconv", "../../shared/corpus"} {
		m, err := filepath.Glob(filepath.Join(dir, "*", "expected.json"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no reports with expected.json found")
	}
	return out
}

func run(t testing.TB, expPath string) (*normalize.Report, *normalize.Expected) {
	e, err := normalize.LoadExpected(expPath)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(filepath.Dir(expPath), e.File)
	return normalize.ProcessFile(context.Background(), path), e
}

// TestExpected requires every cell of every report right and exactly its
// broken identities flagged. Reports in a format not supported yet are
// reported, not failed: `nianbao eval` scores them against --min.
func TestExpected(t *testing.T) {
	for _, exp := range cases(t) {
		name := filepath.Base(filepath.Dir(exp))
		t.Run(name, func(t *testing.T) {
			r, e := run(t, exp)
			if r.Status == normalize.StatusUnsupported {
				t.Skipf("%s: format %s not supported yet", name, r.Format)
			}
			s := normalize.Compare(r, e)
			for _, m := range s.Wrong {
				t.Errorf("%s: got %v, want %v (printed %q)", m.Key, deref(m.Got), deref(m.Expected), m.Raw)
			}
			for _, k := range s.Missing {
				t.Errorf("%s: missing", k)
			}
			for _, m := range s.Extra {
				t.Errorf("%s: extra cell %v (printed %q)", m.Key, deref(m.Got), m.Raw)
			}
			for _, id := range s.Unflagged {
				t.Errorf("identity not flagged: %s", id)
			}
			for _, id := range s.Overflagged {
				t.Errorf("identity flagged but holds: %s", id)
			}
			if len(e.Cells) == 0 {
				return // scanned or locked: nothing to read the template or year from
			}
			if !s.Template {
				t.Errorf("template = %s, want %s", r.Template, e.Template)
			}
			if e.Year != 0 && r.Year != e.Year {
				t.Errorf("year = %d, want %d", r.Year, e.Year)
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

// golden is the part of a Report the golden files pin down.
type golden struct {
	Status, Template, Agency, Title string
	Year                            int
	Warnings                        []string
	Cells                           []string
	Failed                          []string
}

func TestGolden(t *testing.T) {
	for _, exp := range cases(t) {
		name := filepath.Base(filepath.Dir(exp))
		t.Run(name, func(t *testing.T) {
			r, _ := run(t, exp)
			g := golden{Status: string(r.Status), Template: r.Template, Agency: r.Agency, Title: r.Title, Year: r.Year}
			for _, w := range r.Warnings {
				g.Warnings = append(g.Warnings, w.String())
			}
			for _, c := range r.Cells {
				g.Cells = append(g.Cells, fmt.Sprintf("%s = %v | %q | %q | %s", c.Key(), deref(c.Value), c.Raw, c.Label, c.Loc))
			}
			for _, c := range r.Checks {
				if c.Status == normalize.CheckFail {
					g.Failed = append(g.Failed, c.Message)
				}
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; run go test ./normalize -update and review the diff", name)
			}
		})
	}
}
