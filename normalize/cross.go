package normalize

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opengov-cn/nianbao/parse"
)

// Cross-report checks: what one report cannot tell alone, checked over
// all the reports of a run once they are parsed — a series of years of
// one agency (x.carry_over, x.stock, x.yoy), the dates a crawl saw
// (x.late), the versions of one source (x.revised) — and the counts a
// report's text quotes against its own tables (x.narrative).
//
// The families are listed in template.go with the others (Over
// OverReports), so the data dictionary documents them; Checks leaves
// them out and CrossChecks evaluates them. A cross check is a Check like
// the others, with the same statuses and one more, CheckHint, and its
// Cells name reports as well as keys: "<report id>:<key>" (the year in
// place of the id for a report that has none), the report the check is
// on included.
//
// How the command line calls it, once every report of the run is parsed
// (and before they are written):
//
//	for each report r: normalize.IdentifyAgency(r, site.Agency)  // the registry's name, "" without a crawl
//	infos := []normalize.ReportInfo{{R: r, Level: …, PublishDate: doc.PublishDate,
//		Fetched: …, PreviousVersion: earlier, PreviousFetched: …}, …}
//	for r, checks := range normalize.CrossChecks(infos) { r.Checks = append(r.Checks, checks...) }

// CheckHint is the status of a soft flag: a year-over-year jump or a
// revision worth a look, not an error in the numbers. Summaries that
// count failed checks do not count it.
const CheckHint CheckStatus = "hint"

// OverReports is the Over of the check families that run across
// reports: CrossChecks evaluates them, Checks does not.
const OverReports Over = 100

// ruleCross is the rule of the families CrossChecks evaluates.
const ruleCross rule = 100

// ReportInfo is one report of a run with what CrossChecks needs to know
// beside its contents.
type ReportInfo struct {
	R *Report
	// AgencyID groups the reports of one body; "" means R.AgencyID, and
	// failing that the id of R's names (AgencyID).
	AgencyID string
	// Level is LevelGovernment, LevelDepartment or LevelTownship where the
	// registry knows it; "" means AgencyLevel of R.Agency.
	Level string
	// PublishDate is when the report was published, YYYY-MM-DD (as the
	// crawl read it from the page); "" when unknown.
	PublishDate string
	// Fetched is when this version was fetched, and PreviousFetched the
	// version before it, YYYY-MM-DD; "" when unknown. For x.revised's
	// message only.
	Fetched, PreviousFetched string
	// PreviousVersion is the version of the same source fetched before R
	// (the same URL, other bytes); nil when R is the first.
	PreviousVersion *Report
	// Ambiguous, when set, says why R's report of the year before cannot
	// be told (many reports name R's agency for R's year or the one
	// before: an agency the reports do not tell apart, such as a portal's
	// departments under the portal's name): the checks against the year
	// before are not assessable, for this reason, rather than made against
	// one of many.
	Ambiguous string
}

// The cells and thresholds the cross checks use.
var (
	// stockRows are the 2021 template's rows with 现行有效件数.
	stockRows = []string{"art20_1.regulations", "art20_1.normative_documents"}
	// yoyRows are the t3 rows whose 总计 is compared year over year.
	yoyRows = []string{"new_received"}
)

const (
	yoyFactor = 5  // one year at least this many times the other…
	yoyMin    = 50 // …and the larger at least this: 1 → 6 is no outlier
)

// Legal deadlines of a report on year Y, in year Y+1 (条例 art. 49).
const (
	deadlineDepartment = "01-31"
	deadlineGovernment = "03-31"
)

// CrossChecks evaluates the cross-report families over all the reports
// of a run and returns, for each report of all, the checks that are
// about it (in family order), to be added to its Checks. The same report
// listed twice is checked once; reports with the same ID (the same
// bytes) are one report to the others.
//
// The year before a report is the report of the same agency for year−1;
// where there are several (a page and its attachment, versions), the
// current one (not superseded: no SupersededBy, nobody's
// PreviousVersion), then the best read (status ok, then partial), then
// the one with the most cells, then the least ID is taken, and the
// message says how many there were.
func CrossChecks(all []ReportInfo) map[*Report][]Check {
	x := newCross(all)
	out := map[*Report][]Check{}
	for _, e := range x.entries {
		var cs []Check
		prev, n := x.previous(e)
		cs = x.carryOver(cs, e, prev, n)
		cs = x.stock(cs, e, prev, n)
		cs = x.yoy(cs, e, prev, n)
		cs = x.late(cs, e)
		cs = x.revised(cs, e)
		cs = append(cs, NarrativeChecks(e.r)...)
		if len(cs) > 0 {
			out[e.r] = cs
		}
	}
	return out
}

