package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/opengov-cn/nianbao/normalize"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("eval", flag.ContinueOnError)
	fl.SetOutput(stderr)
	minAcc := fl.Float64("min", 0, "exit 1 if total cell accuracy is below this fraction (0–1) or percentage (1–100)")
	strictIDs := fl.Bool("identities", false, "exit 1 unless every report's failing identities are flagged exactly")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: nianbao eval [--min F] [--identities] CORPUS_DIR...")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	var cases []string
	for _, dir := range fl.Args() {
		found, err := filepath.Glob(filepath.Join(dir, "*", "expected.json"))
		if err != nil {
			fmt.Fprintf(stderr, "nianbao eval: %v\n", err)
			return 2
		}
		cases = append(cases, found...)
	}
	sort.Strings(cases)
	if len(cases) == 0 {
		fmt.Fprintf(stderr, "nianbao eval: no */expected.json under %v\n", fl.Args())
		return 2
	}
	var total normalize.Score
	idsOK := 0
	for _, exp := range cases {
		e, err := normalize.LoadExpected(exp)
		if err != nil {
			fmt.Fprintf(stderr, "nianbao eval: %v\n", err)
			return 2
		}
		report := filepath.Join(filepath.Dir(exp), e.File)
		if e.File == "" {
			m, _ := filepath.Glob(filepath.Join(filepath.Dir(exp), "report.*"))
			if len(m) == 0 {
				fmt.Fprintf(stderr, "nianbao eval: no report beside %s\n", exp)
				return 2
			}
			report = m[0]
		}
		if _, err := os.Stat(report); err != nil {
			fmt.Fprintf(stderr, "nianbao eval: %v\n", err)
			return 2
		}
		r := normalize.ProcessFile(ctx, report)
		s := normalize.Compare(r, e)
		printScore(stdout, filepath.Base(filepath.Dir(exp)), r, s)
		total.Right += s.Right
		total.Wrong = append(total.Wrong, s.Wrong...)
		total.Missing = append(total.Missing, s.Missing...)
		total.Extra = append(total.Extra, s.Extra...)
		if s.IdentitiesOK() {
			idsOK++
		}
	}
	acc := total.Accuracy()
	fmt.Fprintf(stdout, "total: %d reports, %d cells right, %d wrong, %d missing, %d extra: accuracy %.2f%%; failing identities flagged exactly in %d/%d reports\n",
		len(cases), total.Right, len(total.Wrong), len(total.Missing), len(total.Extra), 100*acc, idsOK, len(cases))
	want := *minAcc
	if want > 1 {
		want /= 100
	}
	if acc+1e-12 < want {
		fmt.Fprintf(stderr, "nianbao eval: accuracy %.2f%% is below --min %.2f%%\n", 100*acc, 100*want)
		return 1
	}
	if *strictIDs && idsOK != len(cases) {
		fmt.Fprintf(stderr, "nianbao eval: failing identities differ in %d reports\n", len(cases)-idsOK)
		return 1
	}
	return 0
}

func printScore(w io.Writer, name string, r *normalize.Report, s normalize.Score) {
	ids := "flagged as expected"
	if !s.IdentitiesOK() {
		ids = "NOT as expected"
	}
	fmt.Fprintf(w, "%s [%s, template %s, %s]: %d right, %d wrong, %d missing, %d extra (%.2f%%); failing identities %s\n",
		name, r.Format, r.Template, r.Status, s.Right, len(s.Wrong), len(s.Missing), len(s.Extra), 100*s.Accuracy(), ids)
	const most = 20 // enough to see the pattern; the counts above say the rest
	lines := 0
	line := func(format string, args ...any) {
		if lines++; lines <= most {
			fmt.Fprintf(w, format, args...)
		}
	}
	for _, m := range s.Wrong {
		line("  wrong   %s: expected %s, got %s (printed %q)\n", m.Key, fmtVal(m.Expected), fmtVal(m.Got), m.Raw)
	}
	for _, k := range s.Missing {
		line("  missing %s\n", k)
	}
	for _, m := range s.Extra {
		line("  extra   %s = %s (printed %q)\n", m.Key, fmtVal(m.Got), m.Raw)
	}
	if lines > most {
		fmt.Fprintf(w, "  … and %d more\n", lines-most)
	}
	for _, id := range s.Unflagged {
		fmt.Fprintf(w, "  not flagged: %s\n", id)
	}
	for _, id := range s.Overflagged {
		fmt.Fprintf(w, "  flagged but not expected: %s\n", id)
	}
	if !s.Template {
		fmt.Fprintf(w, "  template detected as %s\n", r.Template)
	}
}

func fmtVal(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
