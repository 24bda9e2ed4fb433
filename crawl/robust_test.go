package crawl

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func gbk(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

// reportsList serves a list page at /nb/ linking to the given report pages.
func reportsList(f *fixture, links ...[2]string) {
	f.html("/nb/", listPage("政府信息公开年报", links, ""))
}

func TestCrawlCharsets(t *testing.T) {
	const title = "某某镇2023年政府信息公开工作年度报告"
	f := newFixture(t)
	reportsList(f,
		[2]string{"/nb/header.htm", "2023年报（header）"},
		[2]string{"/nb/meta.htm", "2023年报（meta）"},
		[2]string{"/nb/sniff.htm", "2023年报（no label）"},
		[2]string{"/nb/liar.htm", "2023年报（header says utf-8）"},
	)
	page := func(meta string) []byte {
		return gbk(`<html><head>` + meta + `<meta name="ArticleTitle" content="` + title + `"></head><body><h1>` + title + `</h1>` + reportTable + `</body></html>`)
	}
	f.file("/nb/header.htm", "text/html; charset=GBK", page(""))
	f.file("/nb/meta.htm", "text/html", page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`))
	f.file("/nb/sniff.htm", "text/html", page(""))
	f.file("/nb/liar.htm", "text/html; charset=utf-8", page(`<meta charset="gbk">`))
	// A GBK list page too: its report links must be recognised.
	f.file("/gbk/", "text/html; charset=gb2312", gbk(listPage("信息公开", [][2]string{{"/gbk/r.htm", "2022年度政府信息公开工作年度报告"}}, "")))
	f.file("/gbk/r.htm", "text/html; charset=gb2312", gbk(reportPage("2022年度政府信息公开工作年度报告", "2023-01-20", reportTable)))

	dir := t.TempDir()
	site := f.site("gbk", "/nb/", "/gbk/")
	mustRun(t, testConfig(t, dir, site))
	docs := mustDocuments(t, dir)
	for _, p := range []string{"/nb/header.htm", "/nb/meta.htm", "/nb/sniff.htm", "/nb/liar.htm"} {
		d := docs[f.url(p)]
		if len(d) != 1 || d[0].Title != title || d[0].Year != 2023 || d[0].Kind != kindReport {
			t.Errorf("%s: %+v; want report %q", p, d, title)
		}
	}
	if d := docs[f.url("/gbk/r.htm")]; len(d) != 1 || d[0].Year != 2022 || d[0].PublishDate != "2023-01-20" {
		t.Errorf("report behind a GBK list page: %+v", d)
	}
}

func TestDecodeHTML(t *testing.T) {
	const s = "<html><body>政府信息公开</body></html>"
	for _, tc := range []struct {
		name, ct string
		body     []byte
		want     string
	}{
		{"utf8 header", "text/html; charset=utf-8", []byte(s), "utf-8"},
		{"gbk header", "text/html; charset=gbk", gbk(s), "gb18030"},
		{"bom", "text/html", append([]byte{0xEF, 0xBB, 0xBF}, s...), "utf-8"},
		{"meta", "", gbk(`<meta charset="GB2312">` + s), "gb18030"},
		{"no label utf8", "", []byte(s), "utf-8"},
		{"no label gbk", "", gbk(s), "gb18030"},
		{"lying header", "text/html; charset=utf-8", gbk(s), "gb18030"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, enc := decodeHTML(tc.body, tc.ct)
			if enc != tc.want || !strings.Contains(got, "政府信息公开") {
				t.Errorf("decodeHTML = %q, %s; want text in %s", got, enc, tc.want)
			}
		})
	}
}

func TestCrawlBinaryAndTruncated(t *testing.T) {
	f := newFixture(t)
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 5000)...)
	small := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("\x00\xff\xfe\xa1"), 200)...)
	f.html("/nb/r.htm", reportPage("2023年政府信息公开工作年度报告", "2024-01-01",
		`<a href="/f/small.pdf">附件</a><a href="/f/big.pdf">附件</a><a href="/f/short.pdf">附件</a><a href="/f/wps.wps">附件</a>`))
	reportsList(f, [2]string{"/nb/r.htm", "2023年政府信息公开工作年度报告"})
	// A PDF the server calls GBK HTML: it must be stored byte for byte.
	f.file("/f/small.pdf", "text/html; charset=GBK", small)
	f.file("/f/big.pdf", "application/pdf", big)
	// Content-Length promises more than the server sends.
	f.handle("/f/short.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4000")
		w.Write(small[:100])
	})
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0}, 600)...)
	f.file("/f/wps.wps", "text/plain", ole)

	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("bin", "/nb/"))
	cfg.MaxBodySize = 4096
	sum := mustRun(t, cfg)
	if sum.Truncated != 2 {
		t.Errorf("summary = %+v; want 2 truncated", sum)
	}
	docs := mustDocuments(t, dir)
	if d := docs[f.url("/f/small.pdf")]; len(d) != 1 || d[0].SHA256 != sha(small) || d[0].ContentType != "application/pdf" || d[0].Status != StatusNew {
		t.Errorf("PDF served as GBK HTML: %+v", d)
	}
	if d := docs[f.url("/f/wps.wps")]; len(d) != 1 || d[0].SHA256 != sha(ole) || d[0].Status != StatusNew {
		t.Errorf("WPS served as text/plain: %+v", d)
	}
	for _, p := range []string{"/f/big.pdf", "/f/short.pdf"} {
		if d := docs[f.url(p)]; len(d) != 1 || d[0].Status != StatusTruncated || d[0].SHA256 != "" {
			t.Errorf("%s: %+v; want truncated without a body", p, d)
		}
	}
	// The cut-short body is retried like a network failure; the oversized
	// one is not.
	if n := f.hitsOf("/f/short.pdf"); n != 1+cfg.MaxRetries {
		t.Errorf("short body requested %d times, want %d", n, 1+cfg.MaxRetries)
	}
	if n := f.hitsOf("/f/big.pdf"); n != 1 {
		t.Errorf("oversized body requested %d times, want 1", n)
	}
	files := archiveFiles(t, dir)
	if !files[sha(small)] || !files[sha(ole)] || files[sha(big)] || len(files) != 4 { // + list and report page
		t.Errorf("archive holds %v", files)
	}
}

func TestCrawlRobots(t *testing.T) {
	f := newFixture(t)
	f.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.1\n\nUser-agent: BadBot\nDisallow: /\n")
	})
	var mu sync.Mutex
	var starts []time.Time
	for i := range 4 {
		p := fmt.Sprintf("/nb/r%d.htm", i)
		body := reportPage(fmt.Sprintf("%d年政府信息公开工作年度报告", 2020+i), "2024-01-01", reportTable)
		f.handle(p, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			fmt.Fprint(w, body)
		})
	}
	reportsList(f,
		[2]string{"/nb/r0.htm", "2020年政府信息公开工作年度报告"},
		[2]string{"/nb/r1.htm", "2021年政府信息公开工作年度报告"},
		[2]string{"/nb/r2.htm", "2022年政府信息公开工作年度报告"},
		[2]string{"/nb/r3.htm", "2023年政府信息公开工作年度报告"},
		[2]string{"/private/r.htm", "2019年政府信息公开工作年度报告"},
	)
	f.handle("/private/r.htm", func(w http.ResponseWriter, r *http.Request) { t.Error("disallowed page fetched") })
	cfg := testConfig(t, t.TempDir(), f.site("robots", "/nb/"))
	cfg.Parallel = 4
	sum := mustRun(t, cfg)
	if sum.Disallowed != 1 || sum.Reports != 4 {
		t.Errorf("summary = %+v; want 1 disallowed, 4 reports", sum)
	}
	// Crawl-delay 0.1 s: the crawler starts requests at least that far
	// apart even with four workers. Arrival times at the server carry some
	// network jitter, hence the margin; without the delay all four would
	// arrive within a few milliseconds.
	if len(starts) != 4 {
		t.Fatalf("%d report requests, want 4", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < 50*time.Millisecond {
			t.Errorf("requests %d and %d only %v apart; robots.txt asks for 100ms", i-1, i, gap)
		}
	}
	if span := starts[3].Sub(starts[0]); span < 250*time.Millisecond {
		t.Errorf("4 requests within %v; robots.txt Crawl-delay asks for 300ms", span)
	}
}

func TestCrawlRobotsUnreachable(t *testing.T) {
	f := newFixture(t)
	f.handle("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 503) })
	reportsList(f, [2]string{"/nb/r.htm", "2023年政府信息公开工作年度报告"})
	cfg := testConfig(t, t.TempDir(), f.site("down", "/nb/"))
	sum := mustRun(t, cfg)
	if f.hitsOf("/nb/") != 0 || sum.Failed != 1 || sum.Disallowed != 0 {
		t.Errorf("crawled a host whose robots.txt answers 503: %+v, hits %v", sum, f.hits)
	}
}

func TestCrawlHTTPFailures(t *testing.T) {
	f := newFixture(t)
	other := newFixture(t)
	other.html("/landing.html", reportPage("2023年政府信息公开工作年度报告", "2024-01-01", reportTable))
	var tooMany sync.Once
	handlers := map[string]http.HandlerFunc{
		"/nb/404.htm": http.NotFound,
		"/nb/500.htm": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) },
		"/nb/timeout.htm": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(10 * time.Second):
			case <-r.Context().Done():
			}
		},
		"/nb/slow.htm": func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(100 * time.Millisecond)
			fmt.Fprint(w, reportPage("2019年政府信息公开工作年度报告", "2020-01-01", reportTable))
		},
		"/nb/429.htm": func(w http.ResponseWriter, r *http.Request) {
			first := false
			tooMany.Do(func() { first = true })
			if first {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "slow down", 429)
				return
			}
			fmt.Fprint(w, reportPage("2020年政府信息公开工作年度报告", "2021-01-01", reportTable))
		},
		"/nb/429-long.htm": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "come back in an hour", 503)
		},
		"/nb/loop-a.htm":  func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/nb/loop-b.htm", 302) },
		"/nb/offsite.htm": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.url("/landing.html"), 302) },
		"/nb/moved.htm":   func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/nb/slow.htm?from=moved", 301) },
		"/nb/412.htm": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(412)
			fmt.Fprint(w, `<html><script>var x="__jsl_clearance";document.cookie=x;location.reload()</script></html>`)
		},
		"/nb/js.htm": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html><head><script>document.cookie="acw_sc__v2=1";location.reload();</script></head><body></body></html>`)
		},
	}
	var links [][2]string
	f.handle("/nb/chain/*", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/nb/chain/%d.htm", &n)
		http.Redirect(w, r, fmt.Sprintf("/nb/chain/%d.htm", n+1), 302)
	})
	links = append(links, [2]string{"/nb/chain/0.htm", "2023年政府信息公开工作年度报告（跳转）"})
	f.handle("/nb/loop-b.htm", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/nb/loop-a.htm", 301) })
	for p, h := range handlers {
		f.handle(p, h)
		links = append(links, [2]string{p, "2023年政府信息公开工作年度报告 " + p})
	}
	reportsList(f, links...)
	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("errors", "/nb/"))
	cfg.Timeout = time.Second // ten times the slow page's 100ms, for busy machines
	cfg.MaxRetries = 1
	cfg.MaxBlocks = 10
	sum := mustRun(t, cfg)

	docs := mustDocuments(t, dir)
	for _, tc := range []struct {
		path       string
		status     FetchStatus
		http, hits int
		err        string
	}{
		{"/nb/404.htm", StatusFailed, 404, 1, ""},
		{"/nb/500.htm", StatusFailed, 500, 2, ""},
		{"/nb/timeout.htm", StatusFailed, 0, 2, "deadline"},
		{"/nb/slow.htm", StatusNew, 200, 1, ""},
		{"/nb/429.htm", StatusNew, 200, 2, ""},
		{"/nb/429-long.htm", StatusFailed, 0, 1, "retry later"},
		{"/nb/loop-a.htm", StatusFailed, 0, 1, "redirect loop"},
		{"/nb/offsite.htm", StatusFailed, 0, 1, "outside the site"},
		{"/nb/chain/0.htm", StatusFailed, 0, 1, "too many redirects"},
		{"/nb/moved.htm", StatusNew, 200, 1, ""},
		{"/nb/412.htm", StatusBlocked, 412, 1, ""},
		{"/nb/js.htm", StatusBlocked, 200, 1, ""},
	} {
		d := docs[f.url(tc.path)]
		if len(d) != 1 || d[0].Status != tc.status || d[0].HTTPStatus != tc.http || !strings.Contains(d[0].Error, tc.err) {
			t.Errorf("%s: %+v; want status %s, HTTP %d, error containing %q", tc.path, d, tc.status, tc.http, tc.err)
		}
		if n := f.hitsOf(tc.path); n != tc.hits {
			t.Errorf("%s requested %d times, want %d", tc.path, n, tc.hits)
		}
	}
	if n := other.hitsOf("/landing.html"); n != 0 {
		t.Errorf("off-site redirect followed (%d requests)", n)
	}
	if n := f.hitsOf("/nb/chain/6.htm"); n != 0 {
		t.Error("followed more than 5 redirects (the default cap)")
	}
	if sum.Blocked != 2 || sum.Failed != 7 || sum.New != 3 {
		t.Errorf("summary = %+v; want 2 blocked, 7 failed, 3 new", sum)
	}
}

