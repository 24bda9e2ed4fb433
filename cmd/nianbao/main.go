// Command nianbao crawls, parses and normalizes Chinese government
// information-disclosure annual reports (政府信息公开工作年度报告) into Parquet.
//
// Run 'nianbao help' for the commands; the README has the whole story.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
