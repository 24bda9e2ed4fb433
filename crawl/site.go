package crawl

import (
	"context"
	"fmt"
	"hash/maphash"
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

	// The frontier and what was admitted to it. Every URL in it was
	// counted against the page cap, so none of these grows past MaxPages.
	mu        sync.Mutex
	cond      *sync.Cond
	docs      []task // attachments and report pages, served first
	lists     []task
	inflight  int
	visited   map[uint64]struct{} // hashes of the URLs queued so far
	seed      maphash.Seed
	fetches   int            // URLs queued, for the page cap
	documents int            // report pages and attachments queued, for the document cap
	variants  map[string]int // distinct query strings queued per path

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
		visited:  map[uint64]struct{}{},
		seed:     maphash.MakeSeed(),
		variants: map[string]int{},
	}
	sr.cond = sync.NewCond(&sr.mu)
	return sr
}

func (cr *crawler) crawlSite(ctx context.Context, s *Site) error {
	sr := cr.newSiteRun(s)
	starts, err := sr.startURLs()
	if err != nil {
		return fmt.Errorf("crawl: site %s: %w", s.Name, err)
	}
	if sr.since, sr.resumed, err = cr.st.startRun(ctx, s.Name, time.Now()); err != nil {
		return cr.stateFailed(fmt.Errorf("crawl: site %s: %w", s.Name, err))
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
		if verdict := sr.enqueue(&t, u); verdict != admitOK && verdict != admitSeen {
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
	var wg sync.WaitGroup
	for range max(sr.pol.parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t, ok := sr.next(ctx)
				if !ok {
					return
				}
				sr.processSafely(ctx, t)
				sr.done()
			}
		}()
	}
	wg.Wait()
}

// enqueue queues the URL u as task t if admit lets it in, and returns
// admit's verdict; t.url is set to u's canonical form.
func (sr *siteRun) enqueue(t *task, u *url.URL) admission {
	verdict, detail := sr.admit(t, u)
	if verdict != admitOK {
		sr.refuse(t.url, verdict, detail)
		return verdict
	}
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if t.kind == kindList {
		sr.lists = append(sr.lists, *t)
	} else {
		sr.docs = append(sr.docs, *t)
	}
	sr.cond.Signal()
	return admitOK
}

// next returns the next task, waiting while other workers may still add
// some; ok is false when the site is done or ctx is cancelled.
func (sr *siteRun) next(ctx context.Context) (t task, ok bool) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	for len(sr.docs)+len(sr.lists) == 0 && sr.inflight > 0 && ctx.Err() == nil {
		sr.cond.Wait()
	}
	if ctx.Err() != nil || len(sr.docs)+len(sr.lists) == 0 {
		sr.cond.Broadcast()
		return task{}, false
	}
	if n := len(sr.docs); n > 0 {
		t, sr.docs = sr.docs[n-1], sr.docs[:n-1]
	} else {
		t = sr.lists[0]
		sr.lists[0] = task{}
		sr.lists = sr.lists[1:]
	}
	sr.inflight++
	return t, true
}

func (sr *siteRun) done() {
	sr.mu.Lock()
	sr.inflight--
	if sr.inflight == 0 && len(sr.docs)+len(sr.lists) == 0 {
		sr.cond.Broadcast()
	}
	sr.mu.Unlock()
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
