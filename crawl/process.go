package crawl

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// process fetches one task's URL, archives and records it, and for HTML
// pages queues the links they lead to.
func (sr *siteRun) process(ctx context.Context, t task) {
	log := sr.log.With("url", t.url)
	prev, err := sr.st.get(ctx, t.url)
	if err != nil {
		log.Error("reading state", "err", err)
		return
	}
	st := &urlState{URL: t.url, Kind: kindList}
	if t.kind == kindPage {
		// Linked as a report: recorded as one even if it cannot be fetched.
		st.Kind, st.Title, st.Year = kindReport, t.hint, reportYear(t.hint)
	}
	if prev != nil {
		cp := *prev
		st = &cp
	}
	st.Site, st.Agency = sr.site.Name, sr.site.Agency

	// Fetched by the interrupted run this one resumes: use the stored body.
	if sr.resumed && prev != nil && prev.good() && !prev.FetchedAt.Before(sr.since) {
		sr.c.resumed.Add(1)
		if prev.Kind != kindAttachment && sr.arch.has(prev.SHA256) {
			if body, err := sr.arch.read(prev.SHA256); err == nil && !isBinary(body) {
				sr.c.pages.Add(1)
				sr.page(t, st, body, prev.ContentType)
			}
		}
		return
	}

	// Conditional request when a good earlier body is at hand (HTML pages
	// need it in the archive, to read their links on a 304).
	var v validators
	if prev != nil && prev.SHA256 != "" && (prev.Kind == kindAttachment || sr.arch.has(prev.SHA256)) {
		v = validators{etag: prev.ETag, lastModified: prev.LastModified}
	}
	resp, err := sr.f.fetch(ctx, sr, t.url, v)
	if ctx.Err() != nil {
		resp.discard()
		return
	}
	st.FetchedAt = time.Now().UTC()
	st.Error = ""
	if t.kind == kindAttachment {
		sr.attachmentMeta(t, st)
	}
	switch {
	case errors.Is(err, errDisallowed):
		sr.c.disallowed.Add(1)
		log.Info("disallowed by robots.txt")
		return
	case err != nil:
		st.Status, st.HTTPStatus, st.Error = StatusFailed, 0, err.Error()
		sr.c.failed.Add(1)
		log.Warn("fetch failed", "err", err)
		sr.save(ctx, st, false)
		return
	}
	st.recordHTTP(resp)
	switch {
	case resp.blocked:
		st.Status, st.Error = StatusBlocked, "anti-bot answer"
		sr.c.blocked.Add(1)
		u, _ := url.Parse(resp.url)
		giveUp := sr.f.hostGate(sr, u).blocked(sr.cfg.BlockBackoff, sr.cfg.MaxBlocks)
		log.Warn("blocked by the site; backing off", "status", resp.status, "give_up_host", giveUp)
		sr.save(ctx, st, false)
		return
	case resp.truncated:
		st.Status, st.Error = StatusTruncated, "body cut short or over the size cap"
		sr.c.truncated.Add(1)
		log.Warn("truncated body not stored", "status", resp.status, "bytes", resp.size)
		sr.save(ctx, st, false)
		return
	case resp.notModified && (prev == nil || prev.SHA256 == ""):
		st.Status, st.Error = StatusFailed, "304 Not Modified to an unconditional request"
		sr.c.failed.Add(1)
		log.Warn("fetch failed", "err", st.Error)
		sr.save(ctx, st, false)
		return
	case resp.notModified:
		st.Status = StatusUnchanged
		if t.kind != kindAttachment && prev.Kind != kindAttachment {
			body, err := sr.arch.read(prev.SHA256)
			if err != nil {
				st.Status, st.Error = StatusFailed, "304 but archived body unreadable: "+err.Error()
				sr.c.failed.Add(1)
				log.Error("archive", "err", err)
				sr.save(ctx, st, false)
				return
			}
			sr.c.pages.Add(1)
			sr.page(t, st, body, prev.ContentType)
		}
		sr.count(st)
		sr.save(ctx, st, false)
		return
	case resp.status < 200 || resp.status > 299:
		st.Status, st.Error = StatusFailed, http.StatusText(resp.status)
		sr.c.failed.Add(1)
		log.Warn("fetch failed", "status", resp.status)
		sr.save(ctx, st, false)
		return
	}

	// A good body.
	newRev := true
	switch {
	case prev != nil && prev.SHA256 == resp.sum:
		st.Status, newRev = StatusUnchanged, false
	case prev != nil && prev.SHA256 != "":
		st.Status, st.Revision = StatusChanged, prev.Revision+1
	default:
		st.Status, st.Revision = StatusNew, 1
	}
	if resp.tmp != "" {
		err = sr.arch.commit(resp.tmp, resp.sum)
	} else {
		err = sr.arch.store(resp.data, resp.sum)
	}
	if err != nil {
		resp.discard()
		st.Status, st.Error = StatusFailed, err.Error()
		sr.c.failed.Add(1)
		log.Error("archiving body", "err", err)
		sr.save(ctx, st, false)
		return
	}
	resp.tmp = ""
	st.SHA256, st.Size = resp.sum, resp.size
	st.ContentType = resp.header.Get("Content-Type")
	if resp.binary {
		st.ContentType = sniffType(st.ContentType, resp.head)
		if t.kind != kindAttachment {
			// A document linked like a page: record it as an attachment.
			st.Kind, st.PageURL = kindAttachment, ""
			st.Title, st.Year = t.hint, reportYear(t.hint)
			sr.c.attachments.Add(1)
		}
	} else if resp.text != nil && t.kind != kindAttachment {
		sr.c.pages.Add(1)
		sr.page(t, st, resp.text, st.ContentType)
	}
	if st.Status == StatusChanged {
		log.Info("content changed: new revision", "revision", st.Revision)
	}
	sr.count(st)
	sr.save(ctx, st, newRev)
}

