package crawl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/temoto/robotstxt"
)

// robotsEntry holds one host's robots.txt, fetched once per run.
type robotsEntry struct {
	done chan struct{}
	data *robotstxt.RobotsData
	err  error // robots.txt could not be fetched: the host is not crawled
}

// robotsAgent is the product token matched against robots.txt groups.
const robotsAgent = "nianbao-crawler"

// allowed reports whether robots.txt of u's host lets the crawler fetch u.
// The first call for a host fetches robots.txt (through the host's gate)
// and applies its Crawl-delay to the gate. A robots.txt that is missing
// (4xx) allows everything; one that cannot be fetched (5xx, network
// failure) keeps the crawler off the host for this run, as RFC 9309 asks,
// and every URL of the host fails with errRobotsUnavailable, or with the
// host's give-up error when it could not be connected to.
func (f *fetcher) allowed(ctx context.Context, pol *policy, u *url.URL) (bool, error) {
	host := strings.ToLower(u.Host)
	f.mu.Lock()
	he := f.hostEntry(pol, host)
	e := he.robots
	owner := e == nil
	if owner {
		e = &robotsEntry{done: make(chan struct{})}
		he.robots = e
	}
	f.mu.Unlock()
	if owner {
		func() {
			// Whatever happens, the host's other URLs must not wait forever,
			// nor take a robots.txt that was never read for allow-all.
			e.err = errRobotsUnavailable
			defer close(e.done)
			e.data, e.err = f.loadRobots(ctx, pol, u)
		}()
	} else {
		select {
		case <-e.done:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	if e.err != nil {
		return false, e.err
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return e.data.TestAgent(p, robotsAgent), nil
}

var errRobotsUnavailable = errors.New("robots.txt unavailable: not crawling the host")

// maxRobotsSize caps the part of a robots.txt that is read and obeyed.
// RFC 9309 (section 2.5) asks crawlers to parse at least the first 500
// KiB; a longer file is cut at its last complete line within the cap and
// that part is obeyed, so that an oversize robots.txt can never turn into
// allow-all the way a dropped body would.
const maxRobotsSize = 512 << 10

func (f *fetcher) loadRobots(ctx context.Context, pol *policy, u *url.URL) (*robotstxt.RobotsData, error) {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	log := pol.log.With("url", ru.String())
	g := f.hostGate(pol, u)
	status := 0
	var body []byte
	var err error
	cut := false
	for hop := 0; hop <= pol.maxRedirects; hop++ {
		var resp *response
		resp, err = f.get(ctx, pol, f.hostGate(pol, ru), ru, validators{}, maxRobotsSize)
		if err != nil {
			break
		}
		status, body, cut = resp.status, resp.text, resp.cut
		if resp.truncated {
			status = 500
		}
		if !isRedirect(status) {
			break
		}
		next, perr := ru.Parse(resp.header.Get("Location"))
		if perr != nil || !pol.allowedHost(next) {
			break
		}
		ru = next
	}
	if cut && status >= 200 && status <= 299 {
		// The last line may be cut short: "Allow: /private/x" read as
		// "Allow: /" would allow too much. Without one whole line the file
		// is not robots.txt at all.
		if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
			body = body[:i+1]
			log.Warn("robots.txt over the size cap: obeying its first part", "cap", maxRobotsSize, "obeyed", len(body))
		} else {
			err = fmt.Errorf("over %d bytes without a line break", maxRobotsSize)
		}
	}
	if errors.Is(err, errHostUnreachable) {
		// Logged when the host was given up; every URL of it fails so.
		return nil, err
	}
	if err != nil || isRedirect(status) || status >= 500 {
		log.Warn("robots.txt unavailable: not crawling the host", "err", err, "status", status)
		if err == nil {
			err = fmt.Errorf("HTTP %d", status)
		}
		return nil, fmt.Errorf("%w (%w)", errRobotsUnavailable, err)
	}
	data, perr := robotstxt.FromStatusAndBytes(status, body)
	if perr != nil {
		log.Warn("robots.txt unparsable: assuming allow all", "err", perr)
		data, _ = robotstxt.FromStatusAndBytes(404, nil)
	}
	if grp := data.FindGroup(robotsAgent); grp != nil && grp.CrawlDelay > 0 {
		g.raiseDelay(grp.CrawlDelay)
		log.Info("robots.txt Crawl-delay", "delay", grp.CrawlDelay)
	}
	return data, nil
}