func TestCrawlGivesUpBlockedHost(t *testing.T) {
	f := newFixture(t)
	var links [][2]string
	for i := range 6 {
		p := fmt.Sprintf("/nb/r%d.htm", i)
		f.handle(p, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(521) })
		links = append(links, [2]string{p, fmt.Sprintf("%d年政府信息公开工作年度报告", 2015+i)})
	}
	reportsList(f, links...)
	cfg := testConfig(t, t.TempDir(), f.site("blocked", "/nb/"))
	cfg.MaxBlocks = 2
	cfg.Parallel = 1
	sum := mustRun(t, cfg)
	total := 0
	for i := range 6 {
		total += f.hitsOf(fmt.Sprintf("/nb/r%d.htm", i))
	}
	if total != 2 || sum.Blocked != 2 || sum.Failed != 4 {
		t.Errorf("after 2 blocks: %d requests to blocked pages, summary %+v; want 2 requests, 2 blocked, 4 failed", total, sum)
	}
}

func TestCrawlSameReportTwoURLs(t *testing.T) {
	f := newFixture(t)
	body := reportPage("2023年政府信息公开工作年度报告", "2024-01-01", reportTable)
	f.html("/nb/a/r.htm", body)
	f.html("/nb/b/r.htm", body)
	reportsList(f, [2]string{"/nb/a/r.htm", "2023年政府信息公开工作年度报告"}, [2]string{"/nb/b/r.htm", "2023年政府信息公开工作年度报告（转）"})
	dir := t.TempDir()
	mustRun(t, testConfig(t, dir, f.site("dup", "/nb/")))
	docs := mustDocuments(t, dir)
	a, b := docs[f.url("/nb/a/r.htm")], docs[f.url("/nb/b/r.htm")]
	if len(a) != 1 || len(b) != 1 || a[0].SHA256 != b[0].SHA256 || a[0].SHA256 != sha([]byte(body)) {
		t.Fatalf("documents %+v %+v; want both URLs with the same sha256", a, b)
	}
	if files := archiveFiles(t, dir); len(files) != 2 { // the list page and the report, once
		t.Errorf("archive holds %d files, want 2: %v", len(files), files)
	}
}

