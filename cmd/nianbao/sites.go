package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// nationalSites is the --sites value that names the built-in national
// registry rather than a file.
const nationalSites = "national"

type sitesOptions struct {
	sites, level, province, code, format string
}

func newSitesCmd(g *globals) *cobra.Command {
	var o sitesOptions
	cmd := &cobra.Command{
		Use:   "sites [--sites FILE|national] [--level L] [--province P] [--code C] [--format F]",
		Short: "List, filter and export a registry of sites",
		Long: `List the sites of a registry: by default the national one built into the
binary (every county-level-and-above government portal, generated from
shared/registry, with the curated sites of the default registry in place of
theirs), or the registry of --sites. Filter by level (province, prefecture,
county), province (the first part of the name path, e.g. 江苏省 or 江苏) and
division code prefix (32 is Jiangsu, 3208 Huai'an). --format yaml writes a
registry that --sites reads back (of run, crawl and this command); csv and
json are for spreadsheets and scripts; table is for reading.`,
		Example: `  nianbao sites --province 江苏 --level county
  nianbao sites --code 3208 --format yaml > huaian.yaml && nianbao run --sites huaian.yaml -o data
  nianbao sites --format csv > portals.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSites(g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.sites, "sites", nationalSites, "registry YAML `file`, or national for the built-in national registry")
	f.StringVar(&o.level, "level", "", "keep sites of this `level`: province, prefecture or county")
	f.StringVar(&o.province, "province", "", "keep sites of this `province` (the first part of the name path, or its start)")
	f.StringVar(&o.code, "code", "", "keep sites whose division code starts with `prefix`")
	f.StringVar(&o.format, "format", "table", "output `format`: table, yaml, csv or json")
	return cmd
}

func runSites(g *globals, o sitesOptions) error {
	switch o.format {
	case "table", "yaml", "csv", "json":
	default:
		return usageErrorf("--format must be table, yaml, csv or json")
	}
	switch o.level {
	case "", "province", "prefecture", "county":
	default:
		return usageErrorf("--level must be province, prefecture or county")
	}
	reg, err := loadRegistry(o.sites)
	if err != nil {
		return err
	}
	sites := filterSites(reg.Sites, o)
	if len(sites) == 0 {
		return failedf("no site matches")
	}
	return writeSites(g.stdout, o.format, sites)
}

func filterSites(sites []crawl.Site, o sitesOptions) []crawl.Site {
	var out []crawl.Site
	for _, s := range sites {
		province, _, _ := strings.Cut(s.Path, "/")
		switch {
		case o.level != "" && s.Level != o.level,
			o.province != "" && !strings.HasPrefix(province, o.province),
			o.code != "" && !strings.HasPrefix(s.Code, o.code):
			continue
		}
		out = append(out, s)
	}
	return out
}

func writeSites(w io.Writer, format string, sites []crawl.Site) error {
	switch format {
	case "yaml":
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(crawl.Registry{Sites: sites}); err != nil {
			return failedf("%v", err)
		}
		return enc.Close()
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(sites)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"name", "agency", "level", "code", "path", "start", "hosts"})
		for _, s := range sites {
			cw.Write([]string{s.Name, s.Agency, s.Level, s.Code, s.Path, strings.Join(s.Start, " "), strings.Join(s.Hosts, " ")})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLEVEL\tCODE\tAGENCY\tSTART")
	for _, s := range sites {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.Level, s.Code, s.Agency, strings.Join(s.Start, " "))
	}
	fmt.Fprintf(tw, "\n%d sites\n", len(sites))
	return tw.Flush()
}
