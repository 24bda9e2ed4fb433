package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opengov-cn/nianbao/crawl"
	"github.com/opengov-cn/nianbao/normalize"
)

// TestExpectedFacts checks that the demo holds what it promises: enough
// agencies, years, templates and formats, and each planted problem once.
func TestExpectedFacts(t *testing.T) {
	reps := Expected()
	years := map[string]map[int]bool{}
	var late, revised, mismatch, broken, unreadable []string
	formats, templates := map[string]bool{}, map[string]bool{}
	ids := map[string]bool{}
	for _, r := range reps {
		if ids[r.ID] {
			t.Errorf("duplicate report id %s", r.ID)
		}
		ids[r.ID] = true
		if years[r.Agency] == nil {
			years[r.Agency] = map[int]bool{}
		}
		years[r.Agency][r.Year] = true
		formats[r.Format] = true
		templates[r.Template] = true
		if _, err := files.ReadFile(r.File); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
		wantDeadline := map[string]string{"government": "-03-31", "department": "-01-31"}[r.Level]
		if wantDeadline == "" || r.Deadline != strconv.Itoa(r.Year+1)+wantDeadline {
			t.Errorf("%s: level %q, deadline %s", r.ID, r.Level, r.Deadline)
		}
		if r.Late != (r.PublishDate > r.Deadline) {
			t.Errorf("%s: late = %v, but published %s with deadline %s", r.ID, r.Late, r.PublishDate, r.Deadline)
		}
		if r.Late {
			late = append(late, r.ID)
		}
		if r.Revised != nil {
			revised = append(revised, r.ID)
			if r.Format != "html" || slices.Equal(r.FailingChecks, r.Revised.FailingChecks) && mapsEqual(r.Cells, r.Revised.Cells) {
				t.Errorf("%s: the revision changes nothing visible", r.ID)
			}
		}
		if r.CarryOver == "mismatch" {
			mismatch = append(mismatch, r.ID)
		}
		if len(r.FailingChecks) > 0 {
			broken = append(broken, r.ID)
		}
		if r.Status != "ok" {
			unreadable = append(unreadable, r.ID)
			if r.CellCount != 0 || len(r.Cells) != 0 || r.Format != "pdf" {
				t.Errorf("%s: unreadable (%s) but %d cells, format %s", r.ID, r.Status, r.CellCount, r.Format)
			}
		}
		if len(r.FailingChecks) != len(r.FailingIdentities) {
			t.Errorf("%s: %d failing checks but %d identities in words", r.ID, len(r.FailingChecks), len(r.FailingIdentities))
		}
	}
	if len(years) < 4 {
		t.Errorf("%d agencies, want at least 4", len(years))
	}
	for a, ys := range years {
		if len(ys) < 3 {
			t.Errorf("%s: %d report years, want at least 3", a, len(ys))
		}
	}
	if !formats["html"] || !formats["pdf"] || !templates["2019"] || !templates["2021"] {
		t.Errorf("formats %v, templates %v: want html and pdf, 2019 and 2021", formats, templates)
	}
	if len(late) != 1 || len(revised) != 1 || len(mismatch) != 1 || len(broken) < 2 || len(unreadable) < 1 {
		t.Errorf("late %v, revised %v, carry-over mismatch %v, broken identities %v, unreadable %v", late, revised, mismatch, broken, unreadable)
	}
	// The other agencies' series carry over wherever both years are readable.
	for _, r := range reps {
		if r.CarryOver == "not_assessable" {
			continue
		}
		prev := find(reps, func(p Report) bool { return p.Agency == r.Agency && p.Year == r.Year-1 })
		if prev == nil || prev.Status != "ok" || r.Status != "ok" {
			t.Errorf("%s: carry-over %s without a readable report of the year before", r.ID, r.CarryOver)
			continue
		}
		same := r.Cells["t3/carried_over/total"] == prev.Cells["t3/carried_forward/total"]
		if same != (r.CarryOver == "match") {
			t.Errorf("%s: carry-over %s, but 上年结转 %v and last year's 结转下年度 %v", r.ID, r.CarryOver,
				r.Cells["t3/carried_over/total"], prev.Cells["t3/carried_forward/total"])
		}
	}
	var size int64
	for _, dir := range []string{"site", "."} {
		ents, _ := files.ReadDir(dir)
		for _, e := range ents {
			if !e.IsDir() {
				info, _ := e.Info()
				size += info.Size()
			}
		}
	}
	if size > 1<<20 {
		t.Errorf("embedded files take %d bytes; keep them under 1 MiB", size)
	}
	t.Logf("%d reports, embedded files %d bytes", len(reps), size)
}

