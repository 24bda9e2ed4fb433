package main

import (
	"context"
	"fmt"
	"io"
)

func runCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "nianbao crawl: not implemented yet")
	return 2
}
