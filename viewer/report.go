package viewer

import (
	"errors"
	"fmt"
	"html/template"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/opengov-cn/nianbao/internal/textenc"
	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
	"github.com/opengov-cn/nianbao/parse"
)

// reportView is the data of a report page.
type reportView struct {
	Root       string
	Row        *output.ReportRow
	Year       string
	AgencyName string
	AgencyHref string
	Status     string
	Flags      []flagView
	SourceHref template.URL // only http(s) sources are links
	RawHref    string
	Versions   []versionView
	Tables     []tableView
	Failing    []checkView
	Checks     []checkView
	Warnings   []warningView
	Drawings   []template.HTML
	Lines      []lineView
	Notes      []string
	JSONHref   string
}

type flagView struct{ Code, Label string }

type versionView struct {
	Href, Label string
	Current     bool
}

type tableView struct {
	ID, Number, Title string
	Cols              []colView
	Rows              []rowView
	// Blocks is t4 drawn as the template prints it: its rows side by
	// side, each a group of the columns.
	Blocks []rowView
}

type colView struct{ Key, Label string }

type rowView struct {
	Key, Label string
	Sub        bool // a local sub-row printed under a template row
	Cells      []cellView
}

// cellView is one cell of a redrawn table. A cell the report does not
// print at all is Absent; one it prints blank is Blank (never 0).
type cellView struct {
	N            int // its index in the page's cells, for links
	Key          string
	Raw          string
	Value        string
	Note         string // the value, where it differs from what is printed (converted 元, say)
	Absent       bool
	Blank        bool
	Bad, Hint    bool
	Line, Page   int
	Box          string // the box's index in the drawings, "" when not drawn
	Mark         string // the index of its printed value marked in a source line, "" when not found
	HasNumber    bool
	Label, Check string
}

type checkView struct {
	ID, Identity, Status, Message string
	LHS, RHS, Delta               string
	Cells                         []cellLink
}

type cellLink struct {
	Key  string
	Href string // "" when the cell is not on any page of the site
}

type warningView struct{ Code, Meaning, Message string }

type lineView struct {
	N    int
	Segs []segment // the line's text, the cells' printed values marked
	Cut  bool
}

// segment is a piece of a source line; Mark, when not "", numbers the
// cell whose printed value it is.
type segment struct{ Text, Mark string }

// reportJSON is a report page's data twin.
type reportJSON struct {
	Report    any      `json:"report"`
	Status    string   `json:"status"`
	Flags     []string `json:"flags"`
	Cells     any      `json:"cells"`
	Positions any      `json:"positions"`
	Checks    any      `json:"checks"`
	Raw       string   `json:"raw,omitempty"`
	Omitted   string   `json:"omitted,omitempty"`
}

