package crawl

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// Config configures a [Run]. Zero fields take the defaults listed.
type Config struct {
	// Registry lists the sites to crawl; nil means DefaultRegistry().
	Registry *Registry
	// Dir is the output directory: it holds the state database (state.db)
	// and the raw archive (raw/). Required.
	Dir string

	// Contact is a URL or address where site operators can reach whoever
	// runs the crawler; it goes into the User-Agent.
	// Default: the project's home page.
	Contact string
	// UserAgent replaces the whole User-Agent header when set.
	UserAgent string

	// Delay is the pause between two requests to one host, for sites that do
	// not set their own. Default 1s; negative means no pause. robots.txt
	// Crawl-delay raises it.
	Delay time.Duration
	// Parallel is the number of requests in flight per host, for sites that
	// do not set their own. Default 1.
	Parallel int
	// Timeout bounds one HTTP attempt, body included. Default 30s. With the
	// built-in transport, connecting (DNS lookup and TCP handshake) may
	// take 15s of it at most.
	Timeout time.Duration
	// MaxRetries is how often a timeout, 429 or 5xx answer is retried.
	// Default 3; negative means never.
	MaxRetries int
	// RetryBase is the first retry's backoff, doubled on each further try.
	// Default 1s.
	RetryBase time.Duration
	// MaxRetryAfter is the longest Retry-After the crawler waits for; a
	// longer one fails the URL. Default 2m.
	MaxRetryAfter time.Duration
	// BlockBackoff is how long a host is left alone after an anti-bot
	// answer, doubled on each further one. Default 1m.
	BlockBackoff time.Duration
	// MaxBlocks is the number of anti-bot answers after which a host is
	// given up for the rest of the run. Default 3.
	MaxBlocks int
	// MaxBodySize caps a response body; a longer one is recorded as
	// truncated. Default 64 MiB.
	MaxBodySize int64
	// MaxDepth caps how many links away from a start URL an HTML page may be.
	// Pagination links do not add depth. Default 4.
	MaxDepth int
	// MaxPages caps the URLs fetched per site: HTML pages and attachments
	// alike, each counted when it is queued. It also bounds the site's
	// frontier. Default 10000.
	MaxPages int
	// MaxDocs caps the documents fetched per site: URLs linked as report
	// pages or as attachments, each counted when it is queued. Default 5000.
	MaxDocs int
	// MaxBytes caps the response body bytes received per site, robots.txt
	// and error pages included. Once it is reached no further request for
	// the site is started; bodies already on their way are read to the
	// end, so a site may go over it by Parallel×MaxBodySize. Default 4 GiB.
	MaxBytes int64
	// DiskBudget caps the bytes the run writes to the raw archive, across
	// all sites (bodies already archived cost nothing). Once it is reached
	// no further request is started; bodies on their way are still stored.
	// Default 100 GiB.
	DiskBudget int64
	// MaxRedirects caps the redirects followed per URL. Default 5.
	MaxRedirects int
	// Sites is how many sites are crawled at once. Default 4.
	Sites int
	// Only, when not empty, restricts the run to the sites named.
	Only []string
	// BusyTimeout is how long the state database waits for a lock that
	// another process holds, such as a reader of the state database, before
	// Run fails. Another crawl of the same directory is refused at once
	// ([ErrLocked]), whatever BusyTimeout says. Default 5s; negative means
	// not at all.
	BusyTimeout time.Duration

	// Logger receives structured logs naming site and URL. Default: discard.
	Logger *slog.Logger
	// OnProgress, when set, is called with the counts so far every
	// ProgressEvery (default 2s), from a goroutine of its own: the caller
	// decides how to show them (bars, a log line).
	OnProgress    func(Summary)
	ProgressEvery time.Duration
	// Transport replaces http.DefaultTransport's clone.
	Transport http.RoundTripper
	// dial, when set, makes the connections of the built-in transport
	// (tests: every host name served on loopback).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// DefaultContact is the contact URL put into the User-Agent when the
// operator configures none.
const DefaultContact = "https://github.com/opengov-cn/nianbao"

func (c Config) withDefaults() Config {
	if c.Registry == nil {
		c.Registry = DefaultRegistry()
	}
	if c.Contact == "" {
		c.Contact = DefaultContact
	}
	if c.UserAgent == "" {
		c.UserAgent = "nianbao-crawler/0.1 (+" + c.Contact + ")"
	}
	orNone(&c.Delay, time.Second)
	orDefault(&c.Parallel, 1)
	orDefault(&c.Timeout, 30*time.Second)
	orNone(&c.MaxRetries, 3)
	orDefault(&c.RetryBase, time.Second)
	orDefault(&c.MaxRetryAfter, 2*time.Minute)
	orDefault(&c.BlockBackoff, time.Minute)
	orDefault(&c.MaxBlocks, 3)
	orDefault(&c.MaxBodySize, 64<<20)
	orDefault(&c.MaxDepth, 4)
	orDefault(&c.MaxPages, 10000)
	orDefault(&c.MaxDocs, 5000)
	orDefault(&c.MaxBytes, 4<<30)
	orDefault(&c.DiskBudget, 100<<30)
	orDefault(&c.MaxRedirects, 5)
	orDefault(&c.Sites, 4)
	orNone(&c.BusyTimeout, defaultBusyTimeout)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	orDefault(&c.ProgressEvery, 2*time.Second)
	return c
}

// setting is the type of a numeric Config or Site field.
type setting interface{ ~int | ~int64 }

// orDefault gives a zero setting its default.
func orDefault[T setting](p *T, def T) {
	if *p == 0 {
		*p = def
	}
}

// orNone gives a zero setting its default and a negative one zero, for
// settings where "none" must be asked for explicitly.
func orNone[T setting](p *T, def T) {
	orDefault(p, def)
	*p = max(*p, 0)
}

// A policy is how the fetcher treats the requests of one site: the run's
// settings with the site's own overrides applied. It holds only what the
// fetcher needs, so that the fetcher depends on no site's crawl state.
type policy struct {
	log           *slog.Logger // names the site
	hosts         []string     // the site's hosts: no request or redirect leaves them
	userAgent     string
	delay         time.Duration // between two requests to a host
	parallel      int           // requests in flight per host
	timeout       time.Duration // of one attempt, body included
	maxRetries    int
	retryBase     time.Duration
	maxRetryAfter time.Duration
	maxBodySize   int64
	maxRedirects  int
	blockBackoff  time.Duration
	maxBlocks     int
	// received counts the body bytes received for the site, for its byte
	// cap; nil counts nothing.
	received *atomic.Int64
	// lease holds the hosts the site used, for the fetcher to retire once
	// its crawl ends (gate.go); nil keeps them for the whole run.
	lease *lease
	// govDomain is the government domain of the site's first host
	// (governmentDomain), "" if none; attachments is set in the policy an
	// attachment is fetched under (forAttachment), which allows any host
	// under it.
	govDomain   string
	attachments bool
}

func newPolicy(cfg *Config, s *Site, log *slog.Logger) policy {
	return policy{
		log:           log,
		hosts:         s.Hosts,
		userAgent:     cfg.UserAgent,
		delay:         siteOr(time.Duration(s.Delay), cfg.Delay),
		parallel:      siteOr(s.Parallel, cfg.Parallel),
		timeout:       cfg.Timeout,
		maxRetries:    cfg.MaxRetries,
		retryBase:     cfg.RetryBase,
		maxRetryAfter: cfg.MaxRetryAfter,
		maxBodySize:   cfg.MaxBodySize,
		maxRedirects:  cfg.MaxRedirects,
		blockBackoff:  cfg.BlockBackoff,
		maxBlocks:     cfg.MaxBlocks,
		received:      new(atomic.Int64),
		lease:         newLease(),
		govDomain:     siteGovDomain(s),
	}
}

func (p *policy) allowedHost(u *url.URL) bool {
	return hostIn(p.hosts, u) || p.attachments && underGovDomain(p.govDomain, u)
}

// forAttachment is p for fetching an attachment: a government keeps its
// files on hosts of its own domain other than its portal's (a file
// server, its 政务公开 platform), and links them from its reports. Only an
// attachment linked from a page of the site is fetched so; the links of
// such a host are never followed. Its politeness, robots.txt and caps are
// the site's as on any host.
func (p *policy) forAttachment() *policy {
	c := *p
	c.attachments = true
	return &c
}

// siteGovDomain is the government domain of the first of s's hosts that
// has one.
func siteGovDomain(s *Site) string {
	for _, h := range s.Hosts {
		if d := governmentDomain(h); d != "" {
			return d
		}
	}
	return ""
}

// siteOr returns a site's own setting if it has one, else the run's.
func siteOr[T setting](site, run T) T {
	if site > 0 {
		return site
	}
	return run
}
