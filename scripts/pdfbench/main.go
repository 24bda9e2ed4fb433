// Command pdfbench runs nianbao's PDF table extraction — parse (open, page
// layout, cells), normalise to canonical cells and run the arithmetic
// checks — over the PDFs named on the command line and writes nothing. It
// exists so that scripts/bench-pdf.sh can time extraction alone, one
// process per file like pdftotext, without the cost of Parquet output.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/opengov-cn/nianbao/normalize"
)

func main() {
	ctx := context.Background()
	status := 0
	for _, path := range os.Args[1:] {
		if r := normalize.ProcessFile(ctx, path); r.Status == normalize.StatusFailed {
			fmt.Fprintln(os.Stderr, path+":", r.Status, r.Warnings)
			status = 1
		}
	}
	os.Exit(status)
}
