package crawl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fetch errors recorded in the state database and logs.
var (
	errOffsite       = errors.New("redirect to a host outside the site refused")
	errRedirectLoop  = errors.New("redirect loop")
	errTooManyHops   = errors.New("too many redirects")
	errDisallowed    = errors.New("disallowed by robots.txt")
	errHostGivenUp   = errors.New("host given up after repeated anti-bot answers")
	errRetryTooLong  = errors.New("server asked to retry later than the crawler waits")
	errNoLocation    = errors.New("redirect without Location")
	errBadRedirectTo = errors.New("redirect to a non-http URL")
)

const (
	// spillSize is the largest body kept in memory; longer ones go to a
	// temporary file and, if text, are not parsed for links.
	spillSize = 8 << 20
	// sniffSize is how much of a body decides whether it is binary.
	sniffSize = 1024
)

// A fetcher sends the crawl's HTTP requests: one at a time per host slot,
// with retries, robots.txt, conditional headers and size caps, streaming
// each body into a temporary file of the archive while hashing it.
type fetcher struct {
	cfg    *Config
	client *http.Client
	arch   *archive

	mu     sync.Mutex
	gates  map[string]*gate
	robots map[string]*robotsEntry

	requests atomic.Int64
	bytes    atomic.Int64
}

func newFetcher(cfg *Config, arch *archive) *fetcher {
	tr := cfg.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = max(cfg.Parallel, 4)
		tr = t
	}
	return &fetcher{
		cfg:  cfg,
		arch: arch,
		client: &http.Client{
			Transport: tr,
			// Redirects are followed by fetch itself, hop by hop, so that
			// each hop passes the host check, robots.txt and the gate.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		gates:  map[string]*gate{},
		robots: map[string]*robotsEntry{},
	}
}

// hostGate returns the gate of u's host, made with the site's politeness
// settings on first use.
func (f *fetcher) hostGate(sc *siteRun, u *url.URL) *gate {
	host := strings.ToLower(u.Host)
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.gates[host]
	if g == nil {
		g = newGate(sc.parallel, sc.delay)
		f.gates[host] = g
	}
	return g
}

type validators struct{ etag, lastModified string }

// A response is the outcome of fetching one URL.
type response struct {
	url         string // final URL, after redirects
	status      int
	header      http.Header
	notModified bool

	// For 2xx answers: the body, in memory (data) or, when long, in a
	// temporary file of the archive (tmp; the caller commits or removes
	// it); its sha256 and size; and the body again as text when it is not
	// a PDF, Word or other binary file.
	data      []byte
	tmp       string
	sum       string
	size      int64
	text      []byte
	head      []byte // the first bytes of the body, for sniffing
	binary    bool
	truncated bool // cut short or over the size cap; tmp is empty
	blocked   bool // anti-bot answer
}

// discard removes the response's temporary file, if any.
func (r *response) discard() {
	if r != nil && r.tmp != "" {
		os.Remove(r.tmp)
		r.tmp = ""
	}
}

