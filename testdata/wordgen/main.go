// Command wordgen regenerates the Word and Markdown fixtures in
// testdata/word and testdata/markdown from HTML fixtures of
// testdata/reports, so that their expected cells are those of the HTML
// fixture by construction: the HTML is read with parse.ParseHTML and its
// blocks are written again as
//
//   - DOCX (written here, token by token, the way Word writes it): every
//     run split into runs of one to three characters, a heading style on
//     the headings, gridSpan/vMerge for the spans, 表二 nested in a one-cell
//     layout table, a number of each table written as the result of a
//     formula field (=SUM(ABOVE) and its code in w:instrText), and before
//     each number a tracked deletion (w:del/w:delText) of a wrong number,
//     every other number inside a tracked insertion (w:ins);
//   - Markdown (the way PDF converters write it): "#" headings, pipe
//     tables whose header cells wrap with <br>, covered span fields left
//     empty, and 表三 as an embedded HTML <table> with its spans;
//   - DOC and WPS (when LibreOffice is installed): soffice converts the
//     HTML fixture to Word 97 ("doc:MS Word 97"); the .wps fixture is that
//     Word 97 binary under a .wps name, which is what Kingsoft WPS Writer
//     saves (LibreOffice imports WPS but cannot write it).
//
// Run from the repository root:
//
//	go run ./testdata/wordgen
//
// Without soffice the DOC and WPS fixtures are skipped with a message and
// their committed files left alone.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opengov-cn/nianbao/parse"
)

// fixture is one generated fixture: its folder, its source HTML fixture
// and how it is written.
type fixture struct {
	dir, src, kind, notes string
}

var fixtures = []fixture{
	{"word/docx-2019-subrows-revisions", "html-2019-gbk-meta-charset-subrows", "docx",
		"DOCX written by wordgen from the HTML fixture html-2019-gbk-meta-charset-subrows (same cells): runs split into 1–3 characters, headings in a Heading 1 style, gridSpan/vMerge spans (其他对外管理服务事项 rowspan over two sub-rows), 表二 nested in a one-cell layout table, one number per table as the result of a =SUM(ABOVE) field, before every number a tracked deletion of a wrong number (9 prefixed) that must not be read, every other number inside a tracked insertion."},
	{"word/docx-2021-org-subtotal-revisions", "html-2021-utf8-bom-org-subtotal", "docx",
		"DOCX written by wordgen from the HTML fixture html-2021-utf8-bom-org-subtotal (same cells): 8-column 表三 with merged header cells (gridSpan, vMerge restart/continue), runs split into 1–3 characters, 表二 nested in a layout table, field results, tracked deletions of wrong numbers (must not be read) and insertions."},
	{"markdown/md-2021-pipe-and-html-tables", "html-2021-utf8-bom-org-subtotal", "md",
		"Markdown dump as PDF converters write it, by wordgen from html-2021-utf8-bom-org-subtotal (same cells): # headings, 表二 and 表四 as pipe tables (column spans repeated, row spans empty below, header cells wrapped with <br>), 表三 as an embedded HTML <table> with rowspan/colspan."},
	{"markdown/md-2019-pipe-tables", "html-2019-gbk-meta-charset-subrows", "md-pipe",
		"Markdown dump by wordgen from html-2019-gbk-meta-charset-subrows (same cells): every table a pipe table, a label spanning columns repeated in each (as docling writes them; a spanning number in its first field only, the rest empty, so those rows have more fields than values), the rows below a cell spanning rows empty, header cells wrapped with <br>, the page's nav/sidebar/footer tables too."},
	{"word/doc-2019-libreoffice", "html-2019-gbk-meta-charset-subrows", "doc",
		"Word 97 .doc converted by LibreOffice from the HTML fixture html-2019-gbk-meta-charset-subrows (soffice --infilter=\"HTML (StarWriter)\" --convert-to \"doc:MS Word 97\"); read through LibreOffice's DOCX conversion."},
	{"word/wps-2021-libreoffice", "html-2021-utf8-bom-org-subtotal", "wps",
		"A .wps attachment: the Word 97 binary LibreOffice writes from the HTML fixture html-2021-utf8-bom-org-subtotal, under the .wps name Kingsoft WPS Writer gives the same format; read through LibreOffice's DOCX conversion."},
}

func main() {
	for _, f := range fixtures {
		if err := generate(f); err != nil {
			log.Fatalf("%s: %v", f.dir, err)
		}
	}
}

