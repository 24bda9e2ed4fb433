package main

// The -demo mode: the fixture site of internal/demo, which `nianbao demo`
// serves on loopback. It writes, under the directory given (normally
// internal/demo):
//
//   - site/<id>.html: the article body of an HTML report (paragraphs and
//     the three tables; internal/demo wraps it in the page chrome), and
//     site/<id>.v2.html for the revised one;
//   - site/<id>.pdf: a PDF report attachment;
//   - testdata/<id>.json (and <id>.v2.json): every printed cell, in the
//     corpus expected.json format, for internal/demo's tests;
//   - expected.json: the columns (sites) and, per report, the facts the
//     demo and its checks assert: URL paths, format, publish date and
//     legal deadline, expected parse status, failing checks, headline
//     cells, carry-over from the year before, revision.
//
// The numbers of one agency's reports form a series: 二、上年结转 of year N
// is 四、结转下年度继续办理 of year N−1, except where a spec says
// otherwise (CarryOff).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/opengov-cn/nianbao/internal/demo"
)

// A demoColumn is one 年报 column of the demo portals: one registry site.
type demoColumn struct {
	Name    string       `json:"name"`     // registry site name
	Agency  string       `json:"agency"`   // publishing body
	Level   string       `json:"level"`    // "government" (县级以上人民政府) or "department"
	Portal  string       `json:"portal"`   // path of the portal home the column belongs to
	Path    string       `json:"path"`     // the column's first list page (ends in /)
	Paging  string       `json:"paging"`   // "trs" (createPageHTML script), "next" (下一页 links), "query" (?page=N)
	PerPage int          `json:"per_page"` // list entries per page
	Charset string       `json:"charset"`  // "utf-8" or "gbk": how the pages are encoded
	Style   string       `json:"style"`    // article markup: "trs" (ArticleTitle/PubDate metas) or "plain" (title/firstpublishedtime metas)
	Notices []demoNotice `json:"notices"`  // articles of the column that are not reports
}

// A demoNotice is an article listed in a column that is not a report.
type demoNotice struct {
	Title string `json:"title"`
	Page  string `json:"page"` // URL path
	Date  string `json:"date"`
}

// A demoSpec is one report of the demo site.
type demoSpec struct {
	ID        string
	Column    string
	Year      int
	Template  string
	Seed      uint64
	Producer  string // demoHTML, prodCMap, prodGopdf, prodScanned, demoTruncated
	Published string // YYYY-MM-DD
	Page      string // article page, relative to the column path
	Attach    string // PDF attachment: relative to the page's directory, or absolute
	Layout    Layout
	Delta     map[string]float64
	// CarryOff is added to the 自然人 二、上年结转 this report would carry
	// over from the year before: a series that does not add up.
	CarryOff float64
	Revise   *demoRevision
	Notes    string
}

// A demoRevision is the second version of a report, served at the same
// URL after internal/demo's Site.Advance.
type demoRevision struct {
	Date  string             // YYYY-MM-DD of the correction
	Delta map[string]float64 // replaces the first version's Delta
	Note  string             // correction notice printed above the report
	Notes string
}

const (
	demoHTML      = "html"      // article page with the tables inline
	demoTruncated = "truncated" // a cmap rendering cut short: a broken upload
)

var demoColumns = []demoColumn{
	{Name: "chengchuan", Agency: "澄川县人民政府", Level: "government", Portal: "/cc/", Path: "/cc/zwgk/xxgknb/",
		Paging: "trs", PerPage: 2, Charset: "utf-8", Style: "trs",
		Notices: []demoNotice{{Title: "关于印发《澄川县2024年政务公开工作要点》的通知", Page: "/cc/zwgk/xxgknb/202402/t20240226_4987.html", Date: "2024-02-26"}}},
	{Name: "chengchuan-jyj", Agency: "澄川县教育局", Level: "department", Portal: "/cc/", Path: "/cc/bmxxgk/jyj/xxgknb/",
		Paging: "next", PerPage: 3, Charset: "utf-8", Style: "trs"},
	{Name: "chengchuan-zrzyj", Agency: "澄川县自然资源局", Level: "department", Portal: "/cc/", Path: "/cc/bmxxgk/zrzyj/xxgknb/",
		Paging: "next", PerPage: 3, Charset: "gbk", Style: "trs"},
	{Name: "canglan", Agency: "鹿溪市苍澜区人民政府", Level: "government", Portal: "/canglan/", Path: "/canglan/xxgk/ndbg/",
		Paging: "query", PerPage: 2, Charset: "utf-8", Style: "plain",
		Notices: []demoNotice{{Title: "鹿溪市苍澜区人民政府信息公开指南（2023年修订）", Page: "/canglan/xxgk/ndbg/content/post_13390.html", Date: "2023-01-10"}}},
}

