package crawl

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestReportTitles(t *testing.T) {
	for _, tc := range []struct {
		title  string
		report bool
		year   int
	}{
		{"平潭综合实验区2023年政府信息公开工作年度报告", true, 2023},
		{"上海市人民政府办公厅2019年政府信息公开工作年度报告", true, 2019},
		{"2022年度政府信息公开工作年度报告", true, 2022},
		{"凯里市2023年政府信息公开年报", true, 2023},
		{"二〇二一年政府信息公开工作年度报告", true, 2021},
		{"市教育局2020年信息公开工作年度报告", true, 2020},
		{"2021年度信息公开工作报告", true, 2021},
		{"关于做好春节期间值班工作的通知", false, 0},
		{"2023年统计年报", false, 2023},
		{"政务公开工作要点", false, 0},
	} {
		if got := isReportTitle(tc.title); got != tc.report {
			t.Errorf("isReportTitle(%q) = %v, want %v", tc.title, got, tc.report)
		}
		if got := reportYear(tc.title); got != tc.year {
			t.Errorf("reportYear(%q) = %d, want %d", tc.title, got, tc.year)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAnalyze(t *testing.T) {
	const page = `<html><head><meta name="ArticleTitle" content="某县2023年政府信息公开工作年度报告">
<meta name="PubDate" content="2024/1/16 10:00:00"><title>某县人民政府</title></head><body>
<a href="./P0202401.pdf">附件1</a>
<a href="/files/nb.DOCX?v=2">附件2</a>
<a href="nb.ofd#p1">附件3</a>
<a href="javascript:void(0)">打印</a>
<a href="mailto:x@a.gov.cn">邮件</a>
<a href="index_1.html">下一页</a>
<a href="index_9.html">尾页</a>
<a href="../other/index.html">2</a>
<a href="list.jsp?page=3">3</a>
<a href="list.jsp?id=3">栏目</a>
<a href="t1.htm" title="某县2022年政府信息公开工作年度报告">某县2022年政府信息…</a>
<script>createPageHTML(4, 0, "index", "shtml");</script>
</body></html>`
	base := mustURL(t, "http://www.a.gov.cn/zwgk/nb/list.jsp")
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	pi := analyze(doc, page, base)
	if pi.Title != "某县2023年政府信息公开工作年度报告" || pi.Year != 2023 || pi.PublishDate != "2024-01-16" || !pi.Article {
		t.Errorf("page info = %+v", pi)
	}
	type flags struct{ pagination, attachment, report bool }
	want := map[string]flags{
		"http://www.a.gov.cn/zwgk/nb/P0202401.pdf":    {attachment: true},
		"http://www.a.gov.cn/files/nb.DOCX?v=2":       {attachment: true},
		"http://www.a.gov.cn/zwgk/nb/nb.ofd":          {attachment: true},
		"http://www.a.gov.cn/zwgk/nb/index_1.html":    {pagination: true},
		"http://www.a.gov.cn/zwgk/nb/index_9.html":    {pagination: true},
		"http://www.a.gov.cn/zwgk/other/index.html":   {},
		"http://www.a.gov.cn/zwgk/nb/list.jsp?page=3": {pagination: true},
		"http://www.a.gov.cn/zwgk/nb/list.jsp?id=3":   {},
		"http://www.a.gov.cn/zwgk/nb/t1.htm":          {report: true},
		"http://www.a.gov.cn/zwgk/nb/index.shtml":     {pagination: true},
		"http://www.a.gov.cn/zwgk/nb/index_2.shtml":   {pagination: true},
		"http://www.a.gov.cn/zwgk/nb/index_1.shtml":   {pagination: true},
		"http://www.a.gov.cn/zwgk/nb/index_3.shtml":   {pagination: true},
	}
	got := map[string]flags{}
	for _, l := range pi.Links {
		got[l.URL.String()] = flags{l.Pagination, l.Attachment, l.Report}
	}
	for u, w := range want {
		if g, ok := got[u]; !ok || g != w {
			t.Errorf("link %s: got %+v (present %v), want %+v", u, g, ok, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("links = %v", got)
	}
	if pi.ReportLinks != 1 {
		t.Errorf("ReportLinks = %d, want 1", pi.ReportLinks)
	}
}

func TestVisibleDate(t *testing.T) {
	for body, want := range map[string]string{
		`<p>发布日期：2023-03-10</p>`:          "2023-03-10",
		`<span>发布时间: 2021年3月1日</span>`:    "2021-03-01",
		`<td>发文日期</td><td>2020.1.5</td>`:  "2020-01-05",
		`<p>浏览次数：2023</p>`:                "",
		`<div>日期：2022/12/31 来源：办公室</div>`: "2022-12-31",
	} {
		page := "<html><body>" + body + "</body></html>"
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
		if got := analyze(doc, page, mustURL(t, "http://a.gov.cn/")).PublishDate; got != want {
			t.Errorf("%s: date %q, want %q", body, got, want)
		}
	}
}

func TestTrapsAndCanonical(t *testing.T) {
	for raw, want := range map[string]string{
		"http://a.gov.cn/nb/index.html":                                                       "",
		"http://a.gov.cn/nb/list.jsp?page=2":                                                  "",
		"http://a.gov.cn/calendar/2024/03/":                                                   "calendar",
		"http://a.gov.cn/nb/list.jsp?date=2024-03-01":                                         "calendar",
		"http://a.gov.cn/a/b/a/b/a/b/":                                                        "repeating path segments",
		"http://a.gov.cn/x?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15": "too many query parameters",
		"http://a.gov.cn/" + strings.Repeat("x", 600):                                         "URL too long",
		"http://a.gov.cn/" + strings.Repeat("s/", 10) + "1/2/3/4/5/6/7":                       "path too deep",
	} {
		if got := trapReason(mustURL(t, raw)); got != want {
			t.Errorf("trapReason(%.60s) = %q, want %q", raw, got, want)
		}
	}
	for raw, want := range map[string]string{
		"HTTP://A.gov.cn:80/nb/?b=2&a=1#top":           "http://a.gov.cn/nb/?a=1&b=2",
		"http://a.gov.cn/nb/x.jsp;jsessionid=ABC?id=1": "http://a.gov.cn/nb/x.jsp?id=1",
		"https://a.gov.cn:443/nb/?page=2&_=1700000000": "https://a.gov.cn/nb/?page=2",
	} {
		if got := canonical(mustURL(t, raw)).String(); got != want {
			t.Errorf("canonical(%s) = %s, want %s", raw, got, want)
		}
	}
}

func TestIsBinaryAndChallenge(t *testing.T) {
	for _, tc := range []struct {
		body   string
		binary bool
	}{
		{"%PDF-1.7\n...", true},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1....", true},
		{"PK\x03\x04....", true},
		{"<html>政府</html>", false},
		{"\xef\xbb\xbf<html>", false},
		{"abc\x00def", true},
	} {
		if got := isBinary([]byte(tc.body)); got != tc.binary {
			t.Errorf("isBinary(%q) = %v", tc.body, got)
		}
	}
	challenge := `<html><script>var _0x=1;document.cookie="__jsl_clearance=1";location.reload()</script></html>`
	real := `<html><head><script>document.cookie="font=1"</script></head><body>` + strings.Repeat("政府信息公开工作年度报告", 5) + `</body></html>`
	if !isChallenge([]byte(challenge), "text/html") {
		t.Error("challenge page not recognised")
	}
	if isChallenge([]byte(real), "text/html") || isChallenge(gbk(real), "text/html; charset=gbk") {
		t.Error("real page with a cookie script taken for a challenge")
	}
}
