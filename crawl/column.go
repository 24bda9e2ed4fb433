package crawl

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/text/unicode/norm"
)

// Finding the 年报 column of a portal that names only its home page.
//
// From the home page the crawler walks, best link first, to the pages
// whose links lead there: the 政务公开 / 政府信息公开 landing, then the 年报
// column. A link is scored by its anchor text (NFKC, without white space,
// so a <br> inside it does not matter) and its URL's slugs; a page is a
// column when its <meta name="ColumnName|ColumnType"> says 年报, or when
// it lists reports by their titles (2023年度政府信息公开工作年度报告). The
// false friends — 政府网站工作年度报表, 政府工作报告, a company's 年度报告 —
// are never taken or followed. What was found, how and with what
// confidence is kept in the crawl state and reused on the next run, until
// the column stops yielding reports.

// Discovery's bounds: the pages fetched from the home page and how deep.
const (
	maxDiscoveryPages = 20
	maxDiscoveryDepth = 3
)

var (
	// columnNameRe is a column's name: 政府信息公开年报, 信息公开年报, 公开年报,
	// 年度报告, 政府信息公开工作年度报告 — with no year (that is a report).
	columnNameRe = regexp.MustCompile(`^(政府)?(信息)?(公开)?(工作)?(年报|年度报告)(专栏)?$`)
	// landingRe names the pages the column hangs under.
	landingRe = regexp.MustCompile(`(政府信息公开|政务公开|信息公开)`)
	// decoyRe names what looks like the column and is not.
	decoyRe = regexp.MustCompile(`网站.{0,4}(年度)?报表|政府工作报告|工作总结|预决算|统计年鉴|企业年度报告|年度报表|计划`)
	// columnSlugRe and landingSlugRe are the URL path segments of the
	// column and of the landing on the common CMSes.
	columnSlugRe  = regexp.MustCompile(`(?i)/(zfxxgknb|xxgknb|gknb|zfxxgkndbg|xxgkndbg|ndbg|nb)(/|\.|_|$)`)
	landingSlugRe = regexp.MustCompile(`(?i)/(zwgk|zfxxgk|xxgk|zfxxgkml|gkml)(/|\.|_|$)`)
)

