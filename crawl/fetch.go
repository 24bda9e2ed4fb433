package crawl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opengov-cn/nianbao/internal/sniff"
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

// Limits on what one answer can cost.
const (
	// spillSize is the largest body kept in memory; longer ones go to a
	// temporary file and, if text, are not parsed for links.
	spillSize = 8 << 20
	// maxHeaderBytes caps a response's header: government servers send a
	// few hundred bytes, and net/http's own default is 10 MiB.
	maxHeaderBytes = 1 << 20
	// maxBackoffShift caps the doublings of the retry backoff, so that a
	// large MaxRetries neither overflows the wait nor makes it absurd.
	maxBackoffShift = 10
	// maxErrorBody and maxChallengeBody cap what is read of an error page,
	// to reuse the connection, and of a 403 that may be a challenge.
	maxErrorBody     = 16 << 10
	maxChallengeBody = 64 << 10
)

// A fetcher sends the crawl's HTTP requests: one at a time per host slot,
// with retries, robots.txt, conditional headers and size caps, streaming
// each body into a temporary file of the archive while hashing it. It is
// shared by every site of a run, so that a host shared by two sites still
// gets one gate; each request comes with its site's policy.
type fetcher struct {
	client *http.Client
	arch   *archive

	// The hosts in use and some retired (gate.go), by lower-case host.
	mu      sync.Mutex
	hosts   map[string]*hostEntry
	retired []retiredHost // oldest first

	// The connections of the built-in transport, by lower-case host name,
	// for those of a retired host to be closed.
	connMu sync.Mutex
	conns  map[string]map[*trackedConn]struct{}

	requests     atomic.Int64
	bytes        atomic.Int64
	hostsGivenUp atomic.Int64 // after connect-level failures
}

func newFetcher(cfg *Config, arch *archive) *fetcher {
	f := &fetcher{arch: arch, hosts: map[string]*hostEntry{}, conns: map[string]map[*trackedConn]struct{}{}}
	tr := cfg.Transport
	if tr == nil {
		dial := cfg.dial
		if dial == nil {
			dial = (&net.Dialer{Timeout: min(connectTimeout, cfg.Timeout), KeepAlive: 30 * time.Second}).DialContext
		}
		tr = newTransport(cfg, f.tracked(dial))
	}
	f.client = &http.Client{
		Transport: tr,
		// Redirects are followed by fetch itself, hop by hop, so that
		// each hop passes mayRequest and the gate.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return f
}

// hostGate returns the gate of u's host, made with the politeness settings
// of the first site to use it.
func (f *fetcher) hostGate(pol *policy, u *url.URL) *gate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hostEntry(pol, strings.ToLower(u.Host)).gate
}

// newTransport returns the transport of a run with cfg (defaults applied)
// when it names none, its connections made by dial.
//
// Idle connections are kept per host for the requests to come, one
// second or a Crawl-delay apart. A host no running site uses is not asked
// again, and the fetcher closes its connections when it retires it
// (gate.go); beyond that, at most one idle connection is kept per request
// the run can have in flight (sites at once × requests in flight per
// host), so that the idle connections of a run over thousands of hosts
// are those of the hosts in use.
func newTransport(cfg *Config, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(cfg.Parallel, 4)
	t.MaxIdleConns = max(cfg.Sites*max(cfg.Parallel, 1), 16)
	t.MaxResponseHeaderBytes = maxHeaderBytes
	t.DialContext = dial
	return t
}

type validators struct{ etag, lastModified string }

// A response is the answer to fetching one URL.
type response struct {
	url         string // final URL, after redirects
	status      int
	header      http.Header
	notModified bool

	// For 2xx answers: the body, in memory (data) or, when long, in a
	// temporary file of the archive (tmp; the caller stores or discards
	// it); its sha256 and size; and the body again as text when it is not
	// a PDF, Word or other binary file.
	data      []byte
	tmp       string
	sum       string
	size      int64
	text      []byte
	head      []byte // the first sniff.HeadSize bytes of the body
	binary    bool
	truncated bool // cut short or over the size cap; tmp is empty
	cut       bool // a prefix read (robots.txt) stopped at its cap; data holds the prefix
	blocked   bool // anti-bot answer
	gaveUp    bool // blocked, and the host is now given up
}