func TestCrawlContentChanges(t *testing.T) {
	f := newFixture(t)
	v1 := reportPage("2023年政府信息公开工作年度报告", "2024-01-01", `<a href="/f/nb.pdf">附件</a>`+reportTable)
	v2 := strings.Replace(v1, "<td>3</td>", "<td>4</td>", 1)
	pdf1 := []byte("%PDF-1.4 first version")
	pdf2 := []byte("%PDF-1.4 second version, corrected")
	f.html("/nb/r.htm", v1)
	f.file("/f/nb.pdf", "application/pdf", pdf1)
	reportsList(f, [2]string{"/nb/r.htm", "2023年政府信息公开工作年度报告"})
	dir := t.TempDir()
	cfg := testConfig(t, dir, f.site("change", "/nb/"))
	mustRun(t, cfg)

	// The site alters the report and replaces the PDF; this server sends no
	// validators, so the crawler must compare contents.
	f.handle("/nb/r.htm", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, v2) })
	f.file("/f/nb.pdf", "application/pdf", pdf2)
	sum := mustRun(t, cfg)
	if sum.Changed != 2 || sum.New != 0 || sum.Unchanged != 0 {
		t.Errorf("summary = %+v; want 2 changed", sum)
	}
	docs := mustDocuments(t, dir)
	for p, want := range map[string][2]string{
		"/nb/r.htm": {sha([]byte(v1)), sha([]byte(v2))},
		"/f/nb.pdf": {sha(pdf1), sha(pdf2)},
	} {
		d := docs[f.url(p)]
		if len(d) != 2 || d[0].Revision != 1 || d[0].Status != StatusSuperseded || d[0].SHA256 != want[0] ||
			d[1].Revision != 2 || d[1].Status != StatusChanged || d[1].SHA256 != want[1] {
			t.Errorf("%s: %+v; want revisions 1 (superseded) and 2 (changed)", p, d)
		}
	}
	files := archiveFiles(t, dir)
	for _, s := range []string{sha([]byte(v1)), sha([]byte(v2)), sha(pdf1), sha(pdf2)} {
		if !files[s] {
			t.Errorf("archive lacks version %s", s)
		}
	}

	// Unchanged third run: same contents, no new revision.
	sum = mustRun(t, cfg)
	if sum.Unchanged != 2 || sum.Changed != 0 {
		t.Errorf("third run summary = %+v; want 2 unchanged", sum)
	}
	if d := mustDocuments(t, dir)[f.url("/nb/r.htm")]; len(d) != 2 {
		t.Errorf("third run added revisions: %+v", d)
	}
}

