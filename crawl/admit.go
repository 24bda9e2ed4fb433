package crawl

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
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
	admitOverPages            // the site's page cap (URLs fetched) is reached
	admitOverDocs             // the site's document cap is reached
	admitOverBytes            // the site's byte cap is reached (judged before the request)
	admitOverDisk             // the run's disk budget is reached (judged before the request)
	admitDisallowed           // robots.txt forbids it
	numAdmissions
)

var admissionNames = [numAdmissions]string{"ok", "off-site", "trap", "seen", "over-depth", "over-pages",
	"over-docs", "over-bytes", "over-disk-budget", "robots-disallowed"}

func (a admission) String() string {
	if a < numAdmissions {
		return admissionNames[a]
	}
	return fmt.Sprintf("admission(%d)", a)
}

// admit decides whether the URL u, found as task t, is queued. It sets
// t.url to u's canonical form (the key of the visited set and the state
// database), and on admitOK queues it in the frontier (which makes it
// seen) and counts it against the page cap and, for a report page or
// attachment, against the document cap. detail names the trap for
// admitTrap.
func (sr *siteRun) admit(ctx context.Context, t *task, u *url.URL) (verdict admission, detail string) {
	t.url = u.String()
	// The run's hosts: the site's, and the siblings discovery admitted;
	// for an attachment, any host of the same government.
	if !sr.policyFor(t.kind).allowedHost(u) {
		return admitOffSite, ""
	}
	u = canonical(u)
	t.url = u.String()
	if why := trapReason(u); why != "" {
		return admitTrap, why
	}
	isPage := t.kind != kindAttachment
	isDoc := t.kind == kindPage || t.kind == kindAttachment
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if sr.seen(ctx, t.url) {
		return admitSeen, ""
	}
	// Not marked seen: the same URL may come again through a shorter path.
	if isPage && t.depth > sr.maxDepth {
		return admitOverDepth, ""
	}
	if u.RawQuery != "" && sr.queryVariants(ctx, u.Path) >= maxQueryVariants {
		return admitTrap, "endless query strings"
	}
	if sr.fetches >= sr.maxPages {
		return admitOverPages, ""
	}
	if isDoc && sr.documents >= sr.maxDocs {
		return admitOverDocs, ""
	}
	// Counted only once admitted, so that the frontier (the visited set
	// and the variants with it) is bounded by the page cap.
	sr.fetches++
	if isDoc {
		sr.documents++
	}
	sr.queue(ctx, t, u)
	return admitOK, ""
}

// overBudget tells whether the site's byte cap or the run's disk budget
// is reached: admitOK if neither is. Unlike the other caps these are
// judged just before a request, since they depend on what has been
// received and stored so far.
func (sr *siteRun) overBudget() admission {
	switch {
	case sr.arch.written.Load() >= sr.cfg.DiskBudget:
		return admitOverDisk
	case sr.pol.received.Load() >= sr.maxBytes:
		return admitOverBytes
	}
	return admitOK
}