var demoSpecs = []demoSpec{
	// 澄川县人民政府: TRS column, createPageHTML paging.
	{ID: "chengchuan-2023", Column: "chengchuan", Year: 2023, Template: "2021", Seed: 101, Producer: demoHTML,
		Published: "2024-03-27", Page: "202403/t20240327_5012.html", Layout: Layout{Ruled: true, BodyParas: 3},
		Notes: "HTML tables inline, ruled; every identity holds; carries over 2022's 结转下年度继续办理."},
	{ID: "chengchuan-2022", Column: "chengchuan", Year: 2022, Template: "2021", Seed: 102, Producer: prodCMap,
		Published: "2023-03-30", Page: "202303/t20230330_4521.html", Attach: "P020230330392718406253.pdf",
		Layout: Layout{Ruled: true},
		Delta:  map[string]float64{"t3/result.disclosed/total": -1},
		Notes:  "PDF attachment (hand-written PDF, STSong-Light through predefined CMaps, no embedded font). 表三 （一）予以公开 总计 printed 1 lower than its row: breaks that row's sum and the 总计 column's sum of results."},
	{ID: "chengchuan-2021", Column: "chengchuan", Year: 2021, Template: "2021", Seed: 103, Producer: demoHTML,
		Published: "2022-03-25", Page: "202203/t20220325_3876.html", Layout: Layout{Ruled: true, VerticalGroup: true},
		Notes: "HTML tables inline, 三、本年度办理结果 written one character per line; first report in the 2021 template after a 2019-template year."},
	{ID: "chengchuan-2020", Column: "chengchuan", Year: 2020, Template: "2019", Seed: 104, Producer: demoHTML,
		Published: "2021-03-30", Page: "202103/t20210330_3102.html", Layout: Layout{Ruled: true},
		Notes: "HTML tables inline in the 2019 template; the year before (2019) is unreadable, so its carry-over cannot be compared."},
	{ID: "chengchuan-2019", Column: "chengchuan", Year: 2019, Template: "2019", Seed: 105, Producer: demoTruncated,
		Published: "2020-03-31", Page: "202003/t20200331_2560.html", Attach: "P020200331604418225937.pdf",
		Layout: Layout{Ruled: true},
		Notes:  "PDF attachment cut short (a broken upload: the first 40% of the file, no xref, no %%EOF): unreadable, status failed. Published on the deadline day itself: not late."},

	// 澄川县教育局: TRS column with 下一页 links.
	{ID: "chengchuan-jyj-2023", Column: "chengchuan-jyj", Year: 2023, Template: "2021", Seed: 111, Producer: demoHTML,
		Published: "2024-03-05", Page: "202403/t20240305_5001.html", Layout: Layout{Ruled: true, BodyParas: 2},
		Notes: "HTML tables inline. Published 2024-03-05, after a department's deadline of 31 January: late."},
	{ID: "chengchuan-jyj-2022", Column: "chengchuan-jyj", Year: 2022, Template: "2021", Seed: 112, Producer: prodGopdf,
		Published: "2023-01-18", Page: "202301/t20230118_4318.html", Attach: "P020230118371002514863.pdf",
		Layout: Layout{Ruled: true},
		Notes:  "PDF attachment (gopdf: embedded TrueType subset, Identity-H with ToUnicode), ruled."},
	{ID: "chengchuan-jyj-2021", Column: "chengchuan-jyj", Year: 2021, Template: "2021", Seed: 113, Producer: demoHTML,
		Published: "2022-01-25", Page: "202201/t20220125_3650.html", Layout: Layout{Ruled: true, OrgSubtotal: true},
		Notes: "HTML tables inline; 表三 with 法人或其他组织 小计 (8 applicant columns)."},
	{ID: "chengchuan-jyj-2020", Column: "chengchuan-jyj", Year: 2020, Template: "2019", Seed: 114, Producer: demoHTML,
		Published: "2021-01-29", Page: "202101/t20210129_2977.html", Layout: Layout{Ruled: true},
		Notes: "HTML tables inline, 2019 template."},

	// 澄川县自然资源局: TRS column with 下一页 links, pages in GBK.
	{ID: "chengchuan-zrzyj-2023", Column: "chengchuan-zrzyj", Year: 2023, Template: "2021", Seed: 121, Producer: demoHTML,
		Published: "2024-01-26", Page: "202401/t20240126_4950.html", Layout: Layout{Ruled: true},
		CarryOff: 3,
		Notes:    "HTML tables inline, page in GBK. 二、上年结转 自然人 is 3 more than 2022's 四、结转下年度继续办理: the series does not carry over (every identity of this report holds)."},
	{ID: "chengchuan-zrzyj-2022", Column: "chengchuan-zrzyj", Year: 2022, Template: "2021", Seed: 122, Producer: demoHTML,
		Published: "2023-01-20", Page: "202301/t20230120_4330.html", Layout: Layout{Ruled: true, OtherSingle: true},
		Notes: "HTML tables inline, page in GBK; （六）其他处理 printed as one row."},
	{ID: "chengchuan-zrzyj-2021", Column: "chengchuan-zrzyj", Year: 2021, Template: "2021", Seed: 123, Producer: prodCMap,
		Published: "2022-01-21", Page: "202201/t20220121_3628.html", Attach: "P020220121530097218834.pdf",
		Layout: Layout{Ruled: true},
		Notes:  "PDF attachment (hand-written PDF, predefined CMaps). The year before is image-only, so its carry-over cannot be compared."},
	{ID: "chengchuan-zrzyj-2020", Column: "chengchuan-zrzyj", Year: 2020, Template: "2019", Seed: 124, Producer: prodScanned,
		Published: "2021-01-28", Page: "202101/t20210128_2961.html", Attach: "P020210128498851230176.pdf",
		Layout: Layout{Ruled: true},
		Notes:  "Image-only PDF attachment (a scan: 100 dpi grey pages, no text layer): status needs_ocr, no cells."},

	// 鹿溪市苍澜区人民政府: another CMS, query-string paging.
	{ID: "canglan-2023", Column: "canglan", Year: 2023, Template: "2021", Seed: 131, Producer: demoHTML,
		Published: "2024-03-22", Page: "content/post_18231.html", Layout: Layout{Ruled: true, BodyParas: 2},
		Delta: map[string]float64{"t3/new_received/total": 10},
		Revise: &demoRevision{Date: "2024-04-08", Delta: nil,
			Note:  "更正说明：经核对，本报告表三“一、本年新收政府信息公开申请数量”总计栏数据有误，已于2024年4月8日更正。",
			Notes: "Version 2 (served after Advance): 表三 一、本年新收 总计 corrected, a correction notice above the report; every identity holds."},
		Notes: "HTML tables inline. Version 1: 表三 一、本年新收 总计 printed 10 too high, which breaks that row's sum and the 总计 column's 一+二 = 三（七）+四. Revised at the same URL (version 2)."},
	{ID: "canglan-2022", Column: "canglan", Year: 2022, Template: "2021", Seed: 132, Producer: prodGopdf,
		Published: "2023-03-28", Page: "content/post_15507.html", Attach: "/canglan/uploadfiles/202303/2023032809151234.pdf",
		Layout: Layout{Ruled: true},
		Delta:  map[string]float64{"t4/litigation_direct/total": 1},
		Notes:  "PDF attachment (gopdf), stored outside the column. 表四 未经复议直接起诉 总计 is one more than its four result cells."},
	{ID: "canglan-2021", Column: "canglan", Year: 2021, Template: "2021", Seed: 133, Producer: demoHTML,
		Published: "2022-03-29", Page: "content/post_12980.html", Layout: Layout{Ruled: false},
		Notes: "HTML tables inline, without borders."},
	{ID: "canglan-2020", Column: "canglan", Year: 2020, Template: "2019", Seed: 134, Producer: prodCMap,
		Published: "2021-03-26", Page: "content/post_10233.html", Attach: "/canglan/uploadfiles/202103/2021032610402211.pdf",
		Layout: Layout{Ruled: true},
		Notes:  "PDF attachment (hand-written PDF, predefined CMaps), 2019 template."},
}