// discard removes the response's temporary file, if any.
func (r *response) discard() {
	if r != nil && r.tmp != "" {
		os.Remove(r.tmp)
		r.tmp = ""
	}
}

// store puts the 2xx body into the archive; its temporary file, if any,
// is gone afterwards either way.
func (r *response) store(a *archive) error {
	var err error
	if r.tmp != "" {
		err = a.commit(r.tmp, r.sum, r.size)
	} else {
		err = a.store(r.data, r.sum)
	}
	if err != nil {
		r.discard()
		return err
	}
	r.tmp = ""
	return nil
}

// fetch GETs rawURL under the site's policy, following at most
// maxRedirects redirects, each hop checked by mayRequest. A non-nil error
// means nothing usable was received (network failure after retries,
// refused redirect, robots.txt); HTTP error statuses, truncation and
// anti-bot answers come back as a response. An anti-bot answer also backs
// the host off, since every later request to it must wait.
func (f *fetcher) fetch(ctx context.Context, pol *policy, rawURL string, v validators) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	seen := map[string]bool{rawURL: true}
	// Bounded by redirectTarget, which fails hop maxRedirects+1.
	for hop := 0; ; hop++ {
		g, err := f.mayRequest(ctx, pol, u)
		if err != nil {
			return nil, err
		}
		resp, err := f.get(ctx, pol, g, u, v, 0)
		if err != nil {
			return nil, err
		}
		if resp.blocked {
			resp.gaveUp = g.blocked(pol.blockBackoff, pol.maxBlocks)
		}
		if !isRedirect(resp.status) {
			return resp, nil
		}
		if u, err = redirectTarget(u, resp.header.Get("Location"), seen, hop, pol.maxRedirects); err != nil {
			return nil, err
		}
	}
}

