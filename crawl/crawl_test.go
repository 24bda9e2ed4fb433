package crawl

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var (
	pdf2022  = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("2022 report stream "), 200)...)
	docx2021 = append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0, 1, 2, 3, 0xff}, 300)...)
)

// trsSite builds a TRS-style column: three list pages counted by
// createPageHTML, reports as HTML tables and as attachments, and a notice
// that is not a report.
func trsSite(f *fixture) {
	pager := func(cur int) string {
		return fmt.Sprintf(`<script>createPageHTML(3, %d, "index", "html");</script>`, cur)
	}
	first := listPage("政府信息公开年报", [][2]string{
		{"./202403/t20240308_1001.htm", "某某县2023年政府信息公开工作年度报告"},
		{"./202303/t20230310_900.htm", "某某县2022年政府信息公开工作年度报告"},
	}, pager(0))
	f.html("/zwgk/nb/", first)
	f.html("/zwgk/nb/index.html", first)
	f.html("/zwgk/nb/index_1.html", listPage("政府信息公开年报", [][2]string{
		{"./202203/t20220301_800.htm", "某某县2021年政府信息公开工作年度报告"},
	}, pager(1)))
	f.html("/zwgk/nb/index_2.html", listPage("政府信息公开年报", [][2]string{
		{"./202103/t20210301_700.htm", "二〇二〇年政府信息公开工作年报"},
		{"./202101/t20210101_650.htm", "关于做好春节期间值班工作的通知"},
	}, pager(2)))
	f.html("/zwgk/nb/202403/t20240308_1001.htm", reportPage("某某县2023年政府信息公开工作年度报告", "2024-03-08", reportTable))
	f.html("/zwgk/nb/202303/t20230310_900.htm", reportPage("某某县2022年政府信息公开工作年度报告", "2023-03-10",
		`<p>附件：<a href="./P020230310_report.pdf">2022年年报.pdf</a></p>`))
	f.file("/zwgk/nb/202303/P020230310_report.pdf", "application/pdf", pdf2022)
	f.html("/zwgk/nb/202203/t20220301_800.htm", reportPage("某某县2021年政府信息公开工作年度报告", "2022-03-01",
		reportTable+`<a href="/files/2021nb.docx">下载</a>`))
	f.file("/files/2021nb.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx2021)
	f.html("/zwgk/nb/202103/t20210301_700.htm", `<html><head><title>某某县人民政府</title></head><body>
		<div class="title">二〇二〇年政府信息公开工作年报</div><div>发布时间：2021年3月1日</div>`+reportTable+`</body></html>`)
	f.html("/zwgk/nb/202101/t20210101_650.htm", reportPage("关于做好春节期间值班工作的通知", "2021-01-01", "<p>通知</p>"))
}

func TestCrawlTRSSite(t *testing.T) {
	f := newFixture(t)
	trsSite(f)
	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("trs", "/zwgk/nb/"))
	sum := mustRun(t, cfg)

	if sum.Reports != 4 || sum.Attachments != 2 || sum.New != 6 || sum.Failed != 0 || sum.Blocked != 0 {
		t.Errorf("summary = %+v; want 4 reports, 2 attachments, 6 new, nothing failed", sum)
	}
	for _, p := range []string{"/zwgk/nb/index_1.html", "/zwgk/nb/index_2.html", "/zwgk/nb/202101/t20210101_650.htm"} {
		if n := f.hitsOf(p); n != 1 {
			t.Errorf("%s requested %d times, want 1", p, n)
		}
	}
	if n := f.hitsOf("/robots.txt"); n != 1 {
		t.Errorf("robots.txt requested %d times, want 1", n)
	}
	if !f.agents["nianbao-crawler/0.1 (+"+DefaultContact+")"] {
		t.Errorf("user agents seen: %v", f.agents)
	}

	docs := mustDocuments(t, dir)
	want := map[string]struct {
		kind, title, date string
		year              int
		page              string
	}{
		"/zwgk/nb/202403/t20240308_1001.htm":    {kindReport, "某某县2023年政府信息公开工作年度报告", "2024-03-08", 2023, ""},
		"/zwgk/nb/202303/t20230310_900.htm":     {kindReport, "某某县2022年政府信息公开工作年度报告", "2023-03-10", 2022, ""},
		"/zwgk/nb/202303/P020230310_report.pdf": {kindAttachment, "某某县2022年政府信息公开工作年度报告", "2023-03-10", 2022, "/zwgk/nb/202303/t20230310_900.htm"},
		"/zwgk/nb/202203/t20220301_800.htm":     {kindReport, "某某县2021年政府信息公开工作年度报告", "2022-03-01", 2021, ""},
		"/files/2021nb.docx":                    {kindAttachment, "某某县2021年政府信息公开工作年度报告", "2022-03-01", 2021, "/zwgk/nb/202203/t20220301_800.htm"},
		"/zwgk/nb/202103/t20210301_700.htm":     {kindReport, "二〇二〇年政府信息公开工作年报", "2021-03-01", 2020, ""},
	}
	if len(docs) != len(want) {
		t.Errorf("got %d documents, want %d: %v", len(docs), len(want), docs)
	}
	for p, w := range want {
		ds := docs[f.url(p)]
		if len(ds) != 1 {
			t.Errorf("%s: %d document rows, want 1", p, len(ds))
			continue
		}
		d := ds[0]
		wantPage := ""
		if w.page != "" {
			wantPage = f.url(w.page)
		}
		if d.Kind != w.kind || d.Title != w.title || d.Year != w.year || d.PublishDate != w.date || d.PageURL != wantPage ||
			d.Status != StatusNew || d.Revision != 1 || d.Agency != "trs人民政府" || d.Site != "trs" {
			t.Errorf("%s: got %+v, want %+v", p, d, w)
		}
	}
	pdfDoc := docs[f.url("/zwgk/nb/202303/P020230310_report.pdf")][0]
	if pdfDoc.SHA256 != sha(pdf2022) || pdfDoc.Size != int64(len(pdf2022)) || pdfDoc.ContentType != "application/pdf" {
		t.Errorf("pdf document = %+v", pdfDoc)
	}
	stored, err := os.ReadFile(ArchivePath(dir, sha(pdf2022)))
	if err != nil || !bytes.Equal(stored, pdf2022) {
		t.Errorf("archived PDF differs from the served one (err %v)", err)
	}
	if !archiveFiles(t, dir)[sha(docx2021)] {
		t.Error("docx attachment not in the archive")
	}

	// A second run over the unchanged site fetches no document again: every
	// request is conditional and answered 304.
	f.resetCounts()
	sum2 := mustRun(t, cfg)
	for p := range want {
		if n := f.bodiesOf(p); n != 0 {
			t.Errorf("second run: %s sent with a body %d times, want 0", p, n)
		}
		if n := f.hitsOf(p); n != 1 {
			t.Errorf("second run: %s requested %d times, want 1 (conditional)", p, n)
		}
	}
	if sum2.New != 0 || sum2.Changed != 0 || sum2.Unchanged != 6 || sum2.Reports != 4 {
		t.Errorf("second run summary = %+v; want 6 unchanged documents, 4 reports", sum2)
	}
	if notFound := int64(len("404 page not found\n")); sum2.Bytes != notFound { // robots.txt
		t.Errorf("second run received %d body bytes, want %d (the 404 page for robots.txt)", sum2.Bytes, notFound)
	}
	for _, d := range mustDocuments(t, dir) {
		if len(d) != 1 || d[0].Status != StatusUnchanged || d[0].Revision != 1 {
			t.Errorf("after second run: %+v", d)
		}
	}
}

