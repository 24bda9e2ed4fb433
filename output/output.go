// Package output writes the pipeline's datasets as Parquet files.
//
// A parse run writes three files (reports, cells, checks) that DuckDB,
// pandas and polars read directly, plus the data dictionary, as one
// Dataset: a directory replaced as a whole and atomically by each run, so
// that no crash, kill or second run ever leaves a dataset whose files
// come from different runs (see Dataset). A crawl writes
// documents.parquet, replaced atomically on its own (WriteDocuments).
// Every string is written as valid UTF-8, and files get the modes the
// umask gives.
package output

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// ReportRow is one row of reports.parquet.
type ReportRow struct {
	ReportID     string   `parquet:"report_id"`
	Source       string   `parquet:"source"`
	Revision     *int32   `parquet:"revision,optional"`
	SHA256       string   `parquet:"sha256"`
	Format       string   `parquet:"format"`
	Template     string   `parquet:"template"`
	Year         *int32   `parquet:"year,optional"`
	Agency       string   `parquet:"agency"`
	Title        string   `parquet:"title"`
	ParseStatus  string   `parquet:"parse_status"`
	IsCurrent    bool     `parquet:"is_current"`
	SupersededBy *string  `parquet:"superseded_by,optional"`
	Warnings     []string `parquet:"warnings,list"`
	Cells        int32    `parquet:"cells"`
	ChecksFailed int32    `parquet:"checks_failed"`
}

// CellRow is one row of cells.parquet.
type CellRow struct {
	ReportID   string    `parquet:"report_id"`
	Table      string    `parquet:"table"`
	Row        string    `parquet:"row"`
	Col        string    `parquet:"col"`
	Key        string    `parquet:"key"`
	Value      *float64  `parquet:"value,optional"`
	Raw        string    `parquet:"raw"`
	Label      string    `parquet:"label"`
	Line       *int32    `parquet:"line,optional"`
	Page       *int32    `parquet:"page,optional"`
	TableIndex int32     `parquet:"table_index"`
	GridRow    int32     `parquet:"grid_row"`
	GridCol    int32     `parquet:"grid_col"`
	BBox       []float64 `parquet:"bbox,list"`
}

// CheckRow is one row of checks.parquet.
type CheckRow struct {
	ReportID string   `parquet:"report_id"`
	CheckID  string   `parquet:"check_id"`
	Identity string   `parquet:"identity"`
	Status   string   `parquet:"status"`
	LHS      *float64 `parquet:"lhs,optional"`
	RHS      *float64 `parquet:"rhs,optional"`
	Delta    *float64 `parquet:"delta,optional"`
	Cells    []string `parquet:"cells,list"`
	Message  string   `parquet:"message"`
}

// CodeInvalidUTF8 is the warning added to a report's warnings column when
// one of its strings (in reports, cells or checks) was not valid UTF-8:
// DuckDB refuses a whole column that holds one such string.
const CodeInvalidUTF8 parse.Code = "output.invalid_utf8"

// WriterCodes lists the warning codes of this package, as
// parse.ReaderCodes and normalize.MappingCodes do theirs.
var WriterCodes = []parse.CodeDoc{
	{Code: CodeInvalidUTF8, Meaning: "a string of the report (its source, title, a warning, a cell's label…) was not valid UTF-8; the bad bytes were replaced by U+FFFD"},
}

// utf8Fixer makes strings valid UTF-8 and remembers which fields it had
// to change.
type utf8Fixer struct{ fields []string }

