package main

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/opengov-cn/nianbao/output"
)

var artefacts = flag.String("artefacts", "", "directory for the site test's screenshots (default: the test's temporary directory)")

// chromium is the browser the site test drives: $CHROME, else the first
// of the usual names on $PATH.
func chromium() string {
	if p := os.Getenv("CHROME"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless browser and collects what its pages write to
// the console.
func browser(t *testing.T) (ctx context.Context, console func() []string) {
	t.Helper()
	path := chromium()
	if path == "" {
		t.Skip("no chromium on $PATH (nor $CHROME): install it (apt-get install chromium) to run the site's browser test")
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(1400, 1000)}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // chromium refuses root without it
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	var mu sync.Mutex
	var msgs []string
	if err := chromedp.Do(ctx); err != nil { // start the browser
		cancelT()
		cancelB()
		cancelA()
		t.Fatalf("starting %s: %v", path, err)
	}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == "error" || m.IsException() || m.Type == "warning" {
				mu.Lock()
				msgs = append(msgs, m.String())
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelT()
		cancelB()
		cancelA()
		<-done
	})
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(msgs)
	}
}

func artefactDir(t *testing.T) string {
	if *artefacts == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(*artefacts, 0o777); err != nil {
		t.Fatal(err)
	}
	return *artefacts
}

// pageCell is a cell of a report page as the browser shows it.
type pageCell struct {
	Key   string  `json:"key"`
	Text  string  `json:"text"`
	Value *string `json:"value"`
	Blank bool    `json:"blank"`
	Bad   bool    `json:"bad"`
}

const readCells = `Array.from(document.querySelectorAll("td.cell:not(.absent)")).map(td => {
	const raw = td.querySelector(".raw");
	return {key: td.dataset.key, text: raw ? raw.textContent : "", value: td.hasAttribute("data-value") ? td.dataset.value : null,
		blank: td.classList.contains("blank"), bad: td.classList.contains("bad")};
})`