// TestCrawlQueryPaging covers list pages paged by query string and 下一页
// links, links to other hosts and crawler traps.
func TestCrawlQueryPaging(t *testing.T) {
	f := newFixture(t)
	other := newFixture(t)
	other.html("/copy.html", reportPage("某某区2023年政府信息公开工作年度报告", "2024-01-01", reportTable))
	const pages = 4
	f.handle("/module/list.jsp", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.URL.Query().Get("pageNo"), &n)
		if n < 1 || n > pages {
			http.NotFound(w, r)
			return
		}
		links := [][2]string{
			{fmt.Sprintf("/art/2024/3/%d/art_1_%d.html", n, n), fmt.Sprintf("%d年度政府信息公开工作年度报告", 2024-n)},
			{other.url("/copy.html"), "2023年政府信息公开工作年度报告（转载）"},
			{fmt.Sprintf("/module/list.jsp?pageNo=%d&sid=%d", n, time.Now().UnixNano()), "刷新"},
			{"/calendar/2024-03.html", "日历"},
			{fmt.Sprintf("/module/list.jsp?pageNo=%d&date=2024-03-0%d", n, n), "按日期"},
		}
		pager := ""
		if n < pages {
			pager = fmt.Sprintf(`<div class="pager"><a href="list.jsp?pageNo=%d">下一页</a></div>`, n+1)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, listPage("信息公开年报", links, pager))
	})
	for n := 1; n <= pages; n++ {
		f.html(fmt.Sprintf("/art/2024/3/%d/art_1_%d.html", n, n),
			reportPage(fmt.Sprintf("%d年度政府信息公开工作年度报告", 2024-n), "2024-03-01", reportTable))
	}
	f.handle("/calendar/2024-03.html", func(w http.ResponseWriter, r *http.Request) { t.Error("calendar page fetched") })
	dir := t.TempDir()
	site := f.site("hanweb", "/module/list.jsp?pageNo=1")
	site.Follow = []string{"/art/"}
	sum := mustRun(t, testConfig(t, dir, site))
	if sum.Reports != pages || sum.New != pages || sum.Failed != 0 {
		t.Errorf("summary = %+v; want %d new reports", sum, pages)
	}
	for n := 1; n <= pages; n++ {
		if h := f.hitsOf(fmt.Sprintf("/module/list.jsp?pageNo=%d", n)); h != 1 {
			t.Errorf("list page %d requested %d times, want 1", n, h)
		}
	}
	if h := other.hitsOf("/copy.html"); h != 0 {
		t.Errorf("off-site copy requested %d times", h)
	}
	if len(f.hits) != pages*2+1 { // lists, reports, robots.txt
		t.Errorf("server saw %v; want only list pages, reports and robots.txt", f.hits)
	}
}

