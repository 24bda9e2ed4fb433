package crawl

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// hanwebSite serves a Hanweb column: 47 records, the first group of 45
// inline in the page's datastore, the rest only from dataproxy.jsp for
// the range the page's script would ask for; index_1.html is a 404.
func hanwebSite(f *fixture) {
	record := func(i int) string {
		return fmt.Sprintf(`<record><![CDATA[<li><a href="/art/2024/3/%d/art_4521_%d.html" title="某县%d年政府信息公开工作年度报告">某县%d年…</a></li>]]></record>`,
			i%28+1, i, 2070-i, 2070-i)
	}
	var first, rest strings.Builder
	for i := 1; i <= 45; i++ {
		first.WriteString(record(i))
	}
	for i := 46; i <= 47; i++ {
		rest.WriteString(record(i))
	}
	f.html("/col/col4521/index.html", `<html><head><title>政府信息公开年报</title></head><body><div id="8822"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=4521&unitid=8822&webname=%E6%9F%90%E5%8E%BF&permissiontype=0"></a>]]></nextgroup>
<recordset>`+first.String()+`</recordset><totalrecord>47</totalrecord><totalpage>4</totalpage></datastore></script></div></body></html>`)
	f.handle("/module/web/jpage/dataproxy.jsp", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("columnid") != "4521" || q.Get("startrecord") != "46" || q.Get("endrecord") != "90" || q.Get("perpage") != "15" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><datastore><recordset>`+rest.String()+`</recordset></datastore>`)
	})
	for i := 1; i <= 47; i++ {
		y := 2070 - i
		f.html(fmt.Sprintf("/art/2024/3/%d/art_4521_%d.html", i%28+1, i), reportPage(fmt.Sprintf("某县%d年政府信息公开工作年度报告", y), "2024-03-01", "<table><tr><td>本年新收</td></tr></table>"))
	}
}

func TestCrawlHanweb(t *testing.T) {
	f := newFixture(t)
	hanwebSite(f)
	dir := t.TempDir()
	site := f.site("hanweb", "/col/col4521/index.html")
	site.MaxPages = 200
	if sum := mustRun(t, testConfig(t, dir, site)); sum.Reports != 47 {
		t.Errorf("%d reports, want all 47 (45 inline, 2 from dataproxy.jsp): %+v", sum.Reports, sum)
	}
	if n := f.hitsOf("/col/col4521/index_1.html"); n != 0 {
		t.Errorf("index_1.html asked %d times", n)
	}
}
