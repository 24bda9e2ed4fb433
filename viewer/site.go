// Package viewer writes a static website from a nianbao dataset: an index
// of agencies × years coloured by status, a page per agency with its key
// numbers over the years, and a page per report with the three template
// tables redrawn, its identities, warnings and, for each cell, where the
// source printed it. The site needs no server and loads nothing from
// elsewhere, so it works from file:// and from any static host; each page
// has a JSON twin with its data.
//
// The site is split so that no file grows with the dataset: the index
// loads a list of provinces, and the agencies of a province only when
// they are shown (data/p*.js, at most shardAgencies agencies each); each
// agency and each report is a page of its own.
package viewer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
)

//go:embed assets
var assets embed.FS

// Caps on what grows with the input, each with its reason.
const (
	// shardAgencies caps the agencies of one data/p*.js file: 2,000
	// agencies of five years are some 200 KB, which a browser parses in
	// tens of milliseconds.
	shardAgencies = 2000
	// maxAgencyReports caps the reports an agency page lists and charts:
	// an agency publishes one a year, and a thousand is a registry error
	// that must not make a page of megabytes.
	maxAgencyReports = 500
	// maxDrawnPages caps the source pages drawn on a report page: the
	// three tables span a few pages; a hostile file placing cells on
	// thousands must not.
	maxDrawnPages = 12
	// maxDrawingBytes caps the bytes of a report page's drawings, so the
	// page stays under maxPageBytes with its tables.
	maxDrawingBytes = 700 << 10
	// maxPageBytes is the size no page may pass; Generate fails rather
	// than write one (the caps above keep to it).
	maxPageBytes = 1 << 20
	// maxExtraRows caps the rows a redrawn table has beyond the
	// template's (local sub-rows, rows it does not know): a report prints
	// a few; thousands would make a page of megabytes.
	maxExtraRows = 200
	// maxTwinCells caps the cells of a report's JSON twin that would
	// otherwise pass maxPageBytes (a template has some 300).
	maxTwinCells = 1500
	// maxLineRunes caps a source line shown for an HTML or text cell, and
	// maxLinesBytes all of a page's: whole tables, even whole reports, are
	// often printed on one line of some tens of kilobytes.
	maxLineRunes  = 100_000
	maxLinesBytes = 400 << 10
	// maxSourceBytes caps a raw file read to show its lines or draw its
	// pages (larger ones are linked, not shown).
	maxSourceBytes = 64 << 20
)

// errTooBig is the error of a page over maxPageBytes.
var errTooBig = errors.New("over the cap of a page")

// siteMarker is the file that tells a directory is a site Generate wrote,
// and so may be replaced by the next.
const siteMarker = ".nianbao-site"

// Stats says what Generate wrote.
type Stats struct {
	Reports, Agencies, Files int
	Bytes                    int64  // of all files written
	Largest                  string // the largest page (HTML or JSON), relative to the site
	LargestBytes             int64
	IndexBytes               int64 // index.html and what it loads before any choice
}

// generator holds the state of one run of Generate.
type generator struct {
	ctx      context.Context
	dataset  string
	out      string
	archive  string
	tmpl     *template.Template
	stats    Stats
	reports  []*report
	byID     map[string]*report
	agencies map[string]*agency
	years    []int
	summary  map[string]*output.SummaryRow
	codes    map[string]string // warning code -> meaning
	shards   []string
}

var funcs = template.FuncMap{}

// report is what the index and the agency pages need of a report, kept
// for all of them while the report pages are written year by year.
type report struct {
	row    *output.ReportRow
	file   string // its page, relative to the site: r/<id>.html
	agency *agency
	flags  []string
	x      []output.CheckRow // its failing or hinting checks across reports (x.*)
	done   bool
}

// agency is one body: its reports over the years.
type agency struct {
	key, name, province, level string
	reports                    []*report
}

