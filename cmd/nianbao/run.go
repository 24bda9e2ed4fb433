package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/output"
	"github.com/spf13/cobra"
)

type runOptions struct {
	out   string
	shard shardSpec
	crawl crawlOptions
	parse parseOptions
}

const runLong = `Crawl the sites of a registry (the built-in one by default), parse every
report fetched, and write the dataset to DIR, in one go. Re-running it, as
a cron job does, fetches only what changed, parses only new or changed
documents (the others come from a cache of parsed reports) and replaces
the dataset atomically: a report is never lost or written twice, and a
revised report keeps its earlier version's rows, marked superseded
(is_current = false, superseded_by = the new version's report_id).

DIR is a symlink to the current snapshot; the crawl state, the raw archive
and the cache live in the hidden store beside it (.DIR.nianbao/). One run
at a time writes a dataset: a second fails at once, naming the first. A run
that is killed leaves the previous dataset as it was, and the next run
resumes the crawl where it stopped.

Every flag can also come from the config file or the environment; see
'nianbao --help'. Exit status 1 when every site is unreachable or nothing
could be read; the reason is in the summary (summary.json in DIR).`

func newRunCmd(g *globals) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run -o DIR [--sites FILE]",
		Short: "Crawl, parse and write the dataset, incrementally",
		Long:  runLong,
		Example: `  nianbao run -o data
  nianbao run --sites my-sites.yaml --contact https://example.org/crawler -o data
  NIANBAO_DELAY=2s nianbao run --config /etc/nianbao.yaml -o /srv/nianbao/data   # from cron
  nianbao run --shard 2/4 -o /shared/nianbao   # the second of four machines`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.out == "" {
				return usageErrorf("--output (-o) is required")
			}
			if o.parse.jobs < 1 {
				return usageErrorf("--jobs must be at least 1")
			}
			o.out = o.shard.dir(o.out)
			return runPipeline(cmd.Context(), g, o, cmd.Flags().Changed, nil)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "output", "o", "", "dataset `dir`ectory (required); with --shard, the root of the shards' datasets")
	f.Var(&o.shard, "shard", "take the i-th of n parts of the registry (by a hash of the site name) and write DIR/shard=i-of-n")
	o.crawl.addFlags(f)
	o.parse.addFlags(f)
	return cmd
}

// crawlSummary is the crawl's part of a run summary.
type crawlSummary struct {
	Sites       int     `json:"sites"`
	Unreachable int     `json:"sites_unreachable"`
	Pages       int     `json:"pages"`
	Reports     int     `json:"reports_found"`
	New         int     `json:"documents_new"`
	Changed     int     `json:"documents_changed"`
	Unchanged   int     `json:"documents_unchanged"`
	Failed      int     `json:"fetches_failed"`
	Blocked     int     `json:"fetches_blocked"`
	Requests    int     `json:"requests"`
	Bytes       int64   `json:"bytes_received"`
	Parsed      int     `json:"documents_parsed"`
	FromCache   int     `json:"documents_from_cache"`
	CrawlSecond float64 `json:"crawl_seconds"`
}

// runPipeline is crawl → parse → dataset. customize, if not nil, adjusts
// the crawl configuration (the demo turns politeness off for its own
// loopback site).
func runPipeline(ctx context.Context, g *globals, o runOptions, set func(string) bool, customize func(*crawl.Config)) error {
	start := time.Now()
	ds, err := output.OpenDataset(o.out)
	if err != nil {
		return failedf("%v", err)
	}
	defer ds.Close()
	crawlDir, err := ds.StateDir("crawl")
	if err != nil {
		return failedf("%v", err)
	}
	m := g.newMeter(ctx)
	defer m.Close()
	cfg, err := o.crawl.config(g, crawlDir, set, m.log)
	if err != nil {
		return err
	}
	cfg.OnProgress = crawlGauges(m)
	if cfg.Registry == nil {
		cfg.Registry = crawl.DefaultRegistry()
	}
	cfg.Registry.Sites = o.shard.filter(cfg.Registry.Sites)
	if len(cfg.Registry.Sites) == 0 {
		return failedf("shard %s of the registry has no site: use fewer shards", o.shard.String())
	}
	if customize != nil {
		customize(&cfg)
	}
	cs, crawlErr := crawl.Run(ctx, cfg)
	if crawlErr != nil && (cs.Sites == 0 || errors.Is(crawlErr, crawl.ErrDiskFull) || ctx.Err() != nil) {
		return crawlError(crawlErr)
	}
	crawlTook := time.Since(start)
	w, err := ds.Create(output.Options{Version: nianbaoVersion()})
	if err != nil {
		return failedf("%v", err)
	}
	sum, err := buildDataset(ctx, m, o.parse, ds, func(a *planAdder) error {
		return crawl.EachDocument(ctx, crawlDir, func(d *crawl.Document) error { return a.crawled(ctx, crawlDir, d) })
	}, w)
	if errors.Is(err, errNoInput) {
		w.Abort()
		printCrawl(g.stdout, cs, crawlTook)
		// The previous dataset stays as it was: an outage must not empty it.
		if err := unreachableError(cs, "the log says why for each; the previous dataset is unchanged"); err != nil {
			return err
		}
		return failedf("no report was fetched from %d sites (%d requests, %d failed): are they reachable? With no network, try 'nianbao demo'",
			cs.Sites, cs.Requests, cs.Failed)
	}
	if err == nil {
		err = w.WriteDocumentsFrom(documentRows(ctx, crawlDir))
	}
	if err == nil {
		var sites []output.SiteRow
		if sites, err = siteRows(ctx, crawlDir, cfg.Registry); err == nil {
			err = w.WriteSites(sites)
		}
	}
	if err != nil {
		w.Abort()
		return failedf("%v", err)
	}
	sum.Crawl.fill(cs, crawlTook)
	sum.Seconds = time.Since(start).Seconds()
	if err := sum.attach(w); err != nil {
		return failedf("%v", err)
	}
	if err := ds.Commit(w); err != nil {
		return failedf("%v", err)
	}
	m.Close()
	printCrawl(g.stdout, cs, crawlTook)
	fmt.Fprintf(g.stdout, "parsed %d documents, %d unchanged ones from the cache\n", sum.Crawl.Parsed, sum.Crawl.FromCache)
	sum.print(g.stdout, o.out)
	if crawlErr != nil {
		return crawlError(crawlErr)
	}
	if sum.Readable == 0 {
		return failedf("no document could be read: every one failed (see the warnings in %s)", o.out)
	}
	return nil
}

func (c *crawlSummary) fill(s crawl.Summary, took time.Duration) {
	c.Sites, c.Pages, c.Reports = s.Sites, s.Pages, s.Reports
	c.New, c.Changed, c.Unchanged = s.New, s.Changed, s.Unchanged
	c.Failed, c.Blocked, c.Requests, c.Bytes = s.Failed, s.Blocked, s.Requests, s.Bytes
	c.Unreachable = s.SitesUnreachable
	c.CrawlSecond = took.Seconds()
}

func reportID(sha string) string { return sha[:min(16, len(sha))] }

// binaryKey is the first 16 hex digits of the sha256 of this executable.
func binaryKey() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return strings.ToLower(hex.EncodeToString(h.Sum(nil))[:16]), nil
}

// killAfter names the number of parsed documents after which a run kills
// itself with SIGKILL: the tests' way to stop a run at a known point and
// check that the next one completes the work.
const killAfter = "NIANBAO_TEST_KILL_AFTER_PARSED"

func killAfterEnv() int {
	n, _ := strconv.Atoi(os.Getenv(killAfter))
	return n
}
