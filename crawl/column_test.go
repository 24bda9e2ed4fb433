package crawl

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLinkScore(t *testing.T) {
	u := func(p string) *url.URL { v, _ := url.Parse("http://x.gov.cn" + p); return v }
	for _, tc := range []struct {
		text, path string
		want       int // 0 none, 1 landing, 2 column
	}{
		{"政府信息公开年报", "/col/col123/index.html", 2},
		{"政府信息\n公开年报", "/a/", 2}, // a <br> in the anchor
		{"政府信息公开工作年度报告", "/zfxxgk/zfxxgknb/", 2},
		{"年 报", "/gk/nb/", 2},
		{"政务公开", "/zwgk/", 1},
		{"政府信息公开", "/x/", 1},
		{"政府网站工作年度报表", "/zwgk/ndbb/", 0},
		{"政府工作报告", "/zwgk/gzbg/", 0},
		{"2023年政府信息公开工作年度报告", "/zwgk/nb/1.html", 0}, // a report, not the column
		{"首页", "/", 0},
	} {
		s := linkScore(tc.text, u(tc.path))
		got := 0
		switch {
		case s >= 10:
			got = 2
		case s > 0:
			got = 1
		}
		if got != tc.want {
			t.Errorf("%q %s: score %d", tc.text, tc.path, s)
		}
	}
}

// portalSite serves a county portal that names only its home page: a
// landing under 政务公开, the 年报 column behind a link split by <br>, and
// the decoys beside it (政府网站工作年度报表 with reports of its own kind,
// 政府工作报告), which must be neither taken nor crawled.
func portalSite(f *fixture) {
	f.html("/", `<html><head><title>某县人民政府</title></head><body>
<a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zwdt/">政务动态</a> <a href="/zfgzbg/">政府工作报告</a></body></html>`)
	f.html("/zwgk/", `<html><head><title>政务公开</title></head><body>
<a href="/zwgk/ndbb/">政府网站工作<br>年度报表</a> <a href="/col/col4521/index.html">政府信息<br>公开年报</a> <a href="/zwgk/tzgg/">通知公告</a></body></html>`)
	f.html("/zwgk/ndbb/", listPage("政府网站工作年度报表", [][2]string{{"/zwgk/ndbb/2023.html", "某县2023年政府网站工作年度报表"}}, ""))
	f.html("/zfgzbg/", listPage("政府工作报告", [][2]string{{"/zfgzbg/2023.html", "2023年某县政府工作报告"}}, ""))
	f.html("/col/col4521/index.html", strings.Replace(listPage("政府信息公开年报", [][2]string{
		{"/col/col4521/art_2024_1.html", "某县2023年政府信息公开工作年度报告"},
		{"/col/col4521/art_2023_1.html", "某县2022年政府信息公开工作年度报告"},
	}, ""), "<head>", `<head><meta name="ColumnName" content="政府信息公开年报">`, 1))
	for y, p := range map[int]string{2023: "/col/col4521/art_2024_1.html", 2022: "/col/col4521/art_2023_1.html"} {
		f.html(p, reportPage(fmt.Sprintf("某县%d年政府信息公开工作年度报告", y), fmt.Sprintf("%d-03-01", y+1), "<table><tr><td>本年新收</td></tr></table>"))
	}
}

