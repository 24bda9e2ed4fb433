package crawl

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Hanweb (大汉) columns, /col/colNNN/index.html, do not list their
// articles in HTML: a <script type="text/xml"> holds a datastore whose
// records are the list's rows as HTML in CDATA sections (which an HTML
// parser reads as comments), and the rest comes from
// /module/web/jpage/dataproxy.jsp, which the page's script asks for
// record ranges (startrecord, endrecord, perpage) with the parameters of
// the datastore's nextgroup link, and which answers with a datastore of
// the same shape. The static index_1.html of other CMSes is a 404 there.

var (
	recordRe      = regexp.MustCompile(`(?s)<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>`)
	nextGroupRe   = regexp.MustCompile(`(?s)<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>`)
	totalRecordRe = regexp.MustCompile(`<totalrecord>\s*(\d+)\s*</totalrecord>`)
	hrefRe        = regexp.MustCompile(`href\s*=\s*["']([^"']+)["']`)
)

// Hanweb's own script asks for three pages of 15 rows at a time.
const (
	hanwebPerPage = 15
	hanwebGroup   = 3 * hanwebPerPage
	// maxHanwebRecords caps the rows a datastore may claim: a column of
	// annual reports has tens; a claim of more is read this far.
	maxHanwebRecords = 5000
)

// hanwebLinks returns the links of the datastore records in html (a
// Hanweb column page or a dataproxy.jsp answer), and the dataproxy.jsp
// URLs of the record ranges after the first, as pagination; nil when html
// holds no datastore.
func hanwebLinks(html string, base *url.URL) []link {
	if !strings.Contains(html, "<datastore") && !strings.Contains(html, "<recordset") {
		return nil
	}
	var links []link
	for _, m := range recordRe.FindAllStringSubmatch(html, maxPageLinks) {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(m[1]))
		if err != nil {
			continue
		}
		doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Attr("href")
			u := resolve(base, href)
			if u == nil {
				return
			}
			text := collapseSpace(s.Text())
			if title, ok := s.Attr("title"); ok && len(title) > len(text) {
				text = collapseSpace(title)
			}
			links = append(links, link{URL: u, Text: text, Attachment: isAttachmentURL(u), Report: isReportTitle(text)})
		})
	}
	return append(links, hanwebPages(html, base)...)
}

// hanwebPages are the dataproxy.jsp URLs of the record ranges after the
// first group, from the datastore's nextgroup link and totalrecord; none
// on a dataproxy answer itself (it names its own range), whose page asked
// for all of them.
func hanwebPages(html string, base *url.URL) []link {
	if strings.Contains(base.Path, "dataproxy.jsp") {
		return nil
	}
	ng, tr := nextGroupRe.FindStringSubmatch(html), totalRecordRe.FindStringSubmatch(html)
	if ng == nil || tr == nil {
		return nil
	}
	hm := hrefRe.FindStringSubmatch(ng[1])
	if hm == nil {
		return nil
	}
	next := resolve(base, strings.ReplaceAll(hm[1], "&amp;", "&"))
	total, _ := strconv.Atoi(tr[1])
	if next == nil || next.Host != base.Host {
		return nil
	}
	var out []link
	for start := 1 + hanwebGroup; start <= min(total, maxHanwebRecords); start += hanwebGroup {
		u := *next
		q := u.Query()
		q.Set("startrecord", strconv.Itoa(start))
		q.Set("endrecord", strconv.Itoa(start+hanwebGroup-1))
		q.Set("perpage", strconv.Itoa(hanwebPerPage))
		u.RawQuery = q.Encode()
		out = append(out, link{URL: &u, Pagination: true})
	}
	return out
}