// writeReport writes the page of one report and its twin.
func (g *generator) writeReport(r *report, p *yearPart) error {
	r.done = true
	row := r.row
	cells := p.cells[row.ReportID]
	checks := p.checks[row.ReportID]
	positions := p.positions[row.ReportID]
	slices.SortFunc(checks, func(a, b output.CheckRow) int { return strings.Compare(a.CheckID, b.CheckID) })
	addCheckFlags(r, checks)

	v := &reportView{Root: "../", Row: row, Year: yearOf(row), AgencyName: r.agency.name,
		AgencyHref: "../a/" + r.agency.key + ".html", Status: statusOf(r.flags),
		JSONHref: fileName(row.ReportID) + ".json"}
	for _, f := range r.flags {
		v.Flags = append(v.Flags, flagView{f, statusLabels[f]})
	}
	if len(v.Flags) == 0 {
		v.Flags = []flagView{{statusOK, statusLabels[statusOK]}}
	}
	if s := row.Source; strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		v.SourceHref = template.URL(s)
	}
	raw, err := g.copyRaw(row)
	if err != nil {
		return err
	}
	if raw != "" {
		v.RawHref = "../" + raw
	}
	for _, o := range r.agency.reports {
		if o != r && o.row.Source == row.Source && row.Source != "" {
			v.Versions = append(v.Versions, versionView{Href: "../" + o.file, Label: "revision " + optInt(o.row.Revision), Current: o.row.IsCurrent})
		}
	}

	bad, hint := map[string]bool{}, map[string]bool{}
	for _, c := range checks {
		for _, k := range c.CellKeys {
			if id, key, ok := strings.Cut(k, ":"); ok && strings.HasPrefix(c.CheckID, "x.") {
				if id != row.ReportID {
					continue
				}
				k = key
			}
			switch c.Status {
			case "fail":
				bad[k] = true
			case "hint":
				hint[k] = true
			}
		}
	}

	// Where each cell was printed; the drawings number the boxes.
	var drawn, marks map[string]int
	if row.Format == "pdf" && raw != "" {
		var notes []string
		v.Drawings, drawn, notes = g.drawPages(rawPath(g.archive, row.SHA256), cells, positions)
		v.Notes = append(v.Notes, notes...)
	} else if raw != "" {
		v.Lines, marks = sourceLines(rawPath(g.archive, row.SHA256), row.Format, cells, positions)
	}

	index := map[string]int{}
	var omitted int
	v.Tables, omitted = buildTables(row.Template, cells, func(c *cellView) {
		c.Bad, c.Hint = bad[c.Key], hint[c.Key]
		if pos, ok := positions[c.Key]; ok {
			c.Line, c.Page = optI32(pos.Line), optI32(pos.Page)
		}
		if n, ok := drawn[c.Key]; ok {
			c.Box = strconv.Itoa(n)
		}
		if n, ok := marks[c.Key]; ok {
			c.Mark = strconv.Itoa(n)
		}
		c.N = len(index)
		index[c.Key] = c.N
	})
	if len(cells) == 0 {
		v.Tables = nil // an unreadable report: its warnings say why
	}
	if omitted > 0 {
		v.Notes = append(v.Notes, fmt.Sprintf("%d rows the template does not have are not drawn (at most %d a table); their cells are in the JSON", omitted, maxExtraRows))
	}

	for _, c := range checks {
		cv := checkView{ID: c.CheckID, Identity: c.Identity, Status: c.Status, Message: c.Message,
			LHS: num(c.LHS), RHS: num(c.RHS), Delta: num(c.Delta)}
		for _, k := range c.CellKeys {
			l := cellLink{Key: k}
			if id, key, ok := strings.Cut(k, ":"); ok && strings.HasPrefix(c.CheckID, "x.") {
				if o := g.byID[id]; o != nil {
					l.Href = "../" + o.file
					if id == row.ReportID {
						l.Href = ""
						k = key
					}
				}
			}
			if n, ok := index[k]; ok && l.Href == "" {
				l.Href = "#c" + strconv.Itoa(n)
			}
			cv.Cells = append(cv.Cells, l)
		}
		if c.Status == "fail" || c.Status == "hint" {
			v.Failing = append(v.Failing, cv)
		} else {
			v.Checks = append(v.Checks, cv)
		}
	}
	for _, w := range row.Warnings {
		code, msg, _ := strings.Cut(w, ": ")
		v.Warnings = append(v.Warnings, warningView{Code: code, Meaning: g.codes[code], Message: msg})
	}

	base := "r/" + fileName(row.ReportID)
	page, err := g.execute(base+".html", "report.tmpl", v)
	// A page over the cap loses first its drawings and source lines, then
	// the identities that hold: the tables and the failures stay.
	for _, shrink := range []func(){
		func() {
			v.Drawings, v.Lines = nil, nil
			v.Notes = append(v.Notes, "the source is not shown: the page would pass 1 MB")
		},
		func() {
			v.Checks = nil
			v.Notes = append(v.Notes, "the identities that hold are not listed: the page would pass 1 MB (see the JSON)")
		},
	} {
		if err != nil || len(page) <= maxPageBytes {
			break
		}
		shrink()
		page, err = g.execute(base+".html", "report.tmpl", v)
	}
	if err != nil {
		return err
	}
	if err := g.writeFile(base+".html", page); err != nil {
		return err
	}
	pos := make([]output.PositionRow, 0, len(positions))
	for _, p := range positions {
		pos = append(pos, p)
	}
	slices.SortFunc(pos, func(a, b output.PositionRow) int { return strings.Compare(a.Key, b.Key) })
	twin := reportJSON{Report: columns(row), Status: v.Status, Flags: nonNil(r.flags), Cells: columns(nonNil(cells)), Positions: columns(pos), Checks: columns(nonNil(checks)), Raw: v.RawHref}
	if err := g.writeJSON(base+".json", twin); err == nil || !errors.Is(err, errTooBig) {
		return err
	}
	twin.Positions, twin.Omitted = nil, "positions: over 1 MB with them; they are in the dataset's positions table"
	if err := g.writeJSON(base+".json", twin); err == nil || !errors.Is(err, errTooBig) || len(cells) <= maxTwinCells {
		return err
	}
	twin.Cells = columns(cells[:maxTwinCells])
	twin.Omitted = fmt.Sprintf("positions, and the cells after the first %d of %d: over 1 MB with them; they are in the dataset", maxTwinCells, len(cells))
	return g.writeJSON(base+".json", twin)
}