// redirectTarget resolves the Location loc of a redirect from u, the
// redirect number hop+1; seen holds the URLs of the hops so far.
func redirectTarget(u *url.URL, loc string, seen map[string]bool, hop, maxRedirects int) (*url.URL, error) {
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
	if hop+1 > maxRedirects {
		return nil, fmt.Errorf("%w (more than %d)", errTooManyHops, maxRedirects)
	}
	seen[next.String()] = true
	return next, nil
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// get sends one GET through gate g, retrying timeouts, 429 and 5xx with
// backoff and Retry-After. prefix, when positive, asks for a prefix read
// (see readBody) instead of a body to store.
func (f *fetcher) get(ctx context.Context, pol *policy, g *gate, u *url.URL, v validators, prefix int64) (*response, error) {
	var lastErr error
	// Bounded by pol.maxRetries.
	for attempt := 0; ; attempt++ {
		resp, retryAfter, err := f.attempt(ctx, pol, g, u, v, prefix)
		if ctx.Err() != nil {
			resp.discard()
			return nil, ctx.Err()
		}
		if isDiskFull(err) || errors.Is(err, errHostUnreachable) {
			// No retry will help: the disk is full, or the host is given up.
			resp.discard()
			return nil, err
		}
		retry := err != nil || resp.status == http.StatusTooManyRequests ||
			resp.status >= 500 && resp.status != http.StatusNotImplemented && !resp.blocked ||
			resp.truncated && resp.size <= pol.maxBodySize // cut short, not over the cap
		if err != nil {
			resp = nil
		}
		if !retry || attempt >= pol.maxRetries {
			if err != nil {
				return nil, err
			}
			return resp, nil
		}
		lastErr = err
		wait := pol.retryBase << min(attempt, maxBackoffShift)
		if retryAfter > 0 {
			if retryAfter > pol.maxRetryAfter {
				resp.discard()
				return nil, fmt.Errorf("%w (%s)", errRetryTooLong, retryAfter)
			}
			wait = max(wait, retryAfter)
			g.pause(retryAfter)
		}
		resp.discard()
		pol.log.Debug("retrying", "url", u.String(), "attempt", attempt+1, "wait", wait, "err", lastErr)
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends one request and reads its answer.
func (f *fetcher) attempt(ctx context.Context, pol *policy, g *gate, u *url.URL, v validators, prefix int64) (*response, time.Duration, error) {
	sent, release, err := g.acquire(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer release()
	defer sent()
	if err := g.gaveUp(); err != nil {
		// Given up while this attempt waited for its turn.
		return nil, 0, err
	}
	actx, cancel := context.WithTimeout(ctx, pol.timeout)
	defer cancel()
	var ct connTrace
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		DNSStart:          func(httptrace.DNSStartInfo) { ct.dialing.Store(true) },
		ConnectStart:      func(string, string) { ct.dialing.Store(true) },
		TLSHandshakeStart: func() { ct.tls.Store(true) },
		GotConn:           func(httptrace.GotConnInfo) { ct.got.Store(true) },
		WroteRequest:      func(httptrace.WroteRequestInfo) { sent() },
	})
	req, err := newRequest(actx, pol, u, v)
	if err != nil {
		return nil, 0, err
	}
	f.requests.Add(1)
	hr, err := f.client.Do(req)
	if err != nil {
		switch {
		case ct.got.Load():
			g.connectOK()
		case ctx.Err() == nil: // not the run's cancellation
			if gaveUp := f.connectFailed(pol, g, u, err, &ct); gaveUp != nil {
				return nil, 0, gaveUp
			}
		}
		return nil, 0, err
	}
	g.connectOK()
	defer hr.Body.Close()
	r := &response{url: u.String(), status: hr.StatusCode, header: hr.Header}
	if err := f.readAnswer(hr, r, pol, prefix); err != nil {
		return r, 0, err
	}
	return r, retryAfter(hr.Header.Get("Retry-After")), nil
}

func newRequest(ctx context.Context, pol *policy, u *url.URL, v validators) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", pol.userAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8")
	if v.etag != "" {
		req.Header.Set("If-None-Match", v.etag)
	}
	if v.lastModified != "" {
		req.Header.Set("If-Modified-Since", v.lastModified)
	}
	return req, nil
}

// received counts n body bytes received under the site's policy pol.
func (f *fetcher) received(pol *policy, n int64) {
	f.bytes.Add(n)
	if pol.received != nil {
		pol.received.Add(n)
	}
}

// readAnswer reads as much of an answer's body as its status calls for,
// and tells anti-bot answers from real ones.
func (f *fetcher) readAnswer(hr *http.Response, r *response, pol *policy, prefix int64) error {
	switch {
	case hr.StatusCode == http.StatusNotModified:
		r.notModified = true
	case hr.StatusCode == 412 || hr.StatusCode == 521:
		r.blocked = true
	case hr.StatusCode >= 200 && hr.StatusCode < 300:
		if err := f.readBody(hr, r, pol, prefix); err != nil {
			return err
		}
		if r.text != nil && isChallenge(r.text, hr.Header.Get("Content-Type")) {
			r.discard()
			r.blocked = true
		}
	case hr.StatusCode == http.StatusForbidden:
		// A 403 carrying a JavaScript challenge is an anti-bot answer.
		b, _ := io.ReadAll(io.LimitReader(hr.Body, maxChallengeBody))
		f.received(pol, int64(len(b)))
		r.blocked = isChallenge(b, hr.Header.Get("Content-Type"))
	default:
		// Read a short error page to the end so the connection can be reused.
		n, _ := io.Copy(io.Discard, io.LimitReader(hr.Body, maxErrorBody))
		f.received(pol, n)
	}
	return nil
}

