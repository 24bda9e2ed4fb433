package parse

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// makeDOCX builds a DOCX package whose document body is body, with a
// heading style "H1" and the parts given in extra.
func makeDOCX(t testing.TB, body string, extra map[string]string) []byte {
	t.Helper()
	parts := map[string]string{
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="` + wordMainNS +
			`" xmlns:mc="` + markupCompNS + `"><w:body>` + body + `</w:body></w:document>`,
		"word/styles.xml": `<w:styles xmlns:w="` + wordMainNS + `"><w:style w:type="paragraph" w:styleId="H1"><w:name w:val="heading 1"/></w:style>` +
			`<w:style w:type="paragraph" w:styleId="Sub"><w:name w:val="Custom"/><w:basedOn w:val="H1"/></w:style>` +
			`<w:style w:type="paragraph" w:styleId="Body"><w:name w:val="Body Text"/></w:style></w:styles>`,
	}
	for k, v := range extra {
		parts[k] = v
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, text := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(text))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func p(runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p>")
	for _, r := range runs {
		b.WriteString("<w:r><w:t>" + r + "</w:t></w:r>")
	}
	b.WriteString("</w:p>")
	return b.String()
}

func tc(props, text string) string {
	return "<w:tc><w:tcPr>" + props + "</w:tcPr>" + p(text) + "</w:tc>"
}

// gridOf renders a document's tables as "text@col+span/rowspan" per row,
// a Continued copy as "^text@col".
func gridOf(d *Document) [][]string {
	var out [][]string
	for _, t := range tables(d) {
		for _, r := range t.Rows {
			var row []string
			for _, c := range r.Cells {
				s := fmt.Sprintf("%s@%d+%d/%d", c.Text, c.Col, c.ColSpan, c.RowSpan)
				if c.Continued {
					s = fmt.Sprintf("^%s@%d", c.Text, c.Col)
				}
				row = append(row, s)
			}
			out = append(out, row)
		}
		out = append(out, []string{"--"})
	}
	return out
}

func paragraphs(d *Document) []string {
	var out []string
	for _, b := range d.Blocks {
		if b.Table == nil {
			s := b.Text
			if b.Heading {
				s = "#" + s
			}
			out = append(out, s)
		}
	}
	return out
}

func TestParseDOCX(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		paras []string
		grid  [][]string
	}{
		{"split runs and heading styles",
			`<w:p><w:pPr><w:pStyle w:val="H1"/></w:pPr><w:r><w:t>某县</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>20</w:t></w:r><w:r><w:t>23年度报告</w:t></w:r></w:p>` +
				`<w:p><w:pPr><w:pStyle w:val="Sub"/></w:pPr><w:r><w:t>based on a heading</w:t></w:r></w:p>` +
				`<w:p><w:pPr><w:pStyle w:val="Body"/><w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>outline level 2</w:t></w:r></w:p>` +
				`<w:p><w:pPr><w:pStyle w:val="Body"/></w:pPr><w:r><w:t xml:space="preserve">a </w:t></w:r><w:r><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t></w:r></w:p>`,
			[]string{"#某县2023年度报告", "#based on a heading", "#outline level 2", "a b", "c"}, nil},
		{"gridSpan and vMerge",
			`<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>` +
				`<w:tr>` + tc(`<w:vMerge w:val="restart"/>`, "group") + tc(`<w:gridSpan w:val="2"/>`, "head") + `</w:tr>` +
				`<w:tr>` + tc(`<w:vMerge/>`, "") + tc("", "1") + tc("", "2") + `</w:tr>` +
				`<w:tr>` + tc(`<w:vMerge w:val="continue"/>`, "") + tc("", "3") + tc("", "4") + `</w:tr>` +
				`<w:tr>` + tc("", "x") + tc(`<w:gridSpan w:val="2"/><w:vMerge/>`, "") + `</w:tr>` +
				`</w:tbl>`,
			nil, [][]string{{"group@0+1/3", "head@1+2/1"}, {"^group@0", "1@1+1/1", "2@2+1/1"}, {"^group@0", "3@1+1/1", "4@2+1/1"}, {"x@0+1/1", "@1+2/1"}, {"--"}}},
		{"gridBefore and a merge that changes span",
			`<w:tbl><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>` + tc(`<w:vMerge w:val="restart"/>`, "a") + `</w:tr>` +
				`<w:tr>` + tc("", "b") + tc(`<w:vMerge/>`, "") + `</w:tr>` +
				`<w:tr>` + tc(`<w:gridSpan w:val="2"/><w:vMerge/>`, "c") + `</w:tr></w:tbl>`,
			nil, [][]string{{"a@1+1/2"}, {"b@0+1/1", "^a@1"}, {"c@0+2/1"}, {"--"}}},
		{"nested table: the outer one is layout",
			p("before") + `<w:tbl><w:tr><w:tc>` + p("outer cell") + `<w:tbl><w:tr>` + tc("", "规章") + tc("", "5") + `</w:tr></w:tbl>` + p("after inner") + `</w:tc>` + tc("", "second outer") + `</w:tr></w:tbl>`,
			[]string{"before", "outer cell", "after inner", "second outer"}, [][]string{{"规章@0+1/1", "5@1+1/1"}, {"--"}}},
		{"tracked changes: only accepted text",
			`<w:tbl><w:tr>` +
				`<w:tc><w:p><w:del w:id="1" w:author="a"><w:r><w:delText>999</w:delText></w:r></w:del><w:ins w:id="2" w:author="a"><w:r><w:t>12</w:t></w:r></w:ins></w:p></w:tc>` +
				`<w:tc><w:p><w:moveFrom w:id="3"><w:r><w:t>77</w:t></w:r></w:moveFrom><w:moveTo w:id="4"><w:r><w:t>8</w:t></w:r></w:moveTo></w:p></w:tc>` +
				`</w:tr><w:tr><w:trPr><w:del w:id="5" w:author="a"/></w:trPr>` + tc("", "deleted row") + `</w:tr>` +
				`<w:tr>` + tc(`<w:tcPrChange w:id="6"><w:tcPr><w:gridSpan w:val="3"/></w:tcPr></w:tcPrChange>`, "kept") + `</w:tr></w:tbl>`,
			nil, [][]string{{"12@0+1/1", "8@1+1/1"}, {"kept@0+1/1"}, {"--"}}},
		{"fields: results are text, codes are not",
			`<w:p><w:r><w:t xml:space="preserve">第 </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>3</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> 页</w:t></w:r></w:p>` +
				`<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> =SUM(ABOVE) 42 </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>81</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>`,
			[]string{"第 3 页", "81"}, nil},
		{"markup compatibility: the choice, not the fallback",
			`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>` + p("in a text box") + `</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>` + p("in a text box") + `</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>body</w:t></w:r></w:p>`,
			[]string{"in a text box", "body"}, nil},
		{"tracked formatting changes keep the nesting: the fallback stays skipped",
			strings.Repeat(`<w:p><w:r><w:rPr><w:b/><w:rPrChange w:id="1"><w:rPr/></w:rPrChange></w:rPr><w:t>x</w:t></w:r></w:p>`, 6) +
				`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>choice</w:t></mc:Choice><mc:Fallback><w:t>fallback</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>`,
			[]string{"x", "x", "x", "x", "x", "x", "choice"}, nil},
		{"cell paragraphs are lines of the cell",
			`<w:tbl><w:tr><w:tc>` + p("本年新收") + p("申请数量") + `</w:tc></w:tr></w:tbl>`,
			nil, [][]string{{"本年新收\n申请数量@0+1/1"}, {"--"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDOCX(context.Background(), makeDOCX(t, tt.body, nil))
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != StatusOK {
				t.Fatalf("status %q, warnings %v", d.Status, d.Warnings)
			}
			if got := paragraphs(d); !reflect.DeepEqual(got, tt.paras) {
				t.Errorf("paragraphs = %q, want %q", got, tt.paras)
			}
			if got := gridOf(d); !reflect.DeepEqual(got, tt.grid) {
				t.Errorf("grid = %q, want %q", got, tt.grid)
			}
		})
	}
}

func TestParseDOCXLocs(t *testing.T) {
	body := p("one") + p("two") + `<w:tbl><w:tr>` + tc("", "a") + tc(`<w:gridSpan w:val="2"/>`, "b") + tc("", "c") + `</w:tr></w:tbl>` + p("three")
	d, err := ParseDOCX(context.Background(), makeDOCX(t, body, nil))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range d.Blocks {
		if b.Table == nil {
			got = append(got, b.Loc.String())
			continue
		}
		for _, c := range b.Table.Rows[0].Cells {
			got = append(got, c.Loc.String())
		}
	}
	want := []string{"line 1", "line 2", "line 3, table 1 row 1 col 1", "line 3, table 1 row 1 col 2", "line 3, table 1 row 1 col 4", "line 6"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("locs = %q, want %q", got, want)
	}
	if !d.PositionsReliable || d.Format != FormatDOCX {
		t.Errorf("format %s, positions reliable %v", d.Format, d.PositionsReliable)
	}
}

func TestParseDOCXMergedText(t *testing.T) {
	body := `<w:tbl><w:tr>` + tc(`<w:vMerge w:val="restart"/>`, "top") + `</w:tr><w:tr>` + tc(`<w:vMerge/>`, "hidden 5") + `</w:tr></w:tbl>`
	d, _ := ParseDOCX(context.Background(), makeDOCX(t, body, nil))
	if !hasCode(d, CodeDOCXMergedText) {
		t.Errorf("no %s warning: %v", CodeDOCXMergedText, d.Warnings)
	}
	if got := gridOf(d); !reflect.DeepEqual(got, [][]string{{"top@0+1/2"}, {"^top@0"}, {"--"}}) {
		t.Errorf("grid = %q", got)
	}
}

func TestParseDOCXMainPartAndTitle(t *testing.T) {
	body := `<?xml version="1.0"?><x:document xmlns:x="` + wordMainNS + `"><x:body><x:p><x:r><x:t>prefixed</x:t></x:r></x:p></x:body></x:document>`
	data := makeDOCX(t, p("not the main part"), map[string]string{
		"_rels/.rels":       `<Relationships><Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/main.xml"/></Relationships>`,
		"word/main.xml":     body,
		"docProps/core.xml": `<cp:coreProperties xmlns:cp="c" xmlns:dc="d"><dc:title>某局2023年度报告</dc:title></cp:coreProperties>`,
	})
	d, err := Parse(context.Background(), "x.docx", data)
	if err != nil {
		t.Fatal(err)
	}
	if got := paragraphs(d); !reflect.DeepEqual(got, []string{"prefixed"}) {
		t.Errorf("paragraphs = %q", got)
	}
	if d.Title != "某局2023年度报告" {
		t.Errorf("title = %q", d.Title)
	}
}

// TestHostileDOCX feeds the DOCX reader broken and hostile packages: each
// gives a document that says what happened, within an allocation budget.
func TestHostileDOCX(t *testing.T) {
	const mib = 1 << 20
	deep := strings.Repeat("<w:sdt><w:sdtContent>", maxDOCXDepth) + p("deep") + strings.Repeat("</w:sdtContent></w:sdt>", maxDOCXDepth)
	var huge strings.Builder
	huge.WriteString("<w:tbl>")
	for range 300 {
		huge.WriteString("<w:tr>" + strings.Repeat("<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>", 200) + "</w:tr>")
	}
	huge.WriteString("</w:tbl>")
	nestedTables := strings.Repeat("<w:tbl><w:tr><w:tc>", 80) + p("x") + strings.Repeat("</w:tc></w:tr></w:tbl>", 80)
	tests := []struct {
		name   string
		data   func() []byte
		budget uint64
		status Status
		code   Code
	}{
		{"not a zip", func() []byte { return []byte("PK\x03\x04 not really") }, mib, StatusFailed, CodeDOCXCorrupt},
		{"no document part", func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			zw.Create("word/styles.xml")
			zw.Close()
			return buf.Bytes()
		}, mib, StatusFailed, CodeDOCXCorrupt},
		{"zip bomb", func() []byte {
			return makeDOCX(t, "", map[string]string{"word/document.xml": strings.Repeat("\x00", 200*mib)})
		}, 300 * mib, StatusFailed, CodeDOCXCorrupt},
		{"a zip of many entries", func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for i := range maxDOCXEntries + 10 {
				zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprint(i), Method: zip.Store})
			}
			w, _ := zw.Create("word/document.xml")
			w.Write([]byte("<w:document/>"))
			zw.Close()
			return buf.Bytes()
		}, 4 * mib, StatusFailed, CodeDOCXCorrupt},
		{"deep nesting", func() []byte { return makeDOCX(t, deep, nil) }, 8 * mib, StatusOK, CodeLimit},
		{"huge table", func() []byte { return makeDOCX(t, huge.String(), nil) }, 200 * mib, StatusOK, CodeLimit},
		{"tables nested 80 deep", func() []byte { return makeDOCX(t, nestedTables, nil) }, 8 * mib, StatusOK, ""},
		{"malformed XML", func() []byte {
			return makeDOCX(t, p("kept &bogus; &#xD800;")+`<w:p w:rsid="never closed><w:r><w:t>cut`, nil)
		}, mib, StatusOK, CodeDOCXCorrupt},
		{"invalid UTF-8", func() []byte { return makeDOCX(t, p("ok\xff\xfe"), nil) }, mib, StatusOK, CodeDOCXCorrupt},
		{"a local header that is not one", func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			zw.Create("word/styles.xml")
			w, _ := zw.Create("word/document.xml")
			w.Write([]byte(p("x")))
			zw.Close()
			d := buf.Bytes()
			i := bytes.Index(d, []byte("word/document.xml")) - 30 // the first is its local header's
			copy(d[i:], "PK\x03\x05")
			return d
		}, mib, StatusFailed, CodeDOCXCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data()
			var d *Document
			var err error
			n := allocated(func() { d, err = Parse(context.Background(), "report.docx", data) })
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tt.status {
				t.Errorf("status %q, want %q (warnings %v)", d.Status, tt.status, d.Warnings)
			}
			if tt.code != "" && !hasCode(d, tt.code) {
				t.Errorf("no %s warning: %v", tt.code, d.Warnings)
			}
			if n > tt.budget {
				t.Errorf("allocated %d MiB, budget %d MiB", n>>20, tt.budget>>20)
			}
			for _, b := range d.Blocks {
				if b.Table != nil && len(b.Table.Rows) > 0 {
					cells := 0
					for _, r := range b.Table.Rows {
						cells += len(r.Cells)
					}
					if cells > MaxTableCells {
						t.Errorf("table with %d cells, cap %d", cells, MaxTableCells)
					}
				}
			}
		})
	}
}

