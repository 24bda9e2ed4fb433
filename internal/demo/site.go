package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// A Site serves the demo portals. Its zero value is not usable: call New.
// A Site is safe for concurrent use.
type Site struct {
	revised atomic.Bool
	res     map[string]*resource // by URL path, or path?query for query-string pages
}

// A resource is one URL of the site: its body before and after Advance.
type resource struct {
	contentType string
	v1, v2      *body // v2 nil: the same after Advance
}

type body struct {
	data []byte
	etag string
	mod  time.Time
}

func newBody(data []byte, mod time.Time) *body {
	sum := sha256.Sum256(data)
	return &body{data: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, mod: mod}
}

// New builds the site in its first state: every report as first
// published.
func New() *Site {
	s := &Site{res: map[string]*resource{}}
	m := loadManifest()
	byCol := map[string][]*Report{}
	for _, r := range m.Reports {
		byCol[r.Site] = append(byCol[r.Site], r)
	}
	s.add("/robots.txt", "text/plain; charset=utf-8", []byte(robotsTxt), date("2020-01-01"))
	s.add("/", "text/html; charset=utf-8", []byte(home(m.Columns)), date("2024-04-08"))
	portals := map[string][]column{}
	for _, c := range m.Columns {
		portals[c.Portal] = append(portals[c.Portal], c)
	}
	for p, cols := range portals {
		s.add(p, "text/html; charset=utf-8", []byte(portalHome(cols)), date("2024-04-08"))
	}
	for _, c := range m.Columns {
		s.addColumn(c, byCol[c.Name])
	}
	return s
}

// Advance switches the site to its second state: the revised report is
// served in its second version, at the same URL. Further calls do
// nothing.
func (s *Site) Advance() { s.revised.Store(true) }

// Handler serves the site: GET and HEAD, with ETag and Last-Modified,
// answering conditional requests with 304 and unknown paths with 404.
func (s *Site) Handler() http.Handler { return http.HandlerFunc(s.serve) }

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	res := s.res[r.URL.Path+"?"+r.URL.RawQuery]
	if res == nil {
		res = s.res[r.URL.Path]
	}
	if res == nil {
		http.NotFound(w, r)
		return
	}
	b := res.v1
	if res.v2 != nil && s.revised.Load() {
		b = res.v2
	}
	w.Header().Set("Content-Type", res.contentType)
	w.Header().Set("ETag", b.etag)
	http.ServeContent(w, r, "", b.mod, bytes.NewReader(b.data))
}

func (s *Site) add(key, contentType string, data []byte, mod time.Time) *resource {
	if _, dup := s.res[key]; dup {
		panic("demo: two resources at " + key)
	}
	res := &resource{contentType: contentType, v1: newBody(data, mod)}
	s.res[key] = res
	return res
}

// cst is the time zone the sites publish in.
var cst = time.FixedZone("CST", 8*3600)

// date is 09:30 China time on day d (YYYY-MM-DD).
func date(d string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", d, cst)
	if err != nil {
		panic("demo: bad date " + d)
	}
	return t.Add(9*time.Hour + 30*time.Minute)
}

func embedded(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("demo: " + err.Error())
	}
	return b
}

// An entry is one article of a column's list.
type entry struct {
	title, page, date string
}

// addColumn adds a column's list pages, articles and attachments.
func (s *Site) addColumn(c column, reports []*Report) {
	var entries []entry
	for _, r := range reports {
		entries = append(entries, entry{r.Title, r.Page, r.PublishDate})
		page := s.addPage(c, r.Page, r.Title, r.PublishDate, s.articleBody(c, r, r.File))
		if r.Format == "pdf" {
			s.add(r.Document, "application/pdf", embedded(r.File), date(r.PublishDate))
		}
		if r.Revised != nil {
			page.v2 = s.encode(c, articlePage(c, r.Title, r.PublishDate, s.articleBody(c, r, r.Revised.File)), date(r.Revised.Date))
		}
	}
	for _, n := range c.Notices {
		entries = append(entries, entry{n.Title, n.Page, n.Date})
		s.addPage(c, n.Page, n.Title, n.Date, "<p style=\"text-indent:2em\">"+html.EscapeString(n.Title)+"，全文略。</p>\n")
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].date > entries[j].date })
	pages := (len(entries) + c.PerPage - 1) / c.PerPage
	for p := 0; p < pages; p++ {
		list := entries[p*c.PerPage : min((p+1)*c.PerPage, len(entries))]
		data := s.encode(c, listPage(c, list, p, pages), date(list[0].date))
		for _, key := range listKeys(c, p) {
			s.res[key] = &resource{contentType: contentType(c), v1: data}
		}
	}
}

