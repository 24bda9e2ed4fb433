package main

// crawlSummary is the crawl's part of a run summary.
type crawlSummary struct{}
