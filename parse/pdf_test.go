package parse

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/testdata/hostile"
)

const corpusPDF = "../../shared/corpus/huaian-hongze-2023/report.pdf"

func readOrSkip(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s not available: %v", path, err)
	}
	return data
}

// rowWith returns the first table row with a cell whose text contains s.
// A label starting with "=" must be a row's whole first cell.
func rowWith(doc *Document, s string) (Row, bool) {
	exact, s := strings.HasPrefix(s, "="), strings.TrimPrefix(s, "=")
	for _, b := range doc.Blocks {
		if b.Table == nil {
			continue
		}
		for _, r := range b.Table.Rows {
			if exact {
				if len(r.Cells) > 0 && r.Cells[0].Text == s {
					return r, true
				}
				continue
			}
			for _, c := range r.Cells {
				if !c.Continued && strings.Contains(c.Text, s) {
					return r, true
				}
			}
		}
	}
	return Row{}, false
}

// values lists the texts of the cells from grid column from on.
func values(r Row, from int) []string {
	var out []string
	for _, c := range r.Cells {
		if c.Col >= from {
			out = append(out, c.Text)
		}
	}
	return out
}

func TestParsePDFCorpus(t *testing.T) {
	doc, err := ParsePDF(context.Background(), readOrSkip(t, corpusPDF))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != StatusOK || !doc.PositionsReliable || doc.Format != FormatPDF {
		t.Fatalf("status %q, reliable %v, format %q; warnings %v", doc.Status, doc.PositionsReliable, doc.Format, doc.Warnings)
	}
	// The title, set large on two lines, is headings for the title rule of
	// Parse to join.
	if title := reportTitle(doc); title != "洪泽区人民政府2023年政府信息公开工作年度报告" {
		t.Errorf("title = %q", title)
	}
	for _, b := range doc.Blocks {
		if strings.Contains(b.Text, "年度报告") && !b.Heading {
			t.Errorf("title line %q is not a heading", b.Text)
		}
		if b.Text == "一、总体情况" && b.Heading {
			t.Errorf("body-size line %q is a heading", b.Text)
		}
	}
	tests := []struct {
		label string
		from  int // first value column
		want  string
		page  int
	}{
		// 表四: every number under its own column, totals as printed (0).
		{"=10", 0, "10 1 0 0 0 0 0 0 0 0 5 0 0 0 0", 4},
		{"行政事业性收费", 1, "7730.28", 3},
		{"行政规范性文件", 1, "0 5 5", 2},
		{"1.属于国家秘密", 3, "1 0 0 0 0 0 1", 3},
		{"（二）部分公开", 3, "4 0 0 0 0 0 4", 3},
		{"3.补正后申请内容仍不明确", 3, "0 0 0 0 0 0 0", 4},
		{"（七）总计", 3, "21 0 0 0 0 0 21", 4},
		{"商业企业", 3, "自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计", 3},
	}
	for _, tt := range tests {
		r, ok := rowWith(doc, tt.label)
		if !ok {
			t.Errorf("no row with %q", tt.label)
			continue
		}
		got := strings.Join(values(r, tt.from), " ")
		// stacked header words come out joined; spaced ones keep a space
		got = strings.ReplaceAll(got, "总 计", "总计")
		if got != tt.want {
			t.Errorf("row %q: values %q, want %q", tt.label, got, tt.want)
		}
		if r.Loc.Page != tt.page {
			t.Errorf("row %q on page %d, want %d", tt.label, r.Loc.Page, tt.page)
		}
	}
	// The group label spans the result rows, also across the page break.
	r, _ := rowWith(doc, "3.补正后申请内容仍不明确")
	if len(r.Cells) < 2 || !r.Cells[0].Continued || r.Cells[0].Text != "三、本年度办理结果" ||
		!r.Cells[1].Continued || r.Cells[1].Text != "（四）无法提供" {
		t.Errorf("row after the page break starts %+v, want continued group labels", r.Cells[:min(2, len(r.Cells))])
	}
	// Provenance on every cell; headings between tables as paragraphs.
	var heading bool
	for _, b := range doc.Blocks {
		if b.Table == nil {
			heading = heading || b.Text == "三、收到和处理政府信息公开申请情况"
			continue
		}
		for _, row := range b.Table.Rows {
			for _, c := range row.Cells {
				if c.Loc.Page < 1 || c.Loc.BBox[2] <= c.Loc.BBox[0] || c.Loc.BBox[3] <= c.Loc.BBox[1] || c.Loc.Table != b.Table.Index+1 {
					t.Fatalf("cell %q has no provenance: %+v", c.Text, c.Loc)
				}
			}
		}
	}
	if !heading {
		t.Error("heading 三、收到和处理政府信息公开申请情况 not found as a paragraph")
	}
}

func TestParsePDFStatuses(t *testing.T) {
	tests := []struct {
		path   string
		status Status
		code   Code
	}{
		{"../testdata/pdf/scanned-image-only/report.pdf", StatusNeedsOCR, "pdf.needs_ocr"},
		{"../testdata/pdf/encrypted-user-pw/report.pdf", StatusEncrypted, "pdf.encrypted"},
		{"../testdata/pdf/encrypted-empty-pw/report.pdf", StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			doc, err := ParsePDF(context.Background(), readOrSkip(t, tt.path))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Status != tt.status {
				t.Fatalf("status %q, want %q (warnings %v)", doc.Status, tt.status, doc.Warnings)
			}
			if tt.code == "" {
				return
			}
			if !hasCode(doc, tt.code) {
				t.Errorf("warnings %v, want %s", doc.Warnings, tt.code)
			}
			if tt.status != StatusOK && hasNumbers(doc) {
				t.Errorf("a document with status %q has table cells", doc.Status)
			}
		})
	}
}

