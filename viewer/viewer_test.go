package viewer

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
	"github.com/opengov-cn/nianbao/parse"
)

func fp(v float64) *float64 { return &v }

// writeDataset writes reports into a dataset in a temporary directory.
func writeDataset(t *testing.T, reports ...*normalize.Report) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	w, err := output.Create(dir, output.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHostile writes the site of a report whose every string is markup or
// a path: none of it may reach a page unescaped, name a file outside the
// site or make a link run script.
func TestHostile(t *testing.T) {
	evil := `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`
	r := &normalize.Report{ID: "../../escape", SHA256: "../../../etc/passwd", Format: "html", Template: normalize.Template2021,
		Year: 2022, Agency: evil, AgencyID: "../" + evil, Title: evil + "</title>", Source: "javascript:alert(3)", Status: normalize.StatusPartial,
		Warnings: []parse.Warning{{Code: parse.Code(evil), Message: evil}},
		Cells: []normalize.Cell{
			{Table: normalize.T3, Row: "new_received", Col: "total", Value: fp(5), Raw: evil, Label: evil},
			{Table: normalize.T3, Row: "new_received[" + evil + "]", Col: "total", Value: fp(1), Raw: "1", Label: evil},
			{Table: normalize.TableID(evil), Row: evil, Col: evil, Raw: evil, Label: evil},
		},
		Checks: []normalize.Check{{ID: evil, Identity: evil, Status: normalize.CheckFail, LHS: fp(1), RHS: fp(2), Delta: fp(-1), Cells: []string{evil, "x:" + evil}, Message: evil}},
	}
	dir := writeDataset(t, r)
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Generate(context.Background(), dir, out); err != nil {
		t.Fatal(err)
	}
	pages := 0
	err := filepath.WalkDir(filepath.Dir(out), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasPrefix(p, out+string(filepath.Separator)) {
			t.Errorf("%s: written outside the site", p)
		}
		if filepath.Ext(p) != ".html" {
			return nil
		}
		pages++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, bad := range []string{"<script>alert", "<img src=x", `href="javascript:`, "</title>\"", "onerror=alert(2)>"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s: holds %q unescaped", p, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 3 {
		t.Errorf("%d pages written; want the index, an agency and a report", pages)
	}
}

// TestBuildTables checks the redrawn tables: every cell of the dataset on
// the page, blank and 0 apart, a cell not printed absent, local sub-rows
// under their parents, the rows of the report's template only.
func TestBuildTables(t *testing.T) {
	cells := []output.CellRow{
		{TableID: "t3", RowKey: "new_received", ColKey: "total", Key: "t3/new_received/total", Value: fp(0), Raw: "0"},
		{TableID: "t3", RowKey: "carried_over", ColKey: "total", Key: "t3/carried_over/total", Raw: ""},
		{TableID: "t3", RowKey: "carried_over", ColKey: "natural_person", Key: "t3/carried_over/natural_person", Value: fp(1200), Raw: "1,200"},
		{TableID: "t2", RowKey: "art20_5.licensing[行政检查]", ColKey: "decisions", Key: "t2/art20_5.licensing[行政检查]/decisions", Value: fp(3), Raw: "3"},
		{TableID: "t9", RowKey: "x", ColKey: "y", Key: "t9/x/y", Value: fp(7), Raw: "7"},
	}
	var seen []cellView
	tables, omitted := buildTables(normalize.Template2021, cells, func(c *cellView) { seen = append(seen, *c) })
	if omitted != 0 {
		t.Errorf("%d rows omitted of a small report", omitted)
	}
	find := func(key string) (cellView, bool) {
		i := slices.IndexFunc(seen, func(c cellView) bool { return c.Key == key })
		if i < 0 {
			return cellView{}, false
		}
		return seen[i], true
	}
	tests := []struct {
		key                   string
		absent, blank, number bool
		raw, value, note      string
	}{
		{key: "t3/new_received/total", number: true, raw: "0", value: "0"},
		{key: "t3/carried_over/total", blank: true},
		{key: "t3/carried_over/natural_person", number: true, raw: "1,200", value: "1200"},
		{key: "t3/new_received/natural_person", absent: true},
		{key: "t2/art20_5.licensing[行政检查]/decisions", number: true, raw: "3", value: "3"},
		{key: "t9/x/y", number: true, raw: "7", value: "7"},
	}
	for _, tt := range tests {
		c, ok := find(tt.key)
		if !ok {
			t.Errorf("%s: not on the page", tt.key)
			continue
		}
		if c.Absent != tt.absent || c.Blank != tt.blank || c.HasNumber != tt.number || c.Raw != tt.raw || c.Value != tt.value {
			t.Errorf("%s: absent %v blank %v number %v raw %q value %q; want %v %v %v %q %q", tt.key, c.Absent, c.Blank, c.HasNumber, c.Raw, c.Value,
				tt.absent, tt.blank, tt.number, tt.raw, tt.value)
		}
	}
	if _, ok := find("t2/art20_5.other_services/decisions"); ok {
		t.Error("a row of the 2019 template drawn for a 2021 report")
	}
	if _, ok := find("t3/new_received/org_subtotal"); ok {
		t.Error("the optional 小计 column drawn though the report does not print it")
	}
	for _, tv := range tables {
		if tv.ID != "t2" {
			continue
		}
		i := slices.IndexFunc(tv.Rows, func(r rowView) bool { return r.Key == "art20_5.licensing" })
		if i < 0 || i+1 >= len(tv.Rows) || tv.Rows[i+1].Key != "art20_5.licensing[行政检查]" || !tv.Rows[i+1].Sub {
			t.Errorf("the sub-row is not under its parent in t2")
		}
	}
	if len(tables) != 4 {
		t.Errorf("%d tables; want the template's three and the unknown t9", len(tables))
	}
}

func TestStatus(t *testing.T) {
	rev := int32(2)
	tests := []struct {
		name   string
		row    output.ReportRow
		checks []output.CheckRow
		want   string
		flags  []string
	}{
		{"ok", output.ReportRow{ParseStatus: "ok"}, []output.CheckRow{{CheckID: "t3.balance.total", Status: "pass"}}, statusOK, nil},
		{"failed identity", output.ReportRow{ParseStatus: "ok"}, []output.CheckRow{{CheckID: "t3.balance.total", Status: "fail"}}, statusFailed, []string{statusFailed}},
		{"carry-over across years", output.ReportRow{ParseStatus: "ok"}, []output.CheckRow{{CheckID: "x.carry_over.total", Status: "fail"}}, statusFailed, []string{statusFailed}},
		{"late", output.ReportRow{ParseStatus: "ok"}, []output.CheckRow{{CheckID: "x.late", Status: "fail"}}, statusLate, []string{statusLate}},
		{"revised", output.ReportRow{ParseStatus: "ok", Revision: &rev}, []output.CheckRow{{CheckID: "x.revised", Status: "hint"}}, statusRevised, []string{statusRevised}},
		{"partial and failing", output.ReportRow{ParseStatus: "partial"}, []output.CheckRow{{CheckID: "t4.sum.reconsideration", Status: "fail"}}, statusFailed, []string{statusPartial, statusFailed}},
		{"unreadable", output.ReportRow{ParseStatus: "needs_ocr"}, nil, statusUnreadable, []string{statusUnreadable}},
		{"hint is no failure", output.ReportRow{ParseStatus: "ok"}, []output.CheckRow{{CheckID: "x.yoy.new_received", Status: "hint"}}, statusOK, nil},
	}
	for _, tt := range tests {
		r := &report{row: &tt.row, flags: baseFlags(&tt.row)}
		addCheckFlags(r, tt.checks)
		if got := statusOf(r.flags); got != tt.want || !slices.Equal(r.flags, tt.flags) {
			t.Errorf("%s: status %s flags %v; want %s %v", tt.name, got, r.flags, tt.want, tt.flags)
		}
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		id   string
		same bool
	}{
		{"5dd79c8bd8cb64dc", true},
		{"../../etc", false},
		{"ABCDEF", false},
		{"", false},
		{strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		got := fileName(tt.id)
		if (got == tt.id) != tt.same || strings.ContainsAny(got, `/\.`) || got == "" {
			t.Errorf("fileName(%q) = %q", tt.id, got)
		}
	}
}

func TestProvinceLevel(t *testing.T) {
	tests := []struct{ name, province, level string }{
		{"浙江省杭州市人民政府", "浙江", normalize.LevelGovernment},
		{"内蒙古自治区教育厅", "内蒙古", normalize.LevelDepartment},
		{"国务院办公厅", "国务院部门", normalize.LevelDepartment},
		{"澄川县人民政府", "其他", normalize.LevelGovernment},
		{"", "其他", "unknown"},
	}
	for _, tt := range tests {
		if p, l := provinceOf(tt.name), levelOf(tt.name); p != tt.province || l != tt.level {
			t.Errorf("%q: %s %s; want %s %s", tt.name, p, l, tt.province, tt.level)
		}
	}
}

// TestRefusesForeignDir: a directory with files nianbao did not write is
// never replaced by a site.
func TestRefusesForeignDir(t *testing.T) {
	dir := writeDataset(t)
	out := t.TempDir()
	keep := filepath.Join(out, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), dir, out); err == nil || !strings.Contains(err.Error(), out) {
		t.Errorf("Generate into a foreign directory: %v; want an error naming it", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the foreign file is gone: %v", err)
	}
	// A site is replaced by the next.
	site := filepath.Join(t.TempDir(), "site")
	for range 2 {
		if _, err := Generate(context.Background(), dir, site); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHugeReport: a report printing thousands of rows the template does
// not have still gets a page under 1 MB, which says what it left out.
func TestHugeReport(t *testing.T) {
	r := &normalize.Report{ID: "00000000000000aa", SHA256: strings.Repeat("a", 64), Format: "html", Template: normalize.Template2021,
		Year: 2022, Agency: "某县人民政府", Status: normalize.StatusOK}
	for i := range 6000 {
		label := "子项" + strconv.Itoa(i) + strings.Repeat("长", 40)
		r.Cells = append(r.Cells, normalize.Cell{Table: normalize.T3, Row: "new_received[" + label + "]", Col: "total", Value: fp(float64(i)), Raw: strconv.Itoa(i), Label: label})
	}
	dir := writeDataset(t, r)
	out := filepath.Join(t.TempDir(), "site")
	st, err := Generate(context.Background(), dir, out)
	if err != nil {
		t.Fatal(err)
	}
	if st.LargestBytes > maxPageBytes {
		t.Errorf("largest page %s: %d bytes", st.Largest, st.LargestBytes)
	}
	b, err := os.ReadFile(filepath.Join(out, "r", r.ID+".html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "are not drawn") {
		t.Error("the page does not say that rows were left out")
	}
}

func TestFindToken(t *testing.T) {
	tests := []struct {
		line, tok string
		from      int
		html      bool
		want      int
	}{
		{`<td>10</td><td>0</td>`, "0", 0, true, 15},
		{`<td>10</td><td> 0&nbsp;</td>`, "0", 0, true, 16},
		{`<td>0</td><td>0</td>`, "0", 5, true, 14},
		{`<td>a0</td>`, "0", 0, true, -1},
		{`收到 10 件，办结 0 件`, "0", 0, false, len("收到 10 件，办结 ")},
		{`1.5 15`, "1", 0, false, -1},
		{`x`, "y", 0, false, -1},
	}
	for _, tt := range tests {
		if got := findToken(tt.line, tt.tok, tt.from, tt.html); got != tt.want {
			t.Errorf("findToken(%q, %q, %d) = %d; want %d", tt.line, tt.tok, tt.from, got, tt.want)
		}
	}
}

// TestProvinceFromRegistry checks that a body whose name omits its
// province is filed under the province of its site's name path
// (sites.parquet), and one without a site under 其他.
func TestProvinceFromRegistry(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	w, err := output.Create(dir, output.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, reg := range []string{"淮安市洪泽区人民政府", ""} {
		r := &normalize.Report{ID: fmt.Sprintf("r%d", i), SHA256: fmt.Sprintf("r%d", i), Source: fmt.Sprintf("r%d.html", i), Format: "html",
			Template: "2021", Year: 2023, Status: normalize.StatusOK, Agency: fmt.Sprintf("洪泽区第%d局", i), AgencyRegistry: reg, AgencyID: fmt.Sprintf("a%d", i)}
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	path := "江苏省/淮安市/洪泽区"
	if err := w.WriteSites([]output.SiteRow{{Site: "hongze.gov.cn", Agency: "淮安市洪泽区人民政府", Path: &path, ReportYears: []int32{}, ReportsByYear: []int32{}}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	g := &generator{ctx: t.Context(), dataset: dir, byID: map[string]*report{}, agencies: map[string]*agency{}}
	if err := g.load(); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range g.agencies {
		got[a.name] = a.province
	}
	if got["洪泽区第0局"] != "江苏" || got["洪泽区第1局"] != "其他" {
		t.Errorf("provinces %v", got)
	}
}
