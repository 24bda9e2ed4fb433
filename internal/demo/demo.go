// Package demo is the fixture web site that `nianbao demo` crawls: two
// made-up government portals, 澄川县 (a county government and two of its
// departments) and 鹿溪市苍澜区 (a district government), with four
// 政府信息公开工作年度报告 columns, served from files embedded in the
// binary so that the real pipeline can run offline on loopback.
//
// The agencies and every number are fictional. The reports were generated
// ahead by `go run ./testdata/pdfgen -demo internal/demo`
// (testdata/pdfgen/demo.go) from the same table model as the PDF fixtures,
// so their numbers satisfy every identity of the national template except
// where a report breaks one on purpose; the page chrome, list pages and
// pagination are built here at run time. Nothing needs fonts, converters
// or the network.
//
// What the site holds is described by [Expected], one [Report] per report
// (also in expected.json, for checks written in SQL or shell):
//
//   - HTML reports with the tables inline and reports published as a PDF
//     attachment, in the 2019 and the 2021 template, for 2019 to 2023;
//   - reports whose numbers break an identity (a 表三 row sum, a 表四 total,
//     一+二 = 三（七）+四), listed in FailingChecks;
//   - one agency whose 二、上年结转 does not equal the previous year's
//     四、结转下年度继续办理 (CarryOver "mismatch"), while the other
//     agencies' series carry over;
//   - one report published after its legal deadline (31 January of the
//     next year for a department, 31 March for a county-or-higher
//     government);
//   - one report revised after publication: the site serves its first
//     version until [Site.Advance] is called, then a second one, with other
//     cells, at the same URL;
//   - unreadable documents: a PDF cut short (status failed) and an
//     image-only PDF (status needs_ocr).
//
// The columns page in three ways: TRS createPageHTML(N, …) scripts, 下一页
// links, and ?page=N query strings; one of them serves its pages in GBK.
// Every response has an ETag and a Last-Modified and answers conditional
// requests with 304, as the crawler's incremental runs expect.
//
// Use:
//
//	site := demo.New()
//	srv := httptest.NewServer(site.Handler()) // or any loopback listener
//	reg, _ := crawl.LoadRegistry(bytes.NewReader(site.Registry(srv.URL)))
//	// crawl with reg (Delay -1: it is loopback), parse, check…
//	site.Advance() // publish the revised report; crawl again
package demo

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed expected.json site
var files embed.FS

// A Report is one report of the demo site and what the pipeline is
// expected to make of it.
type Report struct {
	ID       string `json:"id"`       // stable name, e.g. "canglan-2023"
	Site     string `json:"site"`     // registry site name (see Site.Registry)
	Agency   string `json:"agency"`   // publishing body, as the registry and the title name it
	Level    string `json:"level"`    // "government" (county or higher) or "department"
	Year     int    `json:"year"`     // year covered
	Template string `json:"template"` // "2019" or "2021"
	Title    string `json:"title"`
	// Page is the URL path of the report's article page; Document the URL
	// path of the file holding its tables: Page itself for an HTML report,
	// the attachment for a PDF one.
	Page     string `json:"page"`
	Document string `json:"document"`
	Format   string `json:"format"`   // of Document: "html" or "pdf"
	Producer string `json:"producer"` // how it was made: html, cmap, gopdf, scan, truncated (see testdata/pdfgen)
	File     string `json:"file"`     // embedded file: the article body or the PDF

	PublishDate string `json:"publish_date"` // YYYY-MM-DD, as the page's metadata says
	Deadline    string `json:"deadline"`     // the legal deadline, YYYY-MM-DD
	Late        bool   `json:"late"`         // PublishDate after Deadline

	// What normalize.Process makes of Document (version 1 for the revised
	// report): the status, the ids of the checks that fail, in order, and
	// the same in words, the number of cells, and a few headline cells by
	// key (t3/new_received/total, t3/carried_over/total,
	// t3/result.total/total, t3/carried_forward/total and the 表四 totals).
	// Unreadable documents have no cells.
	Status            string             `json:"status"`
	FailingChecks     []string           `json:"failing_checks"`
	FailingIdentities []string           `json:"failing_identities"`
	CellCount         int                `json:"cell_count"`
	Cells             map[string]float64 `json:"cells"`
	// CarryOver compares 二、上年结转 with the 四、结转下年度继续办理 of the
	// same agency's report of the year before, per applicant column and in
	// total: "match", "mismatch", or "not_assessable" when there is no
	// readable report of the year before.
	CarryOver string `json:"carry_over"`
	// PageStatus is what normalize.Process makes of Page: Status for an
	// HTML report, "failed" (no template table) for the page that links a
	// PDF.
	PageStatus string `json:"page_status"`
	// Revised is the second version, served at Page after Site.Advance;
	// nil for the reports that are never revised.
	Revised *Version `json:"revised,omitempty"`
	Notes   string   `json:"notes"`
}

