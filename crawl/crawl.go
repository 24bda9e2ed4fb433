package crawl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Run crawls every site of cfg.Registry into cfg.Dir and returns what it
// did. A failing URL is recorded in the state database and logged, and the
// crawl goes on; Run returns an error only when the output directory or the
// state database cannot be used, when another crawl is using the directory
// ([ErrLocked]: Run fails at once, without waiting), when the disk is full
// ([ErrDiskFull]: the run stops at once), or when ctx is cancelled. A
// cancelled, killed or stopped run is resumed by the next one: nothing it
// fetched is fetched again.
//
// Sites that cannot be reached are not errors: the Summary counts them
// (SitesUnreachable, HostsGivenUp), and [Summary.AllUnreachable] tells a
// run that reached none of its sites.
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
		return Summary{}, fmt.Errorf("crawl: %w", diskFull(cfg.Dir, err))
	}
	lock, err := lockDir(cfg.Dir)
	if err != nil {
		return Summary{}, err
	}
	defer lock.Close()
	st, err := openState(ctx, StatePath(cfg.Dir), true, cfg.BusyTimeout)
	if err != nil {
		return Summary{}, fmt.Errorf("crawl: %w", err)
	}
	defer st.Close()
	arch, err := openArchive(filepath.Join(cfg.Dir, "raw"))
	if err != nil {
		return Summary{}, fmt.Errorf("crawl: %w", err)
	}

	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	cr := &crawler{cfg: &cfg, st: st, arch: arch, f: newFetcher(&cfg, arch), stop: stop}
	stopProgress := startProgress(&cfg, &cr.c, cr.f, arch)
	defer stopProgress()
	err = cr.crawlSites(runCtx, sites)
	sum := cr.c.summary(cr.f, arch)
	sum.Sites = len(sites)
	if cause := context.Cause(runCtx); errors.Is(cause, ErrDiskFull) {
		err = fmt.Errorf("crawl: %w", cause)
	} else if err == nil {
		err = ctx.Err()
	}
	return sum, err
}

// A crawler holds what the crawls of the sites of one run share.
type crawler struct {
	cfg  *Config
	f    *fetcher
	st   *stateDB
	arch *archive
	c    counters

	stop    context.CancelCauseFunc // ends the run, for fatal errors
	stopped sync.Once
}

// fatal ends the run because of err, a full disk: every document after it
// would fail the same way. Run returns err; the next run resumes.
func (cr *crawler) fatal(err error) {
	cr.stopped.Do(func() {
		cr.cfg.Logger.Error("disk full: stopping the crawl; free some space and run again to resume", "err", err)
	})
	cr.stop(err)
}

// stateFailed looks at an error of the state database: a full disk ends
// the run. It returns err.
func (cr *crawler) stateFailed(err error) error {
	if isDiskFull(err) {
		err = diskFull(cr.st.path, err)
		cr.fatal(err)
	}
	return err
}

// crawlSites crawls cfg.Sites sites at a time and returns the first error.
func (cr *crawler) crawlSites(ctx context.Context, sites []*Site) error {
	sem := make(chan struct{}, cr.cfg.Sites)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for _, s := range sites {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := cr.crawlSite(ctx, s); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
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

// A task is one URL waiting to be fetched.
type task struct {
	url   string
	kind  string // kindList (any HTML page), kindPage (linked as a report), kindAttachment
	depth int
	hint  string    // anchor text of the link
	from  *pageMeta // for attachments: the page that links to it
	start bool      // one of the site's start URLs
	seq   int64     // its place in the site's frontier: the order it was admitted in
}

// The kinds of URL the state database records.
const (
	kindList       = "list"
	kindStart      = "start" // a start URL that could not be fetched, and is not known as anything else
	kindPage       = "page"
	kindReport     = "report"
	kindAttachment = "attachment"
)

// pageMeta describes the report page an attachment belongs to.
type pageMeta struct {
	url, title, date string
	year             int
}