type crossEntry struct {
	ReportInfo
	r      *Report
	agency string
	level  string
}

type agencyYear struct {
	agency string
	year   int
}

type cross struct {
	entries    []*crossEntry
	byYear     map[agencyYear][]*crossEntry
	superseded map[string]bool // report IDs
	cells      map[*Report]map[string]*Cell
}

func newCross(all []ReportInfo) *cross {
	x := &cross{byYear: map[agencyYear][]*crossEntry{}, superseded: map[string]bool{}, cells: map[*Report]map[string]*Cell{}}
	seen := map[*Report]bool{}
	for _, in := range all {
		r := in.R
		if r == nil || seen[r] {
			continue
		}
		seen[r] = true
		e := &crossEntry{ReportInfo: in, r: r, agency: in.AgencyID, level: in.Level}
		if e.agency == "" {
			e.agency = r.AgencyID
		}
		if e.agency == "" {
			printed := r.AgencyPrinted
			if printed == "" {
				printed = r.Agency
			}
			e.agency = AgencyID(r.AgencyRegistry, printed)
		}
		if e.level == "" {
			e.level = AgencyLevel(r.Agency)
		}
		x.entries = append(x.entries, e)
		if e.agency != "" && r.Year != 0 {
			k := agencyYear{e.agency, r.Year}
			x.byYear[k] = append(x.byYear[k], e)
		}
		if r.SupersededBy != "" {
			x.superseded[r.ID] = true
		}
		if p := in.PreviousVersion; p != nil && p.ID != r.ID {
			x.superseded[p.ID] = true
		}
	}
	return x
}

// previous is the report of the year before e's, and how many distinct
// reports there were to choose from.
func (x *cross) previous(e *crossEntry) (*Report, int) {
	if e.agency == "" || e.r.Year == 0 || e.Ambiguous != "" {
		return nil, 0
	}
	var cands []*Report
	for _, c := range x.byYear[agencyYear{e.agency, e.r.Year - 1}] {
		if !slices.ContainsFunc(cands, func(r *Report) bool { return r.ID == c.r.ID }) {
			cands = append(cands, c.r)
		}
	}
	if len(cands) == 0 {
		return nil, 0
	}
	rank := func(r *Report) int {
		n := 0
		if x.superseded[r.ID] {
			n += 10
		}
		switch r.Status {
		case StatusOK:
		case StatusPartial:
			n++
		default:
			n += 2
		}
		return n
	}
	best := slices.MinFunc(cands, func(a, b *Report) int {
		// By the cells the checks read, so that a report and its digest
		// rank alike.
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(crossCells(b), crossCells(a)), cmp.Compare(a.ID, b.ID))
	})
	return best, len(cands)
}

// crossCells counts the cells of r that the checks read.
func crossCells(r *Report) int {
	n := 0
	for i := range r.Cells {
		if readByCross(r.Cells[i].Key()) {
			n++
		}
	}
	return n
}

// cell is r's cell at key, nil when r does not print it.
func (x *cross) cell(r *Report, key string) *Cell {
	m, ok := x.cells[r]
	if !ok {
		m = make(map[string]*Cell, len(r.Cells))
		for i := range r.Cells {
			c := &r.Cells[i]
			if _, dup := m[c.Key()]; !dup {
				m[c.Key()] = c
			}
		}
		x.cells[r] = m
	}
	return m[key]
}

// ref is a cell of r as cross checks name it: "<report id>:<key>".
func ref(r *Report, key string) string {
	id := r.ID
	if id == "" {
		id = strconv.Itoa(r.Year)
	}
	return id + ":" + key
}

// family is the cross family id with its placeholder filled in: its id
// and identity.
func family(id, x string) (string, string) {
	for _, f := range checkFamilies {
		if f.ID != id {
			continue
		}
		if x == "" {
			return f.ID, f.Identity
		}
		ph := id[strings.LastIndex(id, "<"):]
		return strings.ReplaceAll(f.ID, ph, x), strings.ReplaceAll(f.Identity, ph, x)
	}
	panic("normalize: no check family " + id)
}

func num(f float64) string { return string(appendNum(nil, f)) }

func ptr(f float64) *float64 { return &f }

