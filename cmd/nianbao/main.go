// Command nianbao crawls, parses and normalizes Chinese government
// information-disclosure annual reports (政府信息公开工作年度报告) into Parquet.
//
// Usage:
//
//	nianbao parse -o DIR PATH...   parse reports into a Parquet dataset
//	nianbao eval [--min F] DIR     score the pipeline against a corpus
//	nianbao crawl -o DIR           fetch reports from government sites
//	nianbao dict                   print the data dictionary
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/opengov-cn/nianbao/output"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: nianbao <command> [flags] [args]

commands:
  parse -o DIR PATH...    parse report files or directories into Parquet under DIR
  eval [--min F] CORPUS   score the pipeline against CORPUS/*/report.* + expected.json
  crawl -o DIR            find and fetch reports from government sites
  dict                    print the data dictionary (Markdown)

Run 'nianbao <command> -h' for a command's flags.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) int{
		"parse": runParse,
		"eval":  runEval,
		"crawl": runCrawl,
		"dict":  runDict,
	}
	if args[0] == workerCommand {
		return runWorker(ctx, os.Stdin, stdout)
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "nianbao: unknown command %q\n%s", args[0], usage)
		return 2
	}
	return cmd(ctx, args[1:], stdout, stderr)
}

func runDict(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprint(stdout, output.Dictionary())
	return 0
}
