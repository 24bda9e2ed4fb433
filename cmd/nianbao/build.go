package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
)

// A doc is one body to report on, as the plan holds it. The inputs that
// share its bytes (a file given twice, the same attachment under two URLs)
// are one report that lists all their sources: the current inputs first,
// then the superseded ones, each in the order given. The first is the one
// it is reported under.
type doc struct {
	pos      int64  // its place in the order of first inputs
	sha      string // "" for a file that could not be read (not cached)
	ins      []input
	uncached []byte // for a doc without sha: its report (wire gob)
	indexed  bool   // whether the plan has entry
	entry    indexEntry
	// What the grouping found (see build.groups).
	head                 bool // a report (not a page that only links to one)
	agencyID             string
	year                 int
	crowdSame, crowdPrev int   // see maxPerAgencyYear
	grp                  int64 // the first doc of its group
	gsize                int
}

func (d *doc) primary() input { return d.ins[0] }

// wrapper reports whether every input of d is a page that only links to a
// report attachment.
func (d *doc) wrapper() bool {
	for _, in := range d.ins {
		if !in.wrapper {
			return false
		}
	}
	return true
}

// versioned reports whether d is one of several versions of a URL.
func (d *doc) versioned() bool {
	for _, in := range d.ins {
		if in.crawled != nil && (in.supersededBy != "" || in.crawled.Revision > 1) {
			return true
		}
	}
	return false
}

