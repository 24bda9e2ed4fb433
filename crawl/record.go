package crawl

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/opengov-cn/nianbao/internal/sniff"
)

// record writes down what one fetch came to, whatever it was: the state of
// the URL, its body in the archive, its revision (for the documents
// dataset) and the run's counters. An HTML page it keeps or finds unchanged
// is read for links.
func (sr *siteRun) record(ctx context.Context, t task, prev, st *urlState, o outcome) {
	st.FetchedAt = time.Now().UTC()
	st.Error = ""
	if t.kind == kindAttachment {
		sr.attachmentMeta(t, st)
	}
	if o.refused != admitOK {
		sr.refuse(t.url, o.refused, "")
		if t.start {
			sr.saveStartRefused(ctx, t, st, o.refused)
		}
		return
	}
	st.recordHTTP(o.resp)
	var cause error
	switch {
	case o.fail != nil:
		cause = o.fail.cause
		sr.recordFailure(ctx, t, st, *o.fail)
	case o.resp.notModified:
		sr.recordUnchanged(ctx, t, prev, st)
	default:
		sr.recordBody(ctx, t, prev, st, o.resp)
	}
	if t.start && ctx.Err() == nil {
		sr.startDone(st.Status.good(), startFailure{url: st.URL, status: st.Status, http: st.HTTPStatus, text: st.Error, cause: cause})
	}
}

// recordFailure records a fetch of t that left nothing to keep. A start
// URL not known as a report or attachment is recorded as kind "start", so
// that Documents reports it: a site whose start URLs fail yields nothing
// else that says why.
func (sr *siteRun) recordFailure(ctx context.Context, t task, st *urlState, f failure) {
	st.Status, st.Error = f.status, f.err
	if t.start && st.Kind == kindList {
		st.Kind = kindStart
	}
	sr.c.failure(f.status)
	sr.log.Log(ctx, f.level, f.msg, append([]any{"url", st.URL}, f.attrs...)...)
	sr.save(ctx, st, false)
}

// recordStartRefused records a start URL that admit refused: the site's
// registry entry asks for a URL the crawl does not fetch.
func (sr *siteRun) recordStartRefused(ctx context.Context, t task, verdict admission) {
	prev, err := sr.st.get(ctx, t.url)
	if err != nil {
		sr.stateFailed(err)
		sr.log.Error("reading state", "url", t.url, "err", err)
		return
	}
	st := sr.newState(t, prev)
	st.FetchedAt = time.Now().UTC()
	sr.saveStartRefused(ctx, t, st, verdict)
}

// saveStartRefused records that the start URL t, whose state is st, was
// not requested, verdict saying why, and counts it as a failed start URL.
// Unlike other refusals, it is written down: it is why the site yields
// nothing.
func (sr *siteRun) saveStartRefused(ctx context.Context, t task, st *urlState, verdict admission) {
	st.Status, st.HTTPStatus = StatusFailed, 0
	st.Error = "start URL not requested: " + verdict.String()
	if verdict == admitDisallowed {
		st.Error = errDisallowed.Error()
	}
	if st.Kind == kindList {
		st.Kind = kindStart
	}
	sr.save(ctx, st, false)
	sr.startDone(false, startFailure{url: st.URL, status: st.Status, text: st.Error, refuse: verdict})
}

// recordUnchanged records a 304 to a conditional request; an HTML page's
// links are read from its archived body.
func (sr *siteRun) recordUnchanged(ctx context.Context, t task, prev, st *urlState) {
	st.Status = StatusUnchanged
	// A page too long to read for links when fetched is not read now either.
	if t.kind != kindAttachment && prev.Kind != kindAttachment && prev.Size <= spillSize {
		body, err := sr.arch.read(prev.SHA256)
		if err != nil {
			sr.recordFailure(ctx, t, st, failure{status: StatusFailed, err: "304 but archived body unreadable: " + err.Error(),
				level: slog.LevelError, msg: "archive", attrs: []any{"err", err}})
			return
		}
		sr.page(ctx, t, st, body, prev.ContentType)
	}
	sr.c.document(st)
	sr.save(ctx, st, false)
}

// recordBody archives a good body and records it, as a new revision if its
// content differs from the last one.
func (sr *siteRun) recordBody(ctx context.Context, t task, prev, st *urlState, resp *response) {
	newRev := st.revise(prev, resp.sum)
	if err := resp.store(sr.arch); err != nil {
		if isDiskFull(err) {
			// Not the URL's failure: the run ends, and the next one fetches it.
			sr.fatal(diskFull(sr.arch.dir, err))
			return
		}
		sr.recordFailure(ctx, t, st, failure{status: StatusFailed, err: err.Error(),
			level: slog.LevelError, msg: "archiving body", attrs: []any{"err", err}})
		return
	}
	st.SHA256, st.Size = resp.sum, resp.size
	st.ContentType = resp.header.Get("Content-Type")
	switch {
	case resp.binary:
		st.ContentType = binaryType(st.ContentType, resp.head)
		if t.kind != kindAttachment {
			// A document linked like a page: record it as an attachment.
			st.Kind, st.PageURL = kindAttachment, ""
			st.Title, st.Year = t.hint, reportYear(t.hint)
			sr.c.attachments.Add(1)
		}
	case resp.text != nil && t.kind != kindAttachment:
		sr.page(ctx, t, st, resp.text, st.ContentType)
	}
	if st.Status == StatusChanged {
		sr.log.Info("content changed: new revision", "url", st.URL, "revision", st.Revision)
	}
	sr.c.document(st)
	sr.save(ctx, st, newRev)
}

// revise sets the status and revision of a good body with the given
// sha256, and reports whether it is a new revision.
func (st *urlState) revise(prev *urlState, sum string) (newRevision bool) {
	switch {
	case prev != nil && prev.SHA256 == sum:
		st.Status = StatusUnchanged
		return false
	case prev != nil && prev.SHA256 != "":
		st.Status, st.Revision = StatusChanged, prev.Revision+1
	default:
		st.Status, st.Revision = StatusNew, 1
	}
	return true
}

// recordHTTP records the answer's HTTP facts in st; r is nil when no
// answer came.
func (st *urlState) recordHTTP(r *response) {
	if r == nil {
		st.HTTPStatus = 0
		return
	}
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

// save writes st to the state database, its strings made valid UTF-8 and
// no longer than maxFieldLen first.
func (sr *siteRun) save(ctx context.Context, st *urlState, newRev bool) {
	if bad := st.clean(); len(bad) > 0 {
		sr.c.invalidUTF8.Add(1)
		sr.log.Warn("invalid UTF-8 replaced by U+FFFD", "url", st.URL, "fields", bad)
	}
	if err := sr.st.put(ctx, st, newRev); err != nil {
		sr.stateFailed(err)
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

// binaryType is the Content-Type recorded for a binary body: the server's,
// unless it is missing or claims text or a generic octet stream, in which
// case the bytes decide.
func binaryType(served string, head []byte) string {
	if mt, _, err := mime.ParseMediaType(served); err == nil && !strings.HasPrefix(mt, "text/") && mt != "application/octet-stream" {
		return served
	}
	if k := sniff.Detect(head); k != sniff.Binary {
		return k.MIMEType()
	}
	// No document format: net/http still tells images, archives and media.
	return http.DetectContentType(head)
}