// listKeys are the URLs of a column's list page p (0-based).
func listKeys(c column, p int) []string {
	switch {
	case p == 0 && c.Paging == "query":
		return []string{c.Path}
	case p == 0:
		return []string{c.Path, c.Path + "index.html"}
	case c.Paging == "query":
		return []string{fmt.Sprintf("%s?page=%d", c.Path, p+1)}
	default:
		return []string{fmt.Sprintf("%sindex_%d.html", c.Path, p)}
	}
}

// articleBody is the article text of a report page: the report itself,
// or the link to its PDF.
func (s *Site) articleBody(c column, r *Report, file string) string {
	if r.Format != "pdf" {
		return string(embedded(file))
	}
	href := r.Document
	if path.Dir(r.Document) == path.Dir(r.Page) {
		href = path.Base(r.Document)
	}
	return fmt.Sprintf("<p style=\"text-indent:2em\">现将%s予以公布，全文见附件。</p>\n<p>附件：<a href=\"%s\">%s.pdf</a></p>\n",
		html.EscapeString(r.Title), html.EscapeString(href), html.EscapeString(r.Title))
}

func (s *Site) addPage(c column, p, title, day, article string) *resource {
	res := &resource{contentType: contentType(c), v1: s.encode(c, articlePage(c, title, day, article), date(day))}
	if _, dup := s.res[p]; dup {
		panic("demo: two resources at " + p)
	}
	s.res[p] = res
	return res
}

func contentType(c column) string {
	if c.Charset == "gbk" {
		// As such servers do: no charset in the header, only in the page.
		return "text/html"
	}
	return "text/html; charset=utf-8"
}

// encode turns a page into the bytes the column serves.
func (s *Site) encode(c column, page string, mod time.Time) *body {
	if c.Charset != "gbk" {
		return newBody([]byte(page), mod)
	}
	b, err := simplifiedchinese.GBK.NewEncoder().String(page)
	if err != nil {
		panic("demo: page not encodable in GBK: " + err.Error())
	}
	return newBody([]byte(b), mod)
}

const robotsTxt = `# nianbao demo site
User-agent: *
Disallow: /cc/search/
Disallow: /canglan/search/
`

const style = `<style type="text/css">
body { font-family: "SimSun", "Songti SC", serif; font-size: 14px; margin: 0 auto; max-width: 980px; }
.header { background: #b5161d; color: #fff; padding: 12px 20px; font-size: 22px; }
.header a { color: #fff; text-decoration: none; }
.crumb, .info, .footer { color: #666; font-size: 12px; margin: 10px 0; }
h1, .title { text-align: center; font-size: 22px; }
.list li { line-height: 2.2em; list-style: none; border-bottom: 1px dashed #ccc; }
.list li span { float: right; color: #999; }
table { border-collapse: collapse; margin: 8px auto; }
td { padding: 2px 4px; text-align: center; }
td.l { text-align: left; }
.page { text-align: center; margin: 16px 0; }
.page a { margin: 0 4px; }
</style>
`

const footer = `<div class="footer">本站为 nianbao 演示站点：机构、报告与数据均为虚构，仅用于演示。</div>
`

func head(c column, title string, metas string) string {
	charset := "utf-8"
	if c.Charset == "gbk" {
		charset = "gbk"
	}
	return fmt.Sprintf("<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=%s\" />\n%s<title>%s</title>\n%s</head>\n",
		charset, metas, html.EscapeString(title), style)
}

// portalName is the name of the portal a column is on.
func portalName(c column) string {
	if c.Portal == "/cc/" {
		return "澄川县人民政府"
	}
	return "鹿溪市苍澜区人民政府"
}

func columnName(c column) string {
	if c.Level == "department" {
		return c.Agency + "政府信息公开年报"
	}
	if c.Style == "plain" {
		return "年度报告"
	}
	return "政府信息公开年报"
}

func banner(c column) string {
	e := html.EscapeString
	return fmt.Sprintf("<div class=\"header\"><a href=\"%s\">%s</a></div>\n<div class=\"crumb\">当前位置：<a href=\"%s\">首页</a> &gt; 政务公开 &gt; <a href=\"%s\">%s</a></div>\n",
		e(c.Portal), e(portalName(c)), e(c.Portal), e(c.Path), e(columnName(c)))
}

