package viewer

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/opengov-cn/nianbao/output"
)

// chartDef is one chart of an agency page: summary columns over the years
// and the checks across reports whose results are marked on it.
type chartDef struct {
	title  string
	series []seriesDef
	checks []string // prefixes of the check ids marked on the chart
}

type seriesDef struct {
	label string
	get   func(*output.SummaryRow) *float64
}

var charts = []chartDef{
	{"Requests received (本年新收)", []seriesDef{{"received", func(s *output.SummaryRow) *float64 { return s.RequestsReceived }}}, []string{"x.yoy", "x.narrative.received"}},
	{"Carried over / forward (结转)", []seriesDef{
		{"carried over from last year", func(s *output.SummaryRow) *float64 { return s.RequestsCarriedOver }},
		{"carried forward to next year", func(s *output.SummaryRow) *float64 { return s.CarriedForward }}}, []string{"x.carry_over"}},
	{"Disclosed (予以公开, 部分公开)", []seriesDef{
		{"disclosed", func(s *output.SummaryRow) *float64 { return s.Disclosed }},
		{"partly disclosed", func(s *output.SummaryRow) *float64 { return s.PartlyDisclosed }}}, nil},
	{"Withheld, by reason (不予公开)", []seriesDef{
		{"state secret", func(s *output.SummaryRow) *float64 { return s.WithheldSecret }},
		{"prohibited by law", func(s *output.SummaryRow) *float64 { return s.WithheldByLaw }},
		{"security, stability", func(s *output.SummaryRow) *float64 { return s.WithheldSecurity }},
		{"third party", func(s *output.SummaryRow) *float64 { return s.WithheldThirdParty }},
		{"internal affairs", func(s *output.SummaryRow) *float64 { return s.WithheldInternal }},
		{"process information", func(s *output.SummaryRow) *float64 { return s.WithheldProcess }},
		{"enforcement file", func(s *output.SummaryRow) *float64 { return s.WithheldEnforcement }},
		{"query matter", func(s *output.SummaryRow) *float64 { return s.WithheldQuery }}}, nil},
	{"Reconsiderations and lawsuits (行政复议, 行政诉讼)", []seriesDef{
		{"reconsiderations", func(s *output.SummaryRow) *float64 { return s.ReconsiderationTotal }},
		{"lawsuits", func(s *output.SummaryRow) *float64 { return s.LawsuitsTotal }}}, []string{"x.narrative.reconsideration", "x.narrative.litigation"}},
}

// palette colours the series of a chart, distinct in print and on screen.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"}

type agencyView struct {
	Root, Name, Province, Level, Key string
	Reports                          []agencyReport
	Charts                           []template.HTML
	Checks                           []agencyCheck
	Notes                            []string
	JSONHref                         string
}

type agencyReport struct {
	Year, Href, Title, Status, StatusLabel, Format, Template string
	Current                                                  bool
	ChecksFailed                                             int32
}

type agencyCheck struct {
	Year, Href, ID, Status, Message string
}

type agencyJSON struct {
	Key      string             `json:"key"`
	Name     string             `json:"name"`
	Province string             `json:"province"`
	Level    string             `json:"level"`
	Reports  []agencyReportJSON `json:"reports"`
	Summary  any                `json:"summary"`
	Checks   any                `json:"cross_checks"`
}

type agencyReportJSON struct {
	ReportID string   `json:"report_id"`
	Year     *int32   `json:"year"`
	Current  bool     `json:"is_current"`
	Status   string   `json:"status"`
	Flags    []string `json:"flags"`
	Page     string   `json:"page"`
}

// writeAgency writes an agency's page and twin.
func (g *generator) writeAgency(a *agency) error {
	reps := slices.Clone(a.reports)
	slices.SortFunc(reps, func(x, y *report) int {
		if c := cmpYear(x.row.Year, y.row.Year); c != 0 {
			return c
		}
		return strings.Compare(x.row.ReportID, y.row.ReportID)
	})
	v := &agencyView{Root: "../", Name: a.name, Province: a.province, Level: a.level, Key: a.key, JSONHref: a.key + ".json"}
	if v.Name == "" {
		v.Name = "(agency not known)"
	}
	if len(reps) > maxAgencyReports {
		v.Notes = append(v.Notes, fmt.Sprintf("only the first %d of %d reports are shown", maxAgencyReports, len(reps)))
		reps = reps[:maxAgencyReports]
	}
	j := agencyJSON{Key: a.key, Name: a.name, Province: a.province, Level: a.level}
	var sums []*output.SummaryRow
	var xs []output.CheckRow
	var sumYears []int
	var marks []mark
	for _, r := range reps {
		st := statusOf(r.flags)
		v.Reports = append(v.Reports, agencyReport{Year: yearOf(r.row), Href: "../" + r.file, Title: deref(r.row.Title),
			Status: st, StatusLabel: statusLabels[st], Format: r.row.Format, Template: r.row.Template,
			Current: r.row.IsCurrent, ChecksFailed: r.row.ChecksFailed})
		j.Reports = append(j.Reports, agencyReportJSON{ReportID: r.row.ReportID, Year: r.row.Year, Current: r.row.IsCurrent, Status: st, Flags: nonNil(r.flags), Page: r.file})
		if s := g.summary[r.row.ReportID]; s != nil && r.row.IsCurrent && s.Year != nil {
			sums = append(sums, s)
			sumYears = append(sumYears, int(*s.Year))
		}
		for _, c := range r.x {
			v.Checks = append(v.Checks, agencyCheck{Year: yearOf(r.row), Href: "../" + r.file, ID: c.CheckID, Status: c.Status, Message: c.Message})
			xs = append(xs, c)
			if r.row.Year != nil && r.row.IsCurrent {
				marks = append(marks, mark{year: int(*r.row.Year), id: c.CheckID, status: c.Status, message: c.Message})
			}
		}
	}
	j.Summary, j.Checks = columns(nonNil(sums)), columns(nonNil(xs))
	years := slices.Compact(slices.Sorted(slices.Values(sumYears)))
	if len(years) > 0 {
		for _, c := range charts {
			v.Charts = append(v.Charts, template.HTML(chartSVG(c, years, sums, marks)))
		}
	}
	rel := filepath.ToSlash(filepath.Join("a", a.key))
	if err := g.render(rel+".html", "agency.tmpl", v); err != nil {
		return err
	}
	return g.writeJSON(rel+".json", j)
}