// normText is anchor text as discovery compares it: NFKC, without white
// space (full-width included).
func normText(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// linkScore scores a link as a way to the 年报 column: high for the column
// itself, lower for the landing, 0 for a link not worth following.
func linkScore(text string, u *url.URL) int {
	t := normText(text)
	if decoyRe.MatchString(t) || reportYear(t) != 0 {
		return 0
	}
	score := 0
	switch {
	case columnNameRe.MatchString(t) || strings.Contains(t, "年报") && landingRe.MatchString(t):
		score += 10
	case subIndexRe.MatchString(t):
		score += 8 // a page of departments' or townships' sub-columns (platform.go)
	case landingRe.MatchString(t):
		score += 5
	}
	switch {
	case columnSlugRe.MatchString(u.Path):
		score += 4
	case landingSlugRe.MatchString(u.Path):
		score += 2
	}
	return score
}

// A column is a 年报 column found.
type column struct {
	URL        string
	How        string  // what made it one: "meta", "list", or both; "sub" or "platform" for a sub-column
	Confidence float64 // 0–1
	Reports    int     // reports it lists by title
	// Listed is the name of the body (a department, a township) whose
	// sub-column this is, as the page of sub-columns links it; "" for the
	// site's own column (platform.go).
	Listed string
}

// columnOf says whether the page at u, parsed as doc with info pi, is a
// 年报 column, and how sure that is.
func columnOf(u string, doc *goquery.Document, pi pageInfo) (column, bool) {
	metas := readMetas(doc)
	c := column{URL: u}
	for _, k := range []string{"columnname", "columntype"} {
		if v := normText(metas[k]); v != "" && !decoyRe.MatchString(v) && (strings.Contains(v, "年报") || strings.Contains(v, "年度报告")) {
			c.How, c.Confidence = "meta", 0.6
		}
	}
	for _, l := range pi.Links {
		if l.Report && reportYear(l.Text) != 0 {
			c.Reports++
		}
	}
	if c.Reports >= 2 {
		c.How = strings.TrimPrefix(c.How+"+list", "+")
		c.Confidence = min(1, c.Confidence+0.3+0.1*float64(c.Reports))
	}
	return c, c.How != ""
}

// candidate is a page discovery may fetch.
type candidate struct {
	u     *url.URL
	text  string // of the link that led to it
	score int
	depth int
}

// findColumns walks the site from home to its 年报 columns, fetching at
// most maxDiscoveryPages pages, best-scored link first. It returns the
// columns found, best first: the best and those nearly as good (the
// departments' columns of a county portal), then the sub-columns of the
// pages of department and township sub-columns (platform.go), which are
// not fetched here. A link from a page of the site's own hosts to a
// sibling host of the same government (siblingHost) is followed, and so
// are the links among that host's pages (a platform's); the host is
// admitted for the run when a column is found there.
func (sr *siteRun) findColumns(ctx context.Context, home *url.URL) []column {
	queue := []candidate{{u: home}}
	seen := map[string]bool{canonical(home).String(): true}
	var found, subs []column
	subSeen := map[string]bool{}
	v := &visits{sr: sr, home: home, reached: map[string]bool{}}
	for fetched := 0; len(queue) > 0 && fetched < maxDiscoveryPages && ctx.Err() == nil; fetched++ {
		slices.SortStableFunc(queue, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
		// Only the best of what is left to fetch can ever be fetched.
		queue = queue[:min(len(queue), maxDiscoveryPages-fetched)]
		c := queue[0]
		queue = queue[1:]
		d, ok := sr.discoveryPage(ctx, c.u)
		if !ok {
			continue
		}
		doc, pi := d.doc, d.pi
		if cols, ok := sr.subIndexOf(v, c.u, c.text, doc, pi); ok {
			sr.log.Info("discovery: page of sub-columns", "url", c.u.String(), "sub_columns", len(cols))
			for _, col := range cols {
				if !subSeen[col.URL] && len(subs) < maxSubColumns {
					subSeen[col.URL] = true
					subs = append(subs, col)
				}
			}
			continue
		}
		if col, ok := columnOf(c.u.String(), doc, pi); ok {
			found = append(found, col)
			continue
		}
		if linkScore(c.text, c.u) >= 10 && pi.ReportLinks == 0 {
			col, n, ok := sr.scriptColumn(ctx, c.u, d)
			fetched += n
			if ok {
				found = append(found, col)
				continue
			}
		}
		if c.depth >= maxDiscoveryDepth {
			continue
		}
		for _, l := range pi.Links {
			s := linkScore(l.Text, l.URL)
			k := canonical(l.URL).String()
			if s == 0 || l.Attachment || seen[k] || trapReason(l.URL) != "" || !v.may(c.u, l.URL) {
				continue
			}
			seen[k] = true
			queue = append(queue, candidate{u: l.URL, text: l.Text, score: s + c.score/2, depth: c.depth + 1})
		}
	}
	slices.SortStableFunc(found, func(a, b column) int { return cmp.Compare(b.Confidence, a.Confidence) })
	for i := range found {
		if found[i].Confidence < found[0].Confidence-0.3 {
			found = found[:i]
			break
		}
	}
	// A body's sub-column that is the site's own column is the site's.
	subs = slices.DeleteFunc(subs, func(sc column) bool {
		return slices.ContainsFunc(found, func(c column) bool { return c.URL == sc.URL })
	})
	return append(found, subs...)
}

// visits says which hosts discovery may go to: the run's, and the
// sibling hosts of the same government (siblingHost) that a page of the
// site's own hosts links to, from then on.
type visits struct {
	sr      *siteRun
	home    *url.URL
	reached map[string]bool // sibling hosts linked from the site's own pages
}

// may says whether discovery may follow the link from the page at from to
// to, and remembers a sibling host reached.
func (v *visits) may(from, to *url.URL) bool {
	h := strings.ToLower(to.Host)
	switch {
	case v.sr.pol.allowedHost(to) || v.reached[h]:
		return true
	case v.sr.site.allowedHost(from) && siblingHost(v.home, to) && len(v.reached) < maxSiblingHosts:
		v.reached[h] = true
		return true
	}
	return false
}

// A discovered page: what discoveryPage read.
type discovered struct {
	doc  *goquery.Document
	pi   pageInfo
	html string
	base *url.URL // where the answer came from, after redirects
}

// discoveryFetch fetches u for discovery: a good answer whose body is
// text, or nil. A URL on a sibling host linked from the site's own pages
// is fetched without the host being admitted for the run: only a column
// found there admits it (columnStarts).
func (sr *siteRun) discoveryFetch(ctx context.Context, u *url.URL) *response {
	if !sr.pol.allowedHost(u) {
		saved := sr.pol.hosts
		sr.pol.hosts = append(slices.Clip(saved), strings.ToLower(u.Host))
		defer func() { sr.pol.hosts = saved }()
	}
	resp, err := sr.f.fetch(ctx, &sr.pol, u.String(), validators{})
	if err != nil {
		sr.log.Info("discovery: fetch failed", "url", u.String(), "err", err)
		return nil
	}
	if resp.status/100 != 2 || resp.binary || resp.truncated || resp.blocked {
		resp.discard()
		return nil
	}
	return resp
}

// discoveryPage fetches u for discovery and parses it.
func (sr *siteRun) discoveryPage(ctx context.Context, u *url.URL) (discovered, bool) {
	resp := sr.discoveryFetch(ctx, u)
	if resp == nil {
		return discovered{}, false
	}
	defer resp.discard()
	html, _ := decodeHTML(resp.text, resp.header.Get("Content-Type"))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		return discovered{}, false
	}
	base, _ := url.Parse(resp.url)
	return discovered{doc: doc, pi: analyze(doc, html, base), html: html, base: base}, true
}

// maxScriptProbes caps the data sources of one page that discovery asks
// for: a list drawn by script has one, maybe a second for its pager.
const maxScriptProbes = 2

// scriptColumn says whether the page at u, read as d and linked by a
// column's name, is a column whose list its script draws from JSON
// (jsonlist.go): a data source of its scripts answers with two or more
// reports by title. It returns how many requests it made.
func (sr *siteRun) scriptColumn(ctx context.Context, u *url.URL, d discovered) (col column, requests int, ok bool) {
	for _, l := range scriptListLinks(d.html, d.base) {
		if requests >= maxScriptProbes {
			break
		}
		requests++
		resp := sr.discoveryFetch(ctx, l.URL)
		if resp == nil {
			continue
		}
		body := resp.text
		if !isJSON(body, resp.header.Get("Content-Type")) {
			resp.discard()
			continue
		}
		links, _ := jsonLinks(body, l.URL)
		resp.discard()
		n := 0
		for _, jl := range links {
			if jl.Report && reportYear(jl.Text) != 0 {
				n++
			}
		}
		if n >= 2 {
			return column{URL: u.String(), How: "script", Confidence: min(1, 0.3+0.1*float64(n)), Reports: n}, requests, true
		}
	}
	return column{}, requests, false
}

// columnsSchema keeps what discovery found per site.
const columnsSchema = `
CREATE TABLE IF NOT EXISTS columns (
	site TEXT NOT NULL,
	url TEXT NOT NULL,
	how TEXT NOT NULL,
	confidence REAL NOT NULL,
	found_at INTEGER NOT NULL,
	listed TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (site, url)
);`

// addListedColumn gives a columns table of an older crawler the listed
// column (the sub-column's body, platform.go).
func (s *stateDB) addListedColumn(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('columns') WHERE name = 'listed'`).Scan(&n); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `ALTER TABLE columns ADD COLUMN listed TEXT NOT NULL DEFAULT ''`); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return nil
}

// rememberedColumns are the columns an earlier run found for site.
func (s *stateDB) rememberedColumns(ctx context.Context, site string) ([]column, error) {
	if err := s.addListedColumn(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT url, how, confidence, listed FROM columns WHERE site = ? ORDER BY listed != '', confidence DESC, url`, site)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.URL, &c.How, &c.Confidence, &c.Listed); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// rememberColumns replaces the columns kept for site.
