package crawl

import (
	"sync"
	"sync/atomic"
	"time"
)

// Summary counts what a run did. New, Changed and Unchanged count
// documents (report pages and attachments); Failed, Blocked, Truncated and
// Disallowed count every URL, list pages included; OffSite, Traps, Seen,
// OverDepth, OverPages, OverDocs, OverBytes and OverDisk count the URLs
// the crawl found but did not fetch, by reason; OverLinks counts the links
// of pages with too many to read. A cap that is reached is also logged,
// once per site.
//
// A site is reachable when at least one of its start URLs could be
// fetched, and unreachable when none could (no connection, an HTTP error,
// an anti-bot answer, robots.txt…); each unreachable site is logged with
// the reason and what to do, and its start URLs are recorded for
// [Documents] with kind "start". Sites neither reachable nor unreachable
// were not finished (an interrupted run, a full disk) or not started
// (the disk budget). [Summary.AllUnreachable] tells a run that reached
// none of its sites, which a command should report as a failure.
type Summary struct {
	Sites            int // sites crawled
	SitesReachable   int // sites at least one of whose start URLs could be fetched
	SitesUnreachable int // sites none of whose start URLs could be fetched
	// HostsGivenUp counts the hosts given up for the rest of the run after
	// connect-level failures (DNS, refused or unreachable, TLS handshake,
	// connect timeout): 3 in a row, or one DNS "no such host".
	HostsGivenUp int

	Pages       int   // HTML pages fetched or checked (list and report pages)
	Reports     int   // report pages found
	Attachments int   // report attachments found
	New         int   // documents fetched for the first time
	Changed     int   // documents whose content changed (a new revision)
	Unchanged   int   // documents unchanged since the last run
	Resumed     int   // URLs already fetched by an interrupted run, not fetched again
	Failed      int   // URLs that could not be fetched (HTTP errors, timeouts, bad redirects)
	Blocked     int   // anti-bot answers (HTTP 412/521, JavaScript challenges)
	Truncated   int   // bodies cut short or over the size cap
	Disallowed  int   // URLs robots.txt forbids
	OffSite     int   // links to hosts outside the site's registry entry
	Traps       int   // links that look like crawler traps (calendars, session ids, endless query strings)
	Seen        int   // links to URLs already queued
	OverDepth   int   // links more than MaxDepth away from a start URL
	OverPages   int   // URLs beyond the site's MaxPages (pages and attachments)
	OverDocs    int   // report pages and attachments beyond the site's MaxDocs
	OverBytes   int   // URLs not requested because the site had received MaxBytes
	OverDisk    int   // URLs not requested because the run had written DiskBudget to the archive
	OverLinks   int   // links not read from pages with more than maxPageLinks
	InvalidUTF8 int   // URLs whose recorded strings had invalid UTF-8, replaced by U+FFFD
	Requests    int   // HTTP requests sent, retries and robots.txt included
	Bytes       int64 // response body bytes received
	Archived    int64 // bytes written to the raw archive (new bodies only)
}

// counters accumulate a run's Summary across sites and workers.
type counters struct {
	pages, reports, attachments, new, changed, unchanged, resumed atomic.Int64
	failed, blocked, truncated, overLinks, invalidUTF8            atomic.Int64
	sitesReachable, sitesUnreachable                              atomic.Int64
	refused                                                       [numAdmissions]atomic.Int64 // by reason
}

func (c *counters) summary(f *fetcher, a *archive) Summary {
	refused := func(a admission) int { return int(c.refused[a].Load()) }
	return Summary{
		Pages: int(c.pages.Load()), Reports: int(c.reports.Load()), Attachments: int(c.attachments.Load()),
		New: int(c.new.Load()), Changed: int(c.changed.Load()), Unchanged: int(c.unchanged.Load()),
		Resumed: int(c.resumed.Load()), Failed: int(c.failed.Load()), Blocked: int(c.blocked.Load()),
		Truncated: int(c.truncated.Load()), Disallowed: refused(admitDisallowed),
		OffSite: refused(admitOffSite), Traps: refused(admitTrap), Seen: refused(admitSeen),
		OverDepth: refused(admitOverDepth), OverPages: refused(admitOverPages), OverDocs: refused(admitOverDocs),
		OverBytes: refused(admitOverBytes), OverDisk: refused(admitOverDisk), OverLinks: int(c.overLinks.Load()),
		InvalidUTF8: int(c.invalidUTF8.Load()),
		Requests:    int(f.requests.Load()), Bytes: f.bytes.Load(), Archived: a.written.Load(),
		SitesReachable: int(c.sitesReachable.Load()), SitesUnreachable: int(c.sitesUnreachable.Load()),
		HostsGivenUp: int(f.hostsGivenUp.Load()),
	}
}

// AllUnreachable reports whether the run reached none of its sites: it
// crawled some, and none of them had a start URL that could be fetched.
func (s Summary) AllUnreachable() bool { return s.Sites > 0 && s.SitesUnreachable == s.Sites }

// document counts a report page's or attachment's good fetch.
func (c *counters) document(st *urlState) {
	if st.Kind != kindReport && st.Kind != kindAttachment {
		return
	}
	switch st.Status {
	case StatusNew:
		c.new.Add(1)
	case StatusChanged:
		c.changed.Add(1)
	case StatusUnchanged:
		c.unchanged.Add(1)
	}
}

// failure counts a fetch of any URL that left nothing to keep.
func (c *counters) failure(status FetchStatus) {
	switch status {
	case StatusBlocked:
		c.blocked.Add(1)
	case StatusTruncated:
		c.truncated.Add(1)
	default:
		c.failed.Add(1)
	}
}

func startProgress(cfg *Config, c *counters, f *fetcher, a *archive) (stop func()) {
	if cfg.OnProgress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(cfg.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				cfg.OnProgress(c.summary(f, a))
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
