package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/opengov-cn/nianbao/viewer"
)

const siteLong = `Write a static website from a dataset: an index of agencies × years
coloured by status, a page per agency with its key numbers over the years,
and a page per report with the three template tables redrawn, its failing
identities and warnings, and where the source printed each cell (the PDF
page drawn from its own glyphs, or the HTML line). The site needs no
server and loads nothing from elsewhere: open DIR/index.html in a browser,
or copy DIR to any static host. Each page has a JSON twin with its data.

DIR must be absent, empty or a site an earlier 'nianbao site' wrote, which
is replaced.`

func newSiteCmd(g *globals) *cobra.Command {
	out := ""
	cmd := &cobra.Command{
		Use:     "site [-o DIR] DATASET",
		Short:   "Write a static website to browse and check a dataset",
		Long:    siteLong,
		Example: "  nianbao site -o site demo-data",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := out
			if dir == "" {
				dir = filepath.Clean(args[0]) + "-site"
			}
			return writeSite(cmd.Context(), g, args[0], dir)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "site `dir`ectory (default: DATASET-site)")
	return cmd
}

// writeSite writes the site of dataset into dir and prints where to open.
func writeSite(ctx context.Context, g *globals, dataset, dir string) error {
	st, err := viewer.Generate(ctx, dataset, dir)
	if err != nil {
		return failedf("%v", err)
	}
	abs, _ := filepath.Abs(filepath.Join(dir, "index.html"))
	fmt.Fprintf(g.stdout, "Wrote a site of %d reports of %d agencies (%d files, %.1f MB) to %s\nOpen file://%s\n",
		st.Reports, st.Agencies, st.Files, float64(st.Bytes)/(1<<20), dir, abs)
	return nil
}
