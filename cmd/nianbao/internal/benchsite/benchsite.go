// Package benchsite serves a generated web site of many annual reports on
// loopback, for benchmarks of the whole pipeline (crawl, parse, dataset).
//
// The reports are the repository's fixtures, each served many times over
// and made distinct per copy, so that every copy has its own sha256 and
// must be fetched, archived and parsed: an HTML report has its place name
// (in the agency, title and page furniture) and two numbers of its body
// text changed; a PDF gets a comment line before its startxref. Even-numbered
// reports are HTML pages, odd-numbered ones PDF attachments linked from an
// article page, as most sites publish them. The reports are split into
// sites of PerSite reports, each a 年报 column of list pages that
// paginate with 下一页 links. Pages are made on each request, so the
// server's memory does not grow with the number of reports; every answer
// has an ETag and a Last-Modified, so a second crawl gets 304s.
package benchsite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/opengov-cn/nianbao/internal/textenc"
	"github.com/opengov-cn/nianbao/normalize"
)

// Fixtures are the reports a Site serves copies of.
type Fixtures struct {
	HTML []*HTMLFixture
	PDF  []*PDFFixture
	// Skipped says which fixtures were left out, and why.
	Skipped []string
}

// An HTMLFixture is an HTML report and how to make copies of it.
type HTMLFixture struct {
	Name    string
	Agency  string
	Year    int
	Status  normalize.Status // of the fixture, and of every copy
	Cells   int
	text    string // the page, decoded to UTF-8
	charset string // "utf-8" or "gb18030": what the copies are encoded in
	bom     bool
	place   string // the place name in Agency, replaced in copies
}

// A PDFFixture is a PDF report that parses with status ok.
type PDFFixture struct {
	Name   string
	Agency string
	Year   int
	Cells  int
	data   []byte
}

// pdfPrefixes name the PDF fixtures used: text-layer renderings by gopdf,
// hand-written CMaps, LibreOffice and wkhtmltopdf (not the scanned or
// encrypted ones).
var pdfPrefixes = []string{"gopdf-", "cmap-", "lo-", "wk-"}

// Load reads the fixtures under testdata (the repository's testdata
// directory): testdata/reports/html-*/report.html and
// testdata/pdf/{gopdf,cmap,lo,wk}-*/report.pdf, each with its
// expected.json. A fixture is kept only if two of its copies parse as the
// fixture does (same status and number of cells; status ok for PDFs) and
// differ from each other. An error wrapping fs.ErrNotExist means the
// fixtures are not there.
func Load(testdata string) (*Fixtures, error) {
	fx := &Fixtures{}
	htmls, _ := filepath.Glob(filepath.Join(testdata, "reports", "html-*", "report.html"))
	var pdfs []string
	for _, p := range pdfPrefixes {
		m, _ := filepath.Glob(filepath.Join(testdata, "pdf", p+"*", "report.pdf"))
		pdfs = append(pdfs, m...)
	}
	if len(htmls) == 0 || len(pdfs) == 0 {
		return nil, fmt.Errorf("benchsite: no HTML or no PDF fixtures under %s: %w", testdata, os.ErrNotExist)
	}
	ctx := context.Background()
	for _, path := range htmls {
		f, err := loadHTML(ctx, path)
		if err != nil {
			fx.Skipped = append(fx.Skipped, err.Error())
			continue
		}
		fx.HTML = append(fx.HTML, f)
	}
	for _, path := range pdfs {
		f, err := loadPDF(ctx, path)
		if err != nil {
			fx.Skipped = append(fx.Skipped, err.Error())
			continue
		}
		fx.PDF = append(fx.PDF, f)
	}
	if len(fx.HTML) == 0 || len(fx.PDF) == 0 {
		return nil, fmt.Errorf("benchsite: no usable HTML or PDF fixture: %s", strings.Join(fx.Skipped, "; "))
	}
	return fx, nil
}

type expected struct {
	Agency string `json:"agency"`
	Year   int    `json:"year"`
}

func readFixture(path string) ([]byte, expected, error) {
	var e expected
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, e, err
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(path), "expected.json"))
	if err != nil {
		return nil, e, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, e, fmt.Errorf("%s: %w", path, err)
	}
	if e.Agency == "" || e.Year == 0 {
		return nil, e, fmt.Errorf("%s: expected.json names no agency or year", path)
	}
	return data, e, nil
}

func fixtureName(path string) string { return filepath.Base(filepath.Dir(path)) }

// levels are the characters that end a place name in an agency's name.
const levels = "省市县区镇乡"

