package crawl

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
)

// Department sub-columns and region-wide platforms.
//
// A county portal hosts the reports of its departments and townships as
// well as its own, most often one sub-column per body, listed on a page
// of their own (部门年报, 乡镇年报, 部门及乡镇政府信息公开年报) that links
// each body by its name (县公安局, 城关镇). Region-wide platforms do the
// same for a whole government, each body's list keyed by an agency code:
// Beijing's zfxxgk.beijing.gov.cn/{机构码}/zfxxgknb/list.shtml, Hefei's
// spage.xp?doAction=sindex&unitid={单位码}&frame=nb.
//
// Discovery recognises such an index page by the link that leads to it or
// by its own name, and takes every link on it named like a body as a
// sub-column, named by the link's text; on a platform keyed by agency
// code, a body's link (to its 信息公开 home) is turned into its 年报 list
// by the platform's pattern. Each sub-column is crawled in a run of its
// own, whose state rows carry the site's name and the sub-column's
// (subSiteName), so that every report knows the list it was found in
// (Document.Listed). Who published a report is still read from the report
// itself; the sub-column's name only checks it (normalize.CheckListed).

// Bounds on sub-columns.
const (
	// maxSubColumns caps the sub-columns taken for one site: a county
	// portal lists some 30 to 80 departments and townships, a city's
	// platform a hundred-odd bodies; a page with more links named like
	// bodies is a directory of a whole province, whose bodies' own
	// portals are crawled as sites of their own.
	maxSubColumns = 150
	// maxSubColumnPages caps the URLs one sub-column's run fetches: a
	// body's column holds a report or two a year, their attachments and a
	// few list pages. The sub-columns' runs together fetch no more than
	// the site's own page cap (Config.MaxPages, or the site's).
	maxSubColumnPages = 200
	// maxListedLen caps the runes of a sub-column's name: a body's name
	// is short; a longer anchor text is a headline.
	maxListedLen = 30
	// maxHomeProbes caps the pages looked at from a body's 信息公开 home
	// for its 年报 column (resolveSubColumn): the home links it by name,
	// beside a few columns of similar names.
	maxHomeProbes = 3
)

var (
	// subIndexRe names a page of sub-columns: 部门年报, 乡镇年报,
	// 部门政府信息公开年报, 镇（街道）信息公开年报, 县直单位年报…
	subIndexRe = regexp.MustCompile(`(部门|乡镇|镇街|街道|[县区市]直|单位|镇|乡).{0,12}(年报|年度报告)`)
	// bodyNameRe is a link text that names a body: a department, an
	// office, a township.
	bodyNameRe = regexp.MustCompile(`^[\p{Han}A-Za-z0-9（）()·]{1,28}(局|委员会|委|办公室|办|中心|院|所|署|会|厅|处|队|站|馆|乡|镇|街道|办事处|管委会|人民政府|政府)$`)
	// groupNameRe starts the name of a group of bodies, not of one:
	// 各乡镇, 区县政府, 县直部门, 其他单位 (but 县市场监督管理局 is one)
	groupNameRe = regexp.MustCompile(`^(各|区县|县区|([县区市]直|所属|下属|其他|有关).{0,2}(部门|单位|机关|乡镇)$)`)
	// codeSegRe is the first path segment of a platform keyed by agency
	// code: six digits or more (a 机构码 or a division code), or an
	// 18-character unified social credit code.
	codeSegRe = regexp.MustCompile(`^(?:\d{6,12}|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})$`)
)

// isSubIndexName says whether s (a link text, a ColumnName, a title) names
// a page of department or township sub-columns.
func isSubIndexName(s string) bool {
	t := normText(s)
	return subIndexRe.MatchString(t) && !decoyRe.MatchString(t) && reportYear(t) == 0
}

// isBodyName says whether a link text names a body whose sub-column it
// leads to.
func isBodyName(s string) bool {
	t := normText(s)
	return utf8.RuneCountInString(t) <= maxListedLen && bodyNameRe.MatchString(t) && !groupNameRe.MatchString(t) &&
		!decoyRe.MatchString(t) && !isReportTitle(t) && reportYear(t) == 0 && !landingRe.MatchString(t)
}