// val prints a cell's value as messages do: its number, blank, or absent.
func val(c *Cell) string {
	switch {
	case c == nil:
		return "absent"
	case c.Value == nil:
		return "blank"
	}
	return num(*c.Value)
}

// prevNote names the report of the year before in a message.
func prevNote(prev *Report, n int) string {
	s := fmt.Sprintf("%d report %s", prev.Year, prev.ID)
	if n > 1 {
		s += fmt.Sprintf(", the current of %d", n)
	}
	return s
}

// noPrevious says why e has no report of the year before.
func noPrevious(e *crossEntry) string {
	switch {
	case e.Ambiguous != "":
		return e.Ambiguous
	case e.agency == "":
		return "the agency is unknown"
	case e.r.Year == 0:
		return "the year is unknown"
	}
	return fmt.Sprintf("no report of the agency for %d", e.r.Year-1)
}

// sides says why a check over a cell of r and one of prev cannot be
// made: what each side holds, or that prev has no cells at all.
func sides(r *Report, key string, c *Cell, prev *Report, n int, prevKey string, pc *Cell) string {
	if len(prev.Cells) == 0 {
		return fmt.Sprintf("the %s has no cells (status %s)", prevNote(prev, n), prev.Status)
	}
	return fmt.Sprintf("%d %s is %s, %s %s is %s", r.Year, key, val(c), prevNote(prev, n), prevKey, val(pc))
}

// compare makes check c from two numbers.
func compare(c Check, lhs, rhs float64, words string) Check {
	d := lhs - rhs
	c.LHS, c.RHS, c.Delta = ptr(lhs), ptr(rhs), ptr(d)
	if math.Abs(d) < 1e-6 {
		c.Status = CheckPass
		c.Message = words + ": " + num(lhs) + " = " + num(rhs)
	} else {
		c.Status = CheckFail
		c.Message = words + ": printed " + num(lhs) + " ≠ " + num(rhs) + " (off by " + num(d) + ")"
	}
	return c
}

func notAssessable(c Check, why string) Check {
	c.Status = CheckNotAssessable
	c.Message = c.Identity + ": not assessable, " + why
	return c
}

// carryOver: 二、上年结转 of year N = 四、结转下年度继续办理 of year N−1.
func (x *cross) carryOver(out []Check, e *crossEntry, prev *Report, n int) []Check {
	for _, col := range t3Cols {
		curKey, prevKey := "t3/carried_over/"+col, "t3/carried_forward/"+col
		cur := x.cell(e.r, curKey)
		if cur == nil {
			continue
		}
		optional := colDef(T3, col).Optional
		var pc *Cell
		if prev != nil {
			pc = x.cell(prev, prevKey)
		}
		if optional && pc == nil {
			continue // 小计 is compared only where both reports print it
		}
		id, words := family("x.carry_over.<col>", col)
		c := Check{ID: id, Identity: words, Cells: []string{ref(e.r, curKey)}}
		if prev == nil {
			out = append(out, notAssessable(c, noPrevious(e)))
			continue
		}
		c.Cells = append(c.Cells, ref(prev, prevKey))
		if cur.Value != nil {
			c.LHS = ptr(*cur.Value)
		}
		if pc != nil && pc.Value != nil {
			c.RHS = ptr(*pc.Value)
		}
		if c.LHS == nil || c.RHS == nil {
			out = append(out, notAssessable(c, sides(e.r, curKey, cur, prev, n, prevKey, pc)))
			continue
		}
		out = append(out, compare(c, *c.LHS, *c.RHS, fmt.Sprintf("%s: %d %s vs %s %s", words, e.r.Year, curKey, prevNote(prev, n), prevKey)))
	}
	return out
}