// recordHTTP records the answer's HTTP facts in st.
func (st *urlState) recordHTTP(r *response) {
	st.HTTPStatus = r.status
	if r.notModified {
		// A 304 may repeat or update the validators.
		if e := r.header.Get("ETag"); e != "" {
			st.ETag = e
		}
		if lm := r.header.Get("Last-Modified"); lm != "" {
			st.LastModified = lm
		}
		return
	}
	if r.status >= 200 && r.status <= 299 && !r.blocked && !r.truncated {
		st.ETag = r.header.Get("ETag")
		st.LastModified = r.header.Get("Last-Modified")
	}
}

// count adds a document's outcome to the run's counters.
func (sr *siteRun) count(st *urlState) {
	if st.Kind != kindReport && st.Kind != kindAttachment {
		return
	}
	switch st.Status {
	case StatusNew:
		sr.c.new.Add(1)
	case StatusChanged:
		sr.c.changed.Add(1)
	case StatusUnchanged:
		sr.c.unchanged.Add(1)
	}
}

func (sr *siteRun) save(ctx context.Context, st *urlState, newRev bool) {
	if err := sr.st.put(ctx, st, newRev); err != nil {
		sr.log.Error("saving state", "url", st.URL, "err", err)
	}
}

func (sr *siteRun) attachmentMeta(t task, st *urlState) {
	st.Kind = kindAttachment
	sr.c.attachments.Add(1)
	if t.from != nil {
		st.PageURL, st.Title, st.Year, st.PublishDate = t.from.url, t.from.title, t.from.year, t.from.date
	}
	if st.Title == "" {
		st.Title, st.Year = t.hint, reportYear(t.hint)
	}
}

// page reads an HTML page: if it is a report, it records the report's
// metadata in st and queues its attachments; otherwise it queues the links
// that lead on to reports.
func (sr *siteRun) page(t task, st *urlState, body []byte, contentType string) {
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

	titled := isReportTitle(pi.Title)
	hinted := t.kind == kindPage && isReportTitle(t.hint)
	year := pi.Year
	if year == 0 && hinted {
		year = reportYear(t.hint)
	}
	// A page naming three or more reports is a list; a report page may
	// name two (上一篇, 下一篇).
	isList := pi.ReportLinks >= 3
	if !isList && (titled || hinted) && (pi.Article || year > 0) {
		st.Kind = kindReport
		st.Title, st.Year, st.PublishDate = pi.Title, year, pi.PublishDate
		if !titled {
			st.Title = t.hint
		}
		sr.c.reports.Add(1)
		meta := &pageMeta{url: t.url, title: st.Title, year: st.Year, date: st.PublishDate}
		for _, l := range pi.Links {
			switch {
			case l.Attachment:
				sr.enqueue(task{kind: kindAttachment, depth: t.depth + 1, hint: l.Text, from: meta}, l.URL)
			case l.Report:
				// Neighbouring reports (上一篇, 下一篇), or the reports of a
				// list page taken for a report.
				sr.enqueue(task{kind: kindPage, depth: t.depth + 1, hint: l.Text}, l.URL)
			}
		}
		return
	}
	st.Kind = kindList
	st.Title, st.Year, st.PublishDate = pi.Title, 0, pi.PublishDate
	for _, l := range pi.Links {
		switch {
		case l.Pagination:
			sr.enqueue(task{kind: kindList, depth: t.depth, hint: l.Text}, l.URL)
		case l.Attachment && l.Report:
			meta := &pageMeta{url: t.url, title: l.Text, year: reportYear(l.Text)}
			sr.enqueue(task{kind: kindAttachment, depth: t.depth + 1, hint: l.Text, from: meta}, l.URL)
		case l.Attachment:
		case l.Report:
			sr.enqueue(task{kind: kindPage, depth: t.depth + 1, hint: l.Text}, l.URL)
		case sr.underPrefix(l.URL):
			sr.enqueue(task{kind: kindList, depth: t.depth + 1, hint: l.Text}, l.URL)
		}
	}
}

// sniffType names the type of a binary body whose server-sent type is
// missing or claims text.
func sniffType(served string, head []byte) string {
	if mt, _, err := mime.ParseMediaType(served); err == nil && !strings.HasPrefix(mt, "text/") && mt != "application/octet-stream" {
		return served
	}
	switch {
	case strings.HasPrefix(string(head), "%PDF-"):
		return "application/pdf"
	case strings.HasPrefix(string(head), "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"):
		return "application/x-ole-storage"
	}
	return http.DetectContentType(head)
}