func (s *stateDB) rememberColumns(ctx context.Context, site string, cols []column, now time.Time) error {
	if err := s.addListedColumn(ctx); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM columns WHERE site = ?`, site); err != nil {
		return err
	}
	for _, c := range cols {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO columns (site, url, how, confidence, found_at, listed) VALUES (?,?,?,?,?,?)`,
			site, c.URL, c.How, c.Confidence, now.Unix(), c.Listed); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// reportsFound counts the reports (pages and attachments with a body)
// the crawl state holds for site and its sub-columns' runs: none after a
// run on remembered columns means they stopped yielding.
func (s *stateDB) reportsFound(ctx context.Context, site string) (int, error) {
	var n int
	sub := site + subSiteSep
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM urls WHERE (site = ? OR substr(site, 1, ?) = ?) AND kind IN (?, ?) AND sha256 != ''`,
		site, len(sub), sub, kindReport, kindAttachment).Scan(&n)
	return n, err
}

// columnsDead reports whether the last fetch of every column of cols
// failed (a 4xx or 5xx, or no answer): a site redesigned, its column
// moved.
func (s *stateDB) columnsDead(ctx context.Context, cols []column) bool {
	for _, c := range cols {
		var status int
		var errText string
		err := s.db.QueryRowContext(ctx, `SELECT http_status, error FROM urls WHERE url = ?`, c.URL).Scan(&status, &errText)
		if err != nil || status > 0 && status < 400 || status == 0 && errText == "" {
			return false // never fetched, or it answered
		}
	}
	return true
}

// columnStarts returns the start URLs of a site that names only its home
// page: the columns remembered from an earlier run while they still yield
// reports, else the columns found now (and remembered); nil when none is
// found, which the log says. The sub-columns among them (platform.go) are
// crawled here, each in a run of its own, before the site's own columns;
// the hosts of the same government they are on are admitted for the run.
func (sr *siteRun) columnStarts(ctx context.Context, home *url.URL) ([]*url.URL, error) {
	cols, err := sr.st.rememberedColumns(ctx, sr.site.Name)
	if err != nil {
		return nil, fmt.Errorf("columns: %w", err)
	}
	how := "remembered"
	if len(cols) > 0 {
		n, err := sr.st.reportsFound(ctx, sr.site.Name)
		switch {
		case err == nil && n == 0:
			sr.log.Info("discovery: the remembered columns yielded no report; looking again", "columns", len(cols))
			cols = nil
		case sr.st.columnsDead(ctx, cols):
			sr.log.Info("discovery: the remembered columns no longer answer; looking again", "columns", len(cols))
			cols = nil
		}
	}
	if len(cols) == 0 {
		how = "found"
		cols = sr.findColumns(ctx, home)
		if len(cols) == 0 {
			sr.log.Warn("discovery: no 年报 column found from the home page", "home", home.String())
			return nil, nil
		}
		if err := sr.st.rememberColumns(ctx, sr.site.Name, cols, time.Now()); err != nil {
			return nil, fmt.Errorf("columns: %w", err)
		}
	}
	var out []*url.URL
	var subs []column
	for _, c := range cols {
		if c.Listed != "" {
			subs = append(subs, c)
			continue
		}
		sr.log.Info("discovery: 年报 column", "url", c.URL, "how", c.How, "confidence", c.Confidence, "source", how)
		if u, err := url.Parse(c.URL); err == nil && sr.admitSibling(home, u) {
			out = append(out, u)
		}
	}
	if len(subs) > 0 {
		sr.log.Info("discovery: sub-columns of departments and townships", "sub_columns", len(subs), "source", how)
		if err := sr.crawlSubColumns(ctx, home, subs, how == "found"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