func TestDiscoverColumn(t *testing.T) {
	f := newFixture(t)
	portalSite(f)
	dir := t.TempDir()
	site := f.site("portal", "/")
	site.Discover = true
	cfg := testConfig(t, dir, site)
	if sum := mustRun(t, cfg); sum.Reports != 2 {
		t.Errorf("first run: %d reports, want 2: %+v", sum.Reports, sum)
	}
	for _, decoy := range []string{"/zwgk/ndbb/", "/zwgk/ndbb/2023.html", "/zfgzbg/", "/zfgzbg/2023.html"} {
		if n := f.hitsOf(decoy); n != 0 {
			t.Errorf("decoy %s fetched %d times", decoy, n)
		}
	}
	st, err := openState(t.Context(), StatePath(dir), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := st.rememberedColumns(t.Context(), "portal")
	st.Close()
	if err != nil || len(cols) != 1 || cols[0].URL != f.url("/col/col4521/index.html") || !strings.Contains(cols[0].How, "meta") || !strings.Contains(cols[0].How, "list") {
		t.Fatalf("remembered columns %+v, %v", cols, err)
	}
	// The next run starts at the column it remembers: no walk from home.
	f.resetCounts()
	mustRun(t, cfg)
	if n := f.hitsOf("/zwgk/"); n != 0 {
		t.Errorf("second run walked the landing again (%d requests)", n)
	}
	if n := f.hitsOf("/col/col4521/index.html"); n != 1 {
		t.Errorf("second run fetched the column %d times, want 1", n)
	}
}

// TestDiscoverAgainWhenBarren checks that a remembered column under which
// the crawl holds no report is looked for again.
func TestDiscoverAgainWhenBarren(t *testing.T) {
	f := newFixture(t)
	portalSite(f)
	dir := t.TempDir()
	st, err := openState(t.Context(), StatePath(dir), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.rememberColumns(t.Context(), "portal", []column{{URL: f.url("/old/nb/"), How: "meta", Confidence: 1}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	site := f.site("portal", "/")
	site.Discover = true
	if sum := mustRun(t, testConfig(t, dir, site)); sum.Reports != 2 {
		t.Errorf("%d reports, want 2 from the column found again", sum.Reports)
	}
	if n := f.hitsOf("/old/nb/"); n != 0 {
		t.Errorf("the barren column was crawled (%d requests)", n)
	}
}

// TestHealth checks the health report of a discovered portal, of a site
// that does not answer and of one never crawled.
func TestHealth(t *testing.T) {
	f := newFixture(t)
	portalSite(f)
	dir := t.TempDir()
	portal := f.site("portal", "/")
	portal.Discover, portal.Level, portal.Code = true, "county", "320813"
	dead := Site{Name: "dead", Agency: "某局", Start: []string{"http://127.0.0.1:1/nb/"}, Hosts: []string{"127.0.0.1:1"}}
	mustRun(t, testConfig(t, dir, portal, dead))
	never := Site{Name: "never", Agency: "某办", Start: []string{f.url("/x/")}, Hosts: []string{f.host()}}
	hs, err := Health(t.Context(), dir, &Registry{Sites: []Site{portal, dead, never}})
	if err != nil {
		t.Fatal(err)
	}
	p, d, n := hs[0], hs[1], hs[2]
	if !p.Reachable || p.Column != f.url("/col/col4521/index.html") || p.ColumnHow != "meta+list" || p.Reports != 2 ||
		p.ReportsByYear[2023] != 1 || p.ReportsByYear[2022] != 1 || p.LastFinished.IsZero() || p.Code != "320813" {
		t.Errorf("portal: %+v", p)
	}
	if d.Reachable || d.Reports != 0 || d.LastError == "" || d.ColumnHow != "given" {
		t.Errorf("dead site: %+v", d)
	}
	if n.Reachable || !n.LastFinished.IsZero() || n.Reports != 0 {
		t.Errorf("never crawled: %+v", n)
	}
}

// TestDiscoverAgainWhenMoved checks that a remembered column that no
// longer answers (the site redesigned) is looked for again.
func TestDiscoverAgainWhenMoved(t *testing.T) {
	f := newFixture(t)
	portalSite(f)
	dir := t.TempDir()
	site := f.site("portal", "/")
	site.Discover = true
	cfg := testConfig(t, dir, site)
	mustRun(t, cfg)
	// The column moves; its old URL is a 404.
	old := "/col/col4521/index.html"
	body := strings.Replace(listPage("政府信息公开年报", [][2]string{{"/col/col4521/art_2024_1.html", "某县2023年政府信息公开工作年度报告"}}, ""),
		"<head>", `<head><meta name="ColumnName" content="政府信息公开年报">`, 1)
	f.html("/xxgk/nb/", body)
	f.html("/zwgk/", `<html><head><title>政务公开</title></head><body><a href="/xxgk/nb/">政府信息公开年报</a></body></html>`)
	f.handle(old, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mustRun(t, cfg) // the old column fails: noted in the state
	f.resetCounts()
	mustRun(t, cfg)
	if n := f.hitsOf("/xxgk/nb/"); n == 0 {
		t.Error("the moved column was not found again")
	}
	st, _ := openState(t.Context(), StatePath(dir), false, 0)
	defer st.Close()
	cols, _ := st.rememberedColumns(t.Context(), "portal")
	if len(cols) != 1 || cols[0].URL != f.url("/xxgk/nb/") {
		t.Errorf("remembered %+v", cols)
	}
}
