package crawl

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Hosts that cannot be reached. A connect-level failure is one where no
// connection to the host was made: the DNS lookup failed, the connection
// was refused, the network or host was unreachable, the TLS handshake
// failed, or connecting took longer than the attempt's timeout. HTTP
// answers, whatever their status, and timeouts once connected are not.
// After maxConnectFailures of them in a row (or one DNS "no such host")
// the host is given up for the rest of the run: no further request goes to
// it, and its queued URLs are recorded as failed with the reason.
const maxConnectFailures = 3

// connectTimeout bounds the connecting part (DNS lookup and TCP handshake)
// of an attempt of the built-in transport, within Config.Timeout: a host
// that has not accepted a connection by then is down or filtered, and
// waiting the whole attempt timeout for it only delays finding out.
const connectTimeout = 15 * time.Second

// errHostUnreachable is in the chain of every error of a URL that was not
// requested, or not requested again, because its host was given up.
var errHostUnreachable = errors.New("host given up")

// An unreachableError gives up a host after connect-level failures.
type unreachableError struct {
	host  string
	fails int    // connect failures in a row that gave the host up
	why   string // their short reason: "connection refused", "no such host"…
	err   error  // the last of them, without the URL it was for
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("host given up: %d connect %s: %v", e.fails, plural(e.fails, "failure", "failures"), e.err)
}

func (e *unreachableError) Unwrap() []error { return []error{errHostUnreachable, e.err} }

// tries says how many attempts the reason came from: "(3 tries)".
func tries(n int) string { return fmt.Sprintf("(%d %s)", n, plural(n, "try", "tries")) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// A connTrace follows, through httptrace, how far an attempt got with
// connecting. Its fields are set from the transport's goroutines.
type connTrace struct {
	dialing atomic.Bool // a DNS lookup or a connect started
	tls     atomic.Bool // a TLS handshake started
	got     atomic.Bool // a connection was obtained
}

// connectFailure tells whether err, the error of an attempt traced by ct,
// is a connect-level failure, and if so its short reason; immediate is set
// for failures no retry can mend (DNS "no such host").
func connectFailure(err error, ct *connTrace) (why string, immediate bool) {
	if err == nil || ct.got.Load() {
		return "", false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return "no such host", true
		}
		return "DNS lookup failed", false
	}
	var op *net.OpError
	dial := errors.As(err, &op) && op.Op == "dial"
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", false
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable", false
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable", false
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset while connecting", false
	case ct.tls.Load() || isTLSError(err):
		if isTimeout(err) {
			return "TLS handshake timeout", false
		}
		return "TLS handshake failed", false
	case isTimeout(err) && (dial || ct.dialing.Load()):
		return "connect timeout", false
	case dial || ct.dialing.Load():
		return "cannot connect", false
	}
	return "", false
}

func isTLSError(err error) bool {
	var rh tls.RecordHeaderError
	var ae tls.AlertError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &rh) || errors.As(err, &ae) || errors.As(err, &cv) ||
		strings.Contains(err.Error(), "tls: ")
}

// connectFailed records err, the error of an attempt at u traced by ct,
// against u's host if it is a connect-level failure. It returns the
// host's give-up error once the host is given up, nil before.
func (f *fetcher) connectFailed(pol *policy, g *gate, u *url.URL, err error, ct *connTrace) error {
	why, immediate := connectFailure(err, ct)
	if why == "" {
		return nil
	}
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err // the error names the URL; the host's error must not
	}
	gaveUp, first := g.connectFailed(u.Host, why, inner, immediate)
	if gaveUp == nil {
		pol.log.Debug("cannot connect", "url", u.String(), "reason", why, "err", inner)
		return nil
	}
	if first {
		f.hostsGivenUp.Add(1)
		pol.log.Warn(fmt.Sprintf("giving up host %s for this run: %s %s", gaveUp.host, why, tries(gaveUp.fails)),
			"url", u.String(), "err", inner)
	}
	return gaveUp
}