func hasNumbers(doc *Document) bool {
	for _, b := range doc.Blocks {
		if b.Table != nil {
			return true
		}
	}
	return false
}

// minimalPDF builds a one-page PDF with the given content stream and font
// dictionary (as /F1), with a correct cross-reference table.
func minimalPDF(content, font string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content)+1, content),
		font,
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestParsePDFGarbledAndBroken(t *testing.T) {
	// Identity-H without ToUnicode or font file: no code can be decoded.
	garbled := minimalPDF("BT /F1 12 Tf 72 700 Td <0611169f07b511e90611169f07b511e90611169f07b511e90611169f07b511e90611169f07b511e9> Tj ET",
		"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X >>] >>")
	readable := minimalPDF("BT /F1 12 Tf 72 700 Td (2023 annual report of the office, 21 requests) Tj ET",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	tests := []struct {
		name   string
		data   []byte
		status Status
	}{
		{"garbled", garbled, StatusGarbled},
		{"readable", readable, StatusOK},
		{"truncated", readable[:len(readable)/2], StatusFailed},
		{"not a pdf body", []byte("%PDF-1.7\n%%EOF\n"), StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParsePDF(context.Background(), tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Status != tt.status {
				t.Fatalf("status %q, want %q; warnings %v", doc.Status, tt.status, doc.Warnings)
			}
			if tt.status != StatusOK && len(doc.Warnings) == 0 {
				t.Error("no warning for a failed document")
			}
			if tt.status == StatusGarbled && (doc.Warnings[0].Loc.Page != 1 || hasNumbers(doc)) {
				t.Errorf("garbled: warnings %v (want one naming page 1), blocks %d", doc.Warnings, len(doc.Blocks))
			}
		})
	}
}

func BenchmarkParsePDF(b *testing.B) {
	data := readOrSkip(b, corpusPDF)
	doc, err := ParsePDF(context.Background(), data)
	if err != nil || doc.Status != StatusOK {
		b.Fatalf("parse: %v %v", err, doc.Status)
	}
	pages := doc.Pages()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ParsePDF(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pages)/1e6, "ms/page")
}

// TestParsePDFFuzzSeeds runs ParsePDF over the fuzzer's seed corpus and
// crashers: a panic, even a recovered one, is a bug.
func TestParsePDFFuzzSeeds(t *testing.T) {
	files, _ := filepath.Glob("pdflayout/testdata/fuzz/FuzzParsePDF/*")
	if len(files) == 0 {
		t.Skip("no fuzz seeds")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, body, _ := strings.Cut(string(raw), "\n")
		body = strings.TrimSpace(body)
		lit := strings.TrimSuffix(strings.TrimPrefix(body, "[]byte("), ")")
		data, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		doc, err := ParsePDF(context.Background(), []byte(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, w := range doc.Warnings {
			// Panics inside the PDF library are turned into page warnings
			// by design; one reaching the document boundary or the layout
			// step is a bug of ours.
			if w.Code == "pdf.panic" || w.Code == "pdf.layout" {
				t.Errorf("%s: %v", filepath.Base(f), w)
			}
		}
		if doc.Status != StatusOK && len(doc.Warnings) == 0 {
			t.Errorf("%s: status %q without a warning", filepath.Base(f), doc.Status)
		}
	}
}

// TestParsePDFProvenance checks that every cell of every fixture PDF says
// where it was printed.
func TestParsePDFProvenance(t *testing.T) {
	files, _ := filepath.Glob("../testdata/pdf/*/report.pdf")
	files = append(files, corpusPDF)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		doc, err := ParsePDF(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range doc.Blocks {
			if b.Table == nil {
				continue
			}
			for ri, row := range b.Table.Rows {
				for _, c := range row.Cells {
					n++
					l := c.Loc
					if l.Page < 1 || l.BBox[2] <= l.BBox[0] || l.BBox[3] <= l.BBox[1] || l.Table != b.Table.Index+1 || l.Row != ri+1 || l.Col != c.Col+1 {
						t.Fatalf("%s: cell %q (row %d) has no provenance: %+v", f, c.Text, ri, l)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Skip("no PDFs with tables found")
	}
}

// FuzzParsePDF fuzzes the PDF entry point. ParsePDF never panics by
// construction (it recovers at the document boundary), so a recovered
// panic that reached that boundary or the layout step counts as a crash,
// as does a document that takes longer than the time limit. The layout
// layer has its own, stricter target, pdflayout.FuzzParsePDF.
func FuzzParsePDF(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/pdf/*/report.pdf")
	for _, p := range append(paths, corpusPDF) {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
		flip := append([]byte(nil), data...)
		flip[len(flip)/3] ^= 0x10
		f.Add(flip)
	}
	text := hostile.TextPDF()
	for _, data := range [][]byte{text, hostile.DeepArray(1000), hostile.DeepXrefIndex(1000), hostile.DeepDict(100),
		hostile.HugeString(70_000), hostile.HugeWidths(100), hostile.HugeToUnicode(100), hostile.ManyPages(20),
		hostile.DenseGrid(2, 20), hostile.JunkBefore(text, 500), hostile.JunkAfter(text, 50), hostile.Version(text, "2.0"),
		hostile.BrokenXref(text)} {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParsePDF(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range doc.Warnings {
			if w.Code == "pdf.panic" || w.Code == "pdf.layout" || w.Code == "pdf.timeout" {
				t.Fatalf("%v", w)
			}
		}
	})
}
