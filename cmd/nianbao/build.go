package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
)

// A doc is one body to report on. The inputs that share its bytes (a file
// given twice, the same attachment under two URLs) are one report that
// lists all their sources; the first input is the one it is reported
// under: a current one where there is one.
type doc struct {
	sha string // "" for a file that could not be read (not cached)
	ins []input
}

func (d doc) primary() input { return d.ins[0] }

// wrapper reports whether every input of d is a page that only links to a
// report attachment.
func (d doc) wrapper() bool {
	for _, in := range d.ins {
		if !in.wrapper {
			return false
		}
	}
	return true
}

// groupDocs makes the docs of inputs, in the order of their first input,
// hashing the files a crawl has not hashed already.
func groupDocs(inputs []input) []doc {
	var docs []doc
	at := map[string]int{}
	for _, in := range inputs {
		if in.sha256 == "" {
			in.sha256 = fileSHA256(in.path)
		}
		if in.sha256 == "" {
			docs = append(docs, doc{ins: []input{in}})
			continue
		}
		i, ok := at[in.sha256]
		if !ok {
			at[in.sha256] = len(docs)
			docs = append(docs, doc{sha: in.sha256, ins: []input{in}})
			continue
		}
		d := &docs[i]
		d.ins = append(d.ins, in)
		if d.ins[0].supersededBy != "" && in.supersededBy == "" {
			d.ins[0], d.ins[len(d.ins)-1] = d.ins[len(d.ins)-1], d.ins[0]
		}
	}
	return docs
}

// buildDataset writes a report for every input to w. It parses only the
// documents the cache of parsed reports does not hold, on the workers,
// which write their cache entries themselves, and then writes the
// reports group by group: the reports that the cross-report checks
// compare with each other (one agency's years, one URL's versions) are
// read back from the cache together, on every core, checked, and written.
// What the run holds for all documents at once is their inputs and a
// small index entry; whole reports only for a group at a time.
func buildDataset(ctx context.Context, m *meter, o parseOptions, ds *output.Dataset, inputs []input, w *output.Writer) (*summary, error) {
	c, err := openReportCache(ds)
	if err != nil {
		return nil, err
	}
	b := &build{cache: c, docs: groupDocs(inputs), index: c.loadIndex(), uncached: map[int]*normalize.Report{}}
	parsed, err := b.parse(ctx, m, o)
	if err != nil {
		return nil, err
	}
	if err := b.indexCached(ctx, o.jobs); err != nil {
		return nil, err
	}
	if err := c.saveIndex(b.docs, b.index); err != nil {
		return nil, err
	}
	sum := newSummary()
	sum.Crawl = &crawlSummary{Parsed: parsed, FromCache: len(b.docs) - parsed}
	return sum, b.write(ctx, o.jobs, w, sum)
}

// build is the state of buildDataset.
type build struct {
	cache    *reportCache
	docs     []doc
	index    map[string]indexEntry     // by sha
	uncached map[int]*normalize.Report // whole reports of the docs without a sha
	crowded  map[agencyYear]int        // see maxPerAgencyYear
}

