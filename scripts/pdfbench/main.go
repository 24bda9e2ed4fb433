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
	"github.com/opengov-cn/nianbao/parse"
)

func main() {
	ctx := context.Background()
	status := 0
	for _, path := range os.Args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			status = 1
			continue
		}
		doc, err := parse.Parse(ctx, path, data)
		if err != nil {
			fmt.Fprintln(os.Stderr, path+":", err)
			status = 1
			continue
		}
		r := normalize.Normalize(doc, normalize.Source{})
		_ = normalize.Checks(r.Cells)
	}
	os.Exit(status)
}
