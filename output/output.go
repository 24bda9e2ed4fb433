// Package output writes the pipeline's datasets as Parquet files.
//
// A parse run writes reports.parquet, the cells and checks tables
// partitioned by the reports' year (cells/year=2023/part-0.parquet, Hive
// style) and the data dictionary (dictionary.md, dictionary.csv), all of
// which DuckDB, pandas and polars read directly, as one Dataset: a
// directory replaced as a whole and atomically by each run, so that no
// crash, kill or second run ever leaves a dataset whose files come from
// different runs (see Dataset). A crawl writes documents.parquet, replaced
// atomically on its own (WriteDocuments).
//
// Every Parquet file carries SchemaVersion and the nianbao version in its
// key-value metadata. Unknown values are NULL, never an empty string or
// an empty list. Every string is written as valid UTF-8, and files get
// the modes the umask gives.
package output

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// SchemaVersion is the version of the dataset's layout and columns,
// written into every Parquet file's key-value metadata under
// MetaSchemaVersion. Version 1 (no such key) had flat cells.parquet and
// checks.parquet files and the columns table, row and col; 2 has the
// year partitions; 3 moves the cells' positions to a table of their own
// (positions), as the dictionary's Columns section lists.
const SchemaVersion = "3"

// The key-value metadata of every Parquet file nianbao writes.
const (
	MetaSchemaVersion = "nianbao.schema_version"
	MetaVersion       = "nianbao.version" // the nianbao that wrote the file, Options.Version
)

// Options are the settings of a dataset's writer.
type Options struct {
	// Version is the version of the nianbao writing the files, recorded
	// in their metadata (MetaVersion); "" records "unknown".
	Version string
}

func (o Options) version() string {
	if o.Version == "" {
		return "unknown"
	}
	return o.Version
}

// The files and directories of a dataset.
const (
	ReportsFile       = "reports.parquet"
	CellsDir          = "cells"     // cells/year=Y/part-0.parquet
	ChecksDir         = "checks"    // checks/year=Y/part-0.parquet
	PositionsDir      = "positions" // positions/year=Y/part-0.parquet
	DictionaryFile    = "dictionary.md"
	DictionaryCSVFile = "dictionary.csv"
	// UnknownYear is the partition of the reports whose year is not
	// known: year=__HIVE_DEFAULT_PARTITION__, which DuckDB, Spark, pyarrow
	// and polars read back as a NULL year.
	UnknownYear = "__HIVE_DEFAULT_PARTITION__"
	partFile    = "part-0.parquet"
)

// ReportRow is one row of reports.parquet. The dictionary's Columns
// section says what each column holds.
type ReportRow struct {
	ReportID     string   `parquet:"report_id"`
	Source       string   `parquet:"source"`
	Sources      []string `parquet:"sources,list"`
	Revision     *int32   `parquet:"revision,optional"`
	SHA256       string   `parquet:"sha256"`
	DocumentID   *string  `parquet:"document_id,optional"`
	Format       string   `parquet:"format,dict"`
	Template     string   `parquet:"template,dict"`
	Year         *int32   `parquet:"year,optional"`
	Agency       *string  `parquet:"agency,optional,dict"`
	AgencyID     *string  `parquet:"agency_id,optional,dict"`
	AgencyPrint  *string  `parquet:"agency_printed,optional,dict"`
	AgencyReg    *string  `parquet:"agency_registry,optional,dict"`
	Title        *string  `parquet:"title,optional"`
	ParseStatus  string   `parquet:"parse_status,dict"`
	IsCurrent    bool     `parquet:"is_current"`
	SupersededBy *string  `parquet:"superseded_by,optional"`
	Warnings     []string `parquet:"warnings,list,dict"`
	CellCount    int32    `parquet:"cell_count"`
	ChecksFailed int32    `parquet:"checks_failed"`
}

