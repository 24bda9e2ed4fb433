package crawl

import (
	"context"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// page reads an HTML page: if it is a report, it records the report's
// metadata in st and queues its attachments; otherwise it queues the links
// that lead on to reports.
func (sr *siteRun) page(ctx context.Context, t task, st *urlState, body []byte, contentType string) {
	sr.c.pages.Add(1)
	if isJSON(body, contentType) {
		base, _ := url.Parse(t.url)
		links, reports := jsonLinks(body, base)
		sr.list(ctx, t, st, pageInfo{Links: links, ReportLinks: reports})
		return
	}
	html, _ := decodeHTML(body, contentType)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		sr.log.Warn("unparsable HTML", "url", t.url, "err", err)
		return
	}
	base, _ := url.Parse(t.url)
	if href, ok := doc.Find("base[href]").Attr("href"); ok {
		if b := resolve(base, href); b != nil {
			base = b
		}
	}
	pi := analyze(doc, html, base)
	if pi.OverLinks > 0 {
		sr.c.overLinks.Add(int64(pi.OverLinks))
		sr.log.Warn("page has more links than the per-page cap; the rest are not read",
			"url", t.url, "max_links", maxPageLinks, "not_read", pi.OverLinks)
	}
	if title, year, ok := reportOf(t, pi); ok {
		sr.report(ctx, t, st, pi, title, year)
	} else {
		sr.list(ctx, t, st, pi)
	}
}

// reportOf tells whether a page, reached as t, is a report, and if so its
// title and year.
func reportOf(t task, pi pageInfo) (title string, year int, ok bool) {
	titled := isReportTitle(pi.Title)
	hinted := t.kind == kindPage && isReportTitle(t.hint)
	// A page naming three or more reports is a list; a report page may
	// name two (上一篇, 下一篇).
	if pi.ReportLinks >= 3 || !titled && !hinted {
		return "", 0, false
	}
	year = pi.Year
	if year == 0 && hinted {
		year = reportYear(t.hint)
	}
	if !pi.Article && year == 0 {
		return "", 0, false
	}
	if !titled {
		return t.hint, year, true
	}
	return pi.Title, year, true
}

// report records a report page and queues its attachments and the
// reports it links to: neighbouring reports (上一篇, 下一篇), or the
// reports of a list page taken for a report.
func (sr *siteRun) report(ctx context.Context, t task, st *urlState, pi pageInfo, title string, year int) {
	st.Kind = kindReport
	st.Title, st.Year, st.PublishDate = title, year, pi.PublishDate
	sr.c.reports.Add(1)
	meta := &pageMeta{url: t.url, title: st.Title, year: st.Year, date: st.PublishDate}
	for _, l := range pi.Links {
		switch {
		case l.Attachment:
			sr.follow(ctx, kindAttachment, t.depth+1, l, meta)
		case l.Report:
			sr.follow(ctx, kindPage, t.depth+1, l, nil)
		}
	}
}

// list records a list page and queues its further pages, the reports and
// report attachments it links to, and the pages of the report column.
func (sr *siteRun) list(ctx context.Context, t task, st *urlState, pi pageInfo) {
	st.Kind = kindList
	st.Title, st.Year, st.PublishDate = pi.Title, 0, pi.PublishDate
	for _, l := range pi.Links {
		switch {
		case l.Pagination:
			sr.follow(ctx, kindList, t.depth, l, nil)
		case l.Attachment && l.Report:
			sr.follow(ctx, kindAttachment, t.depth+1, l, &pageMeta{url: t.url, title: l.Text, year: reportYear(l.Text)})
		case l.Attachment:
		case l.Report:
			sr.follow(ctx, kindPage, t.depth+1, l, nil)
		case sr.underPrefix(l.URL):
			sr.follow(ctx, kindList, t.depth+1, l, nil)
		}
	}
}

func (sr *siteRun) follow(ctx context.Context, kind string, depth int, l link, from *pageMeta) {
	sr.enqueue(ctx, &task{kind: kind, depth: depth, hint: l.Text, from: from}, l.URL)
}