// refuse logs and counts a URL the crawl does not fetch.
func (sr *siteRun) refuse(u string, verdict admission, detail string) {
	sr.c.refused[verdict].Add(1)
	if msg := capReached[verdict]; msg != "" {
		// Worth a warning, once a site: the site has more than the crawl
		// will see.
		sr.capped[verdict].Do(func() { sr.log.Warn(msg, sr.capAttrs(verdict)...) })
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

// capReached holds the warning logged when a site first meets a cap.
var capReached = [numAdmissions]string{
	admitOverPages: "page cap reached; not fetching more URLs of the site",
	admitOverDocs:  "document cap reached; not fetching more reports or attachments of the site",
	admitOverBytes: "byte cap reached; not fetching anything more from the site",
	admitOverDisk:  "disk budget reached; not fetching anything more in this run",
}

func (sr *siteRun) capAttrs(verdict admission) []any {
	switch verdict {
	case admitOverPages:
		return []any{"max_pages", sr.maxPages}
	case admitOverDocs:
		return []any{"max_docs", sr.maxDocs}
	case admitOverBytes:
		return []any{"max_bytes", sr.maxBytes, "received", sr.pol.received.Load()}
	case admitOverDisk:
		return []any{"disk_budget", sr.cfg.DiskBudget, "written", sr.arch.written.Load()}
	}
	return nil
}

// mayRequest applies the request rules to u (see admission) and returns
// the gate of u's host. An error means u must not be requested: a redirect
// off the site, a host given up (unreachable, or after anti-bot answers),
// errDisallowed or an unavailable robots.txt.
func (f *fetcher) mayRequest(ctx context.Context, pol *policy, u *url.URL) (*gate, error) {
	if !pol.allowedHost(u) {
		return nil, fmt.Errorf("%w: %s", errOffsite, u.Host)
	}
	g := f.hostGate(pol, u)
	if err := g.gaveUp(); err != nil {
		return nil, err
	}
	if ok, err := f.allowed(ctx, pol, u); err != nil {
		return nil, err
	} else if !ok {
		return nil, errDisallowed
	}
	if g.givenUp(pol.maxBlocks) {
		return nil, errHostGivenUp
	}
	return g, nil
}

// Columns on a sibling host of the same government.
//
// A portal's hosts are its registry entry's: its home host and the
// www./bare twin. Many governments keep their 政务公开 platform or
// 年报 column on another host of their own domain (xxgk.x.gov.cn,
// zfxxgk.x.gov.cn beside www.x.gov.cn), and link it from the portal. Such
// a host is admitted for the run of the site — as a host the site may
// fetch from, robots.txt, redirects and its own politeness gate included —
// when discovery finds a column there through a link on one of the
// portal's own pages (a page on the registry's hosts), or remembers such
// a column from an earlier run. Only a host under the portal's own
// government domain is: the home host without "www.", which must be a
// name under .gov.cn with a label of its own (x.gov.cn, not gov.cn), and
// the sibling that domain or a name under it. A portal at www.hefei.gov.cn
// thus admits xxgk.hefei.gov.cn; one at fx.hefei.gov.cn admits
// xxgk.fx.hefei.gov.cn but never www.hefei.gov.cn or another county's
// fy.hefei.gov.cn; every other domain stays off-site. Links found while
// crawling the columns (not discovering them) never admit a host.

// maxSiblingHosts caps the hosts admitted beside a site's own: a
// government has a platform host or two (xxgk., zfxxgk., a file server);
// more is a page linking every subdomain of the domain.
const maxSiblingHosts = 8

// governmentDomain is the government domain of a portal's home host: the
// host name without its port and a leading "www.", when it is a name
// under .gov.cn with a label of its own; "" otherwise.
func governmentDomain(host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if name, _, err := net.SplitHostPort(h); err == nil {
		h = name
	}
	h = strings.TrimPrefix(h, "www.")
	rest, ok := strings.CutSuffix(h, ".gov.cn")
	if !ok || rest == "" || strings.HasSuffix(rest, ".") {
		return ""
	}
	return h
}

// siblingHost reports whether u is on a host of the same government as
// home but not home's own host: under governmentDomain(home.Host).
func siblingHost(home, u *url.URL) bool { return underGovDomain(governmentDomain(home.Host), u) }

// underGovDomain reports whether u is an http(s) URL on the government
// domain d or a host under it; never when d is "".
func underGovDomain(d string, u *url.URL) bool {
	if d == "" || u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	return h == d || strings.HasSuffix(h, "."+d)
}

// policyFor is the policy a task of kind is fetched under.
func (sr *siteRun) policyFor(kind string) *policy {
	if kind == kindAttachment {
		return sr.pol.forAttachment()
	}
	return &sr.pol
}

// admitSibling lets the site's run fetch from u's host, a sibling of the
// home host home (siblingHost), and says whether it may. It changes the
// run's policy, so it is called only before the run's workers start
// (discovery, and the sub-columns' runs, are done before).
func (sr *siteRun) admitSibling(home, u *url.URL) bool {
	if sr.pol.allowedHost(u) {
		return true
	}
	if !siblingHost(home, u) || len(sr.pol.hosts) >= len(sr.site.Hosts)+maxSiblingHosts {
		return false
	}
	// A copy: the registry's slice is never written to.
	sr.pol.hosts = append(slices.Clip(sr.pol.hosts), strings.ToLower(u.Host))
	sr.log.Info("discovery: admitting a host of the same government", "host", u.Host, "home", home.Host)
	return true
}