// stock: 现行有效件数 of N = that of N−1 + 本年制发 − 本年废止 of N.
func (x *cross) stock(out []Check, e *crossEntry, prev *Report, n int) []Check {
	for _, row := range stockRows {
		key := func(col string) string { return "t2/" + row + "/" + col }
		cur := x.cell(e.r, key("in_force"))
		if cur == nil {
			continue
		}
		id, words := family("x.stock.<row>", row)
		c := Check{ID: id, Identity: words, Cells: []string{ref(e.r, key("in_force"))}}
		for _, col := range []string{"issued", "repealed"} {
			if x.cell(e.r, key(col)) != nil {
				c.Cells = append(c.Cells, ref(e.r, key(col)))
			}
		}
		if prev == nil {
			out = append(out, notAssessable(c, noPrevious(e)))
			continue
		}
		pc := x.cell(prev, key("in_force"))
		if pc != nil {
			c.Cells = append(c.Cells, ref(prev, key("in_force")))
		}
		if cur.Value == nil || pc == nil || pc.Value == nil {
			why := sides(e.r, "in_force", cur, prev, n, "in_force", pc)
			if pc == nil && prev.Template == Template2019 {
				why += " (2019 template)"
			}
			out = append(out, notAssessable(c, why))
			continue
		}
		rhs := *pc.Value
		if v := x.cell(e.r, key("issued")); v != nil && v.Value != nil {
			rhs += *v.Value
		}
		if v := x.cell(e.r, key("repealed")); v != nil && v.Value != nil {
			rhs -= *v.Value
		}
		words = fmt.Sprintf("%s: %d in_force vs %s in_force %s + issued %s − repealed %s", words, e.r.Year,
			prevNote(prev, n), val(pc), val(x.cell(e.r, key("issued"))), val(x.cell(e.r, key("repealed"))))
		out = append(out, compare(c, *cur.Value, rhs, words))
	}
	return out
}

// yoy flags a t3 total that is yoyFactor times the year before's, or a
// yoyFactor-th of it: a hint.
func (x *cross) yoy(out []Check, e *crossEntry, prev *Report, n int) []Check {
	for _, row := range yoyRows {
		key := "t3/" + row + "/total"
		cur := x.cell(e.r, key)
		if cur == nil {
			continue
		}
		id, words := family("x.yoy.<row>", row)
		c := Check{ID: id, Identity: words, Cells: []string{ref(e.r, key)}}
		if prev == nil {
			out = append(out, notAssessable(c, noPrevious(e)))
			continue
		}
		pc := x.cell(prev, key)
		if pc != nil {
			c.Cells = append(c.Cells, ref(prev, key))
		}
		if cur.Value == nil || pc == nil || pc.Value == nil {
			out = append(out, notAssessable(c, sides(e.r, key, cur, prev, n, key, pc)))
			continue
		}
		a, b := *cur.Value, *pc.Value
		c.LHS, c.RHS, c.Delta = ptr(a), ptr(b), ptr(a-b)
		lo, hi := min(a, b), max(a, b)
		if hi >= yoyMin && hi >= yoyFactor*lo {
			c.Status = CheckHint
			c.Message = fmt.Sprintf("%s: hint, not an error: %d %s %s against %s %s — worth a look", words, e.r.Year, key, num(a), prevNote(prev, n), num(b))
		} else {
			c.Status = CheckPass
			c.Message = fmt.Sprintf("%s: %d %s %s against %s %s", words, e.r.Year, key, num(a), prevNote(prev, n), num(b))
		}
		out = append(out, c)
	}
	return out
}

// Deadline is the legal deadline of the report of year at level (条例
// art. 49): 31 January of the next year for a department, 31 March for
// a county-or-higher government. A township (乡镇, 街道), for which the
// 条例 sets no date, gets the later one: it is never flagged early. ok is
// false for an unknown year or level.
func Deadline(year int, level string) (date string, ok bool) {
	if year <= 0 {
		return "", false
	}
	switch level {
	case LevelDepartment:
		return fmt.Sprintf("%04d-%s", year+1, deadlineDepartment), true
	case LevelGovernment, LevelTownship:
		return fmt.Sprintf("%04d-%s", year+1, deadlineGovernment), true
	}
	return "", false
}

// ParseDate reads a date as crawls record it: YYYY-MM-DD, with / or . as
// separators too, anything after the day (a time) ignored.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < len("2006-01-02") {
		return time.Time{}, false
	}
	d := strings.NewReplacer("/", "-", ".", "-").Replace(s[:10])
	t, err := time.Parse("2006-01-02", d)
	return t, err == nil
}

