package crawl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A hostsFixture answers many host names from one loopback server: the
// crawler's transport dials the server whatever the host, and the server
// routes on Host and path.
type hostsFixture struct {
	srv    *httptest.Server
	mu     sync.Mutex
	routes map[string]string // host+path → HTML
	hits   map[string]int    // host+path?query → requests
}

func newHostsFixture(t *testing.T) *hostsFixture {
	f := &hostsFixture{routes: map[string]string{}, hits: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits[r.Host+key(r)]++
		body, ok := f.routes[r.Host+r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *hostsFixture) html(hostPath, body string) {
	f.mu.Lock()
	f.routes[hostPath] = body
	f.mu.Unlock()
}

func (f *hostsFixture) transport() *http.Transport {
	addr := f.srv.Listener.Addr().String()
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
}

// hitsWith counts the requests whose host+path?query contains s.
func (f *hostsFixture) hitsWith(s string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, v := range f.hits {
		if strings.Contains(k, s) {
			n += v
		}
	}
	return n
}

func (f *hostsFixture) hitsOf(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[k]
}

func (f *hostsFixture) resetCounts() {
	f.mu.Lock()
	f.hits = map[string]int{}
	f.mu.Unlock()
}

// A body of the county's, with the sub-column that lists its reports.
type countyBody struct {
	name   string // as the page of sub-columns links it
	full   string // as its reports print it
	link   string // the link on the page of sub-columns
	column string // its 年报 list (host+path)
}

// The bodies of 清河县 (a fictional county): five departments with
// columns on the portal, two of them paged by TRS script, one linked by
// the department's 信息公开 home whose 年报 link leads to it, and three
// townships on the county's platform keyed by division code
// (xxgk.qh.gov.cn/{code}/…, Beijing's shape), linked by their
// 信息公开 homes, which the crawl never needs.
var countyBodies = []countyBody{
	{"县公安局", "清河县公安局", "/zwgk/bmnb/gaj/", "www.qh.gov.cn/zwgk/bmnb/gaj/"},
	{"县教育局", "清河县教育局", "/bm/jyj/index.html", "www.qh.gov.cn/col/col2201/index.html"}, // linked by its home
	{"县财政局", "清河县财政局", "/zwgk/bmnb/czj/index.html", "www.qh.gov.cn/zwgk/bmnb/czj/index.html"},
	{"县卫生健康委员会", "清河县卫生健康委员会", "/zwgk/bmnb/wjw/", "www.qh.gov.cn/zwgk/bmnb/wjw/"},
	{"县市场监督管理局", "清河县市场监督管理局", "/zwgk/bmnb/scjg/", "www.qh.gov.cn/zwgk/bmnb/scjg/"},
	{"城关镇", "清河县城关镇人民政府", "http://xxgk.qh.gov.cn/331122101/index.shtml", "xxgk.qh.gov.cn/331122101/zfxxgknb/list.shtml"},
	{"东山乡", "清河县东山乡人民政府", "http://xxgk.qh.gov.cn/331122201/index.shtml", "xxgk.qh.gov.cn/331122201/zfxxgknb/list.shtml"},
	{"西坪街道", "清河县西坪街道办事处", "http://xxgk.qh.gov.cn/331122003/index.shtml", "xxgk.qh.gov.cn/331122003/zfxxgknb/list.shtml"},
}

// countyPortal serves 清河县's portal, www.qh.gov.cn: a 政务公开 landing;
// the county's own 年报 column on its platform host xxgk.qh.gov.cn; a
// page of sub-columns (部门年报, linked with a <br>) with five
// departments and three townships, each listing reports for two years;
// and decoys on every page: 政府网站工作年度报表, 政府工作报告, calendars
// with ?date= links (one named like a township), and a neighbouring
// county's column and department on a domain of its own.
func countyPortal(f *hostsFixture) {
	const www, xxgk = "www.qh.gov.cn", "xxgk.qh.gov.cn"
	f.html(www+"/", `<html><head><title>清河县人民政府</title></head><body>
<a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zfgzbg/">政府工作报告</a> <a href="/hd/?date=2024-03-01">活动日历</a>
<a href="http://www.lx.gov.cn/zfxxgknb/">邻县政府信息公开年报</a></body></html>`)
	f.html(www+"/zwgk/", `<html><head><title>政务公开</title></head><body>
<a href="http://xxgk.qh.gov.cn/nb/">政府信息<br>公开年报</a> <a href="/zwgk/bmnb/">部门<br>年报</a>
<a href="/zwgk/ndbb/">政府网站工作<br>年度报表</a> <a href="/zwgk/rl/?date=2024-03-01">3月1日</a></body></html>`)
	f.html(www+"/zfgzbg/", listPage("政府工作报告", [][2]string{{"/zfgzbg/2023.html", "2023年清河县政府工作报告"}}, ""))
	f.html(www+"/zwgk/ndbb/", listPage("政府网站工作年度报表", [][2]string{{"/zwgk/ndbb/2023.html", "清河县2023年政府网站工作年度报表"}}, ""))
	f.html(xxgk+"/nb/", listPage("政府信息公开年报", [][2]string{
		{"/nb/2024/t1.shtml", "清河县2023年政府信息公开工作年度报告"},
		{"/nb/2023/t1.shtml", "清河县2022年政府信息公开工作年度报告"},
	}, ""))
	for y := 2022; y <= 2023; y++ {
		title := fmt.Sprintf("清河县%d年政府信息公开工作年度报告", y)
		f.html(fmt.Sprintf("%s/nb/%d/t1.shtml", xxgk, y+1), reportPage(title, fmt.Sprintf("%d-01-20", y+1), reportTable))
	}

	var index strings.Builder
	index.WriteString(`<html><head><meta name="ColumnName" content="部门年报"><title>部门年报_清河县人民政府</title></head><body>
<a href="/">首页</a> <a href="/zwgk/">返回</a> <h2>县直部门</h2><ul>`)
	for i, b := range countyBodies {
		if i == 5 {
			index.WriteString(`</ul><h2>乡镇（街道）</h2><ul>`)
		}
		fmt.Fprintf(&index, `<li><a href="%s">%s</a></li>`, b.link, b.name)
		col := b.column[strings.Index(b.column, "/"):]
		dir := col[:strings.LastIndex(col, "/")+1]
		host := b.column[:strings.Index(b.column, "/")]
		var links [][2]string
		for y := 2022; y <= 2023; y++ {
			href := fmt.Sprintf("%s%d/t%d.shtml", dir, y+1, i)
			title := fmt.Sprintf("%s%d年政府信息公开工作年度报告", b.full, y)
			links = append(links, [2]string{href, title})
			f.html(host+href, reportPage(title, fmt.Sprintf("%d-01-25", y+1), reportTable))
		}
		if strings.HasSuffix(col, "index.html") { // TRS: the year before on index_1.html
			f.html(host+col, listPage(b.name+"信息公开年报", links[1:], `<script>createPageHTML(2, 0, "index", "html");</script>`))
			f.html(host+dir+"index_1.html", listPage(b.name+"信息公开年报", links[:1], ""))
		} else {
			f.html(host+col, listPage(b.name+"信息公开年报", links, ""))
		}
	}
	index.WriteString(`</ul><p>
<a href="/zwgk/bmnb/ndbb/">政府网站工作年度报表</a> <a href="/zwgk/bmnb/gzbg/">政府工作报告</a>
<a href="/zwgk/bmnb/rl/?date=2024-03">2024年3月</a> <a href="http://xxgk.qh.gov.cn/331122101/index.shtml?date=2024-03-01">城关镇</a>
<a href="http://www.lx.gov.cn/bm/gaj/">邻县公安局</a></p></body></html>`)
	f.html(www+"/zwgk/bmnb/", index.String())
	f.html(www+"/zwgk/bmnb/ndbb/", listPage("政府网站工作年度报表", [][2]string{{"/zwgk/bmnb/ndbb/2023.html", "清河县2023年政府网站工作年度报表"}}, ""))
	f.html(www+"/zwgk/bmnb/gzbg/", listPage("政府工作报告", [][2]string{{"/zwgk/bmnb/gzbg/2023.html", "2023年清河县政府工作报告"}}, ""))
	f.html(www+"/bm/jyj/index.html", `<html><head><title>县教育局政府信息公开</title></head><body>
<a href="/bm/jyj/tzgg/">通知公告</a> <a href="/bm/jyj/ndbb/">政府网站工作年度报表</a> <a href="/col/col2201/index.html">政府信息公开<br>年报</a></body></html>`)
	for _, b := range countyBodies[5:] {
		u, _ := url.Parse(b.link)
		f.html(u.Host+u.Path, listPage(b.name+"政府信息公开", nil, ""))
	}
	// The neighbouring county's pages, which must never be asked for.
	f.html("www.lx.gov.cn/zfxxgknb/", listPage("政府信息公开年报", [][2]string{{"/zfxxgknb/1.html", "邻县2023年政府信息公开工作年度报告"}}, ""))
	f.html("www.lx.gov.cn/bm/gaj/", listPage("邻县公安局", [][2]string{{"/bm/gaj/1.html", "邻县公安局2023年政府信息公开工作年度报告"}}, ""))
}

// TestDiscoverSubColumns crawls a county portal whose departments and
// townships list their reports in sub-columns, some on the county's
// platform host: every column is found, no decoy is fetched, and every
// report is attributed to the sub-column that listed it.
func TestDiscoverSubColumns(t *testing.T) {
	f := newHostsFixture(t)
	countyPortal(f)
	dir := t.TempDir()
	site := Site{Name: "qh.gov.cn", Agency: "清河县人民政府", Start: []string{"http://www.qh.gov.cn/"},
		Hosts: []string{"www.qh.gov.cn", "qh.gov.cn"}, Discover: true}
	cfg := testConfig(t, dir, site)
	cfg.Transport = f.transport()
	sum := mustRun(t, cfg)
	if want := 2 + 2*len(countyBodies); sum.Reports != want {
		t.Errorf("%d reports, want %d: %+v", sum.Reports, want, sum)
	}
	if sum.SitesReachable != 1 {
		t.Errorf("%d sites reachable, want the one (sub-columns are not sites): %+v", sum.SitesReachable, sum)
	}
	// The platform host is a host of its own: its robots.txt read once,
	// for the site and every sub-column's run alike.
	for _, h := range []string{"www.qh.gov.cn", "xxgk.qh.gov.cn"} {
		if n := f.hitsOf(h + "/robots.txt"); n != 1 {
			t.Errorf("%s/robots.txt asked for %d times, want once", h, n)
		}
	}
	decoys := []string{"www.lx.gov.cn", "/zfgzbg/", "/ndbb/", "/gzbg/", "date=", "/index.shtml"}
	for _, d := range decoys {
		if n := f.hitsWith(d); n != 0 {
			t.Errorf("decoy %s asked for %d times", d, n)
		}
	}

	want := map[string]string{} // report URL → listed
	for y := 2022; y <= 2023; y++ {
		want[fmt.Sprintf("http://xxgk.qh.gov.cn/nb/%d/t1.shtml", y+1)] = ""
	}
	for i, b := range countyBodies {
		col := b.column
		dir := col[:strings.LastIndex(col, "/")+1]
		for y := 2022; y <= 2023; y++ {
			want[fmt.Sprintf("http://%s%d/t%d.shtml", dir, y+1, i)] = b.name
		}
	}
	docs := mustDocuments(t, dir)
	for u, listed := range want {
		ds := docs[u]
		if len(ds) != 1 {
			t.Errorf("%s: %d documents, want 1", u, len(ds))
			continue
		}
		d := ds[0]
		if d.Listed != listed || d.Site != site.Name || d.Agency != site.Agency || d.Kind != kindReport {
			t.Errorf("%s: site %q agency %q listed %q kind %s; want listed %q", u, d.Site, d.Agency, d.Listed, d.Kind, listed)
		}
		if listed != "" && !strings.Contains(d.Title, strings.TrimPrefix(listed, "县")) {
			t.Errorf("%s: title %q is not the report of %s", u, d.Title, listed)
		}
	}
	for u := range docs {
		if _, ok := want[u]; !ok {
			t.Errorf("unexpected document %s", u)
		}
	}

	st, err := openState(t.Context(), StatePath(dir), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := st.rememberedColumns(t.Context(), site.Name)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.Listed+" "+strings.TrimPrefix(c.URL, "http://")+" "+c.How)
	}
	wantCols := []string{" xxgk.qh.gov.cn/nb/ list"}
	for _, b := range countyBodies {
		how := "sub"
		if strings.HasPrefix(b.column, "xxgk.") {
			how = "platform"
		}
		wantCols = append(wantCols, b.name+" "+b.column+" "+how)
	}
	slices.Sort(got)
	slices.Sort(wantCols)
	if !slices.Equal(got, wantCols) {
		t.Errorf("remembered columns\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantCols, "\n"))
	}

	hs, err := Health(t.Context(), dir, &Registry{Sites: []Site{site}})
	if err != nil || len(hs) != 1 || hs[0].Reports != 2+2*len(countyBodies) || hs[0].Column != "http://xxgk.qh.gov.cn/nb/" {
		t.Errorf("health %+v, %v; want the own column and all %d reports", hs, err, 2+2*len(countyBodies))
	}

	// The next run starts at the columns it remembers, the sibling host
	// admitted again: no walk from home, nothing lost.
	f.resetCounts()
	if sum := mustRun(t, cfg); sum.Reports != 2+2*len(countyBodies) {
		t.Errorf("second run: %d reports: %+v", sum.Reports, sum)
	}
	for _, p := range []string{"www.qh.gov.cn/", "www.qh.gov.cn/zwgk/", "www.qh.gov.cn/zwgk/bmnb/"} {
		if n := f.hitsOf(p); n != 0 {
			t.Errorf("second run walked %s again (%d)", p, n)
		}
	}
	if n := f.hitsWith("xxgk.qh.gov.cn/331122003/zfxxgknb/list.shtml"); n != 1 {
		t.Errorf("second run asked for a township's column %d times, want 1", n)
	}
}

func TestSiblingHost(t *testing.T) {
	u := func(s string) *url.URL { v, _ := url.Parse(s); return v }
	for _, tc := range []struct {
		home, link string
		want       bool
	}{
		{"http://www.hefei.gov.cn/", "http://xxgk.hefei.gov.cn/nb/", true},
		{"http://www.hefei.gov.cn/", "https://zfxxgk.hefei.gov.cn/x", true},
		{"http://hefei.gov.cn/", "http://a.b.hefei.gov.cn/", true},
		{"http://www.hefei.gov.cn:8080/", "http://xxgk.hefei.gov.cn/", true},
		{"http://www.hefei.gov.cn/", "http://www.anhui.gov.cn/", false},
		{"http://www.hefei.gov.cn/", "http://xhefei.gov.cn/", false},
		{"http://www.hefei.gov.cn/", "http://hefei.gov.cn.evil.com/", false},
		{"http://www.hefei.gov.cn/", "ftp://xxgk.hefei.gov.cn/", false},
		{"http://fx.hefei.gov.cn/", "http://xxgk.fx.hefei.gov.cn/", true},
		{"http://fx.hefei.gov.cn/", "http://www.hefei.gov.cn/", false},
		{"http://fx.hefei.gov.cn/", "http://fy.hefei.gov.cn/", false},
		{"http://www.gov.cn/", "http://xxgk.beijing.gov.cn/", false}, // gov.cn is no government's own domain
		{"http://www.example.com/", "http://xxgk.example.com/", false},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:9090/", false},
	} {
		if got := siblingHost(u(tc.home), u(tc.link)); got != tc.want {
			t.Errorf("siblingHost(%s, %s) = %v, want %v", tc.home, tc.link, got, tc.want)
		}
	}
}

func TestSubColumnNames(t *testing.T) {
	for s, want := range map[string]bool{
		"部门年报": true, "部门\n年报": true, "乡镇年报": true, "镇（街道）信息公开年报": true, "县直单位政府信息公开年报": true,
		"政府信息公开年报": false, "政府网站工作年度报表": false, "2023年部门年报": false, "政府工作报告": false,
	} {
		if got := isSubIndexName(s); got != want {
			t.Errorf("isSubIndexName(%q) = %v", s, got)
		}
	}
	for s, want := range map[string]bool{
		"县公安局": true, "县卫生健康委员会": true, "城关镇": true, "西坪街道": true, "东山乡": true, "县政府办公室": true,
		"政府网站工作年度报表": false, "政府工作报告": false, "首页": false, "返回": false, "2024年3月": false,
		"县公安局2023年政府信息公开工作年度报告": false, "区县政府": false, "各乡镇": false, "县直部门": false, "其他单位": false, "县市场监督管理局": true, "市直机关工作委员会": true, "政府信息公开": false, "这是一条很长很长很长很长很长很长很长很长很长很长的新闻标题所在的局": false,
	} {
		if got := isBodyName(s); got != want {
			t.Errorf("isBodyName(%q) = %v", s, got)
		}
	}
}

func TestPlatformColumn(t *testing.T) {
	for link, want := range map[string]string{
		"http://zfxxgk.bj.gov.cn/110105/index.shtml":                                  "http://zfxxgk.bj.gov.cn/110105/zfxxgknb/list.shtml",
		"http://zfxxgk.bj.gov.cn/110105/zfxxgknb/list.shtml":                          "http://zfxxgk.bj.gov.cn/110105/zfxxgknb/list.shtml",
		"http://zfxxgk.bj.gov.cn/11110000000013127D/":                                 "http://zfxxgk.bj.gov.cn/11110000000013127D/zfxxgknb/list.shtml",
		"http://www.hf.gov.cn/openness/spage.xp?doAction=sindex&unitid=1003&frame=gk": "http://www.hf.gov.cn/openness/spage.xp?doAction=sindex&frame=nb&unitid=1003",
		"http://www.hf.gov.cn/openness/spage.xp?doAction=list":                        "",
		"http://www.qh.gov.cn/zwgk/bmnb/gaj/":                                         "",
		"http://www.qh.gov.cn/2024/03/":                                               "",
	} {
		u, _ := url.Parse(link)
		got := ""
		if c := platformColumn(u); c != nil {
			got = c.String()
		}
		if got != want {
			t.Errorf("platformColumn(%s) = %q, want %q", link, got, want)
		}
	}
}

// familyPortal serves a county portal's home and 政务公开 landing in
// front of a column of some CMS family at column, linked by the anchor
// text link, with the decoys of every portal beside it: 政府网站工作年度报表
// and 政府工作报告 columns holding reports of their own kind, and a
// calendar whose ?date= pages are endless.
func familyPortal(f *fixture, column, link string) {
	f.html("/", `<html><head><title>某县人民政府</title></head><body>
<a href="/">首页</a> <a href="/zwgk/">政务<br>公开</a> <a href="/zfgzbg/">政府工作报告</a> <a href="/hdrl/?date=2024-03-01">活动日历</a></body></html>`)
	f.html("/zwgk/", `<html><head><title>政务公开</title></head><body>
<a href="/zwgk/ndbb/">政府网站工作<br>年度报表</a> <a href="`+column+`">`+link+`</a>
<a href="/zwgk/rl/?date=2024-03-01">政府信息公开日历</a> <a href="/zwgk/tzgg/">通知公告</a></body></html>`)
	f.html("/zwgk/ndbb/", listPage("政府网站工作年度报表", [][2]string{
		{"/zwgk/ndbb/2023.html", "某县2023年政府网站工作年度报表"}, {"/zwgk/ndbb/2022.html", "某县2022年政府网站工作年度报表"}}, ""))
	f.html("/zfgzbg/", listPage("政府工作报告", [][2]string{
		{"/zfgzbg/2023.html", "2023年某县政府工作报告"}, {"/zfgzbg/2022.html", "2022年某县政府工作报告"}}, ""))
	calendar := func(w http.ResponseWriter, r *http.Request) {
		d := r.URL.Query().Get("date")
		fmt.Fprintf(w, `<html><body><a href="?date=%s1">下一天</a> <a href="?date=%s2">政府信息公开年报</a></body></html>`, d, d)
	}
	f.handle("/hdrl/", calendar)
	f.handle("/zwgk/rl/", calendar)
}

// trsColumn serves a TRS column: three pages, index.html, index_1.html
// and index_2.html, two reports each, the page count only in the
// script's createPageHTML call; anchor texts split by <br>.
func trsColumn(f *fixture) {
	for p := range 3 {
		var links [][2]string
		for i := range 2 {
			y := 2023 - 2*p - i
			href := fmt.Sprintf("/zfxxgk/zfxxgknb/%d/t%d_%d.html", y+1, y, i)
			links = append(links, [2]string{href, fmt.Sprintf("某县%d年政府信息公开<br>工作年度报告", y)})
			f.html(href, reportPage(fmt.Sprintf("某县%d年政府信息公开工作年度报告", y), fmt.Sprintf("%d-01-20", y+1), reportTable))
		}
		name := "index.html"
		if p > 0 {
			name = fmt.Sprintf("index_%d.html", p)
		}
		f.html("/zfxxgk/zfxxgknb/"+name, listPage("政府信息公开年报", links, fmt.Sprintf(`<script>createPageHTML(3, %d, "index", "html");</script>`, p)))
	}
}

// TestDiscoverFamilies finds the 年报 column of a portal in front of a
// column of each CMS family — plain HTML, TRS, Hanweb, a list drawn from
// JSON — past the same decoys: every report of the column is crawled and
// no decoy is asked for. The fifth family, a platform with departments'
// sub-columns, is TestDiscoverSubColumns.
func TestDiscoverFamilies(t *testing.T) {
	for _, tc := range []struct {
		family, column, link string
		serve                func(*fixture)
		reports              int
	}{
		{"html", "/col/col4521/index.html", "政府信息<br>公开年报", func(f *fixture) {
			f.html("/col/col4521/index.html", listPage("政府信息公开年报", [][2]string{
				{"/col/col4521/art_2024_1.html", "某县2023年政府信息<br>公开工作年度报告"},
				{"/col/col4521/art_2023_1.html", "某县2022年政府信息<br>公开工作年度报告"},
			}, ""))
			for y, p := range map[int]string{2023: "/col/col4521/art_2024_1.html", 2022: "/col/col4521/art_2023_1.html"} {
				f.html(p, reportPage(fmt.Sprintf("某县%d年政府信息公开工作年度报告", y), fmt.Sprintf("%d-03-01", y+1), reportTable))
			}
		}, 2},
		{"trs", "/zfxxgk/zfxxgknb/index.html", "政府信息公开<br>工作年度报告", trsColumn, 6},
		{"hanweb", "/col/col4521/index.html", "信息公开年报", hanwebSite, 47},
		{"json", "/nb/", "政府信息公开年报", jsonSite, 30},
	} {
		t.Run(tc.family, func(t *testing.T) {
			f := newFixture(t)
			familyPortal(f, tc.column, tc.link)
			tc.serve(f)
			dir := t.TempDir()
			site := f.site("portal", "/")
			site.Discover, site.MaxPages = true, 200
			if sum := mustRun(t, testConfig(t, dir, site)); sum.Reports != tc.reports {
				t.Errorf("%d reports, want %d: %+v", sum.Reports, tc.reports, sum)
			}
			f.mu.Lock()
			for k, n := range f.hits {
				if strings.Contains(k, "ndbb") || strings.Contains(k, "zfgzbg") || strings.Contains(k, "date=") {
					t.Errorf("decoy %s asked for %d times", k, n)
				}
			}
			f.mu.Unlock()
			st, err := openState(t.Context(), StatePath(dir), false, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			cols, err := st.rememberedColumns(t.Context(), "portal")
			if err != nil || len(cols) != 1 || cols[0].URL != f.url(tc.column) {
				t.Errorf("remembered columns %+v, %v; want %s", cols, err, tc.column)
			}
		})
	}
}

// TestSubColumnsPageCap checks that the sub-columns' runs together fetch
// no more than the site's page cap.
func TestSubColumnsPageCap(t *testing.T) {
	f := newHostsFixture(t)
	countyPortal(f)
	dir := t.TempDir()
	site := Site{Name: "qh.gov.cn", Agency: "清河县人民政府", Start: []string{"http://www.qh.gov.cn/"},
		Hosts: []string{"www.qh.gov.cn", "qh.gov.cn"}, Discover: true, MaxPages: 7}
	cfg := testConfig(t, dir, site)
	cfg.Transport = f.transport()
	mustRun(t, cfg)
	listed := 0
	for _, ds := range mustDocuments(t, dir) {
		if ds[0].Listed != "" {
			listed++
		}
	}
	// Each sub-column is a list page and two reports: 7 URLs are two
	// sub-columns and the list of a third.
	if listed != 4 {
		t.Errorf("%d reports of sub-columns, want the 4 of the two sub-columns within the cap of 7", listed)
	}
}

// beijingPlatform serves 锦城市 (a fictional city) in Beijing's shape:
// the portal www.jc.gov.cn links its 政府信息公开 platform on
// zfxxgk.jc.gov.cn, where the city's own 年报 list and every body's are
// keyed by an agency code, /{code}/zfxxgknb/list.shtml; the platform's
// 部门年报 page links each body by its 信息公开 home, /{code}/index.shtml,
// which the crawl never needs. Decoys: 政府网站工作年度报表, 政府工作报告,
// calendars, another city's platform on a domain of its own.
func beijingPlatform(f *hostsFixture) map[string]string {
	const www, gk = "www.jc.gov.cn", "zfxxgk.jc.gov.cn"
	f.html(www+"/", `<html><head><title>锦城市人民政府</title></head><body><a href="/">首页</a>
<a href="http://zfxxgk.jc.gov.cn/">政府信息<br>公开</a> <a href="/zfgzbg/">政府工作报告</a> <a href="/hd/?date=2024-01-01">日历</a>
<a href="http://zfxxgk.yc.gov.cn/">邻市政府信息公开</a></body></html>`)
	f.html(gk+"/", `<html><head><title>锦城市政府信息公开平台</title></head><body>
<a href="/510100/zfxxgknb/list.shtml">政府信息公开年报</a> <a href="/bmnb.shtml">部门<br>年报</a>
<a href="/510100/ndbb/list.shtml">政府网站工作年度报表</a> <a href="/rl.shtml?date=2024-01-01">信息公开日历</a></body></html>`)
	f.html(gk+"/510100/ndbb/list.shtml", listPage("政府网站工作年度报表", [][2]string{{"/510100/ndbb/1.shtml", "锦城市2023年政府网站工作年度报表"}}, ""))
	f.html("zfxxgk.yc.gov.cn/", listPage("政府信息公开年报", [][2]string{{"/1.shtml", "邻市2023年政府信息公开工作年度报告"}}, ""))
	want := map[string]string{} // report URL → listed
	column := func(code, full, listed string) {
		var links [][2]string
		for y := 2022; y <= 2023; y++ {
			href := fmt.Sprintf("/%s/zfxxgknb/%d01/t%d0120_%s.shtml", code, y+1, y+1, code)
			title := fmt.Sprintf("%s%d年政府信息公开工作年度报告", full, y)
			links = append(links, [2]string{href, title})
			f.html(gk+href, reportPage(title, fmt.Sprintf("%d-01-20", y+1), reportTable))
			want["http://"+gk+href] = listed
		}
		f.html(gk+"/"+code+"/zfxxgknb/list.shtml", listPage("政府信息公开年报", links, ""))
		f.html(gk+"/"+code+"/index.shtml", listPage(full+"政府信息公开", nil, ""))
	}
	column("510100", "锦城市人民政府", "")
	index := `<html><head><title>部门年报</title></head><body><a href="/">首页</a><ul>`
	for _, b := range [][3]string{
		{"510100001", "锦城市发展和改革委员会", "市发展和改革委员会"},
		{"510100002", "锦城市教育局", "市教育局"},
		{"11510100MB1234567X", "锦城市公安局", "市公安局"},
		{"510100004", "锦城市财政局", "市财政局"},
	} {
		column(b[0], b[1], b[2])
		index += fmt.Sprintf(`<li><a href="/%s/index.shtml">%s</a></li>`, b[0], b[2])
	}
	index += `<li><a href="/510100/index.shtml">市人民政府</a></li></ul>
<a href="/510100/gzbg/list.shtml">政府工作报告</a> <a href="/bmnb.shtml?date=2024-01">2024年1月</a> <a href="/qx.shtml">区县政府</a></body></html>`
	f.html(gk+"/bmnb.shtml", index)
	return want
}

// TestDiscoverBeijingPlatform crawls a city whose reports are all on its
// platform host, keyed by agency code.
func TestDiscoverBeijingPlatform(t *testing.T) {
	f := newHostsFixture(t)
	want := beijingPlatform(f)
	dir := t.TempDir()
	site := Site{Name: "jc.gov.cn", Agency: "锦城市人民政府", Start: []string{"http://www.jc.gov.cn/"},
		Hosts: []string{"www.jc.gov.cn", "jc.gov.cn"}, Discover: true}
	cfg := testConfig(t, dir, site)
	cfg.Transport = f.transport()
	if sum := mustRun(t, cfg); sum.Reports != len(want) {
		t.Errorf("%d reports, want %d: %+v", sum.Reports, len(want), sum)
	}
	for _, d := range []string{"yc.gov.cn", "zfgzbg", "ndbb", "gzbg", "date=", "index.shtml", "qx.shtml"} {
		if n := f.hitsWith(d); n != 0 {
			t.Errorf("decoy %s asked for %d times", d, n)
		}
	}
	docs := mustDocuments(t, dir)
	for u, listed := range want {
		if ds := docs[u]; len(ds) != 1 || ds[0].Listed != listed || ds[0].Site != site.Name {
			t.Errorf("%s: %+v; want one document listed under %q", u, ds, listed)
		}
	}
	if len(docs) != len(want) {
		t.Errorf("%d documents, want %d", len(docs), len(want))
	}
}

// TestSubColumnsCap checks that a page of sub-columns linking more
// bodies than maxSubColumns gives that many.
func TestSubColumnsCap(t *testing.T) {
	f := newFixture(t)
	f.html("/", `<html><body><a href="/bmnb/">部门年报</a></body></html>`)
	var b strings.Builder
	b.WriteString(`<html><head><title>部门年报</title></head><body>`)
	for i := range maxSubColumns + 10 {
		fmt.Fprintf(&b, `<a href="/bm/%d/">第%d局</a>`, i, i)
	}
	f.html("/bmnb/", b.String()+`</body></html>`)
	dir := t.TempDir()
	site := f.site("cap", "/")
	site.Discover = true
	mustRun(t, testConfig(t, dir, site))
	st, err := openState(t.Context(), StatePath(dir), false, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cols, err := st.rememberedColumns(t.Context(), "cap")
	if err != nil || len(cols) != maxSubColumns {
		t.Errorf("%d sub-columns remembered (%v), want the cap, %d", len(cols), err, maxSubColumns)
	}
	if n := f.hitsOf(fmt.Sprintf("/bm/%d/", maxSubColumns)); n != 0 {
		t.Errorf("a sub-column past the cap was asked for %d times", n)
	}
}

// TestSubColumnsShareCaps checks that a site's document cap holds for its
// own column and its sub-columns together, not for each.
func TestSubColumnsShareCaps(t *testing.T) {
	f := newHostsFixture(t)
	countyPortal(f)
	dir := t.TempDir()
	site := Site{Name: "qh.gov.cn", Agency: "清河县人民政府", Start: []string{"http://www.qh.gov.cn/"},
		Hosts: []string{"www.qh.gov.cn", "qh.gov.cn"}, Discover: true}
	cfg := testConfig(t, dir, site)
	cfg.Transport = f.transport()
	cfg.MaxDocs = 5
	mustRun(t, cfg)
	fetched := 0
	for _, ds := range mustDocuments(t, dir) {
		if d := ds[len(ds)-1]; d.SHA256 != "" && (d.Kind == "report" || d.Kind == "attachment") {
			fetched++
		}
	}
	// Without sharing, every one of the eight sub-columns would take its
	// two reports.
	if fetched == 0 || fetched > cfg.MaxDocs {
		t.Errorf("%d documents fetched, want some and at most the site's cap of %d", fetched, cfg.MaxDocs)
	}
}

// TestAttachmentOnGovernmentHost checks that a report's attachment on
// another host of the same government (a file server) is fetched, under
// the site's politeness and robots.txt, while one on another
// government's domain is not, and no page of the file server is crawled.
func TestAttachmentOnGovernmentHost(t *testing.T) {
	f := newHostsFixture(t)
	f.html("www.fj.gov.cn/zwgk/nb/", listPage("政府信息公开年报", [][2]string{{"/zwgk/nb/1.htm", "福建省2023年政府信息公开工作年度报告"}}, ""))
	f.html("www.fj.gov.cn/zwgk/nb/1.htm", `<html><head><title>福建省2023年政府信息公开工作年度报告</title></head><body>
<a href="http://file.fj.gov.cn/up/2023.pdf">附件：2023年年度报告.pdf</a>
<a href="http://www.xm.gov.cn/up/2023.pdf">附件：厦门市年度报告.pdf</a>
<a href="http://file.fj.gov.cn/zwgk/nb/2.htm">福建省2022年政府信息公开工作年度报告</a></body></html>`)
	f.html("file.fj.gov.cn/up/2023.pdf", "%PDF-1.4 a report")
	f.html("file.fj.gov.cn/zwgk/nb/2.htm", "<html><body>not to be crawled</body></html>")
	f.html("www.xm.gov.cn/up/2023.pdf", "%PDF-1.4 another government's")
	dir := t.TempDir()
	site := Site{Name: "fj.gov.cn", Agency: "福建省人民政府", Start: []string{"http://www.fj.gov.cn/zwgk/nb/"},
		Hosts: []string{"www.fj.gov.cn", "fj.gov.cn"}}
	cfg := testConfig(t, dir, site)
	cfg.Transport = f.transport()
	mustRun(t, cfg)
	docs := mustDocuments(t, dir)
	if d := docs["http://file.fj.gov.cn/up/2023.pdf"]; len(d) == 0 || d[0].SHA256 == "" || d[0].Kind != "attachment" {
		t.Errorf("the attachment on the government's file server: %+v", d)
	}
	if n := f.hitsOf("file.fj.gov.cn/robots.txt"); n != 1 {
		t.Errorf("the file server's robots.txt read %d times, want once", n)
	}
	for _, k := range []string{"www.xm.gov.cn/up/2023.pdf", "file.fj.gov.cn/zwgk/nb/2.htm"} {
		if n := f.hitsOf(k); n != 0 {
			t.Errorf("%s fetched %d times", k, n)
		}
	}
}
