package crawl

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// A siteRun is the crawl of one site: its frontier, visited set and limits.
type siteRun struct {
	*crawler
	site *Site
	pol  policy
	log  *slog.Logger

	maxDepth, maxPages, maxDocs int
	maxBytes                    int64
	prefixes                    []string // URL paths whose links are followed as list pages
	resumed                     bool
	since                       time.Time
	capped                      [numAdmissions]sync.Once // the warnings of capReached

	// The frontier (frontier.go: in the state database, with a small
	// window in memory) and what was admitted to it. Every URL in it was
	// counted against the page cap.
	mu        sync.Mutex
	cond      *sync.Cond
	fr        *frontier
	inflight  int
	fetches   int // URLs queued, for the page cap
	documents int // report pages and attachments queued, for the document cap

	// How the start URLs came out, for the site's reachability.
	startsOK   int
	startFails []startFailure
}

func (cr *crawler) newSiteRun(s *Site) *siteRun {
	log := cr.cfg.Logger.With("site", s.Name)
	sr := &siteRun{
		crawler:  cr,
		site:     s,
		pol:      newPolicy(cr.cfg, s, log),
		log:      log,
		maxDepth: siteOr(s.MaxDepth, cr.cfg.MaxDepth),
		maxPages: siteOr(s.MaxPages, cr.cfg.MaxPages),
		maxDocs:  cr.cfg.MaxDocs,
		maxBytes: cr.cfg.MaxBytes,
		prefixes: append([]string(nil), s.Follow...),
		fr:       newFrontier(cr.st, s.Name),
	}
	sr.cond = sync.NewCond(&sr.mu)
	return sr
}

func (cr *crawler) crawlSite(ctx context.Context, s *Site) error {
	sr := cr.newSiteRun(s)
	// Its hosts are kept while it runs, and may be forgotten after.
	defer cr.f.release(&sr.pol)
	starts, err := sr.startURLs()
	if err != nil {
		return fmt.Errorf("crawl: site %s: %w", s.Name, err)
	}
	if sr.since, sr.resumed, err = cr.st.startRun(ctx, s.Name, time.Now()); err != nil {
		return cr.stateFailed(fmt.Errorf("crawl: site %s: %w", s.Name, err))
	}
	if sr.resumed {
		if err := sr.restore(ctx); err != nil {
			return cr.stateFailed(fmt.Errorf("crawl: site %s: %w", s.Name, err))
		}
	}
	if s.Discover && len(starts) > 0 {
		home := starts[0]
		if starts, err = sr.columnStarts(ctx, home); err != nil {
			return cr.stateFailed(fmt.Errorf("crawl: site %s: %w", s.Name, err))
		}
		sr.prefixes = append([]string(nil), s.Follow...)
		for _, u := range starts {
			sr.addPrefix(u)
		}
		if len(starts) == 0 {
			starts = []*url.URL{home} // crawled as before: a report linked from it is still found
		}
	}
	sr.log.Info("crawling site", "start", s.Start, "resumed", sr.resumed)
	for _, u := range starts {
		t := task{kind: kindList, start: true}
		if verdict := sr.enqueue(ctx, &t, u); verdict != admitOK && verdict != admitSeen {
			sr.recordStartRefused(ctx, t, verdict)
		}
	}
	sr.work(ctx)
	if ctx.Err() != nil {
		sr.log.Warn("crawl interrupted; the next run resumes it")
		return context.Cause(ctx)
	}
	if err := cr.st.finishRun(ctx, s.Name, time.Now()); err != nil {
		return cr.stateFailed(fmt.Errorf("crawl: site %s: %w", s.Name, err))
	}
	if sr.reportReach() {
		sr.log.Info("site done")
	}
	return nil
}

// startURLs parses the site's start URLs and adds their directories to the
// prefixes whose links are followed.
func (sr *siteRun) startURLs() ([]*url.URL, error) {
	var starts []*url.URL
	for _, raw := range sr.site.Start {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, err
		}
		starts = append(starts, u)
		sr.addPrefix(u)
	}
	return starts, nil
}

// addPrefix follows the links under u's directory as list pages.
func (sr *siteRun) addPrefix(u *url.URL) {
	dir := u.Path
	if !strings.HasSuffix(dir, "/") {
		dir = path.Dir(dir) + "/"
	}
	sr.prefixes = append(sr.prefixes, dir)
}

