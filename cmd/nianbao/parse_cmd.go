package main

import "github.com/spf13/cobra"

// newParseCmd wraps runParse, which still parses its own flags.
func newParseCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:                "parse -o DIR PATH...",
		Short:              "Parse report files or directories into a Parquet dataset",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if code := runParse(cmd.Context(), args, g.stdout, g.stderr); code != 0 {
				return &exitError{code, errSilent}
			}
			return nil
		},
	}
}
