package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/output"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type crawlOptions struct {
	out, sitesFile, contact string
	only                    []string
	delay, timeout          time.Duration
	parallel, retries       int
	maxPages, maxDocs       int
	maxDepth                int
	maxBytes, diskBudget    byteSize
}

func newCrawlCmd(g *globals) *cobra.Command {
	var o crawlOptions
	cmd := &cobra.Command{
		Use:   "crawl -o DIR [--sites FILE]",
		Short: "Find and fetch reports from government sites",
		Long: `Find and fetch every report from the sites of a registry (the built-in one
by default), politely and incrementally: robots.txt and Crawl-delay are
obeyed, each host gets one request at a time one second apart, and the next
run sends conditional requests and fetches only what changed. DIR keeps the
crawl state (state.db), every fetched body (raw/) and documents.parquet.`,
		Example: `  nianbao crawl --contact https://example.org/about-our-crawler -o crawl
  nianbao crawl --sites my-sites.yaml --site 某县 -o crawl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCrawl(cmd.Context(), g, o, cmd.Flags().Changed)
		},
	}
	cmd.Flags().StringVarP(&o.out, "output", "o", "", "output `dir`ectory: state.db, raw/ archive and documents.parquet (required)")
	o.addFlags(cmd.Flags())
	return cmd
}

// addFlags adds the crawl's flags, shared by crawl and run.
func (o *crawlOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.sitesFile, "sites", "", "site registry YAML `file` (default: the built-in registry of curated sites), or national for every government portal (see 'nianbao sites')")
	f.StringSliceVar(&o.only, "site", nil, "crawl only these site `names` from the registry (comma-separated or repeated)")
	f.DurationVar(&o.delay, "delay", 0, "pause between requests to one host, for every site (default 1s, or the site's own)")
	f.IntVar(&o.parallel, "parallel", 0, "requests in flight per host, for every site (default 1, or the site's own)")
	f.StringVar(&o.contact, "contact", "", "contact `URL` for site operators, sent in the User-Agent (default "+crawl.DefaultContact+")")
	f.DurationVar(&o.timeout, "timeout", 0, "timeout of one HTTP attempt (default 30s)")
	f.IntVar(&o.retries, "retries", 0, "retries after a timeout, 429 or 5xx (default 3; -1 for none)")
	f.IntVar(&o.maxPages, "max-pages", 0, "URLs fetched per site at most, HTML pages and attachments alike (default 10000)")
	f.IntVar(&o.maxDocs, "max-docs", 0, "documents (report pages and attachments) fetched per site at most (default 5000)")
	f.Var(&o.maxBytes, "max-bytes", "response `size` received per site at most, e.g. 500MB or 2GiB (default 4GiB)")
	f.Var(&o.diskBudget, "disk-budget", "`size` written to the raw archive per run at most, all sites together (default 100GiB)")
	f.IntVar(&o.maxDepth, "max-depth", 0, "links followed away from a start URL at most (default 4)")
}

// config turns the options into a crawl configuration for dir; set tells
// the flags given on the command line, which win over the registry's own
// politeness settings.
func (o *crawlOptions) config(g *globals, dir string, set func(string) bool, log *slog.Logger) (crawl.Config, error) {
	if set("delay") && o.delay < 0 || set("parallel") && o.parallel < 1 {
		return crawl.Config{}, usageErrorf("--delay must not be negative and --parallel must be at least 1")
	}
	if set("max-pages") && o.maxPages < 1 || set("max-docs") && o.maxDocs < 1 {
		return crawl.Config{}, usageErrorf("--max-pages and --max-docs must be at least 1")
	}
	reg, err := loadRegistry(o.sitesFile)
	if err != nil {
		return crawl.Config{}, err
	}
	cfg := crawl.Config{
		Registry: reg, Dir: dir, Contact: o.contact, Parallel: o.parallel, Timeout: o.timeout,
		MaxRetries: o.retries, MaxPages: o.maxPages, MaxDocs: o.maxDocs, MaxBytes: int64(o.maxBytes),
		DiskBudget: int64(o.diskBudget), MaxDepth: o.maxDepth, Logger: log, Only: o.only,
	}
	if set("delay") {
		cfg.Delay = o.delay
		if o.delay == 0 {
			cfg.Delay = -1
		}
	}
	for i := range reg.Sites {
		if set("delay") {
			reg.Sites[i].Delay = 0
		}
		if set("parallel") {
			reg.Sites[i].Parallel = 0
		}
	}
	return cfg, nil
}

func runCrawl(ctx context.Context, g *globals, o crawlOptions, set func(string) bool) error {
	if o.out == "" {
		return usageErrorf("--output (-o) is required")
	}
	cfg, err := o.config(g, o.out, set, g.logger())
	if err != nil {
		return err
	}
	m := g.newMeter(ctx)
	cfg.Logger = m.log
	cfg.OnProgress = crawlGauges(m)
	start := time.Now()
	sum, runErr := crawl.Run(ctx, cfg)
	m.Close()
	if runErr != nil && sum.Sites == 0 {
		return failedf("%v", runErr)
	}
	// Write the documents dataset even after an interrupted run: it holds
	// everything fetched so far, and the next run resumes the crawl.
	if err := output.WriteDocumentsFrom(o.out, documentRows(ctx, o.out), output.Options{Version: nianbaoVersion()}); err != nil {
		return failedf("%w", errors.Join(err, runErr))
	}
	printCrawl(g.stdout, sum, time.Since(start))
	fmt.Fprintf(g.stdout, "wrote %s\n", filepath.Join(o.out, output.DocumentsFile))
	if err := crawlError(runErr); err != nil {
		return err
	}
	return unreachableError(sum, "the log and documents.parquet say why for each")
}

// unreachableError is the error of a crawl none of whose sites could be
// crawled: the run produced nothing.
func unreachableError(sum crawl.Summary, where string) error {
	if !sum.AllUnreachable() {
		return nil
	}
	return failedf("no site could be crawled (%d unreachable, %d hosts given up): check the network or the sites' URLs; %s (with no network, try 'nianbao demo')",
		sum.SitesUnreachable, sum.HostsGivenUp, where)
}

// crawlGauges shows a crawl's progress on m: pages and documents fetched
// (their totals grow as the crawl finds them) and bytes received.
func crawlGauges(m *meter) func(crawl.Summary) {
	pages := m.gauge("pages", 0, false)
	docs := m.gauge("documents", 0, false)
	received := m.gauge("received", 0, true)
	var last crawl.Summary
	return func(s crawl.Summary) {
		pages.SetTotal(int64(s.Pages + s.OverPages))
		pages.Add(int64(s.Pages - last.Pages))
		d, ld := s.New+s.Changed+s.Unchanged+s.Failed, last.New+last.Changed+last.Unchanged+last.Failed
		docs.SetTotal(int64(max(d, s.Reports+s.Attachments)))
		docs.Add(int64(d - ld))
		received.SetTotal(s.Bytes + 1)
		received.Add(s.Bytes - last.Bytes)
		last = s
	}
}

// crawlError is the error a crawl that returned err ends the command with.
func crawlError(runErr error) error {
	switch {
	case errors.Is(runErr, crawl.ErrDiskFull):
		return failedf("%w (free some space, then run again to resume)", runErr)
	case runErr != nil:
		return failedf("%w (run again to resume)", runErr)
	}
	return nil
}

// printCrawl prints a crawl's closing summary.
func printCrawl(w io.Writer, sum crawl.Summary, took time.Duration) {
	fmt.Fprintf(w, "crawled %d sites in %s: %d pages, %d reports found (%d attachments)\n",
		sum.Sites, took.Round(time.Millisecond), sum.Pages, sum.Reports, sum.Attachments)
	fmt.Fprintf(w, "sites: %d reachable, %d unreachable; %d hosts given up after connect failures\n", sum.SitesReachable, sum.SitesUnreachable, sum.HostsGivenUp)
	fmt.Fprintf(w, "documents: %d new, %d changed, %d unchanged, %d resumed\n", sum.New, sum.Changed, sum.Unchanged, sum.Resumed)
	fmt.Fprintf(w, "problems: %d failed, %d blocked, %d truncated, %d disallowed by robots.txt, %d with invalid UTF-8 replaced\n",
		sum.Failed, sum.Blocked, sum.Truncated, sum.Disallowed, sum.InvalidUTF8)
	fmt.Fprintf(w, "links not followed: %d off-site, %d crawler traps, %d already queued, %d too deep, %d past the per-page link cap\n",
		sum.OffSite, sum.Traps, sum.Seen, sum.OverDepth, sum.OverLinks)
	fmt.Fprintf(w, "caps: %d URLs over the page cap (--max-pages), %d over the document cap (--max-docs), %d over the byte cap (--max-bytes), %d over the disk budget (--disk-budget)\n",
		sum.OverPages, sum.OverDocs, sum.OverBytes, sum.OverDisk)
	fmt.Fprintf(w, "%d requests, %.1f MB received, %.1f MB archived\n", sum.Requests, float64(sum.Bytes)/1e6, float64(sum.Archived)/1e6)
}

// loadRegistry reads a registry file, or returns the built-in registry.
func loadRegistry(path string) (*crawl.Registry, error) {
	switch {
	case path == "":
		return crawl.DefaultRegistry(), nil
	case path == nationalSites && !fileExists(path):
		return crawl.NationalRegistry(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, failedf("%v", err)
	}
	defer f.Close()
	reg, err := crawl.LoadRegistry(f)
	if err != nil {
		return nil, failedf("%s: %v", path, err)
	}
	return reg, nil
}

// A byteSize is a flag holding a number of bytes: a plain count, or a
// number with a unit: kB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB
// or just K, M, G, T (powers of 1024), and B. Units ignore case.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

// Type names the flag's value in help text.
func (b *byteSize) Type() string { return "size" }

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

// documentRows reads a crawl's records as rows of documents.parquet.
func documentRows(ctx context.Context, dir string) iter.Seq2[output.DocumentRow, error] {
	return func(yield func(output.DocumentRow, error) bool) {
		stop := errors.New("stop")
		err := crawl.EachDocument(context.WithoutCancel(ctx), dir, func(d *crawl.Document) error {
			if !yield(documentRow(d), nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			yield(output.DocumentRow{}, err)
		}
	}
}

func documentRow(d *crawl.Document) output.DocumentRow {
	r := output.DocumentRow{
		URL: d.URL, Site: d.Site, Agency: d.Agency, Listed: d.Listed, Kind: d.Kind, PageURL: d.PageURL, Title: d.Title,
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
	return r
}

// siteRows reads the health of every site of reg from a crawl's state as
// rows of sites.parquet.
func siteRows(ctx context.Context, dir string, reg *crawl.Registry) ([]output.SiteRow, error) {
	health, err := crawl.Health(context.WithoutCancel(ctx), dir, reg)
	if err != nil {
		return nil, err
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	rows := make([]output.SiteRow, len(health))
	for i, h := range health {
		r := output.SiteRow{Site: h.Site, Agency: h.Agency, Level: opt(h.Level), Code: opt(h.Code), Path: opt(h.Path), Reachable: h.Reachable,
			Column: opt(h.Column), ColumnHow: opt(h.ColumnHow), Reports: int32(h.Reports), LastError: opt(h.LastError),
			ReportYears: []int32{}, ReportsByYear: []int32{}}
		if h.Column != "" {
			c := h.Confidence
			r.Confidence = &c
		}
		if !h.LastFinished.IsZero() {
			t := h.LastFinished
			r.LastFinished = &t
		}
		years := slices.Sorted(maps.Keys(h.ReportsByYear))
		for _, y := range years {
			r.ReportYears = append(r.ReportYears, int32(y))
			r.ReportsByYear = append(r.ReportsByYear, int32(h.ReportsByYear[y]))
		}
		rows[i] = r
	}
	return rows, nil
}
