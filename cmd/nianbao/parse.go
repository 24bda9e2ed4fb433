package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
)

func runParse(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("parse", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "", "output `dir`ectory for the Parquet dataset (required)")
	crawlDir := fl.String("crawl", "", "also parse every document fetched by 'nianbao crawl -o `DIR`', with its URL as source")
	quiet := fl.Bool("q", false, "log only warnings and errors")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: nianbao parse -o DIR [--crawl DIR] [PATH...]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fl.NArg() == 0 && *crawlDir == "" {
		fl.Usage()
		return 2
	}
	log := newLogger(stderr, *quiet)
	files, err := expandPaths(fl.Args())
	if err != nil {
		fmt.Fprintf(stderr, "nianbao parse: %v\n", err)
		return 1
	}
	// Lock the dataset before any work: a second run into the same
	// directory fails now, naming the first.
	ds, err := output.OpenDataset(*out)
	if err != nil {
		fmt.Fprintf(stderr, "nianbao parse: %v\n", err)
		return 1
	}
	defer ds.Close() // unlocks; drops the staged files of a run not committed
	var inputs []input
	for _, f := range files {
		// A symlink to a directory met in a walk (the dataset of an
		// earlier run, say) is no report.
		if fi, err := os.Stat(f); err == nil && fi.IsDir() {
			continue
		}
		inputs = append(inputs, input{path: f})
	}
	if *crawlDir != "" {
		fetched, err := crawledInputs(ctx, *crawlDir)
		if err != nil {
			fmt.Fprintf(stderr, "nianbao parse: %v\n", err)
			return 1
		}
		inputs = append(inputs, fetched...)
	}
	w, err := ds.Create()
	if err != nil {
		fmt.Fprintf(stderr, "nianbao parse: %v\n", err)
		return 1
	}
	var sum summary
	for i, in := range inputs {
		if ctx.Err() != nil {
			w.Abort()
			fmt.Fprintln(stderr, "nianbao parse: interrupted; nothing written")
			return 1
		}
		r := normalize.ProcessFile(ctx, in.path)
		in.annotate(r)
		if err := w.Write(r); err != nil {
			w.Abort()
			fmt.Fprintf(stderr, "nianbao parse: %v\n", err)
			return 1
		}
		sum.add(r)
		logReport(log, i+1, len(inputs), r)
	}
	if err := ds.Commit(w); err != nil {
		fmt.Fprintf(stderr, "nianbao parse: %v\n", err)
		return 1
	}
	sum.print(stdout, *out)
	return 0
}

func newLogger(w io.Writer, quiet bool) *slog.Logger {
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func logReport(log *slog.Logger, n, total int, r *normalize.Report) {
	failed := 0
	for _, c := range r.Checks {
		if c.Status == normalize.CheckFail {
			failed++
		}
	}
	log.Info("parsed", "n", n, "of", total, "source", r.Source, "status", r.Status, "format", r.Format,
		"template", r.Template, "year", r.Year, "cells", len(r.Cells), "checks_failed", failed)
	for _, w := range r.Warnings {
		log.Warn(w.Message, "source", r.Source, "code", w.Code, "at", w.Loc.String())
	}
}

type summary struct {
	reports, cells, checksFailed, reportsFlagged int
	byStatus                                     map[string]int
}

func (s *summary) add(r *normalize.Report) {
	if s.byStatus == nil {
		s.byStatus = map[string]int{}
	}
	s.reports++
	s.cells += len(r.Cells)
	s.byStatus[string(r.Status)]++
	flagged := false
	for _, c := range r.Checks {
		if c.Status == normalize.CheckFail {
			s.checksFailed++
			flagged = true
		}
	}
	if flagged {
		s.reportsFlagged++
	}
}

func (s *summary) print(w io.Writer, dir string) {
	fmt.Fprintf(w, "%d reports, %d cells written to %s\n", s.reports, s.cells, dir)
	var statuses []string
	for st := range s.byStatus {
		statuses = append(statuses, st)
	}
	sort.Strings(statuses)
	for _, st := range statuses {
		fmt.Fprintf(w, "  %-12s %d\n", st, s.byStatus[st])
	}
	fmt.Fprintf(w, "checks failed: %d (in %d reports)\n", s.checksFailed, s.reportsFlagged)
}

// input is one document to parse: a file, or a body in a crawl's archive
// together with what the crawl recorded about it.
type input struct {
	path    string
	crawled *crawl.Document
}

// annotate gives a crawled report its URL as source, its revision, and
// the agency and year the crawl recorded where the report itself is silent.
func (in input) annotate(r *normalize.Report) {
	d := in.crawled
	if d == nil {
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

// crawledInputs lists every version of every report page and attachment a
// crawl stored, skipping records without a body (failed, blocked,
// truncated fetches).
func crawledInputs(ctx context.Context, dir string) ([]input, error) {
	docs, err := crawl.Documents(ctx, dir)
	if err != nil {
		return nil, err
	}
	var out []input
	for i := range docs {
		d := &docs[i]
		if d.SHA256 == "" {
			continue
		}
		out = append(out, input{path: crawl.ArchivePath(dir, d.SHA256), crawled: d})
	}
	return out, nil
}