func loadHTML(ctx context.Context, path string) (*HTMLFixture, error) {
	data, e, err := readFixture(path)
	if err != nil {
		return nil, err
	}
	name := fixtureName(path)
	text, charset, _ := textenc.DecodeHTML(data, "")
	f := &HTMLFixture{Name: name, Agency: e.Agency, Year: e.Year, text: text, charset: charset,
		bom: bytes.HasPrefix(data, []byte("\xEF\xBB\xBF"))}
	if charset != "utf-8" && charset != "gb18030" {
		return nil, fmt.Errorf("%s: read as %s, which copies cannot be written in", name, charset)
	}
	if !bytes.Equal(f.encode(text), data) {
		return nil, fmt.Errorf("%s: its bytes do not survive decoding and encoding again", name)
	}
	if i := strings.IndexAny(e.Agency, levels); i > 0 && strings.Contains(text, e.Agency[:i]) {
		f.place = e.Agency[:i]
	}
	orig := normalize.Process(ctx, normalize.Source{Path: path}, data)
	f.Status, f.Cells = orig.Status, len(orig.Cells)
	if err := f.check(ctx, data); err != nil {
		return nil, err
	}
	return f, nil
}

// check makes sure copies differ from the fixture and from each other,
// and parse as the fixture does.
func (f *HTMLFixture) check(ctx context.Context, orig []byte) error {
	a, b := f.Copy(1), f.Copy(7777)
	if bytes.Equal(a, orig) || bytes.Equal(a, b) {
		return fmt.Errorf("%s: its copies are not distinct", f.Name)
	}
	for i, c := range [][]byte{a, b} {
		r := normalize.Process(ctx, normalize.Source{Path: fmt.Sprintf("%s copy %d", f.Name, i)}, c)
		if r.Status != f.Status || len(r.Cells) != f.Cells {
			return fmt.Errorf("%s: a copy parses as %s with %d cells, the fixture as %s with %d", f.Name, r.Status, len(r.Cells), f.Status, f.Cells)
		}
	}
	return nil
}

func (f *HTMLFixture) encode(text string) []byte {
	var out []byte
	if f.bom {
		out = append(out, "\xEF\xBB\xBF"...)
	}
	if f.charset == "utf-8" {
		return append(out, text...)
	}
	b, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		panic("benchsite: " + err.Error()) // decoded from GB18030, so always encodable
	}
	return append(out, b...)
}

// placeChars make the place names of copies, two characters each.
var placeChars = []rune("安宁平和顺德兴华永丰长乐新泰嘉禾清河临江东阳西昌南城北海")

func placeName(i int) string {
	n := len(placeChars)
	return string([]rune{placeChars[i%n], placeChars[(i/n)%n]})
}

// CopyAgency is the agency of copy i.
func (f *HTMLFixture) CopyAgency(i int) string {
	if f.place == "" {
		return f.Agency
	}
	return placeName(i) + f.Agency[len(f.place):]
}

// Copy returns copy i of the report: its place name and two numbers of its
// body text changed, its encoding kept.
func (f *HTMLFixture) Copy(i int) []byte {
	t := f.text
	if f.place != "" {
		t = strings.ReplaceAll(t, f.place, placeName(i))
	}
	t = strings.Replace(t, "公开政府信息112条", "公开政府信息"+strconv.Itoa(112+i)+"条", 1)
	t = strings.Replace(t, "人民路88号", "人民路"+strconv.Itoa(1+i%999)+"号", 1)
	if !strings.Contains(f.text, "公开政府信息112条") {
		t = strings.Replace(t, "</body>", "<!-- nianbao-bench "+strconv.Itoa(i)+" -->\n</body>", 1)
	}
	return f.encode(t)
}

func loadPDF(ctx context.Context, path string) (*PDFFixture, error) {
	data, e, err := readFixture(path)
	if err != nil {
		return nil, err
	}
	f := &PDFFixture{Name: fixtureName(path), Agency: e.Agency, Year: e.Year, data: data}
	if at := bytes.LastIndex(data, []byte("startxref")); at <= 0 || data[at-1] != '\n' && data[at-1] != '\r' {
		return nil, fmt.Errorf("%s: no startxref at the start of a line", f.Name)
	}
	r := normalize.Process(ctx, normalize.Source{Path: path}, data)
	if r.Status != normalize.StatusOK {
		return nil, fmt.Errorf("%s: status %s, not ok", f.Name, r.Status)
	}
	f.Cells = len(r.Cells)
	a, b := f.Copy(1), f.Copy(7777)
	if bytes.Equal(a, b) {
		return nil, fmt.Errorf("%s: its copies are not distinct", f.Name)
	}
	for i, c := range [][]byte{a, b} {
		r := normalize.Process(ctx, normalize.Source{Path: fmt.Sprintf("%s copy %d", f.Name, i)}, c)
		if r.Status != normalize.StatusOK || len(r.Cells) != f.Cells {
			return nil, fmt.Errorf("%s: a copy parses as %s with %d cells, the fixture as ok with %d", f.Name, r.Status, len(r.Cells), f.Cells)
		}
	}
	return f, nil
}