// buildTables lays a report's cells out in the template's tables, rows
// and columns (of the report's template; both where it is unknown), with
// its local sub-rows under their parents and anything the template does
// not know at the end, so that every cell of the dataset is on the page.
func buildTables(tmpl string, cells []output.CellRow, each func(*cellView)) (tables []tableView, omitted int) {
	byKey := map[string]*output.CellRow{}
	for i := range cells {
		byKey[cells[i].Key] = &cells[i]
	}
	fits := func(t string) bool {
		return t == "" || t == tmpl || tmpl != normalize.Template2019 && tmpl != normalize.Template2021
	}
	var out []tableView
	for _, t := range normalize.Tables {
		tv := tableView{ID: string(t.ID), Number: t.Number, Title: t.Title}
		id := string(t.ID)
		present := func(pred func(*output.CellRow) bool) bool {
			for i := range cells {
				if cells[i].TableID == id && pred(&cells[i]) {
					return true
				}
			}
			return false
		}
		for _, c := range normalize.Cols {
			if c.Table != t.ID || !fits(c.Templates) && !present(func(x *output.CellRow) bool { return x.ColKey == c.Key }) {
				continue
			}
			if c.Optional && !present(func(x *output.CellRow) bool { return x.ColKey == c.Key }) {
				continue
			}
			tv.Cols = append(tv.Cols, colView{c.Key, c.Label})
		}
		known := map[string]bool{}
		for _, c := range tv.Cols {
			known[c.Key] = true
		}
		for i := range cells {
			if c := &cells[i]; c.TableID == id && !known[c.ColKey] {
				known[c.ColKey] = true
				tv.Cols = append(tv.Cols, colView{c.ColKey, c.ColKey})
			}
		}
		var rows []rowView
		extra := 0
		placed := map[string]bool{}
		mkRow := func(key, label string, sub bool) rowView {
			rv := rowView{Key: key, Label: label, Sub: sub}
			for _, col := range tv.Cols {
				k := id + "/" + key + "/" + col.Key
				cv := cellView{Key: k, Absent: true}
				if c := byKey[k]; c != nil {
					placed[k] = true
					cv.Absent, cv.Raw, cv.Label = false, c.Raw, c.Label
					cv.Blank = c.Value == nil && strings.TrimSpace(c.Raw) == ""
					if c.Value != nil {
						cv.HasNumber, cv.Value = true, num(c.Value)
						if plain(c.Raw) != cv.Value {
							cv.Note = cv.Value
						}
					}
				}
				each(&cv)
				rv.Cells = append(rv.Cells, cv)
			}
			return rv
		}
		subRows := func(parent string) []string {
			var subs []string
			for i := range cells {
				c := &cells[i]
				if c.TableID == id && strings.HasPrefix(c.RowKey, parent+"[") && !slices.Contains(subs, c.RowKey) {
					subs = append(subs, c.RowKey)
				}
			}
			return subs
		}
		rowKnown := map[string]bool{}
		for _, rd := range normalize.Rows {
			if rd.Table != t.ID || !fits(rd.Templates) && !present(func(x *output.CellRow) bool { return x.RowKey == rd.Key }) {
				continue
			}
			rowKnown[rd.Key] = true
			rows = append(rows, mkRow(rd.Key, rd.Label, false))
			for _, s := range subRows(rd.Key) {
				rowKnown[s] = true
				if extra++; extra > maxExtraRows {
					omitted++
					continue
				}
				_, label, _ := strings.Cut(strings.TrimSuffix(s, "]"), "[")
				rows = append(rows, mkRow(s, label, true))
			}
		}
		for i := range cells {
			c := &cells[i]
			if c.TableID == id && !rowKnown[c.RowKey] {
				rowKnown[c.RowKey] = true
				if extra++; extra > maxExtraRows {
					omitted++
					continue
				}
				rows = append(rows, mkRow(c.RowKey, c.Label, true))
			}
		}
		if t.ID == normalize.T4 {
			tv.Blocks = rows
		} else {
			tv.Rows = rows
		}
		out = append(out, tv)
	}
	// Cells of a table the template does not have.
	var extra []string
	for i := range cells {
		if c := &cells[i]; !isTemplateTable(c.TableID) && !slices.Contains(extra, c.TableID) {
			extra = append(extra, c.TableID)
		}
	}
	for _, id := range extra {
		tv := tableView{ID: id, Title: id, Cols: []colView{{"value", "value"}}}
		for i := range cells {
			if c := &cells[i]; c.TableID == id {
				if len(tv.Rows) >= maxExtraRows {
					omitted++
					continue
				}
				cv := cellView{Key: c.Key, Raw: c.Raw, Label: c.Label, Blank: c.Value == nil && strings.TrimSpace(c.Raw) == ""}
				if c.Value != nil {
					cv.HasNumber, cv.Value = true, num(c.Value)
				}
				each(&cv)
				tv.Rows = append(tv.Rows, rowView{Key: c.Key, Label: c.RowKey + " / " + c.ColKey, Cells: []cellView{cv}})
			}
		}
		out = append(out, tv)
	}
	return out, omitted
}

