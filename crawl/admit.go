package crawl

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/url"
)

// An admission is the crawl's verdict on a URL it could fetch: admitOK, or
// the reason it does not. Every refusal is logged at debug level and
// counted under its reason in the Summary.
//
// A URL is judged twice. When it is found (a start URL or a link), admit
// applies the rules of the site and its frontier, so that only URLs worth
// fetching wait in the queue. Just before each request for it, redirect
// hops included, mayRequest applies the rules that depend on the host at
// that moment: robots.txt is read on a host's first request, anti-bot
// answers make the crawl give a host up while its URLs wait, and a
// redirect can lead anywhere. A URL robots.txt forbids comes back from
// there as admitDisallowed; the other request rules fail the fetch, and
// the failure is recorded in the state database like any other.
type admission uint8

const (
	admitOK         admission = iota
	admitOffSite              // not on one of the site's hosts
	admitTrap                 // a calendar, session id, endless query strings…: see trapReason
	admitSeen                 // queued before
	admitOverDepth            // more links away from a start URL than the depth cap
	admitOverPages            // the site's page cap is reached
	admitDisallowed           // robots.txt forbids it
	numAdmissions
)

var admissionNames = [numAdmissions]string{"ok", "off-site", "trap", "seen", "over-depth", "over-pages", "robots-disallowed"}

func (a admission) String() string {
	if a < numAdmissions {
		return admissionNames[a]
	}
	return fmt.Sprintf("admission(%d)", a)
}

// admit decides whether the URL u, found as task t, is queued. It sets
// t.url to u's canonical form (the key of the visited set and the state
// database), and on admitOK counts the URL as seen and, for a page,
// against the page cap. detail names the trap for admitTrap.
func (sr *siteRun) admit(t *task, u *url.URL) (verdict admission, detail string) {
	t.url = u.String()
	if !sr.site.allowedHost(u) {
		return admitOffSite, ""
	}
	u = canonical(u)
	t.url = u.String()
	if why := trapReason(u); why != "" {
		return admitTrap, why
	}
	isPage := t.kind != kindAttachment
	h := maphash.String(sr.seed, t.url)
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if _, seen := sr.visited[h]; seen {
		return admitSeen, ""
	}
	// Not marked seen: the same URL may come again through a shorter path.
	if isPage && t.depth > sr.maxDepth {
		return admitOverDepth, ""
	}
	if u.RawQuery != "" {
		if sr.variants[u.Path] >= maxQueryVariants {
			return admitTrap, "endless query strings"
		}
		sr.variants[u.Path]++
	}
	if isPage {
		if sr.pages >= sr.maxPages {
			return admitOverPages, ""
		}
		sr.pages++
	}
	sr.visited[h] = struct{}{}
	return admitOK, ""
}

// refuse logs and counts a URL the crawl does not fetch.
func (sr *siteRun) refuse(u string, verdict admission, detail string) {
	sr.c.refused[verdict].Add(1)
	if verdict == admitOverPages {
		// Worth a warning, once: the site has more than the crawl will see.
		sr.capped.Do(func() { sr.log.Warn("page cap reached; not following more pages", "max_pages", sr.maxPages) })
	}
	// Links are refused by the thousand: build no log record nobody reads.
	if !sr.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	attrs := []any{"url", u, "reason", verdict.String()}
	if detail != "" {
		attrs = append(attrs, "trap", detail)
	}
	sr.log.Debug("not fetching", attrs...)
}

// mayRequest applies the request rules to u (see admission) and returns
// the gate of u's host. An error means u must not be requested: a redirect
// off the site, errDisallowed, an unavailable robots.txt or a given-up
// host.
func (f *fetcher) mayRequest(ctx context.Context, pol *policy, u *url.URL) (*gate, error) {
	if !pol.allowedHost(u) {
		return nil, fmt.Errorf("%w: %s", errOffsite, u.Host)
	}
	if ok, err := f.allowed(ctx, pol, u); err != nil {
		return nil, err
	} else if !ok {
		return nil, errDisallowed
	}
	g := f.hostGate(pol, u)
	if g.givenUp(pol.maxBlocks) {
		return nil, errHostGivenUp
	}
	return g, nil
}
