package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/internal/workers"
	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type parseOptions struct {
	out, crawlDir string
	jobs          int
	isolate       bool
	docTimeout    time.Duration
	docMemory     byteSize
}

func (o *parseOptions) addFlags(f *pflag.FlagSet) {
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "documents parsed at once")
	f.BoolVar(&o.isolate, "isolate", true, "parse each document in a worker process that is killed when it overruns its time or memory")
	f.DurationVar(&o.docTimeout, "doc-timeout", DocTimeLimit, "wall time one document may take (with --isolate)")
	o.docMemory = DocMemoryLimit
	f.Var(&o.docMemory, "doc-memory", "resident memory of one worker (with --isolate), e.g. 1GiB")
}

func (o *parseOptions) limits() workers.Limits {
	return workers.Limits{Time: o.docTimeout, Memory: uint64(o.docMemory)}
}

func newParseCmd(g *globals) *cobra.Command {
	var o parseOptions
	cmd := &cobra.Command{
		Use:   "parse -o DIR [--crawl DIR] [PATH...]",
		Short: "Parse report files or directories into a Parquet dataset",
		Long: `Parse report files, or directories of them (recursively), into a Parquet
dataset in DIR. The format comes from the bytes, not the file name. One bad
document never stops the run: it gets a status and warnings. With --crawl,
every document a crawl fetched is parsed too, each version with its URL as
source. The dataset replaces DIR's previous one atomically when the run is
complete; summary.json beside it says what the run did.`,
		Example: `  nianbao parse -o data reports/
  nianbao parse --crawl crawl -o data
  nianbao parse -j 8 --doc-timeout 30s -o data big-batch/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.out == "" {
				return usageErrorf("--output (-o) is required")
			}
			if len(args) == 0 && o.crawlDir == "" {
				return usageErrorf("nothing to parse: give PATHs or --crawl DIR")
			}
			if o.jobs < 1 {
				return usageErrorf("--jobs must be at least 1")
			}
			return runParse(cmd.Context(), g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "output `dir`ectory for the Parquet dataset (required)")
	f.StringVar(&o.crawlDir, "crawl", "", "also parse every document fetched by 'nianbao crawl -o `DIR`', with its URL as source")
	o.addFlags(f)
	return cmd
}

func runParse(ctx context.Context, g *globals, o parseOptions, paths []string) error {
	start := time.Now()
	files, err := expandPaths(paths)
	if err != nil {
		return failedf("%v", err)
	}
	// Lock the dataset before any work: a second run into the same
	// directory fails now, naming the first.
	ds, err := output.OpenDataset(o.out)
	if err != nil {
		return failedf("%v", err)
	}
	defer ds.Close() // unlocks; drops the staged files of a run not committed
	w, err := ds.Create(output.Options{Version: nianbaoVersion()})
	if err != nil {
		return failedf("%v", err)
	}
	m := g.newMeter(ctx)
	sum, err := buildDataset(ctx, m, o, ds, func(a *planAdder) error {
		for _, f := range files {
			// A symlink to a directory met in a walk (the dataset of an
			// earlier run, say) is no report.
			if fi, err := os.Stat(f); err == nil && fi.IsDir() {
				continue
			}
			if err := a.file(ctx, f); err != nil {
				return err
			}
		}
		if o.crawlDir == "" {
			return nil
		}
		return crawl.EachDocument(ctx, o.crawlDir, func(d *crawl.Document) error { return a.crawled(ctx, o.crawlDir, d) })
	}, w)
	m.Close()
	if err != nil {
		w.Abort()
		if ctx.Err() != nil {
			return failedf("interrupted; the previous dataset is unchanged")
		}
		if errors.Is(err, errNoInput) {
			return failedf("no documents found in %v", paths)
		}
		return failedf("%v", err)
	}
	sum.Seconds = time.Since(start).Seconds()
	if err := sum.attach(w); err != nil {
		return failedf("%v", err)
	}
	if err := ds.Commit(w); err != nil {
		return failedf("%v", err)
	}
	sum.print(g.stdout, o.out)
	if sum.Readable == 0 {
		return failedf("no document could be read: every one failed (see the warnings in %s)", o.out)
	}
	return nil
}

func logReport(log *slog.Logger, n, total int, source string, p parsed) {
	r := p.Report.Report
	log.Info("parsed", "n", n, "of", total, "source", source, "status", r.Status, "format", r.Format,
		"template", r.Template, "year", r.Year, "cells", p.Cells, "checks_failed", p.ChecksFailed)
	for _, w := range r.Warnings {
		log.Warn(w.Message, "source", source, "code", w.Code, "at", w.Loc.String())
	}
}

// summary is what a run did, printed at its end and written beside the
// data as summary.json for a cron wrapper to alert on.
type summary struct {
	Version        string         `json:"nianbao_version"`
	Reports        int            `json:"reports"`
	Readable       int            `json:"reports_readable"` // ok or partial
	Cells          int            `json:"cells"`
	ByStatus       map[string]int `json:"reports_by_status"`
	ChecksFailed   int            `json:"checks_failed"`
	ReportsFlagged int            `json:"reports_with_failed_checks"`
	FailedByCheck  map[string]int `json:"checks_failed_by_id"`
	Seconds        float64        `json:"seconds"`
	Wrappers       int            `json:"link_pages_skipped,omitempty"` // pages that only link to a report attachment
	Crawl          *crawlSummary  `json:"crawl,omitempty"`
}

func newSummary() *summary {
	return &summary{Version: nianbaoVersion(), ByStatus: map[string]int{}, FailedByCheck: map[string]int{}}
}

func (s *summary) add(r *normalize.Report) {
	s.Reports++
	s.Cells += len(r.Cells)
	s.ByStatus[string(r.Status)]++
	if r.Status == normalize.StatusOK || r.Status == normalize.StatusPartial {
		s.Readable++
	}
	flagged := false
	for _, c := range r.Checks {
		if c.Status == normalize.CheckFail {
			s.ChecksFailed++
			s.FailedByCheck[checkFamily(c.ID)]++
			flagged = true
		}
	}
	if flagged {
		s.ReportsFlagged++
	}
}

// checkFamily is a check id without its row or column ("t3.balance.total"
// → "t3.balance"), so the summary stays small on a national batch.
func checkFamily(id string) string {
	if i := strings.IndexByte(id, '.'); i >= 0 {
		if j := strings.IndexByte(id[i+1:], '.'); j >= 0 {
			return id[:i+1+j]
		}
	}
	return id
}

// summaryFile is the name of the run summary in a dataset.
const summaryFile = "summary.json"

func (s *summary) attach(w *output.Writer) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return w.WriteFile(summaryFile, append(b, '\n'))
}

func (s *summary) print(w io.Writer, dir string) {
	fmt.Fprintf(w, "%d reports, %d cells written to %s\n", s.Reports, s.Cells, dir)
	var statuses []string
	for st := range s.ByStatus {
		statuses = append(statuses, st)
	}
	sort.Strings(statuses)
	for _, st := range statuses {
		fmt.Fprintf(w, "  %-12s %d\n", st, s.ByStatus[st])
	}
	fmt.Fprintf(w, "checks failed: %d (in %d reports)\n", s.ChecksFailed, s.ReportsFlagged)
}

// input is one document to parse: a file, or a body in a crawl's archive
// together with what the crawl recorded about it.
type input struct {
	path         string
	crawled      *crawl.Document
	sha256       string // of the body, where a crawl recorded it
	supersededBy string // report id of the later version of the same URL
	wrapper      bool   // a page that links to a report attachment
}

// source is where the document came from: its URL, or its path.
func (in input) source() string {
	if in.crawled != nil {
		return in.crawled.URL
	}
	return in.path
}

// annotate gives a file's report its path as source; a crawled report
// its URL, its revision, and the agency and year the crawl recorded where
// the report itself is silent.
func (in input) annotate(r *normalize.Report) {
	d := in.crawled
	if d == nil {
		r.Source = in.path // the cache holds the path these bytes were first parsed under
		return
	}
	r.Source, r.Revision = d.URL, d.Revision
	if r.Agency == "" {
		r.Agency = d.Agency
	}
	if r.Year == 0 {
		r.Year = d.Year
	}
	if r.Title == "" {
		r.Title = d.Title
	}
}