// Generate writes the site of the dataset in dir into out, which must be
// absent, empty or a site an earlier Generate wrote.
func Generate(ctx context.Context, dir, out string) (Stats, error) {
	g := &generator{ctx: ctx, dataset: dir, out: out, archive: archiveDir(dir), byID: map[string]*report{}, agencies: map[string]*agency{}}
	// The dataset is read before out is touched: a wrong DATASET leaves no
	// empty site behind.
	if err := g.load(); err != nil {
		return g.stats, err
	}
	if err := g.prepare(); err != nil {
		return g.stats, err
	}
	if err := readYears(dir, g.writeYear); err != nil {
		return g.stats, err
	}
	empty := &yearPart{}
	for _, r := range g.reports {
		if !r.done {
			if err := g.writeReport(r, empty); err != nil {
				return g.stats, err
			}
		}
	}
	for _, a := range g.sortedAgencies() {
		if err := g.writeAgency(a); err != nil {
			return g.stats, err
		}
	}
	if err := g.writeIndex(); err != nil {
		return g.stats, err
	}
	if err := g.writeFile(siteMarker, []byte("a site nianbao wrote; the next 'nianbao site' replaces this directory\n")); err != nil {
		return g.stats, err
	}
	g.stats.Reports = len(g.reports)
	g.stats.Agencies = len(g.agencies)
	return g.stats, nil
}

// prepare makes out ready: a site of an earlier run is replaced whole,
// anything else but an empty directory is refused, so that a mistyped -o
// never deletes someone's files.
func (g *generator) prepare() error {
	entries, err := os.ReadDir(g.out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("viewer: %w", err)
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(g.out, siteMarker)); err != nil {
			return fmt.Errorf("viewer: %s is not empty and not a site nianbao wrote; choose another -o", g.out)
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(g.out, e.Name())); err != nil {
				return fmt.Errorf("viewer: %w", err)
			}
		}
	}
	for _, d := range []string{"", "r", "a", "data", "raw", "assets"} {
		if err := os.MkdirAll(filepath.Join(g.out, d), 0o777); err != nil {
			return fmt.Errorf("viewer: %w", err)
		}
	}
	t, err := template.New("").Funcs(funcs).ParseFS(assets, "assets/*.tmpl")
	if err != nil {
		return fmt.Errorf("viewer: templates: %w", err)
	}
	g.tmpl = t
	for _, name := range []string{"site.css", "site.js", "index.js"} {
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			return fmt.Errorf("viewer: %w", err)
		}
		if err := g.writeFile("assets/"+name, b); err != nil {
			return err
		}
	}
	g.codes = warningCodes()
	return nil
}

// load reads reports.parquet and files every report under its agency.
func (g *generator) load() error {
	rows, err := readTable[output.ReportRow](filepath.Join(g.dataset, output.ReportsFile))
	if err != nil {
		return err
	}
	g.summary = map[string]*output.SummaryRow{}
	if sums, err := readTable[output.SummaryRow](filepath.Join(g.dataset, output.SummaryFile)); err == nil {
		for i := range sums {
			g.summary[sums[i].ReportID] = &sums[i]
		}
	} else if _, serr := os.Stat(filepath.Join(g.dataset, output.SummaryFile)); serr == nil {
		return err // there, but unreadable; a dataset of an older nianbao has none
	}
	regions, err := g.regions()
	if err != nil {
		return err
	}
	years := map[int]bool{}
	for i := range rows {
		row := &rows[i]
		r := &report{row: row, file: "r/" + fileName(row.ReportID) + ".html"}
		if _, dup := g.byID[row.ReportID]; dup {
			continue
		}
		g.byID[row.ReportID] = r
		g.reports = append(g.reports, r)
		key, name := agencyOf(row)
		a := g.agencies[key]
		if a == nil {
			a = &agency{key: key, name: name, province: provinceOf(name), level: levelOf(name)}
			// The registry knows where a site is, which a body's name
			// may not say (a county that omits its province).
			if row.AgencyReg != nil && a.province == "其他" {
				if p := regions[*row.AgencyReg]; p != "" {
					a.province = p
				}
			}
			g.agencies[key] = a
		}
		r.agency = a
		a.reports = append(a.reports, r)
		if row.Year != nil && row.IsCurrent {
			years[int(*row.Year)] = true
		}
		r.flags = baseFlags(row)
	}
	for y := range years {
		g.years = append(g.years, y)
	}
	slices.Sort(g.years)
	return nil
}