func TestRegistry(t *testing.T) {
	const base = "http://127.0.0.1:8123"
	reg, err := crawl.LoadRegistry(bytes.NewReader(New().Registry(base + "/")))
	if err != nil {
		t.Fatal(err)
	}
	sites := map[string]bool{}
	for _, r := range Expected() {
		sites[r.Site] = true
	}
	if len(reg.Sites) != len(sites) {
		t.Errorf("registry has %d sites, the reports %d", len(reg.Sites), len(sites))
	}
	for _, s := range reg.Sites {
		r := find(Expected(), func(r Report) bool { return r.Site == s.Name })
		if r == nil || r.Agency != s.Agency {
			t.Errorf("site %s (%s) has no reports", s.Name, s.Agency)
			continue
		}
		if len(s.Start) != 1 || !strings.HasPrefix(s.Start[0], base+"/") || !slices.Equal(s.Hosts, []string{"127.0.0.1:8123"}) {
			t.Errorf("site %s: start %v, hosts %v", s.Name, s.Start, s.Hosts)
		}
	}
}

func TestHandler(t *testing.T) {
	s := New()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	get := func(p string, h ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
		for i := 0; i+1 < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get("/no/such/page.html"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %s", resp.Status)
	}
	for _, p := range []string{"/", "/robots.txt", "/cc/", "/canglan/"} {
		if resp := get(p); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s", p, resp.Status)
		}
	}
	r := Expected()[0]
	resp := get(r.Document)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("%s: %s, headers %v", r.Document, resp.Status, resp.Header)
	}
	if resp := get(r.Document, "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %s, want 304", resp.Status)
	}
}

