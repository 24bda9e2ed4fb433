package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
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
	maxPages := fl.Int("max-pages", 0, "URLs fetched per site at most, HTML pages and attachments alike (default 10000)")
	maxDocs := fl.Int("max-docs", 0, "documents (report pages and attachments) fetched per site at most (default 5000)")
	var maxBytes, diskBudget byteSize
	fl.Var(&maxBytes, "max-bytes", "response `size` received per site at most, e.g. 500MB or 2GiB (default 4GiB)")
	fl.Var(&diskBudget, "disk-budget", "`size` written to the raw archive per run at most, all sites together (default 100GiB)")
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
	if set["max-pages"] && *maxPages < 1 || set["max-docs"] && *maxDocs < 1 {
		fmt.Fprintln(stderr, "nianbao crawl: --max-pages and --max-docs must be at least 1")
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
		MaxDocs:    *maxDocs,
		MaxBytes:   int64(maxBytes),
		DiskBudget: int64(diskBudget),
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
		if runErr != nil {
			fmt.Fprintf(stderr, "nianbao crawl: %v\n", runErr)
		}
		return 1
	}
	fmt.Fprintf(stdout, "crawled %d sites in %s: %d pages, %d reports found (%d attachments)\n",
		sum.Sites, time.Since(start).Round(time.Millisecond), sum.Pages, sum.Reports, sum.Attachments)
	fmt.Fprintf(stdout, "documents: %d new, %d changed, %d unchanged, %d resumed\n", sum.New, sum.Changed, sum.Unchanged, sum.Resumed)
	fmt.Fprintf(stdout, "problems: %d failed, %d blocked, %d truncated, %d disallowed by robots.txt, %d with invalid UTF-8 replaced\n",
		sum.Failed, sum.Blocked, sum.Truncated, sum.Disallowed, sum.InvalidUTF8)
	fmt.Fprintf(stdout, "links not followed: %d off-site, %d crawler traps, %d already queued, %d too deep, %d past the per-page link cap\n",
		sum.OffSite, sum.Traps, sum.Seen, sum.OverDepth, sum.OverLinks)
	fmt.Fprintf(stdout, "caps: %d URLs over the page cap (--max-pages), %d over the document cap (--max-docs), %d over the byte cap (--max-bytes), %d over the disk budget (--disk-budget)\n",
		sum.OverPages, sum.OverDocs, sum.OverBytes, sum.OverDisk)
	fmt.Fprintf(stdout, "%d requests, %.1f MB received, %.1f MB archived; wrote %s\n", sum.Requests, float64(sum.Bytes)/1e6, float64(sum.Archived)/1e6,
		*out+string(os.PathSeparator)+output.DocumentsFile)
	switch {
	case errors.Is(runErr, crawl.ErrDiskFull):
		fmt.Fprintf(stderr, "nianbao crawl: %v (free some space, then run again to resume)\n", runErr)
		return 1
	case runErr != nil:
		fmt.Fprintf(stderr, "nianbao crawl: %v (run again to resume)\n", runErr)
		return 1
	}
	return 0
}

// A byteSize is a flag holding a number of bytes: a plain count, or a
// number with a unit: kB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB
// or just K, M, G, T (powers of 1024), and B. Units ignore case.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// parseSize parses a byteSize: "500MB", "2GiB", "1.5g", "1048576".
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mul, ok := sizeUnits[unit]
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || num == "" {
		return 0, fmt.Errorf("bad size %q: want a number of bytes with an optional unit, e.g. 500MB or 2GiB", s)
	}
	v *= mul
	if v < 1 || v > math.MaxInt64/2 {
		return 0, fmt.Errorf("bad size %q: want at least 1 byte and at most 4 EiB", s)
	}
	return int64(v), nil
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
			SHA256: d.SHA256, Size: d.Size, ContentType: d.ContentType, Status: string(d.Status),
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
