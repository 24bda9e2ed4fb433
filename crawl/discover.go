package crawl

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// A pageInfo is what one HTML page tells the crawler.
type pageInfo struct {
	Title       string
	Year        int    // the year the report covers, 0 if unknown
	PublishDate string // YYYY-MM-DD, "" if unknown
	Article     bool   // the page carries article metadata (<meta name=ArticleTitle> etc.)
	Links       []link
	ReportLinks int // links whose anchor text names a report
	// OverLinks counts the links past maxPageLinks, not read: anchors not
	// looked at and TRS page URLs not generated.
	OverLinks int
}

// A link is one anchor (or generated page URL) of a page.
type link struct {
	URL        *url.URL
	Text       string
	Pagination bool // a further page of the same list
	Attachment bool // a .pdf, .doc, .docx, .wps or .ofd file
	Report     bool // anchor text names an annual report
}

var (
	// reportRe matches the usual names of an annual report: 政府信息公开工作
	// 年度报告, 政府信息公开年报, 信息公开工作年度报告, 政务信息公开年度报告 …
	reportRe = regexp.MustCompile(`信息公开.{0,8}(年度报告|年报|年度工作报告|工作报告)|(年度|年)信息公开.{0,4}报告`)
	yearRe   = regexp.MustCompile(`((?:19|20)\d{2})\s*年`)
	cnYearRe = regexp.MustCompile(`([〇零○Ｏ一二三四五六七八九]{4})\s*年`)
	dateRe   = regexp.MustCompile(`((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})`)
	// visibleDateRe finds the 发布日期 line of an article.
	visibleDateRe = regexp.MustCompile(`(?:发布日期|发布时间|发文日期|成文日期|公开日期|日期)\s*[:：]?\s*((?:19|20)\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2})`)
	createPageRe  = regexp.MustCompile(`createPageHTML\s*\(([^)]*)\)`)
	pageParamRe   = regexp.MustCompile(`(?i)^(page|pageno|pagenum|pageindex|pn|p|curpage|currentpage|cur|start|offset|index)$`)
)

// attachmentExts are the file types a report is published as.
var attachmentExts = map[string]bool{".pdf": true, ".doc": true, ".docx": true, ".wps": true, ".ofd": true}

func isAttachmentURL(u *url.URL) bool {
	return attachmentExts[strings.ToLower(path.Ext(u.Path))]
}

// isReportTitle reports whether s names an annual report.
func isReportTitle(s string) bool { return reportRe.MatchString(s) }

var cnDigits = map[rune]int{'〇': 0, '零': 0, '○': 0, 'Ｏ': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// reportYear returns the year a report title names, or 0.
func reportYear(s string) int {
	if m := yearRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	if m := cnYearRe.FindStringSubmatch(s); m != nil {
		y := 0
		for _, r := range m[1] {
			y = y*10 + cnDigits[r]
		}
		if y >= 1990 && y <= 2100 {
			return y
		}
	}
	return 0
}

// normDate turns a matched date into YYYY-MM-DD.
func normDate(s string) string {
	m := dateRe.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return ""
	}
	return m[1] + "-" + twoDigits(mo) + "-" + twoDigits(d)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// metaNames are the <meta name> keys carrying an article's title and date.
var (
	titleMetas = []string{"articletitle", "title", "og:title"}
	dateMetas  = []string{"pubdate", "publishdate", "firstpublishedtime", "article:published_time", "og:release_date", "pub_date"}
)

// analyze extracts title, dates and links from a parsed page at base.
func analyze(doc *goquery.Document, html string, base *url.URL) pageInfo {
	metas := readMetas(doc)
	pi := pageInfo{Article: metas["articletitle"] != ""}
	pi.Title = pageTitle(doc, metas)
	pi.Year = reportYear(pi.Title)
	var dated bool
	pi.PublishDate, dated = publishDate(doc, metas)
	pi.Article = pi.Article || dated
	pi.Links, pi.ReportLinks, pi.OverLinks = pageLinks(doc, html, base)
	return pi
}

// readMetas returns a page's <meta> contents by lower-cased name or
// property.
func readMetas(doc *goquery.Document) map[string]string {
	metas := map[string]string{}
	doc.Find("meta").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if name == "" {
			name, _ = s.Attr("property")
		}
		content, _ := s.Attr("content")
		if name != "" && content != "" {
			metas[strings.ToLower(name)] = strings.TrimSpace(content)
		}
	})
	return metas
}

func pageTitle(doc *goquery.Document, metas map[string]string) string {
	title := ""
	for _, k := range titleMetas {
		if v := metas[k]; v != "" {
			title = v
			break
		}
	}
	if title == "" {
		title = strings.TrimSpace(doc.Find("title").First().Text())
	}
	if !isReportTitle(title) {
		// Many sites put the site name in <title>; the heading says more.
		for _, sel := range []string{"h1", "h2", ".title", "#title"} {
			if t := collapseSpace(doc.Find(sel).First().Text()); isReportTitle(t) {
				title = t
				break
			}
		}
	}
	return collapseSpace(title)
}

// publishDate returns a page's publication date, YYYY-MM-DD or "";
// fromMeta says it came from article metadata.
func publishDate(doc *goquery.Document, metas map[string]string) (date string, fromMeta bool) {
	for _, k := range dateMetas {
		if v := normDate(metas[k]); v != "" {
			return v, true
		}
	}
	if m := visibleDateRe.FindStringSubmatch(doc.Find("body").Text()); m != nil {
		return normDate(m[1]), false
	}
	return "", false
}

