package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/spf13/cobra"
)

type evalOptions struct {
	min        float64
	identities bool
}

func newEvalCmd(g *globals) *cobra.Command {
	var o evalOptions
	cmd := &cobra.Command{
		Use:   "eval [--min F] [--identities] CORPUS_DIR...",
		Short: "Score the pipeline against reports with known cells",
		Long: `Run the pipeline on every CORPUS_DIR/*/expected.json and the report beside
it, and print per report the cells right, wrong, missing and extra and
whether exactly the expected identities were flagged, then a total.
Accuracy is right / (expected + extra): invented cells count against it.`,
		Example: `  nianbao eval ../shared/corpus
  nianbao eval --min 1 --identities testdata/reports testdata/pdf`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEval(cmd.Context(), o, args, g.stdout)
		},
	}
	cmd.Flags().Float64Var(&o.min, "min", 0, "exit 1 if total cell accuracy is below this fraction (0–1) or percentage (1–100)")
	cmd.Flags().BoolVar(&o.identities, "identities", false, "exit 1 unless every report's failing identities are flagged exactly")
	return cmd
}

func runEval(ctx context.Context, o evalOptions, dirs []string, stdout io.Writer) error {
	var cases []string
	for _, dir := range dirs {
		// A report's own directory, or a directory of them.
		if own := filepath.Join(dir, "expected.json"); fileExists(own) {
			cases = append(cases, own)
			continue
		}
		found, err := filepath.Glob(filepath.Join(dir, "*", "expected.json"))
		if err != nil {
			return usageErrorf("%v", err)
		}
		cases = append(cases, found...)
	}
	sort.Strings(cases)
	if len(cases) == 0 {
		return usageErrorf("no */expected.json under %v", dirs)
	}
	var total normalize.Score
	idsOK := 0
	for _, exp := range cases {
		e, err := normalize.LoadExpected(exp)
		if err != nil {
			return usageErrorf("%v", err)
		}
		report := filepath.Join(filepath.Dir(exp), e.File)
		if e.File == "" {
			m, _ := filepath.Glob(filepath.Join(filepath.Dir(exp), "report.*"))
			if len(m) == 0 {
				return usageErrorf("no report beside %s", exp)
			}
			report = m[0]
		}
		if _, err := os.Stat(report); err != nil {
			return usageErrorf("%v", err)
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
	want := o.min
	if want > 1 {
		want /= 100
	}
	if acc+1e-12 < want {
		return failedf("accuracy %.2f%% is below --min %.2f%%", 100*acc, 100*want)
	}
	if o.identities && idsOK != len(cases) {
		return failedf("failing identities differ in %d reports", len(cases)-idsOK)
	}
	return nil
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
