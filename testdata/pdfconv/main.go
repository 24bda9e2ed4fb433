// Command pdfconv makes PDF fixtures from the HTML fixtures of
// testdata/reports the way other producers print them: headless Chromium
// (Skia) as a browser's "Save as PDF", and LibreOffice Writer, directly
// from the HTML or through a .docx as Word's "Save as PDF" does, with the
// tables ruled or not, and with 表三's two-row column header cut by a page
// break (LibreOffice; Chromium moves a header with rowspans to the next
// page whole). Each fixture is testdata/pdfconv/<name>/report.pdf with the
// source's expected.json: the cells do not change with the producer.
//
// Run from the repository root (see README.md in this directory):
//
//	go run ./testdata/pdfconv [-only a,b]
package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// producer is how a fixture's PDF is made.
type producer string

const (
	chrome   producer = "chrome"    // chromium --print-to-pdf
	loDirect producer = "lo"        // soffice, HTML straight to PDF
	loDocx   producer = "lo-docx"   // soffice, HTML to .docx, .docx to PDF
	notFound          = "not found" // a source string the edit needs is missing
)

// fixture is one PDF to make.
type fixture struct {
	name   string
	src    string // folder under testdata/reports
	via    producer
	ruled  bool // keep the tables' borders (else border="0")
	split  bool // cut 表三's header between its two rows by a page break
	detail string
}

var fixtures = []fixture{
	{"chrome-2021-ruled", "html-2021-identity-fail-t3-columns", chrome, true, false,
		"Skia draws each cell's borders apart (double rulings 0.7pt apart), and a cell spanning rows ends a few points above the rows beside it"},
	{"chrome-2021-unruled", "html-2021-identity-fail-t3-columns", chrome, false, false,
		"no borders: centred header words of neighbouring columns a point apart, stacked over two or three lines; 表四's values a single row"},
	{"chrome-2019-ruled", "html-2019-org-subtotal-identity-fail", chrome, true, false,
		"2019 template with the 小计 column, ruled"},
	{"lo-2021-docx-ruled", "html-2021-identity-fail-t3-columns", loDocx, true, false,
		"LibreOffice HTML → .docx → PDF, ruled (as Word's Save as PDF)"},
	{"lo-2019-docx-ruled", "html-2019-org-subtotal-identity-fail", loDocx, true, false,
		"LibreOffice HTML → .docx → PDF, ruled, 2019 template with 小计"},
	{"lo-2021-unruled", "html-2021-identity-fail-t3-columns", loDirect, false, false,
		"LibreOffice HTML → PDF without borders: header cells centred vertically, their lines half a line apart across columns; group labels wrapped beside their first row"},
	{"lo-2019-unruled", "html-2019-org-subtotal-identity-fail", loDirect, false, false,
		"LibreOffice HTML → PDF without borders, 2019 template with 小计; 表三's header and first row end a page, its label wrapped"},
	{"lo-2021-docx-pagesplit", "html-2021-identity-fail-t3-columns", loDocx, true, true,
		"empty paragraphs before 表三 push its header onto the foot of a page so that the page break falls between its two header rows"},
}

func main() {
	only := flag.String("only", "", "comma-separated fixture names to make (default all)")
	flag.Parse()
	ctx := context.Background()
	for _, f := range fixtures {
		if *only != "" && !strings.Contains(","+*only+",", ","+f.name+",") {
			continue
		}
		if err := make1(ctx, f); err != nil {
			log.Printf("%s: %v", f.name, err)
			continue
		}
		log.Printf("%s: written", f.name)
	}
}

func make1(ctx context.Context, f fixture) error {
	tool := "chromium"
	if f.via != chrome {
		tool = "soffice"
	}
	if _, err := exec.LookPath(tool); err != nil {
		return fmt.Errorf("skipped: %s not installed (apt-get install %s fonts-wqy-microhei)", tool, map[string]string{"chromium": "chromium", "soffice": "libreoffice-writer-nogui"}[tool])
	}
	srcDir := filepath.Join("testdata", "reports", f.src)
	page, err := os.ReadFile(filepath.Join(srcDir, "report.html"))
	if err != nil {
		return err
	}
	page = bytes.TrimPrefix(page, []byte("\xef\xbb\xbf"))
	if !f.ruled {
		page = borderRE.ReplaceAll(page, []byte(` border="0"`))
	}
	var pdf []byte
	switch {
	case f.split:
		pdf, err = padToSplit(ctx, f.via, page)
	default:
		pdf, err = convert(ctx, f.via, page)
	}
	if err != nil {
		return err
	}
	exp, err := os.ReadFile(filepath.Join(srcDir, "expected.json"))
	if err != nil {
		return err
	}
	out := filepath.Join("testdata", "pdfconv", f.name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "report.pdf"), stabilize(pdf, f.name), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "expected.json"), expected(exp, f), 0o644)
}

var borderRE = regexp.MustCompile(`(?i)\sborder="[^"]*"`)

// maxPad is the most empty paragraphs padToSplit tries: a page holds
// about 40 lines.
const maxPad = 80