// readBody reads a 2xx body, hashing it. Bodies up to spillSize stay in
// memory; longer ones are streamed into a temporary archive file. A body
// over the policy's size cap or shorter than its Content-Length is marked
// truncated and not kept.
//
// A prefix read (prefix > 0, for robots.txt) reads at most prefix bytes
// (and never more than spillSize) into memory and stores nothing: a longer
// body is cut there and marked cut, not truncated, so that the caller can
// use what it got.
func (f *fetcher) readBody(hr *http.Response, r *response, pol *policy, prefix int64) error {
	maxBodySize := pol.maxBodySize
	sink := &bodySink{r: r, h: sha256.New()}
	if prefix > 0 {
		// Below spillSize, so that the prefix and the byte that tells the body
		// is longer stay in memory.
		maxBodySize = min(prefix, spillSize-1)
	} else {
		sink.arch = f.arch
	}
	if n := hr.ContentLength; n > 0 && n < spillSize {
		r.data = make([]byte, 0, min(n, maxBodySize)+1)
	}
	buf := copyBuffers.Get().(*[]byte)
	_, readErr := io.CopyBuffer(sink, io.LimitReader(hr.Body, maxBodySize+1), *buf)
	copyBuffers.Put(buf)
	f.received(pol, r.size)
	if prefix > 0 && readErr == nil && r.size > maxBodySize {
		r.data = r.data[:maxBodySize]
		r.size = maxBodySize
		r.cut = true
	}
	if r.data != nil {
		r.head = r.data[:min(len(r.data), sniff.HeadSize)]
	}
	r.binary = isBinary(r.head)
	if !r.binary {
		r.text = r.data
	}
	if sink.tmp != nil {
		if err := sink.tmp.Close(); err != nil && readErr == nil {
			readErr = f.arch.fail(err)
		}
		r.tmp = sink.tmp.Name()
	}
	short := hr.ContentLength >= 0 && r.size != hr.ContentLength && !r.cut
	if readErr != nil || short || r.size > maxBodySize {
		r.discard()
		r.data, r.text = nil, nil
		r.truncated = true
		if readErr != nil && !errors.Is(readErr, io.ErrUnexpectedEOF) && !isTimeout(readErr) {
			return readErr
		}
		return nil
	}
	if !r.cut { // the hash covers the byte past the cut
		r.sum = hex.EncodeToString(sink.h.Sum(nil))
	}
	return nil
}

// copyBuffers are the buffers bodies are read through, io.Copy's size:
// one made per body was half of what a crawl allocated.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// A bodySink takes in a 2xx body as it is read: it hashes and sizes all of
// it, keeps it in the response up to spillSize and, past that, streams it
// to a temporary archive file, or drops it when arch is nil.
type bodySink struct {
	r       *response
	h       hash.Hash
	arch    *archive
	tmp     archiveFile
	spilled bool
}

func (s *bodySink) Write(p []byte) (int, error) {
	s.r.size += int64(len(p))
	s.h.Write(p)
	switch {
	case s.tmp != nil:
		if _, err := s.tmp.Write(p); err != nil {
			return 0, s.arch.fail(err)
		}
	case s.spilled: // too long to keep, and not to be stored
	case s.r.size <= spillSize:
		s.r.data = append(s.r.data, p...)
	default:
		return len(p), s.spill(p)
	}
	return len(p), nil
}

// spill moves the body from memory to a temporary file, p being the chunk
// that made it too long.
func (s *bodySink) spill(p []byte) error {
	s.spilled = true
	data := s.r.data
	s.r.head = append([]byte(nil), data[:min(len(data), sniff.HeadSize)]...)
	s.r.data = nil
	if s.arch == nil {
		return nil
	}
	tmp, err := s.arch.tempFile()
	if err != nil {
		return err
	}
	s.tmp = tmp
	if _, err := tmp.Write(data); err != nil {
		return s.arch.fail(err)
	}
	if _, err := tmp.Write(p); err != nil {
		return s.arch.fail(err)
	}
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