// demoReport is one report's entry in expected.json: the demo package's
// own type, so that the writer and the reader cannot drift apart.
type (
	demoReport  = demo.Report
	demoVersion = demo.Version
)

// headlineKeys are the cells expected.json lists per report.
var headlineKeys = []string{
	"t3/new_received/total", "t3/carried_over/total", "t3/result.total/total", "t3/carried_forward/total",
	"t4/reconsideration/total", "t4/litigation_direct/total", "t4/litigation_after_reconsideration/total",
}

func (g *gen) demo(ctx context.Context, dir string) error {
	cols := map[string]*demoColumn{}
	for i := range demoColumns {
		cols[demoColumns[i].Name] = &demoColumns[i]
	}
	for _, sub := range []string{"site", "testdata"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	// Series per column, oldest first, for the carry-over.
	specs := append([]demoSpec(nil), demoSpecs...)
	sort.SliceStable(specs, func(i, j int) bool {
		if specs[i].Column != specs[j].Column {
			return specs[i].Column < specs[j].Column
		}
		return specs[i].Year < specs[j].Year
	})
	prev := map[string]*Values{} // column → last year's cells
	prevReport := map[string]*demoReport{}
	byID := map[string]*demoReport{}
	for i := range specs {
		s := &specs[i]
		col := cols[s.Column]
		if col == nil {
			return fmt.Errorf("%s: unknown column %q", s.ID, s.Column)
		}
		r := &Report{Template: s.Template, Year: s.Year, Agency: col.Agency, Seed: s.Seed, Layout: s.Layout, Delta: s.Delta, Notes: s.Notes}
		if p := prev[s.Column]; p != nil {
			r.CarryOver = map[string]float64{}
			for _, c := range applicantCols {
				r.CarryOver[c] = *p.cells["t3/carried_forward/"+c].value
			}
			r.CarryOver["natural_person"] += s.CarryOff
			if s.Template == "2021" && prevReport[s.Column] != nil && prevReport[s.Column].Template == "2021" {
				r.Stock = map[string]float64{}
				for _, row := range []string{"art20_1.regulations", "art20_1.normative_documents"} {
					r.Stock[row] = *p.cells["t2/"+row+"/in_force"].value
				}
			}
		}
		v := r.Generate()
		if err := checkSeries(r, v); err != nil {
			return fmt.Errorf("%s: %w", s.ID, err)
		}
		rep, err := g.demoReport(ctx, dir, col, s, r, v)
		if err != nil {
			return fmt.Errorf("%s: %w", s.ID, err)
		}
		if s.Revise != nil {
			r2 := *r
			r2.Delta = s.Revise.Delta
			v2 := r2.Generate()
			doc := r2.BuildDoc(v2)
			doc.Blocks = append([]Block{{Para: s.Revise.Note}}, doc.Blocks...)
			file := "site/" + s.ID + ".v2.html"
			if err := os.WriteFile(filepath.Join(dir, file), []byte(doc.fragment(r2.Layout.Ruled)), 0o644); err != nil {
				return err
			}
			e := &Expected{File: path.Base(rep.Page), Format: "html", Template: r.Template, Year: r.Year, Agency: r.Agency,
				Cells: v2, Failing: r2.FailingIdentities(v2), Notes: s.Revise.Notes}
			if err := writeDemoExpected(dir, s.ID+".v2", e); err != nil {
				return err
			}
			rep.Revised = &demoVersion{Date: s.Revise.Date, File: file, Status: "ok", FailingIdentities: nonNil(e.Failing),
				FailingChecks: checkIDs(e.Failing), CellCount: len(v2.order), Cells: headline(v2), Notes: s.Revise.Notes}
		}
		if p := prevReport[s.Column]; p != nil && p.Year == s.Year-1 && p.Status == "ok" && rep.Status == "ok" {
			rep.CarryOver = "match"
			for _, c := range append(applicantCols, "total") {
				if *v.cells["t3/carried_over/"+c].value != *prev[s.Column].cells["t3/carried_forward/"+c].value {
					rep.CarryOver = "mismatch"
				}
			}
		}
		prev[s.Column], prevReport[s.Column] = v, rep
		byID[s.ID] = rep
	}
	// expected.json: columns, then reports in the order of demoSpecs.
	var out struct {
		Note    string        `json:"note"`
		Columns []demoColumn  `json:"columns"`
		Reports []*demoReport `json:"reports"`
	}
	out.Note = "Generated by `go run ./testdata/pdfgen -demo internal/demo` (testdata/pdfgen/demo.go); do not edit."
	out.Columns = demoColumns
	for _, s := range demoSpecs {
		out.Reports = append(out.Reports, byID[s.ID])
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "expected.json"), b.Bytes(), 0o644)
}