// marks tells whether the chart marks the results of check id: the checks
// it names, and on the first chart those no chart names (x.late,
// x.revised, x.stock…), so that every cross-year flag is on a chart.
func (c chartDef) marks(id string) bool {
	claims := func(d chartDef) bool {
		return slices.ContainsFunc(d.checks, func(p string) bool { return strings.HasPrefix(id, p) })
	}
	if claims(c) {
		return true
	}
	if c.title != charts[0].title {
		return false
	}
	return !slices.ContainsFunc(charts, claims)
}

type mark struct {
	year                int
	id, status, message string
}

func cmpYear(a, b *int32) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return int(*a - *b)
}

// chartSVG draws one chart: a line per series over the years (a gap where
// a year does not print the number; two reports of one year are summed,
// which the agency page's list shows), and the cross-year checks that
// failed or hinted as red marks under their year, each with its message.
func chartSVG(c chartDef, years []int, sums []*output.SummaryRow, marks []mark) string {
	const w, left, right, top = 460.0, 44.0, 24.0, 22.0
	legendRows, perRow := 0, 4 // four short labels to a row, or two long ones
	if len(c.series) <= 2 {
		perRow = 2
	}
	if len(c.series) > 1 {
		legendRows = (len(c.series) + perRow - 1) / perRow
	}
	bottom := 34.0 + 13*float64(legendRows)
	h := 150.0 + bottom
	values := make([][]*float64, len(c.series))
	maxV := 0.0
	for si, s := range c.series {
		values[si] = make([]*float64, len(years))
		for i, sum := range sums {
			_ = i
			v := s.get(sum)
			if v == nil {
				continue
			}
			yi := slices.Index(years, int(*sum.Year))
			if values[si][yi] == nil {
				values[si][yi] = new(float64)
			}
			*values[si][yi] += *v
			maxV = math.Max(maxV, *values[si][yi])
		}
	}
	if maxV <= 0 {
		maxV = 1
	}
	x := func(i int) float64 {
		if len(years) == 1 {
			return left + (w-left-right)/2
		}
		return left + float64(i)*(w-left-right)/float64(len(years)-1)
	}
	y := func(v float64) float64 { return top + (h-top-bottom)*(1-v/maxV) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" role="img" aria-label="%s">`, f(w), f(h), html.EscapeString(c.title))
	fmt.Fprintf(&b, `<text class="title" x="%s" y="14">%s</text>`, f(left), html.EscapeString(c.title))
	fmt.Fprintf(&b, `<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, f(left), f(y(0)), f(w-right), f(y(0)))
	fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="end">0</text><text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`,
		f(left-4), f(y(0)+4), f(left-4), f(y(maxV)+4), strconv.FormatFloat(maxV, 'f', -1, 64))
	for i, yr := range years {
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="middle">%d</text>`, f(x(i)), f(h-bottom+14), yr)
	}
	for si, s := range c.series {
		col := palette[si%len(palette)]
		var path strings.Builder
		pen := false
		for i, v := range values[si] {
			if v == nil {
				pen = false
				continue
			}
			op := "L"
			if !pen {
				op = "M"
			}
			fmt.Fprintf(&path, "%s%s %s ", op, f(x(i)), f(y(*v)))
			pen = true
		}
		if path.Len() > 0 {
			fmt.Fprintf(&b, `<path class="series" stroke="%s" d="%s"/>`, col, strings.TrimSpace(path.String()))
		}
		for i, v := range values[si] {
			if v != nil {
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s %d: %s</title></circle>`, f(x(i)), f(y(*v)), col,
					html.EscapeString(s.label), years[i], strconv.FormatFloat(*v, 'f', -1, 64))
			}
		}
	}
	if legendRows > 0 {
		for si, s := range c.series {
			lx, ly := 8+float64(si%perRow)*(w-16)/float64(perRow), h-13*float64(legendRows-si/perRow)
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="8" height="8" fill="%s"/><text class="legend" x="%s" y="%s">%s</text>`,
				f(lx), f(ly-8), palette[si%len(palette)], f(lx+10), f(ly), html.EscapeString(s.label))
		}
	}
	for _, m := range marks {
		if !c.marks(m.id) {
			continue
		}
		i := slices.Index(years, m.year)
		if i < 0 {
			continue
		}
		cls := "mark-" + m.status
		fmt.Fprintf(&b, `<path class="xmark %s" d="M%s %s l5 9 h-10 z"><title>%s (%s): %s</title></path>`, cls, f(x(i)), f(h-bottom+17),
			html.EscapeString(m.id), html.EscapeString(m.status), html.EscapeString(m.message))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