// late: published by the deadline.
func (x *cross) late(out []Check, e *crossEntry) []Check {
	id, words := family("x.late", "")
	c := Check{ID: id, Identity: words}
	pub, ok := ParseDate(e.PublishDate)
	switch {
	case e.r.Year == 0:
		return append(out, notAssessable(c, "the year the report covers is unknown"))
	case e.PublishDate == "":
		return append(out, notAssessable(c, "the publish date is unknown"))
	case !ok:
		return append(out, notAssessable(c, fmt.Sprintf("the publish date %q is not a date", e.PublishDate)))
	}
	level := e.level
	if level == "" {
		// Unknown level: on time for either deadline, or late for both.
		dep, _ := Deadline(e.r.Year, LevelDepartment)
		gov, _ := Deadline(e.r.Year, LevelGovernment)
		switch {
		case !pub.After(mustDate(dep)):
			level = LevelDepartment
		case pub.After(mustDate(gov)):
			level = LevelGovernment
		default:
			return append(out, notAssessable(c, fmt.Sprintf("published %s, after a department's deadline %s and by a government's %s, and the level of %q is unknown",
				pub.Format(time.DateOnly), dep, gov, e.r.Agency)))
		}
	}
	dl, _ := Deadline(e.r.Year, level)
	days := pub.Sub(mustDate(dl)).Hours() / 24
	c.Delta = ptr(math.Round(days))
	what := map[string]string{LevelDepartment: "a department", LevelGovernment: "a county-or-higher government", LevelTownship: "a township (no date in 条例: the later one)"}[level]
	if e.level == "" {
		what += ", whatever its level"
	}
	if days > 0 {
		c.Status = CheckFail
		c.Message = fmt.Sprintf("%s: published %s, %s days after the deadline %s for the %d report of %s", words, pub.Format(time.DateOnly), num(math.Round(days)), dl, e.r.Year, what)
	} else {
		c.Status = CheckPass
		c.Message = fmt.Sprintf("%s: published %s, by the deadline %s for the %d report of %s", words, pub.Format(time.DateOnly), dl, e.r.Year, what)
	}
	return append(out, c)
}

func mustDate(s string) time.Time {
	t, ok := ParseDate(s)
	if !ok {
		panic("normalize: bad date " + s)
	}
	return t
}

// maxChanges is the most changed cells a revision's message lists.
const maxChanges = 20

// revised: the cells a new version of a source changed.
func (x *cross) revised(out []Check, e *crossEntry) []Check {
	old := e.PreviousVersion
	if old == nil || old.ID == e.r.ID {
		return out
	}
	id, words := family("x.revised", "")
	c := Check{ID: id, Identity: words}
	var changes []string
	seen := map[string]bool{}
	note := func(key string, was, is *Cell) {
		if seen[key] {
			return
		}
		seen[key] = true
		if was != nil && is != nil && (was.Value == nil) == (is.Value == nil) && (was.Value == nil || *was.Value == *is.Value) {
			return
		}
		if was != nil {
			c.Cells = append(c.Cells, ref(old, key))
		}
		if is != nil {
			c.Cells = append(c.Cells, ref(e.r, key))
		}
		changes = append(changes, key+" "+val(was)+" → "+val(is))
	}
	for i := range e.r.Cells {
		k := e.r.Cells[i].Key()
		note(k, x.cell(old, k), x.cell(e.r, k))
	}
	for i := range old.Cells {
		k := old.Cells[i].Key()
		note(k, x.cell(old, k), x.cell(e.r, k))
	}
	version := func(r *Report, fetched string) string {
		s := "report " + r.ID
		if r.Revision > 0 {
			s += fmt.Sprintf(" (revision %d)", r.Revision)
		}
		if fetched != "" {
			s += " fetched " + fetched
		}
		return s
	}
	b := fmt.Sprintf("%s: %s replaces %s", words, version(e.r, e.Fetched), version(old, e.PreviousFetched))
	if old.Status != e.r.Status {
		b += fmt.Sprintf(", status %s → %s", old.Status, e.r.Status)
	}
	c.Delta = ptr(float64(len(changes)))
	if len(changes) == 0 {
		c.Status = CheckPass
		c.Message = b + "; no cell changed"
		return append(out, c)
	}
	c.Status = CheckHint
	shown := changes[:min(len(changes), maxChanges)]
	b += fmt.Sprintf("; %d %s changed: %s", len(changes), plural(len(changes), "cell", "cells"), strings.Join(shown, ", "))
	if len(changes) > len(shown) {
		b += fmt.Sprintf(" and %d more", len(changes)-len(shown))
	}
	c.Message = b
	return append(out, c)
}

// quoteKeys are the cells each kind of quote is held against.
var quoteKeys = map[string][]string{
	QuoteReceived:        {"t3/new_received/total"},
	QuoteReconsideration: {"t4/reconsideration/total"},
	QuoteLitigation:      {"t4/litigation_direct/total", "t4/litigation_after_reconsideration/total"},
}

