package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/output"
)

func runCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "", "output `dir`ectory: state.db, raw/ archive and documents.parquet (required)")
	sitesFile := fl.String("sites", "", "site registry YAML `file` (default: the built-in registry)")
	only := fl.String("site", "", "crawl only these `names` from the registry (comma-separated)")
	delay := fl.Duration("delay", 0, "pause between requests to one host, for every site (default 1s, or the site's own)")
	parallel := fl.Int("parallel", 0, "requests in flight per host, for every site (default 1, or the site's own)")
	contact := fl.String("contact", "", "contact `URL` for site operators, sent in the User-Agent (default "+crawl.DefaultContact+")")
	timeout := fl.Duration("timeout", 0, "timeout of one HTTP attempt (default 30s)")
	retries := fl.Int("retries", 0, "retries after a timeout, 429 or 5xx (default 3; -1 for none)")
	maxPages := fl.Int("max-pages", 0, "HTML pages fetched per site at most (default 10000)")
	maxDepth := fl.Int("max-depth", 0, "links followed away from a start URL at most (default 4)")
	quiet := fl.Bool("q", false, "log only warnings and errors, no progress")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: nianbao crawl [--sites FILE] [--delay D] [--parallel N] -o DIR")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fl.NArg() != 0 {
		fl.Usage()
		return 2
	}
	set := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["delay"] && *delay < 0 || set["parallel"] && *parallel < 1 {
		fmt.Fprintln(stderr, "nianbao crawl: --delay must not be negative and --parallel must be at least 1")
		return 2
	}

	reg := crawl.DefaultRegistry()
	if *sitesFile != "" {
		f, err := os.Open(*sitesFile)
		if err != nil {
			fmt.Fprintf(stderr, "nianbao crawl: %v\n", err)
			return 1
		}
		reg, err = crawl.LoadRegistry(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "nianbao crawl: %s: %v\n", *sitesFile, err)
			return 1
		}
	}
	cfg := crawl.Config{
		Registry:   reg,
		Dir:        *out,
		Contact:    *contact,
		Parallel:   *parallel,
		Timeout:    *timeout,
		MaxRetries: *retries,
		MaxPages:   *maxPages,
		MaxDepth:   *maxDepth,
		Logger:     newLogger(stderr, *quiet),
	}
	// Command-line politeness settings win over the registry's.
	if set["delay"] {
		cfg.Delay = *delay
		if *delay == 0 {
			cfg.Delay = -1
		}
	}
	for i := range reg.Sites {
		if set["delay"] {
			reg.Sites[i].Delay = 0
		}
		if set["parallel"] {
			reg.Sites[i].Parallel = 0
		}
	}
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
	}
	if !*quiet {
		cfg.Progress = stderr
	}

	start := time.Now()
	sum, runErr := crawl.Run(ctx, cfg)
	if runErr != nil && sum.Sites == 0 {
		fmt.Fprintf(stderr, "nianbao crawl: %v\n", runErr)
		return 1
	}
	// Write the documents dataset even after an interrupted run: it holds
	// everything fetched so far, and the next run resumes the crawl.
	if err := writeDocuments(ctx, *out); err != nil {
		fmt.Fprintf(stderr, "nianbao crawl: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "crawled %d sites in %s: %d pages, %d reports found (%d attachments)\n",
		sum.Sites, time.Since(start).Round(time.Millisecond), sum.Pages, sum.Reports, sum.Attachments)
	fmt.Fprintf(stdout, "documents: %d new, %d changed, %d unchanged, %d resumed\n", sum.New, sum.Changed, sum.Unchanged, sum.Resumed)
	fmt.Fprintf(stdout, "problems: %d failed, %d blocked, %d truncated, %d disallowed by robots.txt\n", sum.Failed, sum.Blocked, sum.Truncated, sum.Disallowed)
	fmt.Fprintf(stdout, "links not followed: %d off-site, %d crawler traps, %d already queued, %d too deep, %d over the page cap\n",
		sum.OffSite, sum.Traps, sum.Seen, sum.OverDepth, sum.OverPages)
	fmt.Fprintf(stdout, "%d requests, %.1f MB received; wrote %s\n", sum.Requests, float64(sum.Bytes)/1e6, *out+string(os.PathSeparator)+output.DocumentsFile)
	if runErr != nil {
		fmt.Fprintf(stderr, "nianbao crawl: %v (run again to resume)\n", runErr)
		return 1
	}
	return 0
}

// writeDocuments writes the crawl's documents dataset from the state in dir.
func writeDocuments(ctx context.Context, dir string) error {
	docs, err := crawl.Documents(context.WithoutCancel(ctx), dir)
	if err != nil {
		return err
	}
	rows := make([]output.DocumentRow, len(docs))
	for i, d := range docs {
		r := output.DocumentRow{
			URL: d.URL, Site: d.Site, Agency: d.Agency, Kind: d.Kind, PageURL: d.PageURL, Title: d.Title,
			SHA256: d.SHA256, Size: d.Size, ContentType: d.ContentType, Status: d.Status,
			HTTPStatus: int32(d.HTTPStatus), Error: d.Error, FetchedAt: d.FetchedAt, Revision: int32(d.Revision),
		}
		if d.Year != 0 {
			y := int32(d.Year)
			r.Year = &y
		}
		if t, err := time.Parse(time.DateOnly, d.PublishDate); err == nil {
			r.PublishDate = output.Date(t)
		}
		rows[i] = r
	}
	return output.WriteDocuments(dir, rows)
}
