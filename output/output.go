// Package output writes the pipeline's datasets as Parquet files.
//
// A parse run writes three files (reports, cells, checks) that DuckDB,
// pandas and polars read directly, plus the data dictionary; a crawl
// writes documents.parquet. Files are written under temporary names and
// renamed into place only when complete, so a crash never leaves a
// half-written dataset behind.
package output

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/opengov-cn/nianbao/normalize"
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

// Writer streams reports into a dataset directory.
type Writer struct {
	dir     string
	files   []*pending
	reports *parquet.GenericWriter[ReportRow]
	cells   *parquet.GenericWriter[CellRow]
	checks  *parquet.GenericWriter[CheckRow]
	cellBuf []CellRow
}

const rowGroupRows = 64 << 10

type pending struct {
	f    *os.File
	name string // final path
}

// Create starts a dataset in dir, creating the directory if needed.
func Create(dir string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	w := &Writer{dir: dir}
	open := func(name string) (*os.File, error) {
		f, err := os.CreateTemp(dir, "."+name+".tmp-*")
		if err != nil {
			w.Abort()
			return nil, fmt.Errorf("output: %w", err)
		}
		w.files = append(w.files, &pending{f: f, name: filepath.Join(dir, name)})
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

// Write appends one report with its cells and checks.
func (w *Writer) Write(r *normalize.Report) error {
	rr := ReportRow{
		ReportID: r.ID, Source: r.Source, SHA256: r.SHA256, Format: r.Format, Template: r.Template,
		Agency: r.Agency, Title: r.Title, ParseStatus: string(r.Status), Cells: int32(len(r.Cells)),
	}
	if r.Year > 0 {
		y := int32(r.Year)
		rr.Year = &y
	}
	if r.Revision > 0 {
		v := int32(r.Revision)
		rr.Revision = &v
	}
	for _, wn := range r.Warnings {
		rr.Warnings = append(rr.Warnings, wn.String())
	}
	var checks []CheckRow
	for _, c := range r.Checks {
		if c.Status == normalize.CheckFail {
			rr.ChecksFailed++
		}
		checks = append(checks, CheckRow{ReportID: r.ID, CheckID: c.ID, Identity: c.Identity, Status: string(c.Status),
			LHS: c.LHS, RHS: c.RHS, Delta: c.Delta, Cells: c.Cells, Message: c.Message})
	}
	w.cellBuf = w.cellBuf[:0]
	for _, c := range r.Cells {
		w.cellBuf = append(w.cellBuf, cellRow(r.ID, c))
	}
	if _, err := w.reports.Write([]ReportRow{rr}); err != nil {
		return fmt.Errorf("output: report %s: %w", r.Source, err)
	}
	if _, err := w.cells.Write(w.cellBuf); err != nil {
		return fmt.Errorf("output: cells of %s: %w", r.Source, err)
	}
	if _, err := w.checks.Write(checks); err != nil {
		return fmt.Errorf("output: checks of %s: %w", r.Source, err)
	}
	return nil
}

func cellRow(id string, c normalize.Cell) CellRow {
	row := CellRow{ReportID: id, Table: string(c.Table), Row: c.Row, Col: c.Col, Key: c.Key(), Value: c.Value,
		Raw: c.Raw, Label: c.Label, TableIndex: int32(c.Loc.Table - 1), GridRow: int32(c.Loc.Row - 1), GridCol: int32(c.Loc.Col - 1)}
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

// Close finishes the dataset: it flushes and syncs every file, writes the
// data dictionary, and only then renames the files into place.
func (w *Writer) Close() error {
	errs := []error{w.reports.Close(), w.cells.Close(), w.checks.Close()}
	for _, p := range w.files {
		errs = append(errs, p.f.Sync(), p.f.Close())
	}
	if err := errors.Join(errs...); err != nil {
		w.removeTemps()
		return fmt.Errorf("output: %w", err)
	}
	if err := WriteFileAtomic(filepath.Join(w.dir, "dictionary.md"), []byte(Dictionary())); err != nil {
		w.removeTemps()
		return err
	}
	for _, p := range w.files {
		if err := os.Rename(p.f.Name(), p.name); err != nil {
			w.removeTemps()
			return fmt.Errorf("output: %w", err)
		}
	}
	return nil
}

// Abort discards the dataset being written; files already in place from
// an earlier run are left as they were.
func (w *Writer) Abort() {
	for _, p := range w.files {
		p.f.Close()
	}
	w.removeTemps()
}

func (w *Writer) removeTemps() {
	for _, p := range w.files {
		os.Remove(p.f.Name())
	}
}

// WriteFileAtomic writes data to path through a temporary file and a
// rename, so readers see the old file or the new one, never half of it.
func WriteFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("output: write %s: %w", path, err)
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
	return b.String()
}

func both(t string) string {
	if t == "" {
		return "2019, 2021"
	}
	return t
}