// TestCrawlParseRevise runs the real crawler over the demo site, parses
// every document it fetched and checks them against Expected; then
// publishes the revision and crawls again.
func TestCrawlParseRevise(t *testing.T) {
	site := New()
	cnt := &counter{h: site.Handler(), bodies: map[string]int{}}
	srv := httptest.NewServer(cnt)
	defer srv.Close()
	reg, err := crawl.LoadRegistry(bytes.NewReader(site.Registry(srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := crawl.Config{
		Registry: reg, Dir: dir, Delay: -1, Parallel: 4, Timeout: 10 * time.Second,
		MaxRetries: -1, RetryBase: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	reps := Expected()
	// Every report page, and every PDF attachment, is a document.
	type want struct {
		r    *Report
		page bool // the report page of a PDF report
	}
	wants := map[string]want{}
	for i := range reps {
		r := &reps[i]
		wants[srv.URL+r.Document] = want{r: r}
		if r.Document != r.Page {
			wants[srv.URL+r.Page] = want{r: r, page: true}
		}
	}

	sum, err := crawl.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	t.Logf("first crawl: %d pages, %d reports, %d attachments, %d new, %d requests", sum.Pages, sum.Reports, sum.Attachments, sum.New, sum.Requests)
	nPDF := len(wants) - len(reps)
	if sum.New != len(wants) || sum.Reports != len(reps) || sum.Attachments != nPDF || sum.Changed != 0 || sum.Failed != 0 || sum.Blocked != 0 {
		t.Errorf("first crawl: %+v; want %d new documents (%d report pages, %d attachments), nothing failed", sum, len(wants), len(reps), nPDF)
	}
	docs, err := crawl.Documents(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range docs {
		w, ok := wants[d.URL]
		if !ok {
			t.Errorf("unexpected document %s (%s)", d.URL, d.Title)
			continue
		}
		seen[d.URL] = true
		r := w.r
		kind, pageURL := "report", ""
		if r.Format == "pdf" && !w.page {
			kind, pageURL = "attachment", srv.URL+r.Page
		}
		if d.Kind != kind || d.PageURL != pageURL || d.Title != r.Title || d.Year != r.Year || d.PublishDate != r.PublishDate ||
			d.Site != r.Site || d.Agency != r.Agency || d.Status != crawl.StatusNew || d.Revision != 1 {
			t.Errorf("%s: document %+v; want kind %s, page %q, title %s, year %d, published %s, site %s, new revision 1",
				d.URL, d, kind, pageURL, r.Title, r.Year, r.PublishDate, r.Site)
		}
		checkParse(t, dir, d, r, w.page, false)
	}
	for u := range wants {
		if !seen[u] {
			t.Errorf("document %s not found by the crawl", u)
		}
	}

	// Publish the revision: only the revised page comes back, as a new
	// revision; everything else is answered 304.
	site.Advance()
	cnt.reset()
	sum, err = crawl.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("second crawl: %v", err)
	}
	t.Logf("second crawl: %d pages, %d changed, %d unchanged, %d requests", sum.Pages, sum.Changed, sum.Unchanged, sum.Requests)
	if sum.New != 0 || sum.Changed != 1 || sum.Unchanged != len(wants)-1 || sum.Failed != 0 {
		t.Errorf("second crawl: %+v; want 1 changed, %d unchanged, nothing new or failed", sum, len(wants)-1)
	}
	rev := find(reps, func(r Report) bool { return r.Revised != nil })
	bodies := cnt.snapshot()
	delete(bodies, "/robots.txt")
	if len(bodies) != 1 || bodies[rev.Page] != 1 {
		t.Errorf("second crawl downloaded %v; want only %s, once", bodies, rev.Page)
	}
	docs, err = crawl.Documents(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var versions []crawl.Document
	for _, d := range docs {
		if d.URL == srv.URL+rev.Page {
			versions = append(versions, d)
		} else if d.Revision != 1 || d.Status != crawl.StatusUnchanged {
			t.Errorf("%s: revision %d, status %s after the second crawl; want 1, unchanged", d.URL, d.Revision, d.Status)
		}
	}
	if len(versions) != 2 || versions[0].Status != crawl.StatusSuperseded || versions[1].Status != crawl.StatusChanged ||
		versions[1].Revision != 2 || versions[0].SHA256 == versions[1].SHA256 || versions[1].PublishDate != rev.PublishDate {
		t.Fatalf("revised report: %+v; want revision 1 superseded, revision 2 changed", versions)
	}
	checkParse(t, dir, versions[0], rev, false, false)
	checkParse(t, dir, versions[1], rev, false, true)
}

// checkParse runs the pipeline on a crawled document and compares it with
// the report's expectations: for the page that links a PDF, no cells; for
// a readable report, every cell of testdata/<id>.json.
func checkParse(t *testing.T, dir string, d crawl.Document, r *Report, linkPage, v2 bool) {
	t.Helper()
	got := normalize.ProcessFile(context.Background(), crawl.ArchivePath(dir, d.SHA256))
	name := r.ID
	status, failing, count, cells := r.Status, r.FailingChecks, r.CellCount, r.Cells
	switch {
	case linkPage:
		name += " (page)"
		status, failing, count, cells = r.PageStatus, nil, 0, nil
	case v2:
		name += " (revision 2)"
		status, failing, count, cells = r.Revised.Status, r.Revised.FailingChecks, r.Revised.CellCount, r.Revised.Cells
	}
	if string(got.Status) != status {
		t.Errorf("%s: status %s, want %s (warnings %v)", name, got.Status, status, got.Warnings)
	}
	var fails []string
	for _, c := range got.Checks {
		if c.Status == normalize.CheckFail {
			fails = append(fails, c.ID)
		}
	}
	sort.Strings(fails)
	if !slices.Equal(fails, failing) {
		t.Errorf("%s: failing checks %v, want %v", name, fails, failing)
	}
	if len(got.Cells) != count {
		t.Errorf("%s: %d cells, want %d", name, len(got.Cells), count)
	}
	byKey := map[string]*float64{}
	for _, c := range got.Cells {
		byKey[c.Key()] = c.Value
	}
	for k, v := range cells {
		if g := byKey[k]; g == nil || *g != v {
			t.Errorf("%s: %s = %v, want %v", name, k, fmtPtr(g), v)
		}
	}
	if linkPage || status != "ok" {
		return
	}
	if got.Year != r.Year || got.Template != r.Template || got.Agency != r.Agency {
		t.Errorf("%s: year %d, template %s, agency %s; want %d, %s, %s", name, got.Year, got.Template, got.Agency, r.Year, r.Template, r.Agency)
	}
	file := r.ID + ".json"
	if v2 {
		file = r.ID + ".v2.json"
	}
	all := expectedCells(t, file)
	for k, v := range all {
		g, ok := byKey[k]
		if !ok || (g == nil) != (v == nil) || g != nil && *g != *v {
			t.Errorf("%s: %s = %s, want %s", name, k, fmtPtr(g), fmtPtr(v))
		}
	}
	for k := range byKey {
		if _, ok := all[k]; !ok {
			t.Errorf("%s: extra cell %s", name, k)
		}
	}
}

// expectedCells reads every printed cell of testdata/<name>.
func expectedCells(t *testing.T, name string) map[string]*float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Cells map[string]*float64 `json:"cells"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return e.Cells
}

// counter counts the 200 answers with a body the site sends, by path and
// query.
type counter struct {
	h      http.Handler
	mu     sync.Mutex
	bodies map[string]int
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	c.h.ServeHTTP(rec, r)
	if rec.code == http.StatusOK && r.Method == http.MethodGet {
		k := r.URL.Path
		if r.URL.RawQuery != "" {
			k += "?" + r.URL.RawQuery
		}
		c.mu.Lock()
		c.bodies[k]++
		c.mu.Unlock()
	}
}

func (c *counter) reset() {
	c.mu.Lock()
	c.bodies = map[string]int{}
	c.mu.Unlock()
}

func (c *counter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.bodies {
		out[k] = v
	}
	return out
}

type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func find(reps []Report, f func(Report) bool) *Report {
	for i := range reps {
		if f(reps[i]) {
			return &reps[i]
		}
	}
	return nil
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func fmtPtr(p *float64) string {
	if p == nil {
		return "blank"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}
