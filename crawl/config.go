package crawl

import (
	"io"
	"log/slog"
	"net/http"
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
	// Timeout bounds one HTTP attempt, body included. Default 30s.
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
	// MaxPages caps the HTML pages fetched per site. Default 10000.
	MaxPages int
	// MaxRedirects caps the redirects followed per URL. Default 5.
	MaxRedirects int
	// Sites is how many sites are crawled at once. Default 4.
	Sites int
	// Only, when not empty, restricts the run to the sites named.
	Only []string

	// Logger receives structured logs naming site and URL. Default: discard.
	Logger *slog.Logger
	// Progress, when set, receives a one-line progress report every
	// ProgressEvery (default 2s).
	Progress      io.Writer
	ProgressEvery time.Duration
	// Transport replaces http.DefaultTransport's clone.
	Transport http.RoundTripper
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
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	def(&c.Delay, time.Second)
	if c.Delay < 0 {
		c.Delay = 0
	}
	defInt(&c.Parallel, 1)
	def(&c.Timeout, 30*time.Second)
	defInt(&c.MaxRetries, 3)
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	}
	def(&c.RetryBase, time.Second)
	def(&c.MaxRetryAfter, 2*time.Minute)
	def(&c.BlockBackoff, time.Minute)
	defInt(&c.MaxBlocks, 3)
	if c.MaxBodySize == 0 {
		c.MaxBodySize = 64 << 20
	}
	defInt(&c.MaxDepth, 4)
	defInt(&c.MaxPages, 10000)
	defInt(&c.MaxRedirects, 5)
	defInt(&c.Sites, 4)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	def(&c.ProgressEvery, 2*time.Second)
	return c
}

// Summary counts what a run did. New, Changed and Unchanged count
// documents (report pages and attachments); Failed, Blocked, Truncated and
// Disallowed count every URL, list pages included.
type Summary struct {
	Sites       int   // sites crawled
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
	Requests    int   // HTTP requests sent, retries and robots.txt included
	Bytes       int64 // response body bytes received
}