// A Version is the revised version of a report.
type Version struct {
	Date              string             `json:"date"` // of the correction, YYYY-MM-DD
	File              string             `json:"file"`
	Status            string             `json:"status"`
	FailingChecks     []string           `json:"failing_checks"`
	FailingIdentities []string           `json:"failing_identities"`
	CellCount         int                `json:"cell_count"`
	Cells             map[string]float64 `json:"cells"`
	Notes             string             `json:"notes"`
}

// A column is one 年报 column: one site of the registry.
type column struct {
	Name    string   `json:"name"`
	Agency  string   `json:"agency"`
	Level   string   `json:"level"`
	Portal  string   `json:"portal"`   // path of the portal's home page
	Path    string   `json:"path"`     // the first list page, ending in /
	Paging  string   `json:"paging"`   // "trs", "next" or "query"
	PerPage int      `json:"per_page"` // entries per list page
	Charset string   `json:"charset"`  // "utf-8" or "gbk"
	Style   string   `json:"style"`    // article markup: "trs" or "plain"
	Notices []notice `json:"notices"`  // articles of the column that are not reports
}

type notice struct {
	Title string `json:"title"`
	Page  string `json:"page"`
	Date  string `json:"date"`
}

type manifest struct {
	Columns []column  `json:"columns"`
	Reports []*Report `json:"reports"`
}

var loadManifest = sync.OnceValue(func() *manifest {
	b, err := files.ReadFile("expected.json")
	if err != nil {
		panic("demo: " + err.Error())
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		panic("demo: expected.json: " + err.Error())
	}
	return &m
})

// Expected returns the reports of the demo site, grouped by site and
// newest first within one, with what the pipeline is expected to make of
// each. The slices and maps are the caller's.
func Expected() []Report {
	m := loadManifest()
	out := make([]Report, len(m.Reports))
	for i, r := range m.Reports {
		out[i] = *r
		out[i].FailingChecks = slices.Clone(r.FailingChecks)
		out[i].FailingIdentities = slices.Clone(r.FailingIdentities)
		out[i].Cells = cloneCells(r.Cells)
		if r.Revised != nil {
			v := *r.Revised
			v.FailingChecks = slices.Clone(v.FailingChecks)
			v.FailingIdentities = slices.Clone(v.FailingIdentities)
			v.Cells = cloneCells(v.Cells)
			out[i].Revised = &v
		}
	}
	return out
}

func cloneCells(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Registry returns a crawl registry (the YAML crawl.LoadRegistry reads)
// of the demo site served at baseURL (e.g. an httptest.Server's URL, a
// loopback address): one site per 年报 column, all on baseURL's host. It
// sets no politeness overrides: the caller picks the delay (none is needed
// on loopback).
func (s *Site) Registry(baseURL string) []byte {
	base := strings.TrimSuffix(baseURL, "/")
	host := base
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		host = u.Host
	}
	var b strings.Builder
	b.WriteString("# nianbao demo: the fictional sites of internal/demo, served at " + base + "\n")
	b.WriteString("sites:\n")
	for _, c := range loadManifest().Columns {
		fmt.Fprintf(&b, "  - name: %s\n    agency: %s\n    start: [%s]\n    hosts: [%s]\n",
			strconv.Quote(c.Name), strconv.Quote(c.Agency), strconv.Quote(base+c.Path), strconv.Quote(host))
	}
	return []byte(b.String())
}