// connectFailed counts a connect-level failure of the gate's host, why
// being its reason and err the error. It returns the host's give-up error
// when the host is given up, by this failure (first) or earlier.
func (g *gate) connectFailed(host, why string, err error, immediate bool) (gaveUp *unreachableError, first bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.unreachable != nil {
		return g.unreachable, false
	}
	g.connFails++
	g.connTries++
	g.connWhy = why
	if g.connFails < maxConnectFailures && !immediate {
		return nil, false
	}
	g.unreachable = &unreachableError{host: host, fails: g.connFails, why: why, err: err}
	return g.unreachable, true
}

// connectOK records a connection made to the gate's host.
func (g *gate) connectOK() {
	g.mu.Lock()
	g.connFails = 0
	g.connected = true
	g.mu.Unlock()
}

// gaveUp returns the host's give-up error, or nil while it is not given up.
func (g *gate) gaveUp() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.unreachable == nil {
		return nil
	}
	return g.unreachable
}

// neverConnected returns the connect-level failures seen for the host and
// the reason of the last one, when no connection to it was ever made.
func (g *gate) neverConnected() (n int, why string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.connected {
		return 0, ""
	}
	return g.connTries, g.connWhy
}

// A startFailure is a start URL of a site that could not be fetched.
type startFailure struct {
	url    string
	status FetchStatus
	http   int
	text   string    // the error recorded for it
	cause  error     // the fetch error, if the fetch failed with one
	refuse admission // not requested, and why
}

// startDone records how a start URL came out: ok, or failed as f.
func (sr *siteRun) startDone(ok bool, f startFailure) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if ok {
		sr.startsOK++
	} else {
		sr.startFails = append(sr.startFails, f)
	}
}

// reportReach counts the site as reachable or not, once its crawl has
// ended, and logs in one line what happened to a start URL that could not
// be fetched and what to do about it. It reports whether the site was
// reachable.
func (sr *siteRun) reportReach() bool {
	sr.mu.Lock()
	ok, fails := sr.startsOK, sr.startFails
	sr.mu.Unlock()
	if len(fails) == 0 {
		if ok > 0 {
			sr.c.sitesReachable.Add(1)
		}
		return true
	}
	what, hint := sr.diagnose(fails[0])
	if ok > 0 {
		sr.c.sitesReachable.Add(1)
		sr.log.Warn(fmt.Sprintf("site %s: %d of %d start URLs could not be fetched: %s; %s",
			sr.site.Name, len(fails), len(fails)+ok, what, hint), "url", fails[0].url)
		return true
	}
	sr.c.sitesUnreachable.Add(1)
	sr.log.Warn(fmt.Sprintf("site %s unreachable: %s; %s", sr.site.Name, what, hint), "url", fails[0].url, "err", fails[0].text)
	return false
}

// diagnose says in a few words why a start URL could not be fetched, and
// what to do about it.
func (sr *siteRun) diagnose(f startFailure) (what, hint string) {
	if u, err := url.Parse(f.url); err == nil {
		if n, why := sr.f.hostGate(&sr.pol, u).neverConnected(); n > 0 {
			return why + " " + tries(n), "check the network or the site's URL"
		}
	}
	var ue *unreachableError
	switch {
	case errors.As(f.cause, &ue):
		return ue.why + " " + tries(ue.fails), "check the network or the site's URL"
	case f.refuse == admitDisallowed:
		return "robots.txt disallows the start URL", "the site asks crawlers to keep off it; check the site's start URL"
	case f.refuse != admitOK:
		return "start URL not crawled (" + f.refuse.String() + ")", "check the site's start URL in the registry"
	case errors.Is(f.cause, errRobotsUnavailable):
		return f.text, "the crawler keeps off a host whose robots.txt cannot be read; try again later"
	case f.cause != nil && isTimeout(f.cause):
		return "no answer within the timeout", "the site is slow or down; try again later, or raise the timeout"
	case f.status == StatusBlocked:
		return fmt.Sprintf("anti-bot answer (HTTP %d)", f.http), "the site turns crawlers away; the crawler does not try to get past that"
	case f.status == StatusTruncated:
		return "body cut short or over the size cap", "try again later, or raise the body size cap"
	case f.http != 0:
		return fmt.Sprintf("start URL answered HTTP %d %s", f.http, http.StatusText(f.http)), "check the site's start URL in the registry"
	}
	return f.text, "see the error recorded for the start URL"
}