// subIndexOf says whether the page at u, reached through a link named
// via, is a page of sub-columns, and returns them: every link on it named
// like a body (isBodyName), on a host discovery may go to (visits),
// through the platform's pattern where there is one (platformColumn).
// Fewer than two such links make no index.
func (sr *siteRun) subIndexOf(v *visits, u *url.URL, via string, doc *goquery.Document, pi pageInfo) ([]column, bool) {
	metas := readMetas(doc)
	if !isSubIndexName(via) && !isSubIndexName(metas["columnname"]) && !isSubIndexName(pi.Title) {
		return nil, false
	}
	var cols []column
	seen := map[string]bool{canonical(u).String(): true}
	coded := codedLinks(pi.Links)
	for _, l := range pi.Links {
		if l.Attachment || l.Report || !isBodyName(l.Text) || trapReason(l.URL) != "" {
			continue
		}
		target, how := l.URL, "sub"
		if coded >= 2 {
			if c := platformColumn(l.URL); c != nil {
				target, how = c, "platform"
			}
		}
		if !v.may(u, target) {
			continue
		}
		k := canonical(target).String()
		if seen[k] {
			continue
		}
		if len(cols) >= maxSubColumns {
			sr.log.Warn("discovery: more sub-columns than the cap; the rest are not crawled", "url", u.String(), "max_sub_columns", maxSubColumns)
			break
		}
		seen[k] = true
		cols = append(cols, column{URL: k, How: how, Confidence: 0.5, Listed: strings.ReplaceAll(normText(l.Text), subSiteSep, "")})
	}
	return cols, len(cols) >= 2
}

// codedLinks counts the links of a page named like bodies that a
// platform's pattern knows (platformColumn): two or more make the page a
// platform's directory of bodies.
func codedLinks(links []link) int {
	n := 0
	for _, l := range links {
		if isBodyName(l.Text) && platformColumn(l.URL) != nil {
			n++
		}
	}
	return n
}

// platformColumn is the 年报 list of the body that u, a link to the body
// on a platform keyed by agency code, names; nil when u is of no known
// platform's shape. A link already to a 年报 list is that list.
//
//   - keyed by a path segment (Beijing's shape): /{code}/… becomes
//     /{code}/zfxxgknb/list.shtml;
//   - keyed by a query parameter (Hefei's spage.xp): …/spage.xp?…unitid={code}…
//     becomes …/spage.xp?doAction=sindex&frame=nb&unitid={code}.
func platformColumn(u *url.URL) *url.URL {
	if strings.HasSuffix(strings.ToLower(u.Path), "spage.xp") {
		q := u.Query()
		code := q.Get("unitid")
		if code == "" {
			return nil
		}
		c := *u
		c.RawQuery = url.Values{"doAction": {"sindex"}, "unitid": {code}, "frame": {"nb"}}.Encode()
		return &c
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) == 0 || !codeSegRe.MatchString(segs[0]) {
		return nil
	}
	if columnSlugRe.MatchString(u.Path) {
		return u
	}
	c := *u
	c.Path, c.RawPath, c.RawQuery = path.Join("/", segs[0], "zfxxgknb", "list.shtml"), "", ""
	return &c
}

// subSiteSep joins a site's name and a sub-column's in the name of the
// sub-column's run (subSiteName); it is in no registry name (host names
// and slugs) and is taken out of the sub-column's.
const subSiteSep = "#"

// subSiteName is the name the state rows of a sub-column's run carry.
func subSiteName(site, listed string) string { return site + subSiteSep + listed }

// splitSubSite undoes subSiteName: a site's name and the sub-column's,
// "" for a run of the site's own.
func splitSubSite(name string) (site, listed string) {
	if i := strings.Index(name, subSiteSep); i > 0 {
		return name[:i], name[i+len(subSiteSep):]
	}
	return name, ""
}

// crawlSubColumns crawls each sub-column of subs in a run of its own, one
// after the other; home is the site's home page, whose sibling hosts a
// sub-column may be on. Sub-columns just found (fresh) that lead to a
// body's home rather than its list are resolved first (resolveSubColumn).
func (sr *siteRun) crawlSubColumns(ctx context.Context, home *url.URL, subs []column, fresh bool) error {
	budget := siteOr(sr.site.MaxPages, sr.cfg.MaxPages)
	for i, c := range subs {
		if ctx.Err() != nil {
			return nil
		}
		if budget <= 0 {
			sr.log.Warn("page cap reached by the sub-columns; not crawling the rest",
				"max_pages", siteOr(sr.site.MaxPages, sr.cfg.MaxPages), "not_crawled", len(subs)-i)
			return nil
		}
		used, err := sr.crawlSubColumn(ctx, home, c, min(budget, maxSubColumnPages), fresh)
		if err != nil {
			return err
		}
		budget -= used
	}
	return nil
}

