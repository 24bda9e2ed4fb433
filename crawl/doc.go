// Package crawl keeps an output directory up to date with the
// 政府信息公开工作年度报告 (government information-disclosure annual reports)
// that the government web sites of a registry publish, politely and
// incrementally.
//
// A [Registry] lists the sites to visit: for each one its name, agency, the
// 年报 column's start URLs and the hosts the crawler may fetch from.
// [DefaultRegistry] returns the built-in registry; [LoadRegistry] reads a YAML
// one. [Run] walks every site's list pages (下一页 links, TRS
// createPageHTML page counts, query-string paging), recognises report pages
// and their attachments (.pdf, .doc, .docx, .wps, .ofd), stores every fetched
// body once in a content-addressed raw archive and keeps per-URL crawl state
// (ETag, Last-Modified, sha256, revision) in an SQLite database, so that the
// next run sends conditional requests and fetches nothing that has not
// changed. [Documents] reads the resulting document records back, one per
// revision of each report page and attachment.
//
// An output directory holds state.db (the SQLite state, through the
// pure-Go modernc.org/sqlite), raw/ab/abcdef… (the archive, one file per
// distinct body), .lock and, written by the command line,
// documents.parquet. A crawl that is killed or interrupted is resumed by
// the next run from its frontier (see Scheduling): the URLs it was done
// with are not fetched again, the others are fetched in their order; one
// it had fetched but not yet recorded as done is read from its stored
// body for links rather than fetched again.
//
// # Scheduling
//
// Config.Sites sites are crawled at once, the run's limit on what is in
// flight: each site has Parallel workers (one by default) and each host a
// gate (see Politeness). A site's frontier — the URLs its crawl has
// admitted, list pages, report pages and attachments — is a table of the
// state database, which is also its visited set: report pages and
// attachments are fetched first, newest first, then list pages in the
// order found, and only frontierWindow (64) tasks of each kind are held in
// memory, the rest read back a window at a time. The rows of a site go
// when its crawl finishes. Discovery keeps in memory only the candidate
// pages it can still fetch (at most 20). What the fetcher keeps per host
// (its gate and robots.txt) is kept while a running site uses the host and
// for the last 256 hosts retired (a host forgotten and used again by a
// later site gets a new gate, reads its robots.txt again and, if it was
// given up, is tried again), and the built-in transport keeps at most one
// idle connection per request the run can have in flight. So memory is
// bounded by the sites at once, not by the hosts of the registry nor by
// the URLs queued.
//
// One crawl at a time uses an output directory: [Run] takes an exclusive
// flock(2) on DIR/.lock without waiting and writes "pid N since T" into
// it; a second crawl fails at once with [ErrLocked], naming the first. The
// operating system releases the lock when the run ends or its process
// dies, so a killed crawl never leaves the directory locked.
//
// # Departments and townships
//
// A county portal hosts its departments' and townships' reports too,
// often one sub-column per body listed on a page of their own (部门年报,
// 乡镇年报), or on a platform of the government keyed by agency code.
// Discovery takes each such sub-column (platform.go) and crawls it in a
// run of its own; every report found there records the body's name as
// the sub-column names it ([Document].Listed), against which the
// report's own printed agency is checked after parsing. A column on
// another host of the portal's own government domain (xxgk.x.gov.cn
// beside www.x.gov.cn), linked from the portal's pages, is crawled with
// that host admitted for the site's run (admit.go). A report's
// attachment may be on any host of that domain (a file server), fetched
// under the site's politeness and caps, that host's robots.txt obeyed;
// the pages of such a host are not crawled. Other domains stay off-site.
// A sub-column's run takes from the site's page, document and byte caps,
// not a set of its own.
//
// # Sites that cannot be reached
//
// A host that cannot be connected to (DNS failure, connection refused,
// network unreachable, TLS handshake failure, connect timeout; not HTTP
// errors) 3 times in a row, or once with DNS "no such host", is given up
// for the rest of the run: no further request goes to it, and its queued
// URLs are recorded as failed with the reason ("host given up: 3 connect
// failures: dial tcp …: connection refused"). Sites that answer keep the
// usual timeout and retries. A start URL that cannot be fetched is
// recorded with kind "start" for [Documents], so that the dataset says why
// a site produced nothing; a site none of whose start URLs could be
// fetched is logged in one line with the reason and what to do, and
// counted in the [Summary] (SitesUnreachable; [Summary.AllUnreachable] for
// a run that reached no site at all).
//
// # Why not colly for fetching
//
// gocolly/colly/v2 was the intended base, but most of what this crawler
// needs goes against colly's grain: it ignores robots.txt unless told
// otherwise and never honours Crawl-delay; it cuts bodies off at its size
// cap (10 MiB by default) without saying so, where a cut-short PDF must be
// recorded as truncated rather than archived; it converts every body whose
// Content-Type names a non-UTF-8 charset, which corrupts the PDFs and Word
// files that government servers label text/html; charset=GBK; it reads
// every body into memory; it hands non-2xx answers, 304 Not Modified
// included, to error callbacks without a body unless told otherwise, while
// a 304 is this crawler's commonest good answer; it has no backoff or
// Retry-After handling; its timeout is the http.Client's, which spans all
// of a request's redirects; and in asynchronous mode it starts one
// goroutine per queued URL, so memory grows with the site. Working around
// all of that inside colly's callbacks took more code than doing the job
// directly, so fetching, scheduling and per-host politeness are done here
// on net/http; HTML is parsed with goquery and robots.txt with
// github.com/temoto/robotstxt, the parser colly itself uses.
//
// # Politeness
//
// Every host gets its own gate: by default one request at a time, one
// second apart, or slower if robots.txt asks for a Crawl-delay. Timeouts, 429
// and 5xx answers are retried with exponential backoff, honouring
// Retry-After. Anti-bot answers (HTTP 412 and 521, JavaScript challenge
// pages) are recorded as blocked, the host is backed off from, and after a
// few of them the host is left alone for the rest of the run; the crawler
// never tries to get past them. Redirects and links to hosts outside the
// site's registry entry are never followed. Only the first 512 KiB of a
// robots.txt are read (RFC 9309 asks for at least 500 KiB): a longer one is
// obeyed up to its last whole line there, never taken for allow-all.
//
// # Limits
//
// No server can make a run unbounded. Per site, Config.MaxPages caps the
// URLs fetched (pages and attachments alike, which also bounds the
// frontier's table), Config.MaxDocs the report pages and attachments, and
// Config.MaxBytes the bytes received; per run, Config.DiskBudget caps the
// bytes written to the archive. A page yields at most 10,000 links, a body
// at most Config.MaxBodySize bytes, a URL at most MaxRedirects redirects
// and MaxRetries retries. Every cap that stops the crawl is logged once per
// site and counted in the [Summary]. Every string recorded is valid UTF-8
// (invalid bytes become U+FFFD, and the URL's error text says so). A full
// disk ends the run with [ErrDiskFull], which the next run resumes.
package crawl