func (u *utf8Fixer) str(field, s string) string {
	if utf8.ValidString(s) {
		return s
	}
	if !slices.Contains(u.fields, field) {
		u.fields = append(u.fields, field)
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// strs fixes a list, copying it rather than changing the caller's.
func (u *utf8Fixer) strs(field string, ss []string) []string {
	for i, s := range ss {
		if !utf8.ValidString(s) {
			out := slices.Clone(ss)
			for j := i; j < len(out); j++ {
				out[j] = u.str(field, out[j])
			}
			return out
		}
	}
	return ss
}

// Writer streams reports into the staging directory of a Dataset.
type Writer struct {
	ds       *Dataset
	own      bool   // made by Create(dir): Close commits and closes ds too
	dir      string // the staging directory
	files    []*os.File
	names    []string // files of the dataset, in the order written
	extra    []string // added by WriteFile
	reports  *parquet.GenericWriter[ReportRow]
	cells    *parquet.GenericWriter[CellRow]
	checks   *parquet.GenericWriter[CheckRow]
	cellBuf  []CellRow
	finished bool
}

const rowGroupRows = 64 << 10

// Create opens the dataset at dir and starts writing it: a shorthand for
// OpenDataset and Dataset.Create for a run with one writer, whose Close
// commits and unlocks and whose Abort discards and unlocks.
func Create(dir string) (*Writer, error) {
	ds, err := OpenDataset(dir)
	if err != nil {
		return nil, err
	}
	w, err := ds.Create()
	if err != nil {
		ds.Close()
		return nil, err
	}
	w.own = true
	return w, nil
}

func newWriter(dir string) (*Writer, error) {
	w := &Writer{dir: dir}
	open := func(name string) (*os.File, error) {
		f, err := createFile(filepath.Join(dir, name))
		if err != nil {
			w.closeFiles()
			return nil, fmt.Errorf("output: %w", err)
		}
		w.files = append(w.files, f)
		w.names = append(w.names, name)
		return f, nil
	}
	// Row groups of bounded size keep memory flat however many reports a
	// national batch writes: the writer holds one group at a time.
	opts := []parquet.WriterOption{parquet.Compression(&zstd.Codec{}), parquet.MaxRowsPerRowGroup(rowGroupRows)}
	f, err := open("reports.parquet")
	if err != nil {
		return nil, err
	}
	w.reports = parquet.NewGenericWriter[ReportRow](f, opts...)
	if f, err = open("cells.parquet"); err != nil {
		return nil, err
	}
	w.cells = parquet.NewGenericWriter[CellRow](f, opts...)
	if f, err = open("checks.parquet"); err != nil {
		return nil, err
	}
	w.checks = parquet.NewGenericWriter[CheckRow](f, opts...)
	return w, nil
}

// Write appends one report with its cells and checks. A string that is
// not valid UTF-8 is written with its bad bytes replaced by U+FFFD, and
// the report's warnings column says where (CodeInvalidUTF8); r itself is
// not changed.
func (w *Writer) Write(r *normalize.Report) error {
	if w.finished {
		return errors.New("output: Write after the dataset was finished")
	}
	var u utf8Fixer
	id := u.str("report_id", r.ID)
	rr := ReportRow{
		ReportID: id, Source: u.str("source", r.Source), SHA256: u.str("sha256", r.SHA256), Format: u.str("format", r.Format),
		Template: u.str("template", r.Template), Agency: u.str("agency", r.Agency), Title: u.str("title", r.Title),
		ParseStatus: u.str("parse_status", string(r.Status)), Cells: int32(len(r.Cells)),
	}
	if r.Year > 0 {
		y := int32(r.Year)
		rr.Year = &y
	}
	if r.Revision > 0 {
		v := int32(r.Revision)
		rr.Revision = &v
	}
	rr.IsCurrent = r.SupersededBy == ""
	if !rr.IsCurrent {
		by := u.str("superseded_by", r.SupersededBy)
		rr.SupersededBy = &by
	}
	for _, wn := range r.Warnings {
		rr.Warnings = append(rr.Warnings, u.str("warnings", wn.String()))
	}
	var checks []CheckRow
	for _, c := range r.Checks {
		if c.Status == normalize.CheckFail {
			rr.ChecksFailed++
		}
		checks = append(checks, CheckRow{ReportID: id, CheckID: u.str("checks.check_id", c.ID), Identity: u.str("checks.identity", c.Identity),
			Status: u.str("checks.status", string(c.Status)), LHS: c.LHS, RHS: c.RHS, Delta: c.Delta,
			Cells: u.strs("checks.cells", c.Cells), Message: u.str("checks.message", c.Message)})
	}
	w.cellBuf = w.cellBuf[:0]
	for _, c := range r.Cells {
		w.cellBuf = append(w.cellBuf, cellRow(&u, id, c))
	}
	for _, f := range u.fields {
		rr.Warnings = append(rr.Warnings, parse.Warning{Code: CodeInvalidUTF8, Message: "invalid UTF-8 replaced in " + f}.String())
	}
	return op("write report "+id, func() error {
		if _, err := w.reports.Write([]ReportRow{rr}); err != nil {
			return fmt.Errorf("output: report %s: %w", rr.Source, err)
		}
		if _, err := w.cells.Write(w.cellBuf); err != nil {
			return fmt.Errorf("output: cells of %s: %w", rr.Source, err)
		}
		if _, err := w.checks.Write(checks); err != nil {
			return fmt.Errorf("output: checks of %s: %w", rr.Source, err)
		}
		return nil
	})
}

func cellRow(u *utf8Fixer, id string, c normalize.Cell) CellRow {
	row := CellRow{ReportID: id, Table: u.str("cells.table", string(c.Table)), Row: u.str("cells.row", c.Row), Col: u.str("cells.col", c.Col),
		Key: u.str("cells.key", c.Key()), Value: c.Value, Raw: u.str("cells.raw", c.Raw), Label: u.str("cells.label", c.Label),
		TableIndex: int32(c.Loc.Table - 1), GridRow: int32(c.Loc.Row - 1), GridCol: int32(c.Loc.Col - 1)}
	if c.Loc.Line > 0 {
		l := int32(c.Loc.Line)
		row.Line = &l
	}
	if c.Loc.Page > 0 {
		p := int32(c.Loc.Page)
		row.Page = &p
		row.BBox = c.Loc.BBox[:]
	}
	return row
}

// WriteFile adds a file of the caller's to the dataset, e.g. a JSON
// summary of the run: it is committed with the Parquet files and removed
// with their snapshot. name is a plain file name, not hidden, not one of
// the dataset's own.
func (w *Writer) WriteFile(name string, data []byte) error {
	if err := validExtraName(name); err != nil {
		return err
	}
	if w.finished || slices.Contains(w.extra, name) {
		return fmt.Errorf("output: WriteFile %s: already written, or the dataset is finished", name)
	}
	if err := writeNew(filepath.Join(w.dir, name), data); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	w.extra = append(w.extra, name)
	return nil
}

// finish flushes and syncs every file, writes the data dictionary, and
// syncs the staging directory: what Commit publishes is complete.
func (w *Writer) finish() error {
	w.finished = true
	pws := []interface{ Close() error }{w.reports, w.cells, w.checks}
	var errs []error
	for i, pw := range pws {
		errs = append(errs, op("close writer "+w.names[i], pw.Close)) // writes the footer
	}
	for i, f := range w.files {
		errs = append(errs, op("fsync "+w.names[i], f.Sync), op("close "+w.names[i], f.Close))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	w.files = nil
	if err := writeNew(filepath.Join(w.dir, "dictionary.md"), []byte(Dictionary())); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if len(w.extra) > 0 {
		if err := writeNew(filepath.Join(w.dir, manifestName), []byte(strings.Join(w.extra, "\n")+"\n")); err != nil {
			return fmt.Errorf("output: %w", err)
		}
	}
	if err := syncDir(w.dir); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

func (w *Writer) closeFiles() {
	for _, f := range w.files {
		f.Close()
	}
	w.files = nil
}

// Close commits the dataset (Dataset.Commit); a writer made by Create(dir)
// also closes its dataset.
func (w *Writer) Close() error {
	if w.ds == nil {
		return errors.New("output: Close of a writer without a dataset")
	}
	err := w.ds.Commit(w)
	if w.own {
		err = errors.Join(err, w.ds.Close())
	}
	return err
}

// Abort discards the dataset being written; DIR stays the dataset an
// earlier run committed.
func (w *Writer) Abort() {
	if w.ds == nil {
		return
	}
	if w.ds.w == w {
		w.ds.discard()
	}
	if w.own {
		w.ds.Close()
	}
}

// WriteFileAtomic writes data to path through a temporary file in the
// same directory and a rename, so readers see the old file or the new
// one, never half of it; the temporary file is removed on any error. The
// file gets mode 0666 less the umask.
func WriteFileAtomic(path string, data []byte) error {
	return writeAtomic(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// writeAtomic writes path through a temporary file that write fills.
func writeAtomic(path string, write func(*os.File) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	var f *os.File
	var err error
	for range 100 {
		tmp := filepath.Join(dir, "."+base+".tmp-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(rand.Uint64()>>32, 36))
		if f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666); !errors.Is(err, os.ErrExist) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	err = write(f)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("output: write %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// Dictionary renders the data dictionary: every key with its Chinese
// label and an English description, and every check family, all from
// normalize's template.
func Dictionary() string {
	var b strings.Builder
	b.WriteString("## Data dictionary\n\n")
	b.WriteString("Cells are addressed `<table>/<row>/<col>`. `value` is a number, or null where the report prints the cell blank (blank is never 0). Money (`*_wan`) is in 万元. Local sub-rows printed under a template row keep the parent key with the printed label in brackets, e.g. `art20_5.other_services[行政检查]`.\n\n")
	for _, t := range normalize.Tables {
		fmt.Fprintf(&b, "### %s — %s、%s (%s)\n\n| kind | key | 中文 | English | template |\n|---|---|---|---|---|\n", t.ID, t.Number, t.Title, t.English)
		for _, r := range normalize.Rows {
			if r.Table == t.ID {
				fmt.Fprintf(&b, "| row | `%s` | %s | %s | %s |\n", r.Key, r.Label, r.English, both(r.Templates))
			}
		}
		for _, c := range normalize.Cols {
			if c.Table == t.ID {
				fmt.Fprintf(&b, "| col | `%s` | %s | %s | %s |\n", c.Key, c.Label, c.English, both(c.Templates))
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "### Checks\n\nEach check has status `%s`, `%s` or `%s` (a side of the identity has no printed number). Blank cells count as absent.\n\n| check_id | identity |\n|---|---|\n",
		normalize.CheckPass, normalize.CheckFail, normalize.CheckNotAssessable)
	for _, f := range normalize.CheckFamilies {
		fmt.Fprintf(&b, "| `%s` | %s (%s) |\n", f.ID, f.Identity, f.Note)
	}
	b.WriteString("\n### Warning codes\n\nEvery warning in `reports.warnings` starts with its code and ends with the place in the document it is about.\n\n| code | meaning |\n|---|---|\n")
	for _, list := range [][]parse.CodeDoc{parse.ReaderCodes, normalize.MappingCodes, WriterCodes} {
		for _, c := range list {
			fmt.Fprintf(&b, "| `%s` | %s |\n", c.Code, c.Meaning)
		}
	}
	return b.String()
}

func both(t string) string {
	if t == "" {
		return "2019, 2021"
	}
	return t
}