func isTemplateTable(id string) bool {
	for _, t := range normalize.Tables {
		if string(t.ID) == id {
			return true
		}
	}
	return false
}

// plain is printed text as a number's shortest form would print it: no
// spaces or thousands separators.
func plain(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ',' || r == '，' || r == ' ' || r == '\u3000' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return s
}

// sourceLines are the lines of an HTML or text source that its cells'
// positions name, as text, with each cell's printed value marked where it
// is found: the cells of a line, in the order of their tables, rows and
// columns, are looked for one after the other, each as a whole token (in
// HTML between tags, in text between non-digits), so that a "0" marks
// its own cell's 0 and not the first 0 of the line. It returns the lines
// and the index of each marked cell's segment.
func sourceLines(path, format string, cells []output.CellRow, positions map[string]output.PositionRow) ([]lineView, map[string]int) {
	onLine := map[int][]output.PositionRow{}
	for _, p := range positions {
		if p.Line != nil && *p.Line > 0 {
			onLine[int(*p.Line)] = append(onLine[int(*p.Line)], p)
		}
	}
	if len(onLine) == 0 {
		return nil, nil
	}
	b, err := readCapped(path)
	if err != nil {
		return nil, nil
	}
	raw := map[string]string{}
	for _, c := range cells {
		raw[c.Key] = strings.TrimSpace(c.Raw)
	}
	text := decodeText(b, format)
	var out []lineView
	marks := map[string]int{}
	n, budget := 0, maxLinesBytes
	for line := range strings.Lines(text) {
		n++
		ps := onLine[n]
		if ps == nil {
			continue
		}
		line = strings.TrimRight(line, "\r\n")
		lv := lineView{N: n}
		if utf8.RuneCountInString(line) > maxLineRunes {
			line, lv.Cut = string([]rune(line)[:maxLineRunes]), true
		}
		if len(line) > budget {
			line, lv.Cut = strings.ToValidUTF8(line[:max(budget, 0)], ""), true
		}
		budget -= len(line)
		slices.SortFunc(ps, func(a, b output.PositionRow) int {
			for _, d := range [][2]*int32{{a.TableIndex, b.TableIndex}, {a.GridRow, b.GridRow}, {a.GridCol, b.GridCol}} {
				if c := optI32(d[0]) - optI32(d[1]); c != 0 {
					return c
				}
			}
			return strings.Compare(a.Key, b.Key)
		})
		from := 0
		for _, p := range ps {
			r := raw[p.Key]
			if r == "" {
				continue
			}
			i := findToken(line, r, from, format == "html")
			if i < 0 {
				continue
			}
			if i > from {
				lv.Segs = append(lv.Segs, segment{Text: line[from:i]})
			}
			marks[p.Key] = len(marks)
			lv.Segs = append(lv.Segs, segment{Text: r, Mark: strconv.Itoa(marks[p.Key])})
			from = i + len(r)
		}
		if from < len(line) {
			lv.Segs = append(lv.Segs, segment{Text: line[from:]})
		}
		out = append(out, lv)
	}
	return out, marks
}