// parse runs the docs the cache lacks through the workers and returns how
// many it parsed.
func (b *build) parse(ctx context.Context, m *meter, o parseOptions) (int, error) {
	var todo []int
	var jobs []job
	for i, d := range b.docs {
		if d.sha == "" || !b.cache.has(d.sha) {
			todo = append(todo, i)
			j := job{Path: d.primary().path}
			if d.sha != "" {
				j.Cache = b.cache.path(d.sha)
			}
			jobs = append(jobs, j)
		}
	}
	proc, err := newProcessor(o.jobs, o.isolate, o.limits())
	if err != nil {
		return 0, err
	}
	defer proc.Close()
	gauge := m.gauge("documents", int64(len(jobs)), false)
	killAt := killAfterEnv()
	err = proc.each(ctx, jobs, func(k int, p parsed) error {
		gauge.Add(1)
		d := b.docs[todo[k]]
		if p.Err != "" || p.Report.Report == nil {
			return fmt.Errorf("%s: %s", d.primary().source(), cmp.Or(p.Err, "no report"))
		}
		logReport(m.log, k+1, len(jobs), d.primary().source(), p)
		r := p.Report.Report
		if d.sha == "" {
			b.uncached[todo[k]] = r
		} else {
			b.index[d.sha] = entryOf(r)
		}
		if k+1 == killAt {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		return nil
	})
	return len(jobs), err
}

// indexCached makes the index entries the cache's index lacks (a run
// killed before writing it) from the whole reports.
func (b *build) indexCached(ctx context.Context, jobs int) error {
	var todo []int
	for i, d := range b.docs {
		if _, ok := b.index[d.sha]; d.sha != "" && !ok {
			todo = append(todo, i)
		}
	}
	return inOrder(ctx, len(todo), jobs, func(k int) fullReport { return b.full(todo[k]) }, func(k int, f fullReport) error {
		if f.err != nil {
			return f.err
		}
		b.index[b.docs[todo[k]].sha] = entryOf(f.r)
		return nil
	})
}

// fullReport is a whole report read back from the cache, as the dataset
// holds it (build.report); r is nil for a page that only links to a report.
type fullReport struct {
	r   *normalize.Report
	err error
}

func (b *build) full(i int) fullReport {
	d := b.docs[i]
	if d.sha == "" {
		return fullReport{r: b.uncached[i]}
	}
	r, err := b.cache.get(d.sha)
	return fullReport{r, err}
}

// report is doc i's report r as the dataset holds it: with what the crawl
// knows, every source of its bytes, and the agency identified; nil for a
// page that only links to a report attachment and holds no table itself.
func (b *build) report(i int, r *normalize.Report) *normalize.Report {
	d := b.docs[i]
	in := d.primary()
	if d.wrapper() && r.Status != normalize.StatusOK && r.Status != normalize.StatusPartial {
		return nil
	}
	in.annotate(r)
	r.SupersededBy = in.supersededBy
	r.Sources = nil
	if len(d.ins) > 1 {
		for _, other := range d.ins {
			if s := other.source(); !slices.Contains(r.Sources, s) {
				r.Sources = append(r.Sources, s)
			}
		}
	}
	registry, listed := "", ""
	if in.crawled != nil {
		registry, listed = in.crawled.Agency, in.crawled.Listed
	}
	normalize.IdentifyAgency(r, registry)
	normalize.CheckListed(r, registry, listed) // a department's report listed under its sub-column
	return r
}

// write writes every doc's report with its cross-report checks, a group
// at a time (groups), decoding on up to jobs cores.
func (b *build) write(ctx context.Context, jobs int, w *output.Writer, sum *summary) error {
	order, groupOf, size := b.groups()
	g := &groupWriter{b: b, w: w, sum: sum}
	return inOrder(ctx, len(order), jobs, func(k int) fullReport {
		i := order[k]
		f := b.full(i)
		if f.err == nil && f.r != nil {
			f.r = b.report(i, f.r)
		}
		return f
	}, func(k int, f fullReport) error {
		if f.err != nil {
			return f.err
		}
		g.add(order[k], f.r)
		if len(g.docs) == size[groupOf[order[k]]] {
			return g.flush()
		}
		return nil
	})
}

// groups orders the docs so that each group of reports the cross-report
// checks compare with each other comes together: the docs of one agency
// (as identified from the index entry, the crawl and the registry) and
// the versions of one URL. A group comes where its first doc does; it
// returns the order, each doc's group (its first doc) and each group's
// size. The docs of a crowded agency-year (see maxPerAgencyYear) are not
// grouped by their agency.
func (b *build) groups() (order, groupOf []int, size map[int]int) {
	parent := make([]int, len(b.docs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	first := map[string]int{}
	join := func(key string, i int) {
		j, ok := first[key]
		if !ok {
			first[key] = i
			return
		}
		a, c := find(i), find(j)
		parent[max(a, c)] = min(a, c)
	}
	heads := b.heads()
	b.crowded = crowdedYears(heads)
	for i, r := range heads {
		if r == nil {
			continue
		}
		if _, crowded := b.crowded[agencyYear{r.AgencyID, r.Year}]; r.AgencyID != "" && !crowded {
			join("agency "+r.AgencyID, i)
		}
		for _, in := range b.docs[i].ins {
			if in.crawled != nil {
				join("url "+in.crawled.URL, i)
			}
		}
	}
	order = make([]int, len(b.docs))
	groupOf = make([]int, len(b.docs))
	size = map[int]int{}
	for i := range order {
		order[i] = i
		groupOf[i] = find(i)
		size[groupOf[i]]++
	}
	slices.SortStableFunc(order, func(x, y int) int { return groupOf[x] - groupOf[y] })
	return order, groupOf, size
}

// heads are the docs' reports as the index knows them, as the dataset
// will hold them (build.report), without cells; nil for a page that only
// links to a report.
func (b *build) heads() []*normalize.Report {
	heads := make([]*normalize.Report, len(b.docs))
	for i := range b.docs {
		if r := b.head(i); r != nil {
			heads[i] = b.report(i, r)
		}
	}
	return heads
}

// maxPerAgencyYear is the most current reports one agency has for one
// year before they are taken for reports the agency's name does not tell
// apart (a county portal's departments under the county's name, say): an
// agency publishes one report a year, sometimes as a page and as an
// attachment too. Their year-to-year checks are then not assessable,
// saying why, rather than made against one of many; and they are not
// grouped by agency, so a group stays small.
const maxPerAgencyYear = 4

type agencyYear struct {
	agency string
	year   int
}

// crowdedYears counts the current reports of each agency-year and keeps
// the counts over maxPerAgencyYear.
func crowdedYears(heads []*normalize.Report) map[agencyYear]int {
	n := map[agencyYear]int{}
	for _, r := range heads {
		if r != nil && r.AgencyID != "" && r.Year > 0 && r.SupersededBy == "" {
			n[agencyYear{r.AgencyID, r.Year}]++
		}
	}
	for k, c := range n {
		if c <= maxPerAgencyYear {
			delete(n, k)
		}
	}
	return n
}

// ambiguous says why r's report of the year before cannot be told, or "".
func (b *build) ambiguous(r *normalize.Report) string {
	if n, ok := b.crowded[agencyYear{r.AgencyID, r.Year}]; ok {
		return fmt.Sprintf("%d reports name %s for %d: which is whose cannot be told", n, r.Agency, r.Year)
	}
	if n, ok := b.crowded[agencyYear{r.AgencyID, r.Year - 1}]; ok {
		return fmt.Sprintf("%d reports name %s for %d: which is the year before cannot be told", n, r.Agency, r.Year-1)
	}
	return ""
}

// head is what the index says of doc i's report, as a report without
// cells (nil if the index does not know it).
func (b *build) head(i int) *normalize.Report {
	d := b.docs[i]
	if d.sha == "" {
		r := *b.uncached[i]
		return &r
	}
	e, ok := b.index[d.sha]
	if !ok {
		return nil
	}
	return &normalize.Report{Agency: e.Agency, AgencyPrinted: e.AgencyPrinted, Status: e.Status, Year: e.Year}
}

// indexEntry is what the cache's index keeps of a report: what grouping
// the reports needs, so that no report is decoded before its group's turn.
type indexEntry struct {
	Agency, AgencyPrinted string
	Status                normalize.Status
	Year                  int
}

func entryOf(r *normalize.Report) indexEntry {
	return indexEntry{Agency: r.Agency, AgencyPrinted: r.AgencyPrinted, Status: r.Status, Year: r.Year}
}

// groupCap is how many whole reports of one group are held while it is
// checked. Reports beyond it (a group is one agency's reports, a handful,
// unless many documents share one name) are held as digests
// (normalize.CrossDigest) and read again to be written; the versions of a
// URL are held whole up to maxHeldVersions, to say which cells changed.
var groupCap = 16 // a variable for the tests

// maxHeldVersions caps the whole reports a group holds for the versions
// of its URLs (x.revised lists the cells that changed): a page whose bytes
// change at every fetch gains a version a run. Past it, a version is
// compared by the cells the other checks read.
const maxHeldVersions = 64

// groupWriter holds the reports of one group until its last arrives,
// runs the group's cross-report checks and writes the reports.
type groupWriter struct {
	b   *build
	w   *output.Writer
	sum *summary
	// Of each member: its doc, its whole report (nil once over groupCap)
	// and what the checks read (nil for a page that only links to a report).
	docs            []int
	whole, forCheck []*normalize.Report
	held            int
}

func (g *groupWriter) add(i int, r *normalize.Report) {
	g.docs = append(g.docs, i)
	if r == nil {
		g.whole, g.forCheck = append(g.whole, nil), append(g.forCheck, nil)
		return
	}
	if g.held < groupCap || g.b.versioned(i) && g.held < maxHeldVersions {
		g.held++
		g.whole, g.forCheck = append(g.whole, r), append(g.forCheck, r)
		return
	}
	g.whole, g.forCheck = append(g.whole, nil), append(g.forCheck, normalize.CrossDigest(r))
}

// flush checks and writes the group held.
func (g *groupWriter) flush() error {
	defer func() {
		clear(g.whole) // the backing arrays are reused: let the reports go
		clear(g.forCheck)
		g.docs, g.whole, g.forCheck, g.held = g.docs[:0], g.whole[:0], g.forCheck[:0], 0
	}()
	found := normalize.CrossChecks(g.infos())
	for k, i := range g.docs {
		r := g.forCheck[k]
		if r == nil {
			g.sum.Wrappers++
			continue
		}
		checks := found[r]
		if r = g.whole[k]; r == nil {
			f := g.b.full(i)
			if f.err != nil {
				return f.err
			}
			r = g.b.report(i, f.r)
		}
		r.Checks = append(r.Checks, checks...)
		if err := g.w.Write(r); err != nil {
			return err
		}
		g.sum.add(r)
	}
	return nil
}

// infos are the group's reports as CrossChecks takes them, each version
// of a URL linked to the one before.
func (g *groupWriter) infos() []normalize.ReportInfo {
	var infos []normalize.ReportInfo
	var crawled []*crawl.Document // of each info
	byURLRev := map[string]map[int]*normalize.Report{}
	for k, i := range g.docs {
		r := g.forCheck[k]
		if r == nil {
			continue
		}
		info := normalize.ReportInfo{R: r, AgencyID: r.AgencyID, Ambiguous: g.b.ambiguous(r)}
		c := g.b.docs[i].primary().crawled
		if c != nil {
			info.PublishDate, info.Fetched = c.PublishDate, c.FetchedAt.UTC().Format(time.DateOnly)
		}
		// Every place these bytes were fetched is a version of its URL:
		// a body that moved, or came back, still links its neighbours.
		for _, in := range g.b.docs[i].ins {
			if in.crawled == nil {
				continue
			}
			if byURLRev[in.crawled.URL] == nil {
				byURLRev[in.crawled.URL] = map[int]*normalize.Report{}
			}
			byURLRev[in.crawled.URL][in.crawled.Revision] = r
		}
		infos = append(infos, info)
		crawled = append(crawled, c)
	}
	for k, c := range crawled {
		if c != nil && c.Revision > 1 {
			infos[k].PreviousVersion = byURLRev[c.URL][c.Revision-1]
		}
	}
	return infos
}

// versioned reports whether doc i is one of several versions of a URL.
func (b *build) versioned(i int) bool {
	for _, in := range b.docs[i].ins {
		if in.crawled != nil && (in.supersededBy != "" || in.crawled.Revision > 1) {
			return true
		}
	}
	return false
}