func (g *generator) sortedAgencies() []*agency {
	out := make([]*agency, 0, len(g.agencies))
	for _, a := range g.agencies {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *agency) int {
		if c := strings.Compare(a.province, b.province); c != 0 {
			return c
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	return out
}

// writeYear writes the pages of the reports whose rows are in one year
// partition.
func (g *generator) writeYear(year string, p *yearPart) error {
	ids := map[string]bool{}
	for id := range p.cells {
		ids[id] = true
	}
	for id := range p.checks {
		ids[id] = true
	}
	for id := range p.positions {
		ids[id] = true
	}
	sorted := slices.Sorted(func(yield func(string) bool) {
		for id := range ids {
			if !yield(id) {
				return
			}
		}
	})
	for _, id := range sorted {
		if err := g.ctx.Err(); err != nil {
			return err
		}
		r := g.byID[id]
		if r == nil || r.done {
			continue // rows of a report reports.parquet does not list
		}
		if err := g.writeReport(r, p); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes a file of the site, counting it; pages (HTML, JSON,
// JS data) over maxPageBytes are an error, which the caps prevent.
func (g *generator) writeFile(rel string, b []byte) error {
	ext := filepath.Ext(rel)
	if (ext == ".html" || ext == ".json" || ext == ".js") && len(b) > maxPageBytes {
		return fmt.Errorf("viewer: %s: %d bytes, %w (%d)", rel, len(b), errTooBig, maxPageBytes)
	}
	p := filepath.Join(g.out, filepath.FromSlash(rel))
	if err := os.WriteFile(p, b, 0o666); err != nil {
		return fmt.Errorf("viewer: %w", err)
	}
	g.count(rel, int64(len(b)))
	return nil
}

func (g *generator) count(rel string, n int64) {
	g.stats.Files++
	g.stats.Bytes += n
	if ext := filepath.Ext(rel); (ext == ".html" || ext == ".json") && n > g.stats.LargestBytes {
		g.stats.Largest, g.stats.LargestBytes = rel, n
	}
}

// render executes a template into a file of the site.
func (g *generator) render(rel, name string, data any) error {
	b, err := g.execute(rel, name, data)
	if err != nil {
		return err
	}
	return g.writeFile(rel, b)
}

func (g *generator) execute(rel, name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := g.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("viewer: %s: %w", rel, err)
	}
	return b.Bytes(), nil
}

// writeJSON writes a page's data twin.
func (g *generator) writeJSON(rel string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("viewer: %s: %w", rel, err)
	}
	return g.writeFile(rel, append(b, '\n'))
}

// copyRaw copies the archived body of r into the site, returning its path
// relative to the site, or "" when the archive does not hold it. An HTML
// body is copied as text (.html.txt): opened from the site's own origin,
// a hostile page's scripts would run there.
func (g *generator) copyRaw(row *output.ReportRow) (string, error) {
	src := rawPath(g.archive, row.SHA256)
	if src == "" {
		return "", nil
	}
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("viewer: %w", err)
	}
	defer in.Close()
	ext := ".bin"
	switch row.Format {
	case "pdf":
		ext = ".pdf"
	case "html":
		ext = ".html.txt"
	case "txt":
		ext = ".txt"
	case "doc":
		ext = ".doc"
	}
	rel := "raw/" + row.SHA256 + ext
	dst := filepath.Join(g.out, filepath.FromSlash(rel))
	if _, err := os.Stat(dst); err == nil {
		return rel, nil // the same bytes are two reports' (never: report_id is their hash), or a rerun
	}
	f, err := os.Create(dst)
	if err != nil {
		return "", fmt.Errorf("viewer: %w", err)
	}
	n, err := io.Copy(f, in)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("viewer: copy %s: %w", src, err)
	}
	g.stats.Files++
	g.stats.Bytes += n
	return rel, nil
}

// fileName is the file name of an id: the id itself when it is lower-case
// hex (every report and agency id nianbao writes), else a hash of it, so
// that no value of the dataset names a path.
func fileName(id string) string {
	if isHex(id) && len(id) <= 64 {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "h" + hex.EncodeToString(sum[:8])
}

// agencyOf is the key (a file name) and the name of a report's agency:
// its agency_id, else its registry's name, else "unknown".
func agencyOf(row *output.ReportRow) (key, name string) {
	for _, n := range []*string{row.Agency, row.AgencyReg, row.AgencyPrint} {
		if n != nil && *n != "" {
			name = *n
			break
		}
	}
	switch {
	case row.AgencyID != nil && *row.AgencyID != "":
		key = fileName(*row.AgencyID)
	case name != "":
		key = fileName("name:" + name)
	default:
		key, name = "unknown", ""
	}
	return key, name
}

// levelOf is the level of a body, from its name (the dataset records no
// registry level).
func levelOf(name string) string {
	if l := normalize.AgencyLevel(name); l != "" {
		return l
	}
	return "unknown"
}

// regions maps the registry's agencies to their provinces, from the
// name paths of sites.parquet (datasets of a crawl of the national
// registry); empty when the dataset has none.
func (g *generator) regions() (map[string]string, error) {
	out := map[string]string{}
	path := filepath.Join(g.dataset, output.SitesFile)
	if _, err := os.Stat(path); err != nil {
		return out, nil
	}
	sites, err := readTable[output.SiteRow](path)
	if err != nil {
		return nil, err
	}
	for _, s := range sites {
		if s.Path == nil {
			continue
		}
		first, _, _ := strings.Cut(*s.Path, "/")
		if p := provinceOf(first); p != "其他" && p != "国务院部门" {
			out[s.Agency] = p
		}
	}
	return out, nil
}

// provinces are the provincial-level divisions, by the short name their
// bodies' names start with.
var provinces = []string{"北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
	"安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南",
	"西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾"}

// provinceOf is the province a body's name starts with; "国务院部门" for
// the State Council's departments, "其他" otherwise (a county or city
// body that does not print its province, which the dataset has no column
// for).
func provinceOf(name string) string {
	for _, p := range provinces {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	if strings.HasPrefix(name, "国务院") || strings.HasPrefix(name, "国家") || strings.HasPrefix(name, "中华人民共和国") {
		return "国务院部门"
	}
	return "其他"
}

// The statuses of a report in the index, in order of precedence: a
// report's colour is its first.
const (
	statusUnreadable = "unreadable"
	statusFailed     = "identities_failed"
	statusPartial    = "partial"
	statusLate       = "late"
	statusRevised    = "revised"
	statusOK         = "ok"
	statusMissing    = "missing"
)

var statusOrder = []string{statusUnreadable, statusFailed, statusPartial, statusLate, statusRevised, statusOK, statusMissing}

var statusLabels = map[string]string{
	statusUnreadable: "unreadable",
	statusFailed:     "identities failed",
	statusPartial:    "partial",
	statusLate:       "late",
	statusRevised:    "revised",
	statusOK:         "ok",
	statusMissing:    "missing year",
}

// baseFlags are the statuses a report row tells without its checks.
func baseFlags(row *output.ReportRow) []string {
	var f []string
	switch row.ParseStatus {
	case "ok":
	case "partial":
		f = append(f, statusPartial)
	default:
		f = append(f, statusUnreadable)
	}
	if row.Revision != nil && *row.Revision > 1 {
		f = append(f, statusRevised)
	}
	return f
}

// addCheckFlags adds the statuses a report's checks tell.
func addCheckFlags(r *report, checks []output.CheckRow) {
	add := func(s string) {
		if !slices.Contains(r.flags, s) {
			r.flags = append(r.flags, s)
		}
	}
	for _, c := range checks {
		switch {
		case c.CheckID == "x.late" && c.Status == "fail":
			add(statusLate)
		case c.CheckID == "x.revised" && c.Status == "hint":
			add(statusRevised)
		case c.Status == "fail" && !strings.HasPrefix(c.CheckID, "x.late") && !strings.HasPrefix(c.CheckID, "x.revised"):
			add(statusFailed)
		}
		if strings.HasPrefix(c.CheckID, "x.") && (c.Status == "fail" || c.Status == "hint") {
			r.x = append(r.x, c)
		}
	}
}

// statusOf is the colour of a report: its first status in statusOrder.
func statusOf(flags []string) string {
	for _, s := range statusOrder {
		if slices.Contains(flags, s) {
			return s
		}
	}
	return statusOK
}

// num formats a number as the dataset holds it, shortest exact form.
func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func yearOf(row *output.ReportRow) string {
	if row.Year == nil {
		return ""
	}
	return strconv.Itoa(int(*row.Year))
}
