package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// processSafely is process, with a panic (a bug, or input nobody
// foresaw) turned into a failed URL rather than the end of the run.
func (sr *siteRun) processSafely(ctx context.Context, t task) {
	defer func() {
		if p := recover(); p != nil {
			sr.c.failed.Add(1)
			sr.log.Error("crawler bug: panic while processing a URL; going on with the others",
				"url", t.url, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	sr.process(ctx, t)
}

// process fetches one task's URL and records what came of it.
func (sr *siteRun) process(ctx context.Context, t task) {
	if verdict := sr.overBudget(); verdict != admitOK {
		// Not the site's failure, nor a start URL's: the run's or the
		// site's budget stops the crawl, and says so once.
		sr.refuse(t.url, verdict, "")
		return
	}
	prev, err := sr.st.get(ctx, t.url)
	if err != nil {
		sr.stateFailed(err)
		sr.log.Error("reading state", "url", t.url, "err", err)
		return
	}
	st := sr.newState(t, prev)
	if sr.fetchedByResumedRun(prev) {
		sr.resume(ctx, t, st, prev)
		if t.start {
			sr.startDone(true, startFailure{})
		}
		return
	}
	o := sr.fetch(ctx, t, prev)
	if ctx.Err() != nil {
		// Not a failure of the URL: the next run fetches it.
		o.discard()
		return
	}
	sr.record(ctx, t, prev, st, o)
}

// newState returns what the state database is to remember of t's URL,
// starting from what it remembers already.
func (sr *siteRun) newState(t task, prev *urlState) *urlState {
	st := &urlState{URL: t.url, Kind: kindList}
	if t.kind == kindPage {
		// Linked as a report: recorded as one even if it cannot be fetched.
		st.Kind, st.Title, st.Year = kindReport, t.hint, reportYear(t.hint)
	}
	if prev != nil {
		cp := *prev
		st = &cp
		if st.Kind == kindStart {
			// What it is, if anything, the fetch tells; recordFailure
			// makes it a start URL again if the fetch fails.
			st.Kind = kindList
		}
	}
	st.Site, st.Agency = sr.site.Name, sr.site.Agency
	return st
}

func (sr *siteRun) fetchedByResumedRun(prev *urlState) bool {
	return sr.resumed && prev != nil && prev.Status.good() && !prev.FetchedAt.Before(sr.since)
}

// resume takes a URL the interrupted run fetched: its stored body, if an
// HTML page, is read for links instead of fetching it again.
func (sr *siteRun) resume(ctx context.Context, t task, st, prev *urlState) {
	sr.c.resumed.Add(1)
	if prev.Kind == kindAttachment || prev.Size > spillSize || !sr.arch.has(prev.SHA256) {
		return
	}
	if body, err := sr.arch.read(prev.SHA256); err == nil && !isBinary(body) {
		sr.page(ctx, t, st, body, prev.ContentType)
	}
}

// An outcome is what fetching a URL came to, for record to write down:
// a refusal, a failure, or an answer whose body (or, on a 304, whose
// archived earlier body) is kept.
type outcome struct {
	resp    *response // the answer; nil if none came
	refused admission // not requested; nothing to record
	fail    *failure  // nothing to keep
}

// A failure is a fetch that left nothing to keep: the status and error the
// state database records, and the log line that says why.
type failure struct {
	status FetchStatus // StatusFailed, StatusBlocked or StatusTruncated
	err    string
	cause  error // the fetch error, when the fetch failed with one
	level  slog.Level
	msg    string
	attrs  []any
}

func (o outcome) discard() { o.resp.discard() }

func failed(resp *response, status FetchStatus, err, msg string, attrs ...any) outcome {
	return outcome{resp: resp, fail: &failure{status: status, err: err, level: slog.LevelWarn, msg: msg, attrs: attrs}}
}

// fetch requests t's URL, conditionally when an earlier body is at hand,
// and sorts the answer into an outcome.
func (sr *siteRun) fetch(ctx context.Context, t task, prev *urlState) outcome {
	resp, err := sr.f.fetch(ctx, sr.policyFor(t.kind), t.url, sr.validators(prev))
	switch {
	case isDiskFull(err):
		// Ends the run; process records nothing once ctx is done.
		sr.fatal(diskFull(sr.arch.dir, err))
		return outcome{}
	case errors.Is(err, errDisallowed):
		return outcome{refused: admitDisallowed}
	case err != nil:
		o := failed(nil, StatusFailed, err.Error(), "fetch failed", "err", err)
		o.fail.cause = err
		if errors.Is(err, errHostUnreachable) {
			// Said once, when the host was given up, and again for the site.
			o.fail.level = slog.LevelDebug
		}
		return o
	case resp.blocked:
		return failed(resp, StatusBlocked, "anti-bot answer", "blocked by the site; backing off",
			"status", resp.status, "give_up_host", resp.gaveUp)
	case resp.truncated:
		return failed(resp, StatusTruncated, "body cut short or over the size cap", "truncated body not stored",
			"status", resp.status, "bytes", resp.size)
	case resp.notModified && (prev == nil || prev.SHA256 == ""):
		const why = "304 Not Modified to an unconditional request"
		return failed(resp, StatusFailed, why, "fetch failed", "err", why)
	case !resp.notModified && (resp.status < 200 || resp.status > 299):
		return failed(resp, StatusFailed, http.StatusText(resp.status), "fetch failed", "status", resp.status)
	}
	return outcome{resp: resp}
}

// validators returns the conditional-request headers for a URL fetched
// before. They are sent only when a good earlier body is at hand: HTML
// pages need it in the archive, to read their links on a 304.
func (sr *siteRun) validators(prev *urlState) validators {
	if prev == nil || prev.SHA256 == "" || prev.Kind != kindAttachment && !sr.arch.has(prev.SHA256) {
		return validators{}
	}
	return validators{etag: prev.ETag, lastModified: prev.LastModified}
}
