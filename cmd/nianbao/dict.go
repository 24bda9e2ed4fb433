package main

import (
	"fmt"

	"github.com/opengov-cn/nianbao/output"
	"github.com/spf13/cobra"
)

func newDictCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "dict",
		Short: "Print the data dictionary (Markdown)",
		Long: `Print the data dictionary: every table, row and column key with its
Chinese label, English description and the template versions it exists
in, every check and every warning code. The same text is written next to
each dataset as dictionary.md.`,
		Example: "  nianbao dict > dictionary.md",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprint(g.stdout, output.Dictionary())
			return err
		},
	}
}