// TestSiteBrowser opens the demo's site in a headless browser: the index
// shows every agency; a click on a report with a failing identity shows
// its cells highlighted and the identity's two sides; the numbers of an
// HTML, a PDF and a 2019-template report are those of cells.parquet; and
// no page writes an error to the console.
func TestSiteBrowser(t *testing.T) {
	ctx, console := browser(t)
	dataset, site := demoSite(t)
	out := artefactDir(t)
	reports := readReports(t, dataset)
	cells := readAll[output.CellRow](t, dataset, output.CellsDir)
	checks := readAll[output.CheckRow](t, dataset, output.ChecksDir)
	url := func(rel string) string { return "file://" + filepath.ToSlash(filepath.Join(site, rel)) }

	// The index: every agency of a current report is a row of the grid.
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(url("index.html")), chromedp.WaitVisible("#grid tbody tr")); err != nil {
		t.Fatalf("index: %v", err)
	}
	t.Logf("index shown in %v", time.Since(start))
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#grid th.a a")).map(a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	agencies := 0
	for _, r := range reports {
		if r.IsCurrent && r.Agency != nil {
			agencies++
			if !slices.Contains(names, *r.Agency) {
				t.Errorf("index: agency %s (report %s) not in the grid %q", *r.Agency, r.ReportID, names)
			}
		}
	}
	if agencies == 0 {
		t.Fatal("the demo dataset has no agency")
	}
	shot(t, ctx, filepath.Join(out, "index.png"))

	// The filters and the search box narrow the grid.
	type narrowed struct {
		Rows int `json:"rows"`
		Hits int `json:"hits"`
	}
	filter := func(id, value, hit string) narrowed {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const e = document.getElementById(`+strconv.Quote(id)+`);
			e.value = `+strconv.Quote(value)+`; e.dispatchEvent(new Event(e.tagName === "INPUT" ? "input" : "change")); return 0; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Sleep(400*time.Millisecond)); err != nil { // the search waits for typing to pause
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[narrowed](`(() => { const rows = Array.from(document.querySelectorAll("#grid tbody tr"));
			return {rows: rows.length, hits: rows.filter(tr => tr.querySelector(`+strconv.Quote(hit)+`)).length}; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const e = document.getElementById(`+strconv.Quote(id)+`);
			e.value = ""; e.dispatchEvent(new Event(e.tagName === "INPUT" ? "input" : "change")); return 0; })()`)); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if n := filter("f-status", "identities_failed", "td.st-identities_failed"); n.Rows == 0 || n.Rows != n.Hits || n.Rows == len(names) {
		t.Errorf("status filter: %d rows, %d with a failing report, of %d agencies", n.Rows, n.Hits, len(names))
	}
	needle := []rune(names[len(names)-1])
	q := string(needle[len(needle)-3:])
	want := 0
	for _, n := range names {
		if strings.Contains(n, q) {
			want++
		}
	}
	if n := filter("f-search", q, "th.a"); n.Rows != want {
		t.Errorf("search %q: %d rows; %d agencies have it in their name", q, n.Rows, want)
	}

	// A click on a report whose identity fails.
	if err := chromedp.Do(ctx, chromedp.Click(`#grid a[data-status="identities_failed"]`), chromedp.WaitVisible("#identities")); err != nil {
		t.Fatalf("clicking a failing report: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSuffix(filepath.Base(loc), ".html")
	type side struct {
		ID  string `json:"id"`
		LHS string `json:"lhs"`
		RHS string `json:"rhs"`
	}
	sides, err := chromedp.Run(ctx, chromedp.Evaluate[[]side](`Array.from(document.querySelectorAll("table.failing tbody tr")).map(tr => ({
		id: tr.querySelector("code").textContent, lhs: tr.querySelector(".lhs").textContent, rhs: tr.querySelector(".rhs").textContent}))`))
	if err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageCell](readCells))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]bool{}
	for _, c := range shown {
		if c.Bad {
			bad[c.Key] = true
		}
	}
	failing := 0
	for _, c := range checks {
		if c.ReportID != id || c.Status != "fail" || strings.HasPrefix(c.CheckID, "x.") {
			continue
		}
		failing++
		i := slices.IndexFunc(sides, func(s side) bool { return s.ID == c.CheckID })
		if i < 0 {
			t.Errorf("report %s: failing check %s not listed (%v)", id, c.CheckID, sides)
			continue
		}
		if sides[i].LHS != fnum(c.LHS) || sides[i].RHS != fnum(c.RHS) {
			t.Errorf("report %s: %s shows %s and %s; the dataset has %s and %s", id, c.CheckID, sides[i].LHS, sides[i].RHS, fnum(c.LHS), fnum(c.RHS))
		}
		for _, k := range c.CellKeys {
			if !bad[k] {
				t.Errorf("report %s: cell %s of failing %s not highlighted", id, k, c.CheckID)
			}
		}
	}
	if failing == 0 {
		t.Errorf("report %s, reached by clicking a failing report, has no failing identity", id)
	}
	// A click on a highlighted cell shows where it was printed.
	where, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const td = document.querySelector("td.cell.bad"); td.click();
		const b = td.dataset.box !== undefined ? document.getElementById("b" + td.dataset.box) : document.getElementById("L" + td.dataset.line);
		return b && b.classList.contains("sel") ? document.getElementById("where").textContent : ""; })()`))
	if err != nil || where == "" {
		t.Errorf("report %s: clicking a highlighted cell shows no place in the source (%v)", id, err)
	}
	shot(t, ctx, filepath.Join(out, "report.png"))

	// The numbers of an HTML, a PDF and a 2019-template report.
	byReport := map[string][]output.CellRow{}
	for _, c := range cells {
		byReport[c.ReportID] = append(byReport[c.ReportID], c)
	}
	picked := map[string]string{}
	for _, r := range reports {
		if len(byReport[r.ReportID]) == 0 {
			continue
		}
		for _, kind := range []string{"html", "pdf", "2019"} {
			if picked[kind] == "" && (r.Format == kind || r.Template == kind) && !slices.Contains(mapValues(picked), r.ReportID) {
				picked[kind] = r.ReportID
				break
			}
		}
	}
	for _, kind := range []string{"html", "pdf", "2019"} {
		rid := picked[kind]
		if rid == "" {
			t.Errorf("the demo dataset has no %s report with cells", kind)
			continue
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(url("r/"+rid+".html")), chromedp.WaitVisible("#identities")); err != nil {
			t.Fatalf("report %s: %v", rid, err)
		}
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageCell](readCells))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]pageCell{}
		for _, c := range shown {
			got[c.Key] = c
		}
		for _, c := range byReport[rid] {
			p, ok := got[c.Key]
			switch {
			case !ok:
				t.Errorf("%s report %s: cell %s not on the page", kind, rid, c.Key)
			case c.Value == nil && (p.Value != nil || p.Text != c.Raw):
				t.Errorf("%s report %s: %s shows %q (value %v); the dataset has %q and no value", kind, rid, c.Key, p.Text, p.Value, c.Raw)
			case c.Value == nil && c.Raw == "" && !p.Blank:
				t.Errorf("%s report %s: blank cell %s not shown as blank", kind, rid, c.Key)
			case c.Value != nil && (p.Value == nil || *p.Value != fnum(c.Value) || p.Text != c.Raw):
				t.Errorf("%s report %s: %s shows %q (value %v); the dataset has %q = %v", kind, rid, c.Key, p.Text, p.Value, c.Raw, *c.Value)
			}
		}
		t.Logf("%s report %s: %d cells compared", kind, rid, len(byReport[rid]))
		if len(shown) != len(byReport[rid]) {
			t.Errorf("%s report %s: %d cells on the page, %d in the dataset", kind, rid, len(shown), len(byReport[rid]))
		}
		if kind == "html" {
			// A click on a cell marks its value in the source line, scrolled
			// into the source panel's view.
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const tds = document.querySelectorAll("td.cell[data-mark]");
				const td = tds[Math.floor(tds.length * 2 / 3)]; td.click();
				const m = document.getElementById("m" + td.dataset.mark), a = document.getElementById("source");
				const r = m.getBoundingClientRect(), b = a.getBoundingClientRect();
				const seen = m.classList.contains("sel") && r.top >= b.top && r.bottom <= b.bottom;
				return seen ? m.textContent + "=" + td.querySelector(".raw").textContent.trim() : ""; })()`))
			if a, b, _ := strings.Cut(got, "="); err != nil || got == "" || a != b {
				t.Errorf("html report %s: clicking a cell marks %q in view in its source line (%v)", rid, got, err)
			}
		}
		if kind == "pdf" {
			// A click on a cell marks its box on the drawn page.
			sel, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const td = document.querySelector("td.cell[data-box]"); td.click();
				const r = document.getElementById("b" + td.dataset.box); return r && r.classList.contains("sel") ? r.dataset.key : ""; })()`))
			if err != nil || sel == "" {
				t.Errorf("pdf report %s: clicking a cell marks no box (%v)", rid, err)
			}
		}
	}
	for _, m := range console() {
		t.Errorf("console: %s", m)
	}
	t.Logf("screenshots in %s", out)
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func fnum(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func shot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, b, 0o666); err != nil {
		t.Fatal(err)
	}
}

var loadSite = flag.String("loadsite", "", "TestSiteIndexLoad: the site whose index to time (e.g. one BenchmarkGenerate -benchsite kept)")

// TestSiteIndexLoad times the index of a large site (given by -loadsite)
// from navigation to its counts shown, then a province's grid: each must
// take under a second.
func TestSiteIndexLoad(t *testing.T) {
	if *loadSite == "" {
		t.Skip("no -loadsite: give a site, e.g. one written by BenchmarkGenerate -benchsite DIR")
	}
	ctx, console := browser(t)
	abs, err := filepath.Abs(*loadSite)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.ToSlash(filepath.Join(abs, "index.html"))), chromedp.WaitVisible("#counts table")); err != nil {
		t.Fatal(err)
	}
	index := time.Since(start)
	province, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#f-province option:nth-child(2)").value`))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	js := `(() => { const s = document.getElementById("f-province"); s.value = ` + strconv.Quote(province) + `; s.dispatchEvent(new Event("change")); })()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](js)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible("#grid tbody tr")); err != nil {
		t.Fatal(err)
	}
	grid := time.Since(start)
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.renderMs || ""`))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := strconv.Atoi(ms); err == nil {
		grid = time.Duration(n) * time.Millisecond // the page's own measure, without the test's polling
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#grid tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("index shown in %v; province %s (%d agencies) in %v", index, province, rows, grid)
	if index > time.Second || grid > time.Second {
		t.Errorf("index %v, province grid %v; want each under a second", index, grid)
	}
	shot(t, ctx, filepath.Join(artefactDir(t), "index-large.png"))
	// A search over all provinces loads every shard: it may take longer,
	// and says how long.
	js = `(() => { const p = document.getElementById("f-province"); p.value = ""; const s = document.getElementById("f-search");
		s.value = "1"; document.body.dataset.renderMs = ""; s.dispatchEvent(new Event("input")); return 0; })()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](js)); err != nil {
		t.Fatal(err)
	}
	if ms, err := chromedp.Run(ctx, chromedp.Poll[string](`document.body.dataset.renderMs`)); err == nil {
		t.Logf("a search over every province drawn in %s ms", ms)
	}
	for _, m := range console() {
		t.Errorf("console: %s", m)
	}
}