// buildDataset writes a report for every input that add gives the plan to
// w. It parses only the documents the cache of parsed reports does not
// hold, on the workers, which write their cache entries themselves, and
// then writes the reports group by group: the reports that the
// cross-report checks compare with each other (one agency's years, one
// URL's versions) are read back from the cache together, on every core,
// checked, and written. What the run knows of every document is in the
// plan, on disk; it holds whole reports only for a group at a time.
func buildDataset(ctx context.Context, m *meter, o parseOptions, ds *output.Dataset, add func(*planAdder) error, w *output.Writer) (*summary, error) {
	c, err := openReportCache(ds)
	if err != nil {
		return nil, err
	}
	p, err := openPlan(ctx, c.dir)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	a, err := p.adder(ctx)
	if err != nil {
		return nil, err
	}
	if err := add(a); err != nil {
		a.tx.Rollback()
		return nil, err
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	if a.n == 0 {
		return nil, errNoInput
	}
	if err := p.prepare(ctx); err != nil {
		return nil, err
	}
	b := &build{cache: c, plan: p}
	parsed, err := b.parse(ctx, m, o)
	if err != nil {
		return nil, err
	}
	if err := b.indexCached(ctx, o.jobs); err != nil {
		return nil, err
	}
	if err := b.groups(ctx); err != nil {
		return nil, err
	}
	docs, err := p.count(ctx, `SELECT COUNT(*) FROM docs`)
	if err != nil {
		return nil, err
	}
	sum := newSummary()
	sum.Crawl = &crawlSummary{Parsed: parsed, FromCache: docs - parsed}
	return sum, b.write(ctx, o.jobs, w, sum)
}

// errNoInput is buildDataset's error when it is given no document.
var errNoInput = errors.New("no document to parse")

// build is the state of buildDataset.
type build struct {
	cache *reportCache
	plan  *plan
}

// parse runs the docs the cache lacks through the workers and returns how
// many it parsed.
func (b *build) parse(ctx context.Context, m *meter, o parseOptions) (int, error) {
	todo := b.plan.batch(`UPDATE docs SET todo = 1 WHERE pos = ?`)
	for d, err := range b.plan.docs(ctx, "1", "pos") {
		if err != nil {
			return 0, err
		}
		if d.sha == "" || !b.cache.has(d.sha) {
			if err := todo.add(ctx, d.pos); err != nil {
				return 0, err
			}
		}
	}
	if err := todo.flush(ctx); err != nil {
		return 0, err
	}
	n, err := b.plan.count(ctx, `SELECT COUNT(*) FROM docs WHERE todo = 1`)
	if err != nil || n == 0 {
		return 0, err
	}
	proc, err := newProcessor(o.jobs, o.isolate, o.limits())
	if err != nil {
		return 0, err
	}
	defer proc.Close()
	entries := b.plan.batch(`INSERT OR REPLACE INTO entries (sha, agency, agency_printed, status, year) VALUES (?, ?, ?, ?, ?)`)
	reports := b.plan.batch(`UPDATE docs SET report = ? WHERE pos = ?`)
	gauge := m.gauge("documents", int64(n), false)
	killAt := killAfterEnv()
	var seqErr error
	k := 0
	err = inOrderSeq(ctx, b.docsOrStop(ctx, "d.todo = 1", "pos", &seqErr), o.jobs, func(d *doc) parsed {
		return proc.one(ctx, jobOf(b.cache, d))
	}, func(d *doc, p parsed) error {
		k++
		gauge.Add(1)
		if p.Err != "" || p.Report.Report == nil {
			return fmt.Errorf("%s: %s", d.primary().source(), cmp.Or(p.Err, "no report"))
		}
		logReport(m.log, k, n, d.primary().source(), p)
		r := p.Report.Report
		var err error
		if d.sha == "" {
			var blob []byte
			if blob, err = encodeReport(r); err == nil {
				err = reports.add(ctx, blob, d.pos)
			}
		} else {
			e := entryOf(r)
			err = entries.add(ctx, d.sha, e.Agency, e.AgencyPrinted, string(e.Status), e.Year)
		}
		if k == killAt {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		return err
	})
	err = errors.Join(err, seqErr)
	if err == nil {
		err = errors.Join(entries.flush(ctx), reports.flush(ctx))
	}
	return n, err
}

// docsOrStop is plan.docs as a plain sequence; its error goes to *err and
// ends the sequence.
func (b *build) docsOrStop(ctx context.Context, where, order string, err *error) iter.Seq[*doc] {
	return func(yield func(*doc) bool) {
		for d, e := range b.plan.docs(ctx, where, order) {
			if e != nil {
				*err = e
				return
			}
			if !yield(d) {
				return
			}
		}
	}
}

func jobOf(c *reportCache, d *doc) job {
	j := job{Path: d.primary().path}
	if d.sha != "" {
		j.Cache = c.path(d.sha)
	}
	return j
}

// indexCached makes the index entries the plan lacks (a run killed before
// writing them) from the whole reports, and drops those of bodies no
// longer there.
func (b *build) indexCached(ctx context.Context, jobs int) error {
	entries := b.plan.batch(`INSERT OR REPLACE INTO entries (sha, agency, agency_printed, status, year) VALUES (?, ?, ?, ?, ?)`)
	var seqErr error
	err := inOrderSeq(ctx, b.docsOrStop(ctx, "d.sha != '' AND e.sha IS NULL", "pos", &seqErr), jobs, b.full, func(d *doc, f fullReport) error {
		if f.err != nil {
			return f.err
		}
		e := entryOf(f.r)
		return entries.add(ctx, d.sha, e.Agency, e.AgencyPrinted, string(e.Status), e.Year)
	})
	if err = errors.Join(err, seqErr); err != nil {
		return err
	}
	if err := entries.flush(ctx); err != nil {
		return err
	}
	return b.plan.exec(ctx, `DELETE FROM entries WHERE sha NOT IN (SELECT sha FROM docs)`)
}

// fullReport is a whole report read back from the cache, as the dataset
// holds it (build.report); r is nil for a page that only links to a report.
type fullReport struct {
	r   *normalize.Report
	err error
}

func (b *build) full(d *doc) fullReport {
	if d.sha == "" {
		r, err := decodeReport(d.uncached)
		return fullReport{r, err}
	}
	r, err := b.cache.get(d.sha)
	return fullReport{r, err}
}

// report is doc d's report r as the dataset holds it: with what the crawl
// knows, every source of its bytes, and the agency identified; nil for a
// page that only links to a report attachment and holds no table itself.
func (b *build) report(d *doc, r *normalize.Report) *normalize.Report {
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
	g := &groupWriter{b: b, w: w, sum: sum}
	var seqErr error
	err := inOrderSeq(ctx, b.docsOrStop(ctx, "1", "d.grp, d.pos", &seqErr), jobs, func(d *doc) fullReport {
		f := b.full(d)
		if f.err == nil && f.r != nil {
			f.r = b.report(d, f.r)
		}
		return f
	}, func(d *doc, f fullReport) error {
		if f.err != nil {
			return f.err
		}
		g.add(d, f.r)
		if len(g.docs) == d.gsize {
			return g.flush()
		}
		return nil
	})
	return errors.Join(err, seqErr)
}

// groups finds the groups of reports the cross-report checks compare with
// each other, so that each comes together in the order the reports are
// written: the docs of one agency (as identified from the index entry, the
// crawl and the registry) and the versions of one URL. A group comes where
// its first doc does. The docs of a crowded agency-year (see
// maxPerAgencyYear) are not grouped by their agency.
//
// The docs' heads and keys are in the plan; only the union-find's parents
// are held, four bytes a doc.
func (b *build) groups(ctx context.Context) error {
	heads := b.plan.batch(`UPDATE docs SET head = 1, agency_id = ?, year = ?, current = ? WHERE pos = ?`)
	for d, err := range b.plan.docs(ctx, "1", "pos") {
		if err != nil {
			return err
		}
		if r := b.head(d); r != nil {
			if err := heads.add(ctx, r.AgencyID, r.Year, r.SupersededBy == "", d.pos); err != nil {
				return err
			}
		}
	}
	if err := heads.flush(ctx); err != nil {
		return err
	}
	err := b.plan.exec(ctx,
		`DROP TABLE IF EXISTS temp.crowd`,
		fmt.Sprintf(`CREATE TEMP TABLE crowd AS SELECT agency_id, year, COUNT(*) AS n FROM docs
			WHERE head = 1 AND agency_id != '' AND year > 0 AND current = 1 GROUP BY agency_id, year HAVING n > %d`, maxPerAgencyYear),
		`CREATE INDEX temp.crowd_key ON crowd(agency_id, year)`,
		`UPDATE docs SET
			crowd_same = COALESCE((SELECT n FROM crowd c WHERE c.agency_id = docs.agency_id AND c.year = docs.year), 0),
			crowd_prev = COALESCE((SELECT n FROM crowd c WHERE c.agency_id = docs.agency_id AND c.year = docs.year - 1), 0)
			WHERE head = 1 AND agency_id != ''`,
		`INSERT INTO keys SELECT 'agency ' || agency_id, pos FROM docs WHERE head = 1 AND agency_id != '' AND crowd_same = 0`,
		`INSERT INTO keys SELECT DISTINCT 'url ' || i.url, i.doc FROM ins i JOIN docs d ON d.pos = i.doc
			WHERE d.head = 1 AND i.input = 1 AND i.crawled = 1`,
		`CREATE INDEX keys_key ON keys(key, pos)`,
	)
	if err != nil {
		return err
	}
	parent, err := b.unite(ctx)
	if err != nil {
		return err
	}
	grps := b.plan.batch(`UPDATE docs SET grp = ? WHERE pos = ?`)
	for pos := range parent {
		if err := grps.add(ctx, root(parent, int32(pos)), pos); err != nil {
			return err
		}
	}
	if err := grps.flush(ctx); err != nil {
		return err
	}
	return b.plan.exec(ctx,
		`CREATE INDEX docs_grp ON docs(grp, pos)`,
		`UPDATE docs SET gsize = (SELECT COUNT(*) FROM docs g WHERE g.grp = docs.grp)`)
}

// unite joins the docs that share a key and returns each doc's parent: a
// doc of its group, the first at the root.
func (b *build) unite(ctx context.Context) ([]int32, error) {
	n, err := b.plan.count(ctx, `SELECT COUNT(*) FROM docs`)
	if err != nil {
		return nil, err
	}
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	rows, err := b.plan.db.QueryContext(ctx, `SELECT key, pos FROM keys ORDER BY key, pos`)
	if err != nil {
		return nil, fmt.Errorf("build plan: %w", err)
	}
	defer rows.Close()
	var key, prevKey string
	var pos, first int32
	for rows.Next() {
		if err := rows.Scan(&key, &pos); err != nil {
			return nil, fmt.Errorf("build plan: %w", err)
		}
		if key != prevKey {
			prevKey, first = key, pos
			continue
		}
		a, c := root(parent, pos), root(parent, first)
		parent[max(a, c)] = min(a, c)
	}
	return parent, rows.Err()
}

// root is the root of i's tree, halving the path on the way.
func root(parent []int32, i int32) int32 {
	for parent[i] != i {
		parent[i] = parent[parent[i]]
		i = parent[i]
	}
	return i
}

// maxPerAgencyYear is the most current reports one agency has for one
// year before they are taken for reports the agency's name does not tell
// apart (a county portal's departments under the county's name, say): an
// agency publishes one report a year, sometimes as a page and as an
// attachment too. Their year-to-year checks are then not assessable,
// saying why, rather than made against one of many; and they are not
// grouped by agency, so a group stays small.
const maxPerAgencyYear = 4

// ambiguous says why the report of the year before doc d's report r
// cannot be told, or "".
func (b *build) ambiguous(d *doc, r *normalize.Report) string {
	if d.crowdSame > 0 {
		return fmt.Sprintf("%d reports name %s for %d: which is whose cannot be told", d.crowdSame, r.Agency, r.Year)
	}
	if d.crowdPrev > 0 {
		return fmt.Sprintf("%d reports name %s for %d: which is the year before cannot be told", d.crowdPrev, r.Agency, r.Year-1)
	}
	return ""
}

// head is doc d's report as the index knows it and as the dataset will
// hold it (build.report), without cells; nil if the index does not know
// it, or for a page that only links to a report.
func (b *build) head(d *doc) *normalize.Report {
	var r *normalize.Report
	switch {
	case d.sha == "":
		f := b.full(d)
		if f.err != nil {
			return nil
		}
		r = f.r
	case d.indexed:
		e := d.entry
		r = &normalize.Report{Agency: e.Agency, AgencyPrinted: e.AgencyPrinted, Status: e.Status, Year: e.Year}
	default:
		return nil
	}
	return b.report(d, r)
}

// indexEntry is what the plan keeps of a cached report: what grouping the
// reports needs, so that no report is decoded before its group's turn.
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
	docs            []*doc
	whole, forCheck []*normalize.Report
	held            int
}

func (g *groupWriter) add(d *doc, r *normalize.Report) {
	g.docs = append(g.docs, d)
	if r == nil {
		g.whole, g.forCheck = append(g.whole, nil), append(g.forCheck, nil)
		return
	}
	if g.held < groupCap || d.versioned() && g.held < maxHeldVersions {
		g.held++
		g.whole, g.forCheck = append(g.whole, r), append(g.forCheck, r)
		return
	}
	g.whole, g.forCheck = append(g.whole, nil), append(g.forCheck, normalize.CrossDigest(r))
}

// flush checks and writes the group held.
func (g *groupWriter) flush() error {
	defer func() {
		clear(g.docs) // the backing arrays are reused: let the reports go
		clear(g.whole)
		clear(g.forCheck)
		g.docs, g.whole, g.forCheck, g.held = g.docs[:0], g.whole[:0], g.forCheck[:0], 0
	}()
	found := normalize.CrossChecks(g.infos())
	for k, d := range g.docs {
		r := g.forCheck[k]
		if r == nil {
			g.sum.Wrappers++
			continue
		}
		checks := found[r]
		if r = g.whole[k]; r == nil {
			f := g.b.full(d)
			if f.err != nil {
				return f.err
			}
			r = g.b.report(d, f.r)
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
	for k, d := range g.docs {
		r := g.forCheck[k]
		if r == nil {
			continue
		}
		info := normalize.ReportInfo{R: r, AgencyID: r.AgencyID, Ambiguous: g.b.ambiguous(d, r)}
		c := d.primary().crawled
		if c != nil {
			info.PublishDate, info.Fetched = c.PublishDate, c.FetchedAt.UTC().Format(time.DateOnly)
		}
		// Every place these bytes were fetched is a version of its URL:
		// a body that moved, or came back, still links its neighbours.
		for _, in := range d.ins {
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