// demoReport renders one report's file and returns its expected.json
// entry.
func (g *gen) demoReport(ctx context.Context, dir string, col *demoColumn, s *demoSpec, r *Report, v *Values) (*demoReport, error) {
	doc := r.BuildDoc(v)
	page := col.Path + s.Page
	rep := &demoReport{ID: s.ID, Site: col.Name, Agency: col.Agency, Level: col.Level, Year: s.Year, Template: s.Template,
		Title: doc.Title, Page: page, Document: page, Format: "html", Producer: s.Producer, PublishDate: s.Published,
		Status: "ok", CarryOver: "not_assessable", Notes: s.Notes, FailingChecks: []string{}, FailingIdentities: []string{}, Cells: map[string]float64{}}
	deadline := "-03-31"
	if col.Level == "department" {
		deadline = "-01-31"
	}
	rep.Deadline = fmt.Sprint(s.Year+1) + deadline
	rep.Late = rep.PublishDate > rep.Deadline
	readable := true
	var body []byte
	var err error
	switch s.Producer {
	case demoHTML:
		body = []byte(doc.fragment(r.Layout.Ruled))
	case prodCMap, demoTruncated:
		c := &cmapCanvas{tableSize: tableSize(r)}
		l := &Layouter{C: c, TableSize: tableSize(r), Ruled: r.Layout.Ruled}
		if err = l.Render(doc); err == nil {
			body = c.Bytes(doc.Title, strings.ReplaceAll(s.Published, "-", "")+"093000")
		}
		if s.Producer == demoTruncated {
			body = body[:len(body)*2/5]
			readable, rep.Status = false, "failed"
		}
	case prodGopdf:
		body, err = g.gopdf(r, doc)
	case prodScanned:
		readable, rep.Status = false, "needs_ocr"
		if !have("pdftoppm") {
			err = skip("pdftoppm not installed")
			break
		}
		var plain []byte
		if plain, err = g.gopdf(r, doc); err == nil {
			var imgs []grayImage
			if imgs, err = rasterize(ctx, plain, 100); err == nil {
				body = imagePDF(imgs, fixedDate)
			}
		}
	default:
		return nil, fmt.Errorf("unknown producer %q", s.Producer)
	}
	if s.Producer == demoHTML {
		rep.File = "site/" + s.ID + ".html"
		rep.PageStatus = rep.Status
	} else {
		// The page only links the PDF: no template table on it.
		rep.PageStatus = "failed"
		rep.Format = "pdf"
		rep.File = "site/" + s.ID + ".pdf"
		if strings.HasPrefix(s.Attach, "/") {
			rep.Document = s.Attach
		} else {
			rep.Document = path.Dir(page) + "/" + s.Attach
		}
	}
	var sk skip
	switch {
	case errors.As(err, &sk):
		fmt.Printf("%-32s skipped: %s (committed %s left as it is)\n", s.ID, sk, rep.File)
	case err != nil:
		return nil, err
	default:
		if err := os.WriteFile(filepath.Join(dir, rep.File), body, 0o644); err != nil {
			return nil, err
		}
	}
	e := &Expected{File: path.Base(rep.Document), Format: rep.Format, Template: r.Template, Year: r.Year, Agency: r.Agency, Notes: s.Notes}
	if readable {
		e.Cells = v
		e.Failing = r.FailingIdentities(v)
		rep.FailingIdentities = nonNil(e.Failing)
		rep.FailingChecks = checkIDs(e.Failing)
		rep.CellCount = len(v.order)
		rep.Cells = headline(v)
	}
	if err := writeDemoExpected(dir, s.ID, e); err != nil {
		return nil, err
	}
	fmt.Printf("%-32s %-12s %7d bytes  %d cells  %d failing identities\n", s.ID, s.Producer, len(body), len(cellsOf(e)), len(e.Failing))
	return rep, nil
}