// fetch GETs rawURL for site sc, following at most MaxRedirects redirects
// on the site's hosts. A non-nil error means nothing usable was received
// (network failure after retries, refused redirect, robots.txt); HTTP error
// statuses, truncation and anti-bot answers come back as a response.
func (f *fetcher) fetch(ctx context.Context, sc *siteRun, rawURL string, v validators) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	seen := map[string]bool{rawURL: true}
	for hop := 0; ; hop++ {
		if !sc.site.allowedHost(u) {
			return nil, fmt.Errorf("%w: %s", errOffsite, u.Host)
		}
		if ok, err := f.allowed(ctx, sc, u); err != nil {
			return nil, err
		} else if !ok {
			return nil, errDisallowed
		}
		g := f.hostGate(sc, u)
		if g.givenUp(f.cfg.MaxBlocks) {
			return nil, errHostGivenUp
		}
		resp, err := f.get(ctx, g, u, v, true)
		if err != nil {
			return nil, err
		}
		if !isRedirect(resp.status) {
			return resp, nil
		}
		loc := resp.header.Get("Location")
		if loc == "" {
			return nil, errNoLocation
		}
		next, err := u.Parse(loc)
		if err != nil || next.Scheme != "http" && next.Scheme != "https" {
			return nil, fmt.Errorf("%w: %q", errBadRedirectTo, loc)
		}
		next.Fragment = ""
		if seen[next.String()] {
			return nil, fmt.Errorf("%w at %s", errRedirectLoop, next)
		}
		if hop+1 > f.cfg.MaxRedirects {
			return nil, fmt.Errorf("%w (more than %d)", errTooManyHops, f.cfg.MaxRedirects)
		}
		seen[next.String()] = true
		u = next
	}
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// get sends one GET through gate g, retrying timeouts, 429 and 5xx with
// backoff and Retry-After. keep says whether a 2xx body is stored.
func (f *fetcher) get(ctx context.Context, g *gate, u *url.URL, v validators, keep bool) (*response, error) {
	var lastErr error
	for attempt := 0; ; attempt++ {
		resp, retryAfter, err := f.attempt(ctx, g, u, v, keep)
		if ctx.Err() != nil {
			resp.discard()
			return nil, ctx.Err()
		}
		retry := err != nil || resp.status == http.StatusTooManyRequests ||
			resp.status >= 500 && resp.status != http.StatusNotImplemented && !resp.blocked ||
			resp.truncated && resp.size <= f.cfg.MaxBodySize // cut short, not over the cap
		if err != nil {
			resp = nil
		}
		if !retry || attempt >= f.cfg.MaxRetries {
			if err != nil {
				return nil, err
			}
			return resp, nil
		}
		lastErr = err
		wait := f.cfg.RetryBase << attempt
		if retryAfter > 0 {
			if retryAfter > f.cfg.MaxRetryAfter {
				resp.discard()
				return nil, fmt.Errorf("%w (%s)", errRetryTooLong, retryAfter)
			}
			wait = max(wait, retryAfter)
			g.pause(retryAfter)
		}
		resp.discard()
		f.cfg.Logger.Debug("retrying", "url", u.String(), "attempt", attempt+1, "wait", wait, "err", lastErr)
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends one request and reads its answer.
func (f *fetcher) attempt(ctx context.Context, g *gate, u *url.URL, v validators, keep bool) (*response, time.Duration, error) {
	sent, release, err := g.acquire(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer release()
	defer sent()
	actx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { sent() },
	})
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8")
	if v.etag != "" {
		req.Header.Set("If-None-Match", v.etag)
	}
	if v.lastModified != "" {
		req.Header.Set("If-Modified-Since", v.lastModified)
	}
	f.requests.Add(1)
	hr, err := f.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer hr.Body.Close()
	r := &response{url: u.String(), status: hr.StatusCode, header: hr.Header}
	switch {
	case hr.StatusCode == http.StatusNotModified:
		r.notModified = true
	case hr.StatusCode == 412 || hr.StatusCode == 521:
		r.blocked = true
	case hr.StatusCode >= 200 && hr.StatusCode < 300:
		if err := f.readBody(hr, r, keep); err != nil {
			return r, 0, err
		}
		if r.text != nil && isChallenge(r.text, hr.Header.Get("Content-Type")) {
			r.discard()
			r.blocked = true
		}
	case hr.StatusCode == http.StatusForbidden:
		// A 403 carrying a JavaScript challenge is an anti-bot answer.
		b, _ := io.ReadAll(io.LimitReader(hr.Body, 64<<10))
		f.bytes.Add(int64(len(b)))
		r.blocked = isChallenge(b, hr.Header.Get("Content-Type"))
	default:
		// Read a short error page to the end so the connection can be reused.
		n, _ := io.Copy(io.Discard, io.LimitReader(hr.Body, 16<<10))
		f.bytes.Add(n)
	}
	return r, retryAfter(hr.Header.Get("Retry-After")), nil
}

// readBody reads a 2xx body, hashing it. Bodies up to spillSize stay in
// memory; longer ones are streamed into a temporary archive file (or, when
// keep is false, dropped). A body over MaxBodySize or shorter than its
// Content-Length is marked truncated and not kept.
func (f *fetcher) readBody(hr *http.Response, r *response, keep bool) error {
	h := sha256.New()
	body := io.LimitReader(hr.Body, f.cfg.MaxBodySize+1)
	if n := hr.ContentLength; n > 0 && n < spillSize {
		r.data = make([]byte, 0, n+1)
	}
	var tmp *os.File
	spilled := false
	var buf [32 << 10]byte
	var readErr error
	for {
		n, err := body.Read(buf[:])
		if n > 0 {
			chunk := buf[:n]
			r.size += int64(n)
			h.Write(chunk)
			switch {
			case tmp != nil:
				if _, werr := tmp.Write(chunk); werr != nil {
					readErr = fmt.Errorf("archive: %w", werr)
				}
			case spilled: // too long to keep, and not to be stored
			case r.size <= spillSize:
				r.data = append(r.data, chunk...)
			default:
				spilled = true
				r.head = append([]byte(nil), r.data[:min(len(r.data), sniffSize)]...)
				if keep {
					if tmp, readErr = f.arch.tempFile(); readErr == nil {
						_, readErr = tmp.Write(r.data)
						if readErr == nil {
							_, readErr = tmp.Write(chunk)
						}
					}
				}
				r.data = nil
			}
		}
		if readErr != nil {
			break
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
	}
	f.bytes.Add(r.size)
	if r.data != nil {
		r.head = r.data[:min(len(r.data), sniffSize)]
	}
	r.binary = isBinary(r.head)
	if !r.binary {
		r.text = r.data
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil && readErr == nil {
			readErr = fmt.Errorf("archive: %w", err)
		}
		r.tmp = tmp.Name()
	}
	short := hr.ContentLength >= 0 && r.size != hr.ContentLength
	if readErr != nil || short || r.size > f.cfg.MaxBodySize {
		r.discard()
		r.data, r.text = nil, nil
		r.truncated = true
		if readErr != nil && !errors.Is(readErr, io.ErrUnexpectedEOF) && !isTimeout(readErr) {
			return readErr
		}
		return nil
	}
	r.sum = hex.EncodeToString(h.Sum(nil))
	return nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
