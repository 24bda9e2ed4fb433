package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/internal/demo"
	"github.com/opengov-cn/nianbao/output"
	"github.com/spf13/cobra"
)

const demoLong = `Run the whole pipeline offline, exactly as 'nianbao run' does, against a
fixture web site built into the binary and served on loopback: four
fictional agencies' annual reports over five years, as HTML pages and PDF
attachments, with list pages that paginate, reports that break the
template's arithmetic, a late one, one revised after publication and two
that cannot be read.

The demo runs twice: once as the site first stood, then after the revised
report is published, so the second run shows what a cron refresh does
(only the changed report is fetched and parsed). It ends by printing where
the dataset is and three DuckDB queries to try.`

func newDemoCmd(g *globals) *cobra.Command {
	o := runOptions{out: "demo-data"}
	cmd := &cobra.Command{
		Use:     "demo [-o DIR]",
		Short:   "Run the pipeline offline on a built-in fixture site",
		Long:    demoLong,
		Example: "  nianbao demo\n  nianbao demo -o /tmp/nianbao-demo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.out = o.shard.dir(o.out)
			return runDemo(cmd.Context(), g, o)
		},
	}
	cmd.Flags().StringVarP(&o.out, "output", "o", o.out, "dataset `dir`ectory")
	cmd.Flags().Var(&o.shard, "shard", "as 'nianbao run --shard i/n': the i-th of n parts of the demo's sites, into DIR/shard=i-of-n")
	o.parse.addFlags(cmd.Flags())
	return cmd
}

func runDemo(ctx context.Context, g *globals, o runOptions) error {
	site := demo.New()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return failedf("demo: cannot listen on loopback: %v", err)
	}
	srv := &http.Server{Handler: site.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Shutdown(context.WithoutCancel(ctx))
	base := "http://" + ln.Addr().String()
	reg := filepath.Join(os.TempDir(), fmt.Sprintf("nianbao-demo-sites-%d.yaml", os.Getpid()))
	if err := os.WriteFile(reg, site.Registry(base), 0o666); err != nil {
		return failedf("demo: %v", err)
	}
	defer os.Remove(reg)
	o.crawl.sitesFile = reg
	// Each demo serves on a new port, so it starts from an empty crawl:
	// the previous demo's URLs are gone.
	if err := resetState(o.out, "crawl", "reports"); err != nil {
		return err
	}
	// The site is this process on loopback: no politeness is owed to it.
	fast := func(c *crawl.Config) { c.Delay = -1 }
	none := func(string) bool { return false }
	fmt.Fprintf(g.stdout, "Serving the demo site at %s\n\n1. First run: crawl, parse, write the dataset\n", base)
	if err := runPipeline(ctx, g, o, none, fast); err != nil {
		return err
	}
	site.Advance()
	fmt.Fprintf(g.stdout, "\n2. The site revises one report; a second run, as a cron job would do:\n")
	if err := runPipeline(ctx, g, o, none, fast); err != nil {
		return err
	}
	printDemoNext(g, o.out)
	fmt.Fprintf(g.stdout, "\n3. A static site to browse the dataset and check its flags:\n")
	return writeSite(ctx, g, o.out, filepath.Clean(o.out)+"-site")
}

func printDemoNext(g *globals, dir string) {
	abs, _ := filepath.Abs(dir)
	fmt.Fprintf(g.stdout, `
The dataset is in %s: reports.parquet, documents.parquet, cells/ and
checks/ (Parquet, partitioned by year), dictionary.md, dictionary.csv,
summary.json. Try it with DuckDB (duckdb.org); the README has more:

  -- requests received, per agency and year
  SELECT r.agency, r.year, c.value AS requests
  FROM '%[2]s/reports.parquet' r
  JOIN read_parquet('%[2]s/cells/*/*.parquet', hive_partitioning = true) c USING (report_id)
  WHERE r.is_current AND c.key = 't3/new_received/total' ORDER BY r.agency, r.year;

  -- reports whose arithmetic does not add up, the late one, broken carry-overs
  SELECT r.agency, r.year, k.check_id, k.message
  FROM '%[2]s/reports.parquet' r
  JOIN read_parquet('%[2]s/checks/*/*.parquet', hive_partitioning = true) k USING (report_id)
  WHERE r.is_current AND k.status = 'fail' ORDER BY r.agency, r.year, k.check_id;

  -- the revised report: both versions kept, one current
  SELECT source, revision, is_current, superseded_by, parse_status
  FROM '%[2]s/reports.parquet' WHERE source IN
    (SELECT source FROM '%[2]s/reports.parquet' GROUP BY source HAVING count(*) > 1);
`, abs, dir)
}

// resetState empties the named state directories of the dataset in dir.
func resetState(dir string, names ...string) error {
	ds, err := output.OpenDataset(dir)
	if err != nil {
		return failedf("%v", err)
	}
	defer ds.Close()
	for _, n := range names {
		p, err := ds.StateDir(n)
		if err == nil {
			err = os.RemoveAll(p)
		}
		if err != nil {
			return failedf("%v", err)
		}
	}
	return nil
}