// Copy returns copy i of the PDF: the file with a comment line just
// before its last startxref, where no offset points past it. (After the
// %%EOF would be simpler, but the PDF reader, github.com/ledongthuc/pdf,
// rejects a file that does not end with %%EOF.)
func (f *PDFFixture) Copy(i int) []byte {
	comment := "%nianbao-bench " + strconv.Itoa(i) + "\n"
	at := bytes.LastIndex(f.data, []byte("startxref"))
	out := make([]byte, 0, len(f.data)+len(comment))
	out = append(out, f.data[:at]...)
	out = append(out, comment...)
	return append(out, f.data[at:]...)
}

// PerSite is the number of reports of one site; PerPage the entries of
// one list page.
const (
	PerSite = 500
	PerPage = 20
)

// A Site serves Reports reports. It is safe for concurrent use.
type Site struct {
	fx      *Fixtures
	reports int
	perSite int // PerSite, or fewer in tests
}

// New returns a site of n reports, the copies of fx's fixtures.
func New(fx *Fixtures, n int) *Site { return &Site{fx: fx, reports: n, perSite: PerSite} }

// Reports is the number of reports.
func (s *Site) Reports() int { return s.reports }

// Sites is the number of sites (registry entries).
func (s *Site) Sites() int { return (s.reports + s.perSite - 1) / s.perSite }

// PDFs is the number of reports published as PDF attachments.
func (s *Site) PDFs() int { return s.reports / 2 }

// Documents is the number of documents a crawl fetches: one page per
// report, and a PDF for every other.
func (s *Site) Documents() int { return s.reports + s.PDFs() }

// Registry returns a registry (crawl/registry.go's YAML) of the site's
// sites, served at baseURL.
func (s *Site) Registry(baseURL string) []byte {
	base := strings.TrimSuffix(baseURL, "/")
	host := strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://")
	var b strings.Builder
	fmt.Fprintf(&b, "# nianbao benchmark: %d reports in %d generated sites at %s\nsites:\n", s.reports, s.Sites(), base)
	for k := range s.Sites() {
		fmt.Fprintf(&b, "  - name: %s\n    agency: %s\n    start: [%s]\n    hosts: [%s]\n",
			strconv.Quote(fmt.Sprintf("bench-%03d", k)), strconv.Quote(siteAgency(k)),
			strconv.Quote(fmt.Sprintf("%s/s%03d/nb/", base, k)), strconv.Quote(host))
	}
	return []byte(b.String())
}

func siteAgency(k int) string { return "基准市第" + strconv.Itoa(k+1) + "区人民政府" }

// modTime is the Last-Modified of every answer.
var modTime = time.Date(2024, 3, 8, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

// report describes report i.
type report struct {
	i     int
	site  int // the site it is on
	title string
	date  string // YYYY-MM-DD
	dir   string // yyyymm
	html  *HTMLFixture
	pdf   *PDFFixture
}

func (s *Site) report(i int) report {
	r := report{i: i, site: i / s.perSite}
	var agency string
	var year int
	if i%2 == 0 {
		r.html = s.fx.HTML[(i/2)%len(s.fx.HTML)]
		agency, year = r.html.CopyAgency(i), r.html.Year
	} else {
		r.pdf = s.fx.PDF[(i/2)%len(s.fx.PDF)]
		agency, year = r.pdf.Agency, r.pdf.Year
	}
	r.title = fmt.Sprintf("%s%d年政府信息公开工作年度报告", agency, year)
	month, day := 1+i%3, 1+i%28
	r.date = fmt.Sprintf("%d-%02d-%02d", year+1, month, day)
	r.dir = fmt.Sprintf("%d%02d", year+1, month)
	return r
}

func (r report) pageName() string {
	return fmt.Sprintf("t%s_%d.html", strings.ReplaceAll(r.date, "-", ""), r.i)
}

func (r report) pdfName() string { return fmt.Sprintf("P0%07d.pdf", r.i) }

// ServeHTTP serves robots.txt, the list pages, report pages and PDFs.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, ctype, ok := s.resource(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(body)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	http.ServeContent(w, r, "", modTime, bytes.NewReader(body))
}