// Limits on what one page can add to the crawl.
const (
	// maxPageLinks caps the links read from one page, anchors and
	// generated TRS page URLs together. A list page of reports has a few
	// hundred; one with more is a sitemap, a generated trap or an attack,
	// and reading them all would let a single page fill the frontier and
	// the memory (an 8 MiB page holds some 400,000 short anchors).
	maxPageLinks = 10000
	// maxTRSCalls caps the createPageHTML calls read from one page: a real
	// list has one pager, maybe repeated at the top and bottom.
	maxTRSCalls = 8
	// maxTRSPages caps the page URLs one createPageHTML call expands to:
	// the largest real columns have a few hundred pages, and the count is
	// whatever number the page's script says.
	maxTRSPages = 10000
	// maxTRSArgs caps the length of a createPageHTML call's arguments,
	// four short ones in real pages; the regular expression would take
	// megabytes of commas.
	maxTRSArgs = 256
)

// pageLinks returns a page's links, each URL once and at most
// maxPageLinks of them, how many of its anchors name a report (every one
// read, repeats included) and how many links it did not read, being over
// the cap.
func pageLinks(doc *goquery.Document, html string, base *url.URL) (links []link, reportLinks, over int) {
	seen := map[string]bool{}
	add := func(l link) {
		k := l.URL.String()
		if !seen[k] {
			seen[k] = true
			links = append(links, l)
		}
	}
	anchors := doc.Find("a[href]")
	anchors.EachWithBreak(func(i int, s *goquery.Selection) bool {
		if len(links) >= maxPageLinks {
			over += anchors.Length() - i
			return false
		}
		href, _ := s.Attr("href")
		u := resolve(base, href)
		if u == nil {
			return true
		}
		text := collapseSpace(s.Text())
		if title, ok := s.Attr("title"); ok && len(title) > len(text) {
			text = collapseSpace(title)
		}
		l := link{URL: u, Text: text, Attachment: isAttachmentURL(u), Report: isReportTitle(text)}
		l.Pagination = !l.Attachment && isPagination(base, u, text)
		if l.Report {
			reportLinks++
		}
		add(l)
		return true
	})
	if reportLinks < 3 { // a list drawn by script: its data source
		for _, l := range scriptListLinks(html, base) {
			if len(links) < maxPageLinks {
				add(l)
			}
		}
	}
	for _, l := range hanwebLinks(html, base) {
		if len(links) >= maxPageLinks {
			over++
			continue
		}
		if l.Report {
			reportLinks++
		}
		add(l)
	}
	for _, m := range createPageRe.FindAllStringSubmatch(html, maxTRSCalls) {
		urls, skipped := trsPages(base, m[1], maxPageLinks-len(links))
		over += skipped
		for _, u := range urls {
			add(link{URL: u, Pagination: true})
		}
	}
	return links, reportLinks, over
}

// resolve makes href absolute against base; it returns nil for
// javascript:, mailto: and other non-http links. Fragments are dropped.
func resolve(base *url.URL, href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return nil
	}
	u, err := base.Parse(href)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return nil
	}
	u.Fragment = ""
	u.RawFragment = ""
	if u.Path == "" {
		u.Path = "/"
	}
	return u
}

var pagerTexts = []string{"下一页", "下页", "后页", "下一頁", "上一页", "上页", "首页", "尾页", "末页", "最后一页", "next", "prev", "›", "»", ">", ">>", "<", "<<"}

// isPagination reports whether the link from page base to u is a further
// page of the same list: a pager anchor ("下一页", "尾页", a page number) in
// the same directory, or the same path with a paging query parameter.
func isPagination(base, u *url.URL, text string) bool {
	if u.Host != base.Host {
		return false
	}
	if u.Path == base.Path && u.RawQuery != base.RawQuery {
		for k := range u.Query() {
			if pageParamRe.MatchString(k) {
				return true
			}
		}
	}
	if path.Dir(u.Path) != path.Dir(base.Path) && u.Path != base.Path {
		return false
	}
	t := strings.ToLower(strings.Trim(text, "[]【】 "))
	for _, p := range pagerTexts {
		if t == p {
			return true
		}
	}
	if _, err := strconv.Atoi(t); err == nil && len(t) <= 4 {
		return true
	}
	return false
}

// trsPages expands a TRS createPageHTML(count, current, "index", "html")
// call into the list's page URLs: index.html, index_1.html, … It makes at
// most limit of them and says how many more the call names (up to
// maxTRSPages in all).
func trsPages(base *url.URL, args string, limit int) (urls []*url.URL, skipped int) {
	if len(args) > maxTRSArgs {
		return nil, 0
	}
	var ints []int
	var strs []string
	for _, a := range strings.Split(args, ",") {
		a = strings.TrimSpace(a)
		if n, err := strconv.Atoi(a); err == nil {
			ints = append(ints, n)
		} else if len(a) >= 2 && (a[0] == '"' || a[0] == '\'') {
			strs = append(strs, strings.Trim(a, `"'`))
		}
	}
	if len(ints) == 0 || len(strs) < 2 {
		return nil, 0
	}
	count := min(max(ints[0], 0), maxTRSPages)
	name, ext := strs[len(strs)-2], strs[len(strs)-1]
	if name == "" || ext == "" || strings.ContainsAny(name+ext, "/?#") {
		return nil, 0
	}
	n := min(count, max(limit, 0))
	urls = make([]*url.URL, 0, n)
	for i := 0; i < n; i++ {
		file := name + "." + ext
		if i > 0 {
			file = name + "_" + strconv.Itoa(i) + "." + ext
		}
		if u := resolve(base, file); u != nil {
			urls = append(urls, u)
		}
	}
	return urls, count - n
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