// checkSeries makes sure no count came out negative (a fixed carry-over
// or a Delta could make one).
func checkSeries(r *Report, v *Values) error {
	for _, k := range v.order {
		if c := v.cells[k]; c.value != nil && *c.value < 0 && !strings.HasSuffix(k, "/change") {
			return fmt.Errorf("negative count %s = %v", k, *c.value)
		}
	}
	return nil
}

func writeDemoExpected(dir, name string, e *Expected) error {
	return os.WriteFile(filepath.Join(dir, "testdata", name+".json"), e.Marshal(), 0o644)
}

func headline(v *Values) map[string]float64 {
	m := map[string]float64{}
	for _, k := range headlineKeys {
		if c, ok := v.cells[k]; ok && c.value != nil {
			m[k] = *c.value
		}
	}
	return m
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// checkIDs turns FailingIdentities' descriptions into the check ids of
// normalize (t3.balance.<col>, t3.results.<col>, t3.applicants.<row>,
// t3.orgs.<row>, t4.sum.<row>).
func checkIDs(identities []string) []string {
	ids := []string{}
	for _, s := range identities {
		table, rest, _ := strings.Cut(s, " ")
		name, what, _ := strings.Cut(rest, ": ")
		var fam string
		switch {
		case table == "t4":
			fam = "sum"
		case strings.HasPrefix(what, "sum of applicant columns"):
			fam = "applicants"
		case strings.HasPrefix(what, "sum of organisation columns"):
			fam = "orgs"
		case strings.HasPrefix(what, "sum of results"):
			fam = "results"
		case strings.HasPrefix(what, "new_received+carried_over"):
			fam = "balance"
		default:
			panic("checkIDs: unknown identity " + s)
		}
		ids = append(ids, table+"."+fam+"."+name)
	}
	sort.Strings(ids)
	return ids
}

// fragment renders the report's body as a CMS article body: paragraphs
// and the tables, without the page around them (internal/demo adds the
// site's chrome, title and publish date).
func (d *Doc) fragment(ruled bool) string {
	var b strings.Builder
	border := "0"
	if ruled {
		border = "1"
	}
	for _, bl := range d.Blocks {
		switch {
		case bl.Heading != "":
			fmt.Fprintf(&b, "<p style=\"text-indent:2em\"><strong>%s</strong></p>\n", html.EscapeString(bl.Heading))
		case bl.Para != "":
			fmt.Fprintf(&b, "<p style=\"text-indent:2em\">%s</p>\n", html.EscapeString(bl.Para))
		case bl.Table != nil:
			bl.Table.html(&b, border)
		}
	}
	return b.String()
}