// findToken is the index of the first tok in line at or after from that
// stands alone: in HTML, only spaces (or &nbsp;) between it and the tags
// around it; in text, no digit, point or comma touching it.
func findToken(line, tok string, from int, html bool) int {
	for from <= len(line) {
		i := strings.Index(line[from:], tok)
		if i < 0 {
			return -1
		}
		i += from
		before, after := line[:i], line[i+len(tok):]
		if html {
			before = strings.TrimRight(strings.ReplaceAll(before, "&nbsp;", " "), " \t\u3000\u00a0")
			after = strings.TrimLeft(strings.ReplaceAll(after, "&nbsp;", " "), " \t\u3000\u00a0")
			if strings.HasSuffix(before, ">") && strings.HasPrefix(after, "<") {
				return i
			}
		} else {
			b, _ := utf8.DecodeLastRuneInString(before)
			a, _ := utf8.DecodeRuneInString(after)
			if !numeric(b) && !numeric(a) {
				return i
			}
		}
		from = i + 1
	}
	return -1
}

func numeric(r rune) bool { return r >= '0' && r <= '9' || r == '.' || r == ',' || r == '-' }

func readCapped(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxSourceBytes {
		return nil, fmt.Errorf("%s: %d bytes, over %d", path, fi.Size(), maxSourceBytes)
	}
	return os.ReadFile(path)
}

// decodeText is a source's text as the parser decoded it (textenc), so
// that its lines are the lines the positions count.
func decodeText(b []byte, format string) string {
	var s string
	if format == "html" {
		s, _, _ = textenc.DecodeHTML(b, "")
	} else {
		s, _, _ = textenc.DecodeText(b)
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func optInt(p *int32) string {
	if p == nil {
		return "?"
	}
	return strconv.Itoa(int(*p))
}

func optI32(p *int32) int {
	if p == nil {
		return 0
	}
	return int(*p)
}

// warningCodes are the meanings of the warning codes of every stage.
func warningCodes() map[string]string {
	m := map[string]string{}
	for _, list := range [][]parse.CodeDoc{parse.ReaderCodes, normalize.MappingCodes, output.WriterCodes} {
		for _, c := range list {
			m[string(c.Code)] = c.Meaning
		}
	}
	return m
}

// nonNil makes a nil slice empty, which JSON writes as [], not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
