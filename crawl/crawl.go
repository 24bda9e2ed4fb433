package crawl

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Run crawls every site of cfg.Registry into cfg.Dir and returns what it
// did. A failing URL is recorded in the state database and logged, and the
// crawl goes on; Run returns an error only when the output directory or the
// state database cannot be used, or when ctx is cancelled. A cancelled or
// killed run is resumed by the next one: nothing it fetched is fetched again.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	cfg = cfg.withDefaults()
	if cfg.Dir == "" {
		return Summary{}, errors.New("crawl: no output directory")
	}
	sites, err := selectSites(cfg.Registry, cfg.Only)
	if err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("crawl: %w", err)
	}
	st, err := openState(ctx, StatePath(cfg.Dir), true)
	if err != nil {
		return Summary{}, fmt.Errorf("crawl: %w", err)
	}
	defer st.Close()
	arch, err := openArchive(filepath.Join(cfg.Dir, "raw"))
	if err != nil {
		return Summary{}, fmt.Errorf("crawl: %w", err)
	}

	var c counters
	f := newFetcher(&cfg, arch)
	stopProgress := startProgress(&cfg, &c, f)
	defer stopProgress()

	sem := make(chan struct{}, cfg.Sites)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range sites {
		s := sites[i]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := crawlSite(ctx, &cfg, s, f, st, arch, &c); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sum := c.summary(f)
	sum.Sites = len(sites)
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return sum, firstErr
}

// StatePath returns where the state database of an output directory lives.
func StatePath(dir string) string { return filepath.Join(dir, "state.db") }

// ArchivePath returns where the raw archive stores the body with the given
// sha256 in an output directory.
func ArchivePath(dir, sha256 string) string {
	return (&archive{dir: filepath.Join(dir, "raw")}).path(sha256)
}

func selectSites(reg *Registry, only []string) ([]*Site, error) {
	var out []*Site
	for i := range reg.Sites {
		if len(only) == 0 || slices.Contains(only, reg.Sites[i].Name) {
			out = append(out, &reg.Sites[i])
		}
	}
	for _, name := range only {
		if !slices.ContainsFunc(out, func(s *Site) bool { return s.Name == name }) {
			return nil, fmt.Errorf("crawl: no site %q in the registry", name)
		}
	}
	return out, nil
}

// counters accumulate a run's Summary across sites and workers.
type counters struct {
	pages, reports, attachments, new, changed, unchanged, resumed atomic.Int64
	failed, blocked, truncated, disallowed                        atomic.Int64
}

func (c *counters) summary(f *fetcher) Summary {
	return Summary{
		Pages: int(c.pages.Load()), Reports: int(c.reports.Load()), Attachments: int(c.attachments.Load()),
		New: int(c.new.Load()), Changed: int(c.changed.Load()), Unchanged: int(c.unchanged.Load()),
		Resumed: int(c.resumed.Load()), Failed: int(c.failed.Load()), Blocked: int(c.blocked.Load()),
		Truncated: int(c.truncated.Load()), Disallowed: int(c.disallowed.Load()),
		Requests: int(f.requests.Load()), Bytes: f.bytes.Load(),
	}
}