// padToSplit puts n empty paragraphs before 表三's title, for the first n
// that makes the page break fall between 表三's two header rows:
// 申请人情况 on one page, 商业企业 on the next.
func padToSplit(ctx context.Context, via producer, page []byte) ([]byte, error) {
	t := bytes.Index(page, []byte("三、收到和处理政府信息公开申请情况"))
	if t < 0 {
		return nil, fmt.Errorf("表三's title: %s", notFound)
	}
	t = bytes.LastIndex(page[:t], []byte("<p"))
	for n := 0; n <= maxPad; n++ {
		padded := append(append(append([]byte(nil), page[:t]...), bytes.Repeat([]byte("<p>&nbsp;</p>\n"), n)...), page[t:]...)
		pdf, err := convert(ctx, via, padded)
		if err != nil {
			return nil, err
		}
		a, b, err := pagesOf(ctx, pdf, "申请人情况", "商业企业")
		if err != nil {
			return nil, err
		}
		if b == a+1 {
			return pdf, nil
		}
	}
	return nil, fmt.Errorf("no padding up to %d paragraphs splits 表三's header", maxPad)
}

// pagesOf returns the pages on which a and b first print, by pdftotext.
func pagesOf(ctx context.Context, pdf []byte, a, b string) (int, int, error) {
	tmp, err := os.MkdirTemp("", "pdfconv-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		return 0, 0, err
	}
	if err := run(ctx, tmp, "pdftotext", in, "out.txt"); err != nil {
		return 0, 0, err
	}
	text, err := os.ReadFile(filepath.Join(tmp, "out.txt"))
	if err != nil {
		return 0, 0, err
	}
	pages := strings.Split(strings.ReplaceAll(string(text), " ", ""), "\f")
	find := func(s string) int {
		for i, p := range pages {
			if strings.Contains(p, s) {
				return i + 1
			}
		}
		return 0
	}
	return find(a), find(b), nil
}

// convert prints page to PDF with via.
func convert(ctx context.Context, via producer, page []byte) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "pdfconv-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "report.html")
	if err := os.WriteFile(in, page, 0o644); err != nil {
		return nil, err
	}
	out := filepath.Join(tmp, "report.pdf")
	profile := "-env:UserInstallation=file://" + filepath.Join(tmp, "profile")
	switch via {
	case chrome:
		err = run(ctx, tmp, "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
			"--user-data-dir="+filepath.Join(tmp, "chrome"), "--print-to-pdf="+out, "file://"+in)
	case loDirect:
		err = run(ctx, tmp, "soffice", profile, "--headless", "--norestore", "--infilter=HTML (StarWriter)",
			"--convert-to", "pdf:writer_pdf_Export", "--outdir", tmp, in)
	case loDocx:
		err = run(ctx, tmp, "soffice", profile, "--headless", "--norestore", "--infilter=HTML (StarWriter)",
			"--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, in)
		if err == nil {
			err = run(ctx, tmp, "soffice", profile, "--headless", "--norestore",
				"--convert-to", "pdf", "--outdir", tmp, filepath.Join(tmp, "report.docx"))
		}
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

func run(ctx context.Context, dir, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8", "HOME="+dir, "XDG_RUNTIME_DIR="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out.String())
	}
	return nil
}

var (
	dateRe = regexp.MustCompile(`D:\d{14}`)
	xmpRe  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)
	idRe   = regexp.MustCompile(`/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]`)
	sumRe  = regexp.MustCompile(`/DocChecksum\s*/[0-9A-Fa-f]+`)
)

// stabilize puts fixed strings of the same length in place of the dates,
// the file /ID and LibreOffice's /DocChecksum, so that the xref offsets
// stay valid and a rerun with the same tools gives the same bytes.
func stabilize(b []byte, name string) []byte {
	b = dateRe.ReplaceAll(b, []byte("D:20240315093000"))
	b = xmpRe.ReplaceAll(b, []byte("2024-03-15T09:30:00"))
	sum := fmt.Sprintf("%X", md5.Sum([]byte("nianbao/pdfconv/"+name)))
	fill := func(n int) []byte { return []byte(strings.Repeat(sum, n/len(sum)+1)[:n]) }
	b = sumRe.ReplaceAllFunc(b, func(m []byte) []byte {
		i := bytes.LastIndexByte(m, '/')
		return append(append([]byte(nil), m[:i+1]...), fill(len(m)-i-1)...)
	})
	return idRe.ReplaceAllFunc(b, func(m []byte) []byte {
		out := append([]byte(nil), m...)
		for _, h := range idRe.FindSubmatch(m)[1:] {
			out = bytes.Replace(out, h, fill(len(h)), 1)
		}
		return out
	})
}

var (
	fileRe   = regexp.MustCompile(`"file":\s*"[^"]*"`)
	formatRe = regexp.MustCompile(`"format":\s*"[^"]*"`)
	notesRe  = regexp.MustCompile(`"notes":\s*"`)
)

// expected is the source's expected.json for the PDF: the same cells and
// identities, the file and format of the PDF, and notes saying how it was
// made.
func expected(src []byte, f fixture) []byte {
	b := fileRe.ReplaceAll(src, []byte(`"file": "report.pdf"`))
	b = formatRe.ReplaceAll(b, []byte(`"format": "pdf"`))
	how := fmt.Sprintf("Made by testdata/pdfconv from testdata/reports/%s (%s, tables %s): %s. ",
		f.src, f.via, map[bool]string{true: "ruled", false: "without borders"}[f.ruled], f.detail)
	return notesRe.ReplaceAllLiteral(b, []byte(`"notes": "`+strings.ReplaceAll(how, `"`, `\"`)))
}