// TestDOCXZipDirectory reads a DOCX whose directory is read in place and
// the same DOCX after bytes that put its offsets out, which archive/zip
// reads (it finds the directory where it is): both read alike.
func TestDOCXZipDirectory(t *testing.T) {
	plain := makeDOCX(t, p("one")+p("two"), nil)
	shifted := append([]byte("junk before the zip"), plain...)
	var pk docxPackage
	for _, data := range [][]byte{plain, shifted} {
		pk = docxPackage{data: data, doc: &Document{}, scratch: new(docxScratch)}
		if err := pk.open(); err != nil {
			t.Fatal(err)
		}
		if (pk.entries[0].file != nil) != (len(data) != len(plain)) {
			t.Errorf("%d bytes: archive/zip read the directory: %v", len(data), pk.entries[0].file != nil)
		}
	}
	a, err1 := ParseDOCX(context.Background(), plain)
	b, err2 := ParseDOCX(context.Background(), shifted)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) || len(a.Blocks) != 2 {
		t.Errorf("read differently: %+v, %v\n%+v, %v", a, err1, b, err2)
	}
}

func TestDetectFormatWord(t *testing.T) {
	ofd := func() []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("OFD.xml")
		w.Write([]byte("<ofd:OFD/>"))
		zw.Close()
		return buf.Bytes()
	}()
	tests := []struct {
		name string
		data []byte
		want Format
	}{
		{"report.bin", makeDOCX(t, p("x"), nil), FormatDOCX},
		{"report.docx", ofd, FormatOFD},
		{"report.md", []byte("# 标题\n\n<table><tr><td>a</td></tr></table>"), FormatMarkdown},
		{"report.txt", []byte("标题\n\n| a | b |\n|---|:--:|\n| 1 | 2 |\n"), FormatMarkdown},
		{"report.txt", []byte("规章\t0\t1\n行政许可 | 3\n"), FormatText},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.name, tt.data); got != tt.want {
			t.Errorf("DetectFormat(%s) = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestDOCXFolding holds the DOCX reader's byte-level folding of paragraph
// and cell text to foldSpace and cellText, which the other readers use.
func TestDOCXFolding(t *testing.T) {
	for _, s := range []string{
		"", " ", "a", " a ", "a  b", "\ta\r\nb\n", "\u00a0申请\u3000数量\u200b", "\ufeff本年新收\n\n 申请数量 \n",
		"x\u00a0\u00a0y", "全角\u3000\u3000空格", "\u00a9 not a space", "\u3001、", "a\fb\vc", "\n\n", "末尾\u3000",
	} {
		if got, want := string(appendFolded(nil, []byte(s))), foldSpace(s); !strings.Contains(s, "\n") && got != want {
			t.Errorf("appendFolded(%q) = %q, foldSpace %q", s, got, want)
		}
		if got, want := string(appendCellText([]byte("keep"), []byte(s))), "keep"+cellText(s); got != want {
			t.Errorf("appendCellText(%q) = %q, cellText %q", s, got, want)
		}
		if got, want := hasNonSpace([]byte(s)), cellText(s) != ""; got != want {
			t.Errorf("hasNonSpace(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestDOCXIndexAnchored holds the properties' search anchored on an
// upper-case letter to bytes.Index.
func TestDOCXIndexAnchored(t *testing.T) {
	for _, tt := range []struct{ s, needle string }{
		{`<w:tcW w:w="1"/><w:gridSpan w:val="2"/></w:tcPr>`, "</w:tcPr"},
		{`<w:tcW w:w="1"/><w:gridSpan w:val="2"/></w:tcPr>`, "<w:gridSpan"},
		{`Span<w:gridSpa<w:gridSpan`, "<w:gridSpan"},
		{`<w:rPr></w:rPr></w:pPr>`, "</w:pPr"},
		{`P</w:pP`, "</w:pPr"},
		{`<w:delText/><w:del/>`, "<w:del"},
		{``, "</w:tcPr"},
		{`</w:tcP`, "</w:tcPr"},
		{`PPPPPP</w:tcPr`, "</w:tcPr"},
	} {
		if got, want := indexAnchored([]byte(tt.s), []byte(tt.needle)), strings.Index(tt.s, tt.needle); got != want {
			t.Errorf("indexAnchored(%q, %q) = %d, want %d", tt.s, tt.needle, got, want)
		}
	}
}

// TestDOCXReaderReuse parses documents one after another, as a worker
// does, and holds each to a parse of its own: the pooled reader and
// buffers must carry nothing from one document into the next.
func TestDOCXReaderReuse(t *testing.T) {
	tables := `<w:tbl><w:tr>` + tc(`<w:vMerge w:val="restart"/>`, "a") + tc(`<w:gridSpan w:val="2"/>`, "b") + `</w:tr>` +
		`<w:tr>` + tc(`<w:vMerge/>`, "") + tc("", "1") + tc("", "2") + `</w:tr></w:tbl>` + p("after")
	docs := [][]byte{
		makeDOCX(t, p("one")+tables+tables, nil),
		makeDOCX(t, `<w:p><w:pPr><w:pStyle w:val="H1"/></w:pPr><w:r><w:t>heading</w:t></w:r></w:p>`, nil),
		makeDOCX(t, `<w:tbl><w:tr>`+tc("", "x")+`</w:tr>`, nil), // a table never closed
	}
	var first []*Document
	for _, d := range docs {
		doc, err := ParseDOCX(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		first = append(first, doc)
	}
	for i := len(docs) - 1; i >= 0; i-- {
		doc, _ := ParseDOCX(context.Background(), docs[i])
		if !reflect.DeepEqual(doc, first[i]) {
			t.Errorf("document %d read after the others differs:\n%+v\nfirst read:\n%+v", i, doc, first[i])
		}
	}
}

// TestDOCXPropertiesEnd holds propertiesEnd to what it stands for: the
// first end tag, unless "PrChange" comes before it.
func TestDOCXPropertiesEnd(t *testing.T) {
	want := func(s, end string) int {
		e := strings.Index(s, end)
		if e < 0 || strings.Contains(s[:e], "PrChange") {
			return -1
		}
		return e
	}
	for _, tt := range []struct{ s, end string }{
		{`<w:pStyle w:val="a"/><w:rPr></w:rPr></w:pPr>`, "</w:pPr"},
		{`<w:pPrChange w:id="1"><w:pPr/></w:pPrChange></w:pPr>`, "</w:pPr"},
		{`<w:jc/></w:pPrChange></w:pPr>`, "</w:pPr"},
		{`<w:tcW/></w:tcPr><w:tcPrChange/>`, "</w:tcPr"},
		{`PPP<w:rPr></w:rPr>`, "</w:pPr"},
		{`</w:pP`, "</w:pPr"},
		{`</w:pPr`, "</w:pPr"},
		{`PrChang</w:trPr>`, "</w:trPr"},
		{`<W:x/></W:pPr>`, "</W:pPr"},
	} {
		if got, w := propertiesEnd([]byte(tt.s), []byte(tt.end)), want(tt.s, tt.end); got != w {
			t.Errorf("propertiesEnd(%q, %q) = %d, want %d", tt.s, tt.end, got, w)
		}
	}
}