// CellRow is one row of the cells table. Its year is the partition's
// (cells/year=Y/), not a column of the file. Where it was printed is in
// the positions table (PositionRow), joined on report_id and key: the
// positions are most of a cell's bytes and are wanted one report at a
// time, so they are kept apart, sorted by report.
type CellRow struct {
	ReportID string   `parquet:"report_id,dict"`
	TableID  string   `parquet:"table_id,dict"`
	RowKey   string   `parquet:"row_key,dict"`
	ColKey   string   `parquet:"col_key,dict"`
	Key      string   `parquet:"key,dict"`
	Value    *float64 `parquet:"value,optional,dict"`
	Raw      string   `parquet:"raw,dict"`
	Label    string   `parquet:"label,dict"`
	// How the cell was read: NULL from the document's text, "ocr" from a
	// page image, with OCR's confidence.
	Origin     *string  `parquet:"origin,optional,dict"`
	Confidence *float64 `parquet:"confidence,optional"`
}

// PositionRow is one row of the positions table: where a cell was
// printed. Positions are 1-based, NULL where unknown; a cell with no
// position at all has no row.
type PositionRow struct {
	ReportID   string    `parquet:"report_id,dict"`
	Key        string    `parquet:"key,dict"`
	Line       *int32    `parquet:"line,optional,dict"`
	Page       *int32    `parquet:"page,optional,dict"`
	TableIndex *int32    `parquet:"table_index,optional,dict"`
	GridRow    *int32    `parquet:"grid_row,optional,dict"`
	GridCol    *int32    `parquet:"grid_col,optional,dict"`
	BBox       []float64 `parquet:"bbox,optional,list,dict"`
}

// CheckRow is one row of the checks table, partitioned like the cells.
type CheckRow struct {
	ReportID string   `parquet:"report_id,dict"`
	CheckID  string   `parquet:"check_id,dict"`
	Identity string   `parquet:"identity,dict"`
	Status   string   `parquet:"status,dict"`
	LHS      *float64 `parquet:"lhs,optional"`
	RHS      *float64 `parquet:"rhs,optional"`
	Delta    *float64 `parquet:"delta,optional"`
	CellKeys []string `parquet:"cell_keys,list,dict"`
	Message  string   `parquet:"message"`
}

// compareCells orders each partition of the cells by key, then report:
// a filter on key (or key and report_id) reads the few row groups whose
// statistics admit it and skips the rest.
func compareCells(a, b *CellRow) int {
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	return strings.Compare(a.ReportID, b.ReportID)
}

// comparePositions orders each partition of the positions by report,
// then key: a report's positions are read together.
func comparePositions(a, b *PositionRow) int {
	if c := strings.Compare(a.ReportID, b.ReportID); c != 0 {
		return c
	}
	return strings.Compare(a.Key, b.Key)
}