// resource makes the body at path.
func (s *Site) resource(path string) (body []byte, contentType string, ok bool) {
	if path == "/robots.txt" {
		return []byte("User-agent: *\nDisallow: /search/\n"), "text/plain; charset=utf-8", true
	}
	// /sKKK/nb/…: site KKK's column.
	if len(path) < len("/s000/nb/") || path[:2] != "/s" || path[5:9] != "/nb/" {
		return nil, "", false
	}
	k, err := strconv.Atoi(path[2:5])
	if err != nil || k < 0 || k >= s.Sites() {
		return nil, "", false
	}
	rest := path[9:]
	first, count := k*s.perSite, min(s.perSite, s.reports-k*s.perSite)
	pages := (count + PerPage - 1) / PerPage
	switch {
	case rest == "" || rest == "index.html":
		return s.listPage(k, 0, pages), "text/html; charset=utf-8", true
	case strings.HasPrefix(rest, "index_"):
		p, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rest, "index_"), ".html"))
		if err != nil || p < 1 || p >= pages || rest != "index_"+strconv.Itoa(p)+".html" {
			return nil, "", false
		}
		return s.listPage(k, p, pages), "text/html; charset=utf-8", true
	}
	dir, file, found := strings.Cut(rest, "/")
	if !found {
		return nil, "", false
	}
	// The report's number: P0<i>.pdf or t<date>_<i>.html; the names are
	// checked against the report's own below.
	num := strings.TrimSuffix(strings.TrimPrefix(file, "P0"), ".pdf")
	if j := strings.LastIndexByte(file, '_'); j >= 0 && strings.HasSuffix(file, ".html") {
		num = file[j+1 : len(file)-len(".html")]
	}
	i, err := strconv.Atoi(num)
	if err != nil || i < first || i >= first+count {
		return nil, "", false
	}
	rep := s.report(i)
	switch {
	case dir != rep.dir:
		return nil, "", false
	case file == rep.pdfName() && rep.pdf != nil:
		return rep.pdf.Copy(i), "application/pdf", true
	case file != rep.pageName():
		return nil, "", false
	case rep.html != nil:
		// As many servers do: no charset in the header, only in the page
		// (or nowhere).
		return rep.html.Copy(i), "text/html", true
	default:
		return articlePage(k, rep), "text/html; charset=utf-8", true
	}
}

const listHead = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8" />
<meta name="ColumnName" content="政府信息公开年报" />
<title>政府信息公开年报_%s</title>
</head>
<body>
<div class="header"><a href="/">%s</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; <a href="./">政府信息公开年报</a></div>
<ul class="list">
`

// listPage is page p (0-based) of site k's list of reports, newest first.
func (s *Site) listPage(k, p, pages int) []byte {
	e := html.EscapeString
	var b bytes.Buffer
	fmt.Fprintf(&b, listHead, e(siteAgency(k)), e(siteAgency(k)))
	first := k*s.perSite + p*PerPage
	last := min(first+PerPage, (k+1)*s.perSite, s.reports)
	for i := first; i < last; i++ {
		r := s.report(i)
		fmt.Fprintf(&b, "<li><a href=\"./%s/%s\" title=\"%s\" target=\"_blank\">%s</a><span>%s</span></li>\n",
			r.dir, r.pageName(), e(r.title), e(r.title), r.date)
	}
	name := func(i int) string {
		if i == 0 {
			return "index.html"
		}
		return "index_" + strconv.Itoa(i) + ".html"
	}
	fmt.Fprintf(&b, "</ul>\n<div class=\"page\">共%d页　<a href=\"%s\">首页</a>", pages, name(0))
	if p > 0 {
		fmt.Fprintf(&b, " <a href=\"%s\">上一页</a>", name(p-1))
	}
	if p < pages-1 {
		fmt.Fprintf(&b, " <a href=\"%s\">下一页</a>", name(p+1))
	}
	fmt.Fprintf(&b, " <a href=\"%s\">尾页</a></div>\n</body>\n</html>\n", name(pages-1))
	return b.Bytes()
}

// articlePage is the page of a PDF report: its title, date and a link to
// the attachment.
func articlePage(k int, r report) []byte {
	e := html.EscapeString
	t := e(r.title)
	return []byte(fmt.Sprintf(`<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8" />
<meta name="ArticleTitle" content="%s" />
<meta name="PubDate" content="%s 09:30" />
<meta name="ContentSource" content="%s" />
<title>%s_%s</title>
</head>
<body>
<h1>%s</h1>
<div class="info">发布日期：%s　来源：%s</div>
<div class="TRS_Editor">
<p style="text-indent:2em">现将%s予以公布，全文见附件。</p>
<p>附件：<a href="%s">%s.pdf</a></p>
</div>
</body>
</html>
`, t, r.date, e(r.pdf.Agency), t, e(siteAgency(k)), t, r.date, e(r.pdf.Agency), t, r.pdfName(), t))
}