func generate(f fixture) error {
	src := filepath.Join("testdata/reports", f.src)
	page, err := os.ReadFile(filepath.Join(src, "report.html"))
	if err != nil {
		return err
	}
	var exp map[string]any
	raw, err := os.ReadFile(filepath.Join(src, "expected.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		return err
	}
	doc, err := parse.ParseHTML(context.Background(), page)
	if err != nil {
		return err
	}
	var out []byte
	name := "report." + f.kind
	switch f.kind {
	case "docx":
		out, err = writeDOCX(doc)
	case "md", "md-pipe":
		name = "report.md"
		out = writeMarkdown(doc, f.kind == "md")
	case "doc", "wps":
		out, err = convertDOC(page)
		if out == nil && err == nil {
			fmt.Printf("%s: skipped: soffice is not installed (Debian libreoffice-writer-nogui)\n", f.dir)
			return nil
		}
	}
	if err != nil {
		return err
	}
	dir := filepath.Join("testdata", f.dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	exp["file"], exp["notes"] = name, f.notes
	exp["format"] = map[string]string{"md-pipe": "md", "wps": "doc"}[f.kind]
	if exp["format"] == "" {
		exp["format"] = f.kind
	}
	js, err := json.MarshalIndent(exp, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %s (%d bytes)\n", f.dir, name, len(out))
	return os.WriteFile(filepath.Join(dir, "expected.json"), append(js, '\n'), 0o644)
}

// convertDOC has LibreOffice save the page as Word 97; nil without soffice.
func convertDOC(page []byte) ([]byte, error) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "wordgen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "report.html")
	if err := os.WriteFile(in, page, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+dir+"/profile",
		"--infilter=HTML (StarWriter)", "--convert-to", "doc:MS Word 97", "--outdir", dir, in)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("soffice: %v: %s", err, b)
	}
	return os.ReadFile(filepath.Join(dir, "report.doc"))
}

// zipTime is the modification time of every entry, so that a rerun
// writes the same bytes.
var zipTime = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

func writeDOCX(doc *parse.Document) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rels},
		{"docProps/core.xml", fmt.Sprintf(coreXML, html.EscapeString(doc.Meta["title"]))},
		{"word/styles.xml", stylesXML},
		{"word/document.xml", documentXML(doc)},
	}
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// docxWriter writes document.xml.
type docxWriter struct {
	b       strings.Builder
	numbers int // numeric cells written, for alternating insertions
	revID   int
	field   bool // a field result was written in the current table
}

func documentXML(doc *parse.Document) string {
	w := &docxWriter{}
	w.b.WriteString(docHead)
	for _, blk := range doc.Blocks {
		if blk.Table == nil {
			w.para(blk.Text, blk.Heading)
			continue
		}
		nested := tableHas(blk.Table, "信息内容")
		if nested { // a one-cell layout table around 表二
			w.b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/></w:tblPr><w:tblGrid><w:gridCol w:w="9000"/></w:tblGrid><w:tr><w:tc><w:tcPr><w:tcW w:w="9000" w:type="dxa"/></w:tcPr>`)
			w.para("（表二）", false)
		}
		w.table(blk.Table)
		if nested {
			w.b.WriteString(`<w:p/></w:tc></w:tr></w:tbl>`)
		}
	}
	w.para("第 1 页", false)
	w.b.WriteString(`<w:p><w:r><w:t xml:space="preserve">页码：</w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>`)
	w.b.WriteString(docTail)
	return w.b.String()
}

func tableHas(t *parse.Table, s string) bool {
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			if strings.Contains(c.Text, s) {
				return true
			}
		}
	}
	return false
}

// para writes a paragraph, its text split into runs.
func (w *docxWriter) para(text string, heading bool) {
	w.b.WriteString("<w:p>")
	if heading {
		w.b.WriteString(`<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>`)
	}
	w.runs(text)
	w.b.WriteString("</w:p>")
}

// runs writes text as runs of one to three characters, as Word splits
// text it has seen edited, spell-checked or typed in several sittings.
func (w *docxWriter) runs(text string) {
	k := 0
	for len(text) > 0 {
		n := 1 + k%3
		k++
		i := 0
		for j := 0; j < n && i < len(text); j++ {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
		}
		fmt.Fprintf(&w.b, `<w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, html.EscapeString(text[:i]))
		text = text[i:]
	}
}

