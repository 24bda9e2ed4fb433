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
	st, err := openState(ctx, StatePath(cfg.Dir), true, cfg.BusyTimeout)
	if err != nil {
		return Summary{}, fmt.Errorf("crawl: %w", err)
	}
	defer st.Close()
	arch, err := openArchive(filepath.Join(cfg.Dir, "raw"))
	if err != nil {
		return Summary{}, fmt.Errorf("crawl: %w", err)
	}

	cr := &crawler{cfg: &cfg, st: st, arch: arch, f: newFetcher(&cfg, arch)}
	stopProgress := startProgress(&cfg, &cr.c, cr.f)
	defer stopProgress()
	err = cr.crawlSites(ctx, sites)
	sum := cr.c.summary(cr.f)
	sum.Sites = len(sites)
	if err == nil {
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