// TestCrawlLargeAttachment checks a body too long to keep in memory: it is
// streamed to the archive byte for byte.
func TestCrawlLargeAttachment(t *testing.T) {
	f := newFixture(t)
	big := append([]byte("%PDF-1.5\n"), bytes.Repeat([]byte("0123456789\x00\xff"), spillSize/12+1000)...)
	f.html("/nb/r.htm", reportPage("2023年政府信息公开工作年度报告", "2024-01-01", `<a href="/f/big.pdf">附件</a>`))
	f.file("/f/big.pdf", "application/pdf", big)
	reportsList(f, [2]string{"/nb/r.htm", "2023年政府信息公开工作年度报告"})
	dir := t.TempDir()
	mustRun(t, testConfig(t, dir, f.site("big", "/nb/")))
	d := mustDocuments(t, dir)[f.url("/f/big.pdf")]
	if len(d) != 1 || d[0].SHA256 != sha(big) || d[0].Size != int64(len(big)) || d[0].Status != StatusNew {
		t.Fatalf("large attachment: %+v", d)
	}
	stored, err := os.ReadFile(ArchivePath(dir, sha(big)))
	if err != nil || !bytes.Equal(stored, big) {
		t.Errorf("archived large body differs (err %v)", err)
	}
}

// TestCrawlReportNeighbours checks report pages without <meta> data that
// link to their neighbours (上一篇, 下一篇): each is recorded as a report, and
// the neighbour is found even though no list page links to it.
func TestCrawlReportNeighbours(t *testing.T) {
	f := newFixture(t)
	page := func(year int, prev string) string {
		return fmt.Sprintf(`<html><head><title>%d年政府信息公开工作年度报告</title></head><body><h1>%d年政府信息公开工作年度报告</h1>%s
<p>上一篇：<a href="%s">%d年政府信息公开工作年度报告</a></p></body></html>`, year, year, reportTable, prev, year-1)
	}
	f.html("/nb/2023.htm", page(2023, "/nb/2022.htm"))
	f.html("/nb/2022.htm", page(2022, "/nb/2021.htm"))
	reportsList(f, [2]string{"/nb/2023.htm", "2023年政府信息公开工作年度报告"})
	dir := t.TempDir()
	sum := mustRun(t, testConfig(t, dir, f.site("nb", "/nb/")))
	docs := mustDocuments(t, dir)
	for _, y := range []int{2023, 2022} {
		d := docs[f.url(fmt.Sprintf("/nb/%d.htm", y))]
		if len(d) != 1 || d[0].Year != y || d[0].Status != StatusNew {
			t.Errorf("%d report: %+v", y, d)
		}
	}
	// 2021 is linked but missing: recorded as a failed report.
	if d := docs[f.url("/nb/2021.htm")]; len(d) != 1 || d[0].Status != StatusFailed || d[0].HTTPStatus != 404 || d[0].Year != 2021 {
		t.Errorf("missing 2021 report: %+v", d)
	}
	if sum.Reports != 2 {
		t.Errorf("summary = %+v; want 2 reports", sum)
	}
}