// readByCross reports whether a check of CrossChecks other than x.revised
// reads the cell at key (x.revised compares every cell of two versions).
func readByCross(key string) bool {
	if strings.HasPrefix(key, "t3/carried_over/") || strings.HasPrefix(key, "t3/carried_forward/") {
		return true
	}
	for _, row := range stockRows {
		if strings.HasPrefix(key, "t2/"+row+"/") {
			return true
		}
	}
	for _, row := range yoyRows {
		if key == "t3/"+row+"/total" {
			return true
		}
	}
	for _, keys := range quoteKeys {
		if slices.Contains(keys, key) {
			return true
		}
	}
	return false
}

// CrossDigest is r as CrossChecks needs it when r has no other version
// (no x.revised to compute): without its warnings, checks, and the cells
// and text the checks do not read. A run over a national batch holds
// digests, not reports. r is not changed.
func CrossDigest(r *Report) *Report {
	d := *r
	d.Warnings, d.Checks, d.Cells = nil, nil, nil
	for _, c := range r.Cells {
		if readByCross(c.Key()) {
			c.Raw, c.Label, c.Loc = "", "", parse.Loc{}
			d.Cells = append(d.Cells, c)
		}
	}
	return &d
}

// NarrativeChecks holds the counts r's text quotes (r.Quotes) against its
// tables: one check per kind of quote the text has, failing where any
// quote of the kind disagrees with the table (its sentence in the
// message). A requests count passes when it equals 本年新收 or 本年新收 +
// 上年结转 (reports say 受理 for either). CrossChecks includes them.
func NarrativeChecks(r *Report) []Check {
	var out []Check
	x := &cross{cells: map[*Report]map[string]*Cell{}}
	for _, what := range quoteWhats {
		var qs []Quote
		for _, q := range r.Quotes {
			if q.What == what {
				qs = append(qs, q)
			}
		}
		if len(qs) == 0 {
			continue
		}
		id, words := family("x.narrative.<what>", what)
		c := Check{ID: id, Identity: words}
		keys := quoteKeys[what]
		table, numbers := 0.0, 0
		var parts []string
		for _, k := range keys {
			cell := x.cell(r, k)
			if cell == nil {
				continue
			}
			c.Cells = append(c.Cells, ref(r, k))
			parts = append(parts, k+" "+val(cell))
			if cell.Value != nil {
				table += *cell.Value
				numbers++
			}
		}
		// Requests the text counts with those carried over.
		also, alsoOK := 0.0, false
		if co := x.cell(r, "t3/carried_over/total"); what == QuoteReceived && co != nil && co.Value != nil {
			also, alsoOK = table+*co.Value, true
		}
		if numbers == 0 {
			q := qs[0]
			c.LHS = ptr(q.Number)
			c.Status = CheckNotAssessable
			c.Message = fmt.Sprintf("%s: not assessable, the text says %s (%q, %s) and the table has no number (%s)", words, num(q.Number), q.Sentence, q.Loc, orAbsent(parts))
			out = append(out, c)
			continue
		}
		bad := -1
		for i, q := range qs {
			if q.Number != table && !(alsoOK && q.Number == also) {
				bad = i
				break
			}
		}
		q := qs[max(bad, 0)]
		printed := strings.Join(parts, " + ")
		c.LHS, c.RHS, c.Delta = ptr(q.Number), ptr(table), ptr(q.Number-table)
		switch {
		case bad >= 0:
			c.Status = CheckFail
			if len(parts) > 1 {
				printed += " = " + num(table)
			}
			c.Message = fmt.Sprintf("%s: the text says %s ≠ %s (off by %s): %q (%s)", words, num(q.Number), printed, num(q.Number-table), q.Sentence, q.Loc)
		case q.Number != table:
			c.Status = CheckPass
			c.RHS, c.Delta = ptr(also), ptr(0)
			c.Cells = append(c.Cells, ref(r, "t3/carried_over/total"))
			c.Message = fmt.Sprintf("%s: the text says %s = %s + t3/carried_over/total (%q, %s)", words, num(q.Number), printed, q.Sentence, q.Loc)
		default:
			c.Status = CheckPass
			c.Message = fmt.Sprintf("%s: the text says %s = %s (%q, %s)", words, num(q.Number), printed, q.Sentence, q.Loc)
		}
		out = append(out, c)
	}
	return out
}

func orAbsent(parts []string) string {
	if len(parts) == 0 {
		return "not printed"
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