// work runs the site's workers until the frontier is empty or ctx is
// cancelled.
func (sr *siteRun) work(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		sr.mu.Lock()
		sr.cond.Broadcast()
		sr.mu.Unlock()
	})
	defer stop()
	worker := func() {
		for {
			t, ok := sr.next(ctx)
			if !ok {
				return
			}
			sr.processSafely(ctx, t)
			sr.done(ctx, t)
		}
	}
	// The site's own goroutine is one of its workers: with 256 sites at
	// once, a goroutine each that only waits is a few megabytes of stacks.
	var wg sync.WaitGroup
	for range max(sr.pol.parallel, 1) - 1 {
		wg.Go(worker)
	}
	worker()
	wg.Wait()
}

// enqueue queues the URL u as task t if admit lets it in, and returns
// admit's verdict; t.url is set to u's canonical form.
func (sr *siteRun) enqueue(ctx context.Context, t *task, u *url.URL) admission {
	verdict, detail := sr.admit(ctx, t, u)
	if verdict != admitOK {
		sr.refuse(t.url, verdict, detail)
		return verdict
	}
	sr.mu.Lock()
	sr.cond.Signal()
	sr.mu.Unlock()
	return admitOK
}

// seen reports whether the URL u was admitted before; called by admit
// with sr.mu held. A state database that cannot tell counts as seen, so
// that nothing is queued twice.
func (sr *siteRun) seen(ctx context.Context, u string) bool {
	seen, err := sr.fr.seen(ctx, u)
	if err != nil && ctx.Err() == nil {
		sr.stateFailed(err)
		sr.log.Error("reading the frontier", "url", u, "err", err)
	}
	return seen
}

// queryVariants counts the URLs with a query string admitted under path;
// called by admit with sr.mu held.
func (sr *siteRun) queryVariants(ctx context.Context, path string) int {
	n, err := sr.fr.variants(ctx, path)
	if err != nil && ctx.Err() == nil {
		sr.stateFailed(err)
		sr.log.Error("reading the frontier", "path", path, "err", err)
	}
	return n
}

// queue puts t, admitted, into the frontier; called by admit with sr.mu
// held. u is t's canonical URL.
func (sr *siteRun) queue(ctx context.Context, t *task, u *url.URL) {
	qpath := ""
	if u.RawQuery != "" {
		qpath = u.Path
	}
	if err := sr.fr.push(ctx, *t, qpath); err != nil && ctx.Err() == nil {
		// When ctx is done, its page is not done either: the next run
		// reads it again for links.
		sr.stateFailed(err)
		sr.log.Error("queueing", "url", t.url, "err", err)
	}
}

// next returns the next task, waiting while other workers may still add
// some; ok is false when the site is done or ctx is cancelled.
func (sr *siteRun) next(ctx context.Context) (t task, ok bool) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	for sr.fr.queued() == 0 && sr.inflight > 0 && ctx.Err() == nil {
		sr.cond.Wait()
	}
	if ctx.Err() != nil || sr.fr.queued() == 0 {
		sr.cond.Broadcast()
		return task{}, false
	}
	t, ok, err := sr.fr.pop(ctx)
	if err != nil && ctx.Err() == nil {
		sr.stateFailed(err)
		sr.log.Error("reading the frontier", "err", err)
	}
	if !ok {
		sr.cond.Broadcast()
		return task{}, false
	}
	sr.inflight++
	return t, true
}

// done ends t: unless the run was stopped before it was recorded, it is
// marked done in the frontier, not to be taken up again by a resumed run.
func (sr *siteRun) done(ctx context.Context, t task) {
	if ctx.Err() == nil {
		if err := sr.fr.done(ctx, t); err != nil && ctx.Err() == nil {
			sr.stateFailed(err)
			sr.log.Error("marking done", "url", t.url, "err", err)
		}
	}
	sr.mu.Lock()
	sr.inflight--
	if sr.inflight == 0 && sr.fr.queued() == 0 {
		sr.cond.Broadcast()
	}
	sr.mu.Unlock()
}

// restore takes up the frontier of the interrupted run the site's crawl
// resumes: the URLs it did are counted as resumed and not fetched again,
// the others queued in their order; its start URLs done count for the
// site's reachability as they came out.
func (sr *siteRun) restore(ctx context.Context) error {
	sr.mu.Lock()
	r, err := sr.fr.restore(ctx)
	sr.fetches, sr.documents = r.admitted, r.documents
	sr.mu.Unlock()
	if err != nil {
		return err
	}
	sr.c.resumed.Add(int64(r.done))
	for _, f := range r.starts {
		sr.startDone(f.status.good(), f)
	}
	if r.admitted > 0 {
		sr.log.Info("taking up the interrupted run's frontier", "done", r.done, "queued", r.admitted-r.done)
	}
	return nil
}

// underPrefix reports whether u lies in the site's report column.
func (sr *siteRun) underPrefix(u *url.URL) bool {
	for _, p := range sr.prefixes {
		if strings.HasPrefix(u.Path, p) {
			return true
		}
	}
	return false
}