// table writes a table: a grid, then each row's cells, spans as gridSpan
// and vMerge.
func (w *docxWriter) table(t *parse.Table) {
	width := 0
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			width = max(width, c.Col+c.ColSpan)
		}
	}
	w.b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>`)
	for range width {
		w.b.WriteString(`<w:gridCol w:w="1000"/>`)
	}
	w.b.WriteString(`</w:tblGrid>`)
	w.field = false
	for _, r := range t.Rows {
		w.b.WriteString(`<w:tr><w:trPr><w:jc w:val="center"/></w:trPr>`)
		for _, c := range r.Cells {
			w.cell(c)
		}
		w.b.WriteString(`</w:tr>`)
	}
	w.b.WriteString(`</w:tbl>`)
}

func (w *docxWriter) cell(c parse.Cell) {
	w.b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="1000" w:type="dxa"/>`)
	if c.ColSpan > 1 {
		fmt.Fprintf(&w.b, `<w:gridSpan w:val="%d"/>`, c.ColSpan)
	}
	switch {
	case c.Continued:
		w.b.WriteString(`<w:vMerge/>`)
	case c.RowSpan > 1:
		w.b.WriteString(`<w:vMerge w:val="restart"/>`)
	}
	w.b.WriteString(`</w:tcPr>`)
	if c.Continued {
		w.b.WriteString(`<w:p/></w:tc>`)
		return
	}
	for line := range strings.SplitSeq(c.Text, "\n") {
		w.b.WriteString("<w:p>")
		w.cellLine(line)
		w.b.WriteString("</w:p>")
	}
	w.b.WriteString(`</w:tc>`)
}

// cellLine writes a line of a cell; a number gets a tracked deletion of a
// wrong number before it, and is itself inserted or a field's result.
func (w *docxWriter) cellLine(s string) {
	if !isNumber(s) {
		w.runs(s)
		return
	}
	w.revID++
	fmt.Fprintf(&w.b, `<w:del w:id="%d" w:author="审核" w:date="2024-02-01T00:00:00Z"><w:r><w:delText>9%s</w:delText></w:r></w:del>`, w.revID, html.EscapeString(s))
	switch w.numbers++; {
	case !w.field:
		w.field = true
		fmt.Fprintf(&w.b, `<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> =SUM(ABOVE) \# "0" 7 </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>`)
		w.runs(s)
		w.b.WriteString(`<w:r><w:fldChar w:fldCharType="end"/></w:r>`)
	case w.numbers%2 == 0:
		w.revID++
		fmt.Fprintf(&w.b, `<w:ins w:id="%d" w:author="审核" w:date="2024-02-01T00:00:00Z">`, w.revID)
		w.runs(s)
		w.b.WriteString(`</w:ins>`)
	default:
		w.runs(s)
	}
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789.,-", r) {
			return false
		}
	}
	return strings.ContainsAny(s, "0123456789")
}

func writeMarkdown(doc *parse.Document, htmlT3 bool) []byte {
	var b strings.Builder
	for _, blk := range doc.Blocks {
		switch {
		case blk.Table == nil && blk.Heading:
			fmt.Fprintf(&b, "# %s\n\n", blk.Text)
		case blk.Table == nil:
			fmt.Fprintf(&b, "%s\n\n", blk.Text)
		case htmlT3 && tableHas(blk.Table, "申请人情况"):
			htmlTable(&b, blk.Table)
		default:
			pipeTable(&b, blk.Table)
		}
	}
	return []byte(b.String())
}

// pipeTable writes a table as a pipe table, as docling does: one field
// per grid column, a label spanning columns repeated in each (a number
// spanning columns in its first, the others empty), the rows a cell spans
// down empty below it.
func pipeTable(b *strings.Builder, t *parse.Table) {
	width := 0
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			width = max(width, c.Col+c.ColSpan)
		}
	}
	for i, r := range t.Rows {
		fields := make([]string, width)
		for _, c := range r.Cells {
			if !c.Continued {
				text := strings.ReplaceAll(strings.ReplaceAll(c.Text, "|", `\|`), "\n", "<br>")
				for k := c.Col; k < c.Col+c.ColSpan; k++ {
					fields[k] = text
					if isNumber(text) { // a number is printed once
						break
					}
				}
			}
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(fields, " | "))
		if i == 0 {
			fmt.Fprintf(b, "|%s\n", strings.Repeat("---|", width))
		}
	}
	b.WriteString("\n")
}

// htmlTable writes a table as the HTML a converter embeds for tables with
// merged cells.
func htmlTable(b *strings.Builder, t *parse.Table) {
	b.WriteString("<table>")
	for _, r := range t.Rows {
		b.WriteString("<tr>")
		for _, c := range r.Cells {
			if c.Continued {
				continue
			}
			b.WriteString("<td")
			if c.RowSpan > 1 {
				fmt.Fprintf(b, ` rowspan="%d"`, c.RowSpan)
			}
			if c.ColSpan > 1 {
				fmt.Fprintf(b, ` colspan="%d"`, c.ColSpan)
			}
			fmt.Fprintf(b, ">%s</td>", strings.ReplaceAll(html.EscapeString(c.Text), "\n", "<br>"))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>\n\n")
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`

const rels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

const coreXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>%s</dc:title><dc:creator>wordgen</dc:creator></cp:coreProperties>`

const stylesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/></w:style></w:styles>`

const docHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>`

const docTail = `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`