// articlePage is an article of a column: a report page, or a notice.
func articlePage(c column, title, day, article string) string {
	e := html.EscapeString
	var metas, top string
	if c.Style == "trs" {
		metas = fmt.Sprintf("<meta name=\"SiteName\" content=\"%s\" />\n<meta name=\"ColumnName\" content=\"%s\" />\n"+
			"<meta name=\"ArticleTitle\" content=\"%s\" />\n<meta name=\"PubDate\" content=\"%s 09:30\" />\n<meta name=\"ContentSource\" content=\"%s\" />\n",
			e(portalName(c)), e(columnName(c)), e(title), day, e(c.Agency))
		top = fmt.Sprintf("<h1>%s</h1>\n<div class=\"info\">发布日期：%s　来源：%s</div>\n<div class=\"TRS_Editor\">\n", e(title), day, e(c.Agency))
	} else {
		metas = fmt.Sprintf("<meta name=\"title\" content=\"%s\" />\n<meta name=\"ColumnName\" content=\"%s\" />\n"+
			"<meta name=\"firstpublishedtime\" content=\"%s 09:30:00\" />\n<meta name=\"author\" content=\"%s\" />\n",
			e(title), e(columnName(c)), day, e(c.Agency))
		top = fmt.Sprintf("<h2 class=\"title\">%s</h2>\n<div class=\"info\">发布时间：%s 09:30:00　信息来源：%s</div>\n<div class=\"detail-content\">\n", e(title), day, e(c.Agency))
	}
	return head(c, title+"_"+portalName(c), metas) + "<body>\n" + banner(c) + "<div class=\"article\">\n" + top + article + "</div>\n</div>\n" + footer + "</body>\n</html>\n"
}

// listPage is page p (0-based) of a column's list of articles.
func listPage(c column, list []entry, p, pages int) string {
	e := html.EscapeString
	var b strings.Builder
	b.WriteString(head(c, columnName(c)+"_"+portalName(c), fmt.Sprintf("<meta name=\"ColumnName\" content=\"%s\" />\n", e(columnName(c)))))
	b.WriteString("<body>\n" + banner(c) + "<ul class=\"list\">\n")
	for _, it := range list {
		href := it.page
		if c.Paging != "query" && strings.HasPrefix(it.page, c.Path) {
			href = "./" + strings.TrimPrefix(it.page, c.Path)
		}
		text := it.title
		if c.Style == "trs" {
			// TRS lists cut long titles; the full one is in the title attribute.
			if r := []rune(text); len(r) > 24 {
				text = string(r[:23]) + "…"
			}
		}
		fmt.Fprintf(&b, "<li><a href=\"%s\" title=\"%s\" target=\"_blank\">%s</a><span>%s</span></li>\n", e(href), e(it.title), e(text), it.date)
	}
	b.WriteString("</ul>\n<div class=\"page\">")
	switch c.Paging {
	case "trs":
		fmt.Fprintf(&b, "<script type=\"text/javascript\">\nvar currentPage = %d;\nvar countPage = %d;\ncreatePageHTML(%d, %d, \"index\", \"html\");\n</script>", p, pages, pages, p)
	case "next":
		name := func(i int) string {
			if i == 0 {
				return "index.html"
			}
			return fmt.Sprintf("index_%d.html", i)
		}
		fmt.Fprintf(&b, "共%d页　<a href=\"%s\">首页</a>", pages, name(0))
		if p > 0 {
			fmt.Fprintf(&b, " <a href=\"%s\">上一页</a>", name(p-1))
		}
		if p < pages-1 {
			fmt.Fprintf(&b, " <a href=\"%s\">下一页</a>", name(p+1))
		}
		fmt.Fprintf(&b, " <a href=\"%s\">尾页</a>", name(pages-1))
	case "query":
		for i := 0; i < pages; i++ {
			href := "./"
			if i > 0 {
				href = fmt.Sprintf("?page=%d", i+1)
			}
			if i == p {
				fmt.Fprintf(&b, " <span class=\"cur\">%d</span>", i+1)
			} else {
				fmt.Fprintf(&b, " <a href=\"%s\">%d</a>", href, i+1)
			}
		}
		if p < pages-1 {
			fmt.Fprintf(&b, " <a href=\"?page=%d\">下一页</a>", p+2)
		}
	}
	b.WriteString("</div>\n" + footer + "</body>\n</html>\n")
	return b.String()
}

// portalHome is a portal's home page: links to its report columns.
func portalHome(cols []column) string {
	e := html.EscapeString
	c := cols[0]
	c.Charset = "utf-8" // the home page is served as UTF-8 whatever its columns use
	var b strings.Builder
	b.WriteString(head(c, portalName(c), ""))
	fmt.Fprintf(&b, "<body>\n<div class=\"header\"><a href=\"%s\">%s</a></div>\n<ul class=\"list\">\n", e(c.Portal), e(portalName(c)))
	for _, c := range cols {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", e(c.Path), e(columnName(c)))
	}
	b.WriteString("</ul>\n" + footer + "</body>\n</html>\n")
	return b.String()
}

// home is the site's root page: the portals and their columns.
func home(cols []column) string {
	e := html.EscapeString
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\" />\n<title>nianbao 演示站点</title>\n" + style + "</head>\n<body>\n")
	b.WriteString("<div class=\"header\">nianbao 演示站点</div>\n<ul class=\"list\">\n")
	for _, c := range cols {
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s · %s</a></li>\n", e(c.Path), e(c.Agency), e(columnName(c)))
	}
	b.WriteString("</ul>\n" + footer + "</body>\n</html>\n")
	return b.String()
}