func startProgress(cfg *Config, c *counters, f *fetcher) (stop func()) {
	if cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(cfg.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s := c.summary(f)
				fmt.Fprintf(cfg.Progress, "crawl: %d pages, %d reports, %d attachments, %d new, %d changed, %d unchanged, %d failed, %d blocked, %d requests, %.1f MB\n",
					s.Pages, s.Reports, s.Attachments, s.New, s.Changed, s.Unchanged, s.Failed, s.Blocked, s.Requests, float64(s.Bytes)/1e6)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// A task is one URL waiting to be fetched.
type task struct {
	url   string
	kind  string // kindList (any HTML page), kindPage (linked as a report), kindAttachment
	depth int
	hint  string    // anchor text of the link
	from  *pageMeta // for attachments: the page that links to it
}

const (
	kindList       = "list"
	kindPage       = "page"
	kindReport     = "report"
	kindAttachment = "attachment"
)

// pageMeta describes the report page an attachment belongs to.
type pageMeta struct {
	url, title, date string
	year             int
}

// A siteRun is the crawl of one site: its frontier, visited set and limits.
type siteRun struct {
	cfg  *Config
	site *Site
	f    *fetcher
	st   *stateDB
	arch *archive
	c    *counters
	log  *slog.Logger

	delay              time.Duration
	parallel           int
	maxDepth, maxPages int
	prefixes           []string // URL paths whose links are followed as list pages
	resumed            bool
	since              time.Time

	mu       sync.Mutex
	cond     *sync.Cond
	docs     []task // attachments and report pages, served first
	lists    []task
	inflight int
	visited  map[uint64]struct{} // hashes of the URLs queued so far
	seed     maphash.Seed
	pages    int
	variants map[string]int // distinct query strings seen per path
	capped   bool
}

func crawlSite(ctx context.Context, cfg *Config, s *Site, f *fetcher, st *stateDB, arch *archive, c *counters) error {
	sr := &siteRun{
		cfg: cfg, site: s, f: f, st: st, arch: arch, c: c,
		log:      cfg.Logger.With("site", s.Name),
		delay:    cfg.Delay,
		parallel: cfg.Parallel,
		maxDepth: cfg.MaxDepth,
		maxPages: cfg.MaxPages,
		visited:  map[uint64]struct{}{},
		seed:     maphash.MakeSeed(),
		variants: map[string]int{},
	}
	sr.cond = sync.NewCond(&sr.mu)
	if s.Delay > 0 {
		sr.delay = time.Duration(s.Delay)
	}
	if s.Parallel > 0 {
		sr.parallel = s.Parallel
	}
	if s.MaxDepth > 0 {
		sr.maxDepth = s.MaxDepth
	}
	if s.MaxPages > 0 {
		sr.maxPages = s.MaxPages
	}
	sr.prefixes = append(sr.prefixes, s.Follow...)
	var starts []*url.URL
	for _, raw := range s.Start {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("crawl: site %s: %w", s.Name, err)
		}
		starts = append(starts, u)
		dir := u.Path
		if !strings.HasSuffix(dir, "/") {
			dir = path.Dir(dir) + "/"
		}
		sr.prefixes = append(sr.prefixes, dir)
	}

	since, resumed, err := st.startRun(ctx, s.Name, time.Now())
	if err != nil {
		return fmt.Errorf("crawl: site %s: %w", s.Name, err)
	}
	sr.since, sr.resumed = since, resumed
	sr.log.Info("crawling site", "start", s.Start, "resumed", resumed)

	for _, u := range starts {
		sr.enqueue(task{kind: kindList}, u)
	}
	stop := context.AfterFunc(ctx, func() {
		sr.mu.Lock()
		sr.cond.Broadcast()
		sr.mu.Unlock()
	})
	defer stop()
	var wg sync.WaitGroup
	for range max(sr.parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t, ok := sr.next(ctx)
				if !ok {
					return
				}
				sr.process(ctx, t)
				sr.done()
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		sr.log.Warn("crawl interrupted; the next run resumes it")
		return ctx.Err()
	}
	if err := st.finishRun(ctx, s.Name, time.Now()); err != nil {
		return fmt.Errorf("crawl: site %s: %w", s.Name, err)
	}
	sr.log.Info("site done")
	return nil
}

// enqueue adds the URL u as task t unless it is off the site, a trap, seen
// before, too deep or over the page cap.
func (sr *siteRun) enqueue(t task, u *url.URL) {
	if !sr.site.allowedHost(u) {
		sr.log.Debug("not following link to another host", "url", u.String())
		return
	}
	u = canonical(u)
	if why := trapReason(u); why != "" {
		sr.log.Debug("skipping likely crawler trap", "url", u.String(), "reason", why)
		return
	}
	t.url = u.String()
	isPage := t.kind != kindAttachment
	sr.mu.Lock()
	defer sr.mu.Unlock()
	h := maphash.String(sr.seed, t.url)
	if _, seen := sr.visited[h]; seen {
		return
	}
	if isPage && t.depth > sr.maxDepth {
		return
	}
	if u.RawQuery != "" {
		if sr.variants[u.Path] >= maxQueryVariants {
			sr.log.Debug("skipping likely crawler trap", "url", t.url, "reason", "endless query strings")
			return
		}
		sr.variants[u.Path]++
	}
	if isPage {
		if sr.pages >= sr.maxPages {
			if !sr.capped {
				sr.capped = true
				sr.log.Warn("page cap reached; not following more pages", "max_pages", sr.maxPages)
			}
			return
		}
		sr.pages++
	}
	sr.visited[h] = struct{}{}
	if t.kind == kindList {
		sr.lists = append(sr.lists, t)
	} else {
		sr.docs = append(sr.docs, t)
	}
	sr.cond.Signal()
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
