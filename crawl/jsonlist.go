package crawl

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Lists rendered by script from JSON (a portal's JavaScript asks an API
// for the rows, /api/…/list?page=1, and draws them): the static HTML holds
// no report link, only the API's URL in a <script>. The crawler takes
// such URLs from the page's scripts, reads a JSON answer's objects that
// carry a report's title and a link, and asks for the further pages the
// answer counts.

// scriptURLRe finds quoted same-site paths in a script that look like a
// list's data source.
var (
	scriptURLRe  = regexp.MustCompile(`["']((?:https?://[^"'\s<>]+)?/[^"'\s<>]*(?:json|/api/|list|query)[^"'\s<>]*)["']`)
	scriptBodyRe = regexp.MustCompile(`(?is)<script[^>]*>(.*?)</script>`)
)

// Bounds on reading script-rendered lists.
const (
	maxScriptURLs = 20     // data sources taken from one page's scripts
	maxJSONNodes  = 200000 // values looked at in one JSON answer
	maxJSONPages  = 50     // further pages asked for from one answer's count
)

var (
	jsonTitleKeys = []string{"title", "doctitle", "articletitle", "name", "subject", "bt"}
	jsonLinkKeys  = []string{"url", "link", "href", "path", "docurl", "pageurl", "articleurl", "linkurl", "puburl"}
	jsonPagesKeys = []string{"totalpage", "totalpages", "pagecount", "pages", "pagetotal"}
	staticExts    = map[string]bool{".js": true, ".css": true, ".png": true, ".jpg": true, ".gif": true, ".svg": true, ".ico": true, ".woff": true, ".ttf": true}
)

// scriptListLinks returns the data-source URLs in the scripts of html, as
// pagination links (followed as lists, whatever their path).
func scriptListLinks(html string, base *url.URL) []link {
	var out []link
	var scripts strings.Builder
	for _, m := range scriptBodyRe.FindAllStringSubmatch(html, maxScriptURLs*4) {
		scripts.WriteString(m[1])
		scripts.WriteByte('\n')
	}
	for _, m := range scriptURLRe.FindAllStringSubmatch(scripts.String(), maxScriptURLs*4) {
		if len(out) >= maxScriptURLs {
			break
		}
		u := resolve(base, m[1])
		if u == nil || u.Host != base.Host || staticExts[strings.ToLower(path.Ext(u.Path))] || isAttachmentURL(u) {
			continue
		}
		out = append(out, link{URL: u, Pagination: true})
	}
	return out
}

// isJSON reports whether body is a JSON document.
func isJSON(body []byte, contentType string) bool {
	b := bytes.TrimLeft(body, " \t\r\n\ufeff")
	return strings.Contains(strings.ToLower(contentType), "json") || len(b) > 0 && (b[0] == '{' || b[0] == '[') && json.Valid(b)
}

// jsonLinks reads a JSON answer at base: the objects with a report-like
// title and a link become report links; a page count next to a page
// parameter of base's query becomes the further pages' URLs.
func jsonLinks(body []byte, base *url.URL) (links []link, reports int) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, 0
	}
	pages := 0
	stack := []any{v}
	for n := 0; len(stack) > 0 && n < maxJSONNodes; n++ {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x := x.(type) {
		case []any:
			stack = append(stack, x...)
		case map[string]any:
			lower := make(map[string]any, len(x))
			for k, v := range x {
				lower[strings.ToLower(k)] = v
				if _, ok := v.(map[string]any); ok {
					stack = append(stack, v)
				} else if _, ok := v.([]any); ok {
					stack = append(stack, v)
				}
			}
			if l, ok := jsonLink(lower, base); ok {
				links = append(links, l)
				if l.Report {
					reports++
				}
			}
			for _, k := range jsonPagesKeys {
				if f, ok := lower[k].(float64); ok && f > float64(pages) {
					pages = int(f)
				}
			}
		}
		if len(links) >= maxPageLinks {
			break
		}
	}
	return append(links, jsonPageLinks(base, pages)...), reports
}

// jsonLink is the link an object of a JSON list makes: its title and URL.
func jsonLink(obj map[string]any, base *url.URL) (link, bool) {
	title, href := "", ""
	for _, k := range jsonTitleKeys {
		if s, ok := obj[k].(string); ok && s != "" {
			title = s
			break
		}
	}
	for _, k := range jsonLinkKeys {
		if s, ok := obj[k].(string); ok && s != "" {
			href = s
			break
		}
	}
	if title == "" || href == "" {
		return link{}, false
	}
	u := resolve(base, href)
	if u == nil {
		return link{}, false
	}
	text := collapseSpace(title)
	return link{URL: u, Text: text, Attachment: isAttachmentURL(u), Report: isReportTitle(text)}, true
}

// jsonPageLinks are the URLs of pages 2 to pages of the list at base,
// whose query has a page parameter at 1 (or none yet): none otherwise.
func jsonPageLinks(base *url.URL, pages int) []link {
	if pages < 2 {
		return nil
	}
	q := base.Query()
	param := ""
	for k := range q {
		if pageParamRe.MatchString(k) {
			param = k
			break
		}
	}
	if param == "" || q.Get(param) != "1" && q.Get(param) != "0" {
		return nil // not the first page: the first asked for the rest
	}
	first, _ := strconv.Atoi(q.Get(param))
	var out []link
	for p := first + 1; p < first+min(pages, maxJSONPages); p++ {
		u := *base
		qq := u.Query()
		qq.Set(param, strconv.Itoa(p))
		u.RawQuery = qq.Encode()
		out = append(out, link{URL: &u, Pagination: true})
	}
	return out
}