// compareChecks orders the checks by check_id, then report.
func compareChecks(a, b *CheckRow) int {
	if c := strings.Compare(a.CheckID, b.CheckID); c != 0 {
		return c
	}
	return strings.Compare(a.ReportID, b.ReportID)
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

// optStr is str for a column that is NULL when the value is unknown ("").
func (u *utf8Fixer) optStr(field, s string) *string {
	if s == "" {
		return nil
	}
	s = u.str(field, s)
	return &s
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

// rowGroupRows is the number of rows of a row group of every file. The
// writers hold one row group at a time, so memory stays flat however many
// reports a national batch writes; and a filter on a sorted column skips
// the groups its statistics rule out, so smaller groups skip more.
const rowGroupRows = 64 << 10

// reportRowGroupRows is the row group of reports.parquet and
// summary.parquet: their rows are larger (a source, a title, warnings),
// and a writer holds a whole group in memory until it is full — one of
// 8k rows was the largest thing a run held at 8,000 reports. A thousand
// rows is still a few hundred kilobytes a group, which is what a reader
// skips at a time.
const reportRowGroupRows = 1 << 10

// dictionaryMaxBytes caps a column's dictionary in a row group: a column
// that turns out to have more distinct values than a dictionary is worth
// falls back to plain encoding there.
const dictionaryMaxBytes = 1 << 20

// codec compresses every Parquet file: one for all, for it keeps a pool of
// encoders that hold a window of history each (pageCodec).
var codec = &pageCodec{}

// writerOptions are the options of every Parquet file of the dataset.
func writerOptions(o Options, extra ...parquet.WriterOption) []parquet.WriterOption {
	return append([]parquet.WriterOption{
		parquet.Compression(codec),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		parquet.DictionaryMaxBytes(dictionaryMaxBytes),
		parquet.KeyValueMetadata(MetaSchemaVersion, SchemaVersion),
		parquet.KeyValueMetadata(MetaVersion, o.version()),
	}, extra...)
}

// Writer streams reports into the staging directory of a Dataset.
type Writer struct {
	ds        *Dataset
	own       bool   // made by Create(dir): Close commits and closes ds too
	dir       string // the staging directory
	opts      Options
	file      *os.File // reports.parquet
	reports   *parquet.GenericWriter[ReportRow]
	sumFile   *os.File // summary.parquet
	summary   *parquet.GenericWriter[SummaryRow]
	cells     *table[CellRow]
	checks    *table[CheckRow]
	positions *table[PositionRow]
	extra     []string // added by WriteFile
	cellBuf   []CellRow
	posBuf    []PositionRow
	checkBuf  []CheckRow
	keys      map[[3]string]string // see key
	a         slabs
	finished  bool
}

// Create opens the dataset at dir and starts writing it: a shorthand for
// OpenDataset and Dataset.Create for a run with one writer, whose Close
// commits and unlocks and whose Abort discards and unlocks.
func Create(dir string, o Options) (*Writer, error) {
	ds, err := OpenDataset(dir)
	if err != nil {
		return nil, err
	}
	w, err := ds.Create(o)
	if err != nil {
		ds.Close()
		return nil, err
	}
	w.own = true
	return w, nil
}

func newWriter(dir string, o Options) (*Writer, error) {
	w := &Writer{dir: dir, opts: o}
	f, err := createFile(filepath.Join(dir, ReportsFile))
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	w.file = f
	w.reports = parquet.NewGenericWriter[ReportRow](f, writerOptions(o, parquet.MaxRowsPerRowGroup(reportRowGroupRows))...)
	if w.sumFile, err = createFile(filepath.Join(dir, SummaryFile)); err != nil {
		f.Close()
		return nil, fmt.Errorf("output: %w", err)
	}
	w.summary = parquet.NewGenericWriter[SummaryRow](w.sumFile, append(summaryOptions(o), parquet.MaxRowsPerRowGroup(reportRowGroupRows))...)
	w.cells = newTable(dir, CellsDir, sortRunRows, compareCells, putCell, getCell,
		writerOptions(o, parquet.SortingWriterConfig(parquet.SortingColumns(parquet.Ascending("key"), parquet.Ascending("report_id"))))...)
	w.positions = newTable(dir, PositionsDir, sortRunRows, comparePositions, putPosition, getPosition,
		writerOptions(o, parquet.SortingWriterConfig(parquet.SortingColumns(parquet.Ascending("report_id"), parquet.Ascending("key"))))...)
	w.checks = newTable(dir, ChecksDir, checkRunRows, compareChecks, putCheck, getCheck,
		writerOptions(o, parquet.MaxRowsPerRowGroup(checkRunRows), parquet.SortingWriterConfig(parquet.SortingColumns(parquet.Ascending("check_id"), parquet.Ascending("report_id"))))...)
	return w, nil
}

// partitionName is the directory of the partition of the reports of
// year: year=2023, or year=__HIVE_DEFAULT_PARTITION__ when it is not
// known.
func partitionName(year int) string {
	if year <= 0 {
		return "year=" + UnknownYear
	}
	return "year=" + strconv.Itoa(year)
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
		ReportID: id, Source: u.str("source", r.Source), SHA256: u.str("sha256", r.SHA256), DocumentID: u.optStr("document_id", DocumentID(r.SHA256)), Format: u.str("format", r.Format),
		Template: u.str("template", r.Template), Agency: u.optStr("agency", r.Agency), Title: u.optStr("title", r.Title),
		AgencyID: u.optStr("agency_id", r.AgencyID), AgencyPrint: u.optStr("agency_printed", r.AgencyPrinted),
		AgencyReg:   u.optStr("agency_registry", r.AgencyRegistry),
		ParseStatus: u.str("parse_status", string(r.Status)), CellCount: int32(len(r.Cells)),
	}
	if r.Year > 0 {
		y := int32(r.Year)
		rr.Year = &y
	}
	if r.Revision > 0 {
		v := int32(r.Revision)
		rr.Revision = &v
	}
	rr.Sources = u.strs("sources", r.Sources)
	if len(rr.Sources) == 0 {
		rr.Sources = []string{rr.Source}
	}
	rr.IsCurrent = r.SupersededBy == ""
	if !rr.IsCurrent {
		by := u.str("superseded_by", r.SupersededBy)
		rr.SupersededBy = &by
	}
	for _, wn := range r.Warnings {
		rr.Warnings = append(rr.Warnings, u.str("warnings", wn.String()))
	}
	w.checkBuf = w.checkBuf[:0]
	for _, c := range r.Checks {
		if c.Status == normalize.CheckFail {
			rr.ChecksFailed++
		}
		w.checkBuf = append(w.checkBuf, CheckRow{ReportID: id, CheckID: u.str("checks.check_id", c.ID), Identity: u.str("checks.identity", c.Identity),
			Status: u.str("checks.status", string(c.Status)), LHS: c.LHS, RHS: c.RHS, Delta: c.Delta,
			CellKeys: u.strs("checks.cell_keys", c.Cells), Message: u.str("checks.message", c.Message)})
	}
	w.cellBuf, w.posBuf = w.cellBuf[:0], w.posBuf[:0]
	for i := range r.Cells {
		c := w.cellRow(&u, id, &r.Cells[i])
		w.cellBuf = append(w.cellBuf, c)
		if p, ok := w.positionRow(c, &r.Cells[i]); ok {
			w.posBuf = append(w.posBuf, p)
		}
	}
	for _, f := range u.fields {
		rr.Warnings = append(rr.Warnings, parse.Warning{Code: CodeInvalidUTF8, Message: "invalid UTF-8 replaced in " + f}.String())
	}
	part := partitionName(r.Year)
	return op("write report "+id, func() error {
		if _, err := w.reports.Write([]ReportRow{rr}); err != nil {
			return fmt.Errorf("output: report %s: %w", rr.Source, err)
		}
		if rr.IsCurrent {
			if _, err := w.summary.Write([]SummaryRow{summaryRow(&rr, r, &w.a)}); err != nil {
				return fmt.Errorf("output: summary of %s: %w", rr.Source, err)
			}
		}
		if err := w.cells.add(part, w.cellBuf); err != nil {
			return fmt.Errorf("output: cells of %s: %w", rr.Source, err)
		}
		if err := w.positions.add(part, w.posBuf); err != nil {
			return fmt.Errorf("output: positions of %s: %w", rr.Source, err)
		}
		if err := w.checks.add(part, w.checkBuf); err != nil {
			return fmt.Errorf("output: checks of %s: %w", rr.Source, err)
		}
		return nil
	})
}

// cellRow makes the row of a cell. The values its pointers point to come
// from slabs (a, shared by the rows of many reports), and its key from a
// table of the keys seen: a row the writer holds for sorting costs little
// more than its own fields.
func (w *Writer) cellRow(u *utf8Fixer, id string, c *normalize.Cell) CellRow {
	row := CellRow{ReportID: id, TableID: u.str("cells.table_id", string(c.Table)), RowKey: u.str("cells.row_key", c.Row), ColKey: u.str("cells.col_key", c.Col),
		Key: u.str("cells.key", w.key(c)), Value: c.Value, Raw: u.str("cells.raw", c.Raw), Label: u.str("cells.label", c.Label)}
	if c.Origin != parse.OriginText {
		row.Origin = w.origin(c.Origin)
		row.Confidence = w.a.float(c.Confidence)
	}
	return row
}

// positionRow makes the row of where cell c (whose row is row) was
// printed; false when nothing is known of it.
func (w *Writer) positionRow(row CellRow, c *normalize.Cell) (PositionRow, bool) {
	if c.Loc == (parse.Loc{}) {
		return PositionRow{}, false
	}
	p := PositionRow{ReportID: row.ReportID, Key: row.Key, Line: w.a.position(c.Loc.Line), Page: w.a.position(c.Loc.Page),
		TableIndex: w.a.position(c.Loc.Table), GridRow: w.a.position(c.Loc.Row), GridCol: w.a.position(c.Loc.Col)}
	if c.Loc.Page > 0 && c.Loc.BBox != [4]float64{} {
		p.BBox = w.a.bbox(c.Loc.BBox)
	}
	return p, true
}

// origin returns the origin column's value for o: the few origins are
// shared strings, not one allocation per cell.
func (w *Writer) origin(o parse.Origin) *string {
	if p, ok := origins[o]; ok {
		return p
	}
	s := string(o)
	return &s
}

var origins = map[parse.Origin]*string{parse.OriginOCR: new(string(parse.OriginOCR))}

// maxKeys caps the table of cell keys the writer keeps (the template's are
// some 300; local sub-rows add more).
const maxKeys = 1 << 14

// key returns c.Key(), the same string for the same key.
func (w *Writer) key(c *normalize.Cell) string {
	k := [3]string{string(c.Table), c.Row, c.Col}
	if s, ok := w.keys[k]; ok {
		return s
	}
	s := c.Key()
	if len(w.keys) < maxKeys {
		if w.keys == nil {
			w.keys = map[[3]string]string{}
		}
		w.keys[k] = s
	}
	return s
}

// slabs hands out the values of the rows' pointers and lists from chunks
// rather than one allocation each.
type slabs struct {
	ints []int32
	fs   []float64
}

const slabSize = 4096

func (a *slabs) int(v int32) *int32 {
	if len(a.ints) == cap(a.ints) {
		a.ints = make([]int32, 0, slabSize) // the rows still using the old one keep it
	}
	a.ints = append(a.ints, v)
	return &a.ints[len(a.ints)-1]
}

func (a *slabs) float(v float64) *float64 {
	p := a.floats(1)
	p[0] = v
	return &p[0]
}

// floats returns n zeros, a slice of full capacity.
func (a *slabs) floats(n int) []float64 {
	if n > slabSize/4 {
		return make([]float64, n)
	}
	if len(a.fs)+n > cap(a.fs) {
		a.fs = make([]float64, 0, slabSize)
	}
	i := len(a.fs)
	a.fs = a.fs[:i+n]
	return a.fs[i : i+n : i+n]
}

// position is a 1-based position of parse.Loc, NULL when unknown (0).
func (a *slabs) position(n int) *int32 {
	if n <= 0 {
		return nil
	}
	return a.int(int32(n))
}

// bbox is b rounded to 1/100 pt: finer is noise of the layout's arithmetic,
// and the values repeat, which a dictionary encodes in a few bits.
func (a *slabs) bbox(b [4]float64) []float64 {
	out := a.floats(4)
	for i, v := range b {
		out[i] = math.Round(v*100) / 100
	}
	return out
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

// finish flushes and syncs every file, sorting and writing the partitions
// of the cells and checks, writes the data dictionary, and syncs the
// staging directory: what Commit publishes is complete.
func (w *Writer) finish() error {
	w.finished = true
	err := errors.Join(op("close writer "+ReportsFile, w.reports.Close), // writes the footer
		op("fsync "+ReportsFile, w.file.Sync), op("close "+ReportsFile, w.file.Close),
		op("close writer "+SummaryFile, w.summary.Close),
		op("fsync "+SummaryFile, w.sumFile.Sync), op("close "+SummaryFile, w.sumFile.Close))
	w.file, w.sumFile = nil, nil
	if err == nil {
		// The two tables' sorts and files are their own: on two cores,
		// at once.
		others := make(chan error, 1)
		go func() { others <- errors.Join(w.checks.finish(), w.positions.finish()) }()
		err = errors.Join(w.cells.finish(), <-others)
	}
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := writeNew(filepath.Join(w.dir, DictionaryFile), []byte(Dictionary())); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := writeNew(filepath.Join(w.dir, DictionaryCSVFile), DictionaryCSV()); err != nil {
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

// closeFiles closes what the writer has open, for a dataset discarded.
func (w *Writer) closeFiles() {
	// A spill still writing into the staging directory would race its
	// removal.
	if w.cells != nil {
		w.cells.waitSpill()
	}
	if w.checks != nil {
		w.checks.waitSpill()
	}
	if w.positions != nil {
		w.positions.waitSpill()
	}
	if w.file != nil {
		w.file.Close()
		w.file = nil
	}
	if w.sumFile != nil {
		w.sumFile.Close()
		w.sumFile = nil
	}
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