// TestCrawlEndlessQueryStrings checks that a page linking to ever new
// query strings of itself does not keep the crawler forever.
func TestCrawlEndlessQueryStrings(t *testing.T) {
	f := newFixture(t)
	f.handle("/col/list.html", func(w http.ResponseWriter, r *http.Request) {
		var id int
		fmt.Sscan(r.URL.Query().Get("id"), &id)
		fmt.Fprint(w, listPage("信息公开", [][2]string{{fmt.Sprintf("/col/list.html?id=%d", id+1), "更多"}}, ""))
	})
	cfg := testConfig(t, t.TempDir(), f.site("trap", "/col/list.html"))
	cfg.MaxDepth = 100000
	sum := mustRun(t, cfg)
	if sum.Pages > maxQueryVariants+1 || sum.Pages < 10 {
		t.Errorf("fetched %d pages of an endless query-string trap; want at most %d", sum.Pages, maxQueryVariants+1)
	}
}

// TestCrawlCaps checks the per-site page cap and the depth cap on a column
// whose every page links to two deeper sub-columns.
func TestCrawlCaps(t *testing.T) {
	f := newFixture(t)
	f.handle("/col/*", func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		fmt.Fprint(w, listPage("栏目", [][2]string{
			{fmt.Sprintf("%sl%d/", p, len(p)), "子栏目"},
			{fmt.Sprintf("%sr%d/", p, len(p)), "其他"},
		}, ""))
	})
	for _, tc := range []struct {
		depth, pages, want int
	}{
		{depth: 3, pages: 1000, want: 1 + 2 + 4 + 8},
		{depth: 50, pages: 5, want: 5},
	} {
		t.Run(fmt.Sprintf("depth%d_pages%d", tc.depth, tc.pages), func(t *testing.T) {
			f.resetCounts()
			cfg := testConfig(t, t.TempDir(), f.site("caps", "/col/"))
			cfg.MaxDepth, cfg.MaxPages = tc.depth, tc.pages
			sum := mustRun(t, cfg)
			if sum.Pages != tc.want {
				t.Errorf("fetched %d pages, want %d", sum.Pages, tc.want)
			}
			f.mu.Lock()
			n := len(f.hits) - 1 // robots.txt
			f.mu.Unlock()
			if n != tc.want {
				t.Errorf("server saw %d page requests, want %d", n, tc.want)
			}
		})
	}
}

func TestCrawlResumesAfterKill(t *testing.T) {
	f := newFixture(t)
	trsSite(f)
	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("trs", "/zwgk/nb/"))
	cfg.Parallel = 1

	// Kill the first run as soon as the fourth document is requested.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var docs atomic.Int32
	f.mu.Lock()
	for p, h := range f.routes {
		if strings.Contains(p, "/2") || strings.HasPrefix(p, "/files/") {
			h := h
			f.routes[p] = func(w http.ResponseWriter, r *http.Request) {
				if docs.Add(1) == 4 {
					cancel()
				}
				h(w, r)
			}
		}
	}
	f.mu.Unlock()
	if _, err := Run(ctx, cfg); err == nil {
		t.Fatal("killed run returned no error")
	}
	sum := mustRun(t, cfg)
	if sum.Resumed == 0 {
		t.Errorf("second run resumed nothing: %+v", sum)
	}
	// Across both runs, no document body went out twice, except the one
	// whose request the kill interrupted.
	twice := 0
	for p := range f.bodies {
		if n := f.bodiesOf(p); n > 1 && p != "/robots.txt" {
			twice += n - 1
		}
	}
	if twice > 1 {
		t.Errorf("bodies sent more than once across the killed and resumed runs: %v", f.bodies)
	}
	d := mustDocuments(t, dir)
	if len(d) != 6 {
		t.Errorf("after resume: %d documents, want 6", len(d))
	}
	for u, ds := range d {
		if ds[0].Status != StatusNew || ds[0].SHA256 == "" {
			t.Errorf("%s: %+v", u, ds[0])
		}
	}
	// The resumed run finished the site: the next one starts afresh.
	f.resetCounts()
	sum = mustRun(t, cfg)
	if sum.Resumed != 0 || sum.Unchanged != 6 {
		t.Errorf("run after the resumed one: %+v", sum)
	}
}

// TestCrawlDirInUse checks that two crawls cannot share an output
// directory: the second would clobber the first's temporary files.
func TestCrawlDirInUse(t *testing.T) {
	dir := t.TempDir()
	held, err := openState(context.Background(), StatePath(dir), true, defaultBusyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	f := newFixture(t)
	reportsList(f)
	cfg := testConfig(t, dir, f.site("busy", "/nb/"))
	cfg.BusyTimeout = 50 * time.Millisecond // the lock is not going away: fail fast
	_, err = Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "another crawl") {
		t.Errorf("Run on a directory in use: err = %v", err)
	}
	if n := f.hitsOf("/nb/"); n != 0 {
		t.Errorf("crawled %d pages while the directory was in use", n)
	}
}