// crawlSubColumn crawls one sub-column as a site of its own: the site's
// politeness and hosts (siblings admitted included), a page cap of
// maxPages, and state rows named subSiteName. Its start URL is recorded
// like any site's when it cannot be fetched; it is not counted as a site
// in the Summary. It returns the URLs the run took against its cap.
func (sr *siteRun) crawlSubColumn(ctx context.Context, home *url.URL, c column, maxPages int, fresh bool) (used int, err error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return 0, nil // a remembered row of an older crawler: ignored
	}
	if !sr.admitSibling(home, u) {
		sr.log.Info("discovery: sub-column off the site's hosts; not crawled", "url", c.URL, "listed", c.Listed)
		return 0, nil
	}
	if fresh && c.How == "sub" {
		if col, ok := sr.resolveSubColumn(ctx, u); ok {
			sr.log.Info("discovery: a body's home; its 年报 column", "home", c.URL, "url", col.String(), "listed", c.Listed)
			if err := sr.st.moveColumn(ctx, sr.site.Name, c.URL, col.String()); err != nil {
				return 0, sr.stateFailed(fmt.Errorf("crawl: site %s: %w", sr.site.Name, err))
			}
			u, c.URL = col, col.String()
		}
	}
	s := &Site{
		Name: subSiteName(sr.site.Name, c.Listed), Agency: sr.site.Agency, Start: []string{c.URL},
		Hosts: slices.Clone(sr.pol.hosts), Level: sr.site.Level, Code: sr.site.Code, Path: sr.site.Path,
		Delay: sr.site.Delay, Parallel: sr.site.Parallel, MaxDepth: sr.site.MaxDepth,
		MaxPages: maxPages,
	}
	sub := sr.crawler.newSiteRun(s)
	defer sr.crawler.f.release(&sub.pol) // its hosts may be forgotten after, like a site's
	// The site's document and byte caps are shared by its own column and
	// its sub-columns: what each sub-column takes, the rest may not.
	sr.mu.Lock()
	sub.maxDocs = sr.maxDocs - sr.documents
	sr.mu.Unlock()
	sub.maxBytes = sr.maxBytes - sr.pol.received.Load()
	if sub.maxDocs <= 0 || sub.maxBytes <= 0 {
		sr.log.Warn("document or byte cap reached by the sub-columns; not crawling the rest", "listed", c.Listed,
			"max_docs", sr.maxDocs, "max_bytes", sr.maxBytes)
		return 0, nil
	}
	defer func() {
		sub.mu.Lock()
		docs := sub.documents
		sub.mu.Unlock()
		sr.mu.Lock()
		sr.documents += docs
		sr.mu.Unlock()
		sr.pol.received.Add(sub.pol.received.Load())
	}()
	sub.log = sr.log.With("listed", c.Listed)
	sub.pol.log = sub.log
	sub.addPrefix(u)
	if sub.since, sub.resumed, err = sr.st.startRun(ctx, s.Name, time.Now()); err != nil {
		return 0, sr.stateFailed(fmt.Errorf("crawl: site %s: %w", s.Name, err))
	}
	if sub.resumed {
		if err := sub.restore(ctx); err != nil {
			return 0, sr.stateFailed(fmt.Errorf("crawl: site %s: %w", s.Name, err))
		}
	}
	sub.log.Info("crawling sub-column", "url", c.URL, "how", c.How)
	t := task{kind: kindList, start: true}
	if verdict := sub.enqueue(ctx, &t, u); verdict != admitOK && verdict != admitSeen {
		sub.recordStartRefused(ctx, t, verdict)
	}
	sub.work(ctx)
	sub.mu.Lock()
	used = sub.fetches
	sub.mu.Unlock()
	if ctx.Err() != nil {
		return used, nil // the site's run says so, and the next run resumes
	}
	if err := sr.st.finishRun(ctx, s.Name, time.Now()); err != nil {
		return used, sr.stateFailed(fmt.Errorf("crawl: site %s: %w", s.Name, err))
	}
	return used, nil
}

// resolveSubColumn looks at the page at u, a body's sub-column as the
// page of sub-columns links it: when it lists no report it is taken for
// the body's 信息公开 home, and the first of the (at most maxHomeProbes)
// pages it links by a column's name that lists reports or says it is a
// 年报 column is returned.
func (sr *siteRun) resolveSubColumn(ctx context.Context, u *url.URL) (*url.URL, bool) {
	d, ok := sr.discoveryPage(ctx, u)
	if !ok || listsReports(d.pi) {
		return nil, false
	}
	var cands []link
	for _, l := range d.pi.Links {
		if !l.Attachment && linkScore(l.Text, l.URL) >= 10 && trapReason(l.URL) == "" && sr.pol.allowedHost(l.URL) &&
			canonical(l.URL).String() != canonical(u).String() {
			cands = append(cands, l)
		}
	}
	slices.SortStableFunc(cands, func(a, b link) int { return linkScore(b.Text, b.URL) - linkScore(a.Text, a.URL) })
	for i, l := range cands {
		if i >= maxHomeProbes || ctx.Err() != nil {
			break
		}
		d, ok := sr.discoveryPage(ctx, l.URL)
		if !ok {
			continue
		}
		if _, col := columnOf(l.URL.String(), d.doc, d.pi); col || listsReports(d.pi) {
			return canonical(l.URL), true
		}
	}
	return nil, false
}

// listsReports says whether a page links a report by a title with a
// year: a body's column may hold a single one.
func listsReports(pi pageInfo) bool {
	for _, l := range pi.Links {
		if l.Report && reportYear(l.Text) != 0 {
			return true
		}
	}
	return false
}

// moveColumn records that the site's column remembered at from is at to.
func (s *stateDB) moveColumn(ctx context.Context, site, from, to string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE OR REPLACE columns SET url = ? WHERE site = ? AND url = ?`, to, site, from); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}
