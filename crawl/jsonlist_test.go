package crawl

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
)

// jsonSite serves a column whose list its script draws from a JSON API,
// three pages of 10 reports, the pages counted in the answer; the static
// page holds no report link.
func jsonSite(f *fixture) {
	f.html("/nb/", `<html><head><title>政府信息公开年报</title></head><body><ul id="list"></ul>
<script src="/js/jquery.min.js"></script>
<script>$.getJSON("/api/nb/list?page=1&size=10", function (d) { render(d.data.rows); });</script></body></html>`)
	f.handle("/api/nb/list", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page < 1 || page > 3 {
			http.NotFound(w, r)
			return
		}
		var rows []map[string]any
		for i := range 10 {
			id := (page-1)*10 + i
			rows = append(rows, map[string]any{"docTitle": fmt.Sprintf("某局%d年政府信息公开工作年度报告", 2030-id), "docUrl": fmt.Sprintf("/nb/art/%d.html", id), "pubDate": "2024-03-01"})
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		json.NewEncoder(w).Encode(map[string]any{"code": 0, "data": map[string]any{"totalPage": 3, "rows": rows}})
	})
	for id := range 30 {
		f.html(fmt.Sprintf("/nb/art/%d.html", id), reportPage(fmt.Sprintf("某局%d年政府信息公开工作年度报告", 2030-id), "2024-03-01", "<table><tr><td>本年新收</td></tr></table>"))
	}
}

func TestCrawlJSONList(t *testing.T) {
	f := newFixture(t)
	jsonSite(f)
	site := f.site("json", "/nb/")
	site.MaxPages = 100
	if sum := mustRun(t, testConfig(t, t.TempDir(), site)); sum.Reports != 30 {
		t.Errorf("%d reports, want the 30 of the three JSON pages: %+v", sum.Reports, sum)
	}
	if n := f.hitsOf("/js/jquery.min.js"); n != 0 {
		t.Errorf("a script file was fetched as a list (%d)", n)
	}
}
