package output

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// A table is the cells or the checks of a dataset: one Parquet file per
// year of the reports, in Hive partitions (cells/year=2023/part-0.parquet),
// each sorted (cells by key then report_id, checks by check_id then
// report_id) so that the min/max statistics of its row groups let DuckDB
// skip every group a filter on key or check_id rules out.
//
// Sorting a whole partition cannot hold it in memory: a national batch has
// millions of cells a year. Sorting each row group alone would not do
// either: a group of 64k rows holds every key of some 300 reports, so each
// group's key statistics would span nearly every key and skip nothing. So
// the table sorts externally: it holds at most sortRunRows (checkRunRows)
// rows over all its partitions, in one buffer; when it would hold more it
// spills them, each partition's sorted, to a run file of that partition in
// the staging directory; at the end it merges each partition's runs (and
// its rows still in memory) into the partition's Parquet file,
// maxMergeRuns runs at a time. Memory stays one buffer of rows plus a
// read buffer per run merged, however many reports are written; the runs
// need temporary disk of about the size of the rows uncompressed (less:
// repeated strings are written once per run), and are removed once
// merged. Rows that compare equal keep the order they were written in.
type table[T any] struct {
	stage   string // the staging directory
	name    string // CellsDir or ChecksDir
	compare func(a, b *T) int
	put     func(*runWriter, *T)
	get     func(*runReader, *T)
	opts    []parquet.WriterOption
	parts   map[string]*partition[T] // by directory name, year=2023
	rows    []T                      // in memory, of every partition
	of      []*partition[T]          // the partition of each row
	maxHeld int                      // sortRunRows or checkRunRows; smaller in tests
	maxFan  int                      // maxMergeRuns; smaller in tests
	nruns   int                      // run files made, for their names
	sortDir string                   // where the runs go, once made
	// spilling is the spill running in the background, nil when none; spare
	// the buffers of the last one, emptied, for the rows after the next.
	spilling  chan spilled[T]
	spareRows []T
	spareOf   []*partition[T]
}

// spilled is what a spill in the background hands back: its buffers,
// emptied, and its error.
type spilled[T any] struct {
	rows []T
	of   []*partition[T]
	err  error
}

// partition is a year of the table: its runs spilled.
type partition[T any] struct {
	name string
	runs []run
}

// run is a file of rows in order, in the staging directory.
type run struct {
	path string
	rows int
}

const (
	// sortRunRows is the most cells the writer holds in memory before it
	// spills some to a run: one row group's worth, the cells of some 300
	// reports.
	sortRunRows = rowGroupRows
	// checkRunRows is the same for the checks, whose rows hold more (the
	// keys of their cells, a message): the checks of some 300 reports. It
	// is their row group too: a writer holds one whole, and a year of a
	// few hundred reports has fewer checks than a cells' group.
	checkRunRows = rowGroupRows / 4
	// maxMergeRuns is the most runs merged at once; a partition with more
	// is merged in passes. Each run being merged holds a read buffer and
	// its table of strings, and the three tables finish at once: few runs
	// keep that small, and a pass costs one more read and write of the
	// partition's runs (a national batch of 100k reports, some 300 runs
	// a year, takes three).
	maxMergeRuns = 8
	// runBufferSize is the buffer of each run file written or read.
	runBufferSize = 32 << 10
	// mergeBatch rows at a time go to the Parquet writer.
	mergeBatch = 1024
	// A run file writes a string once and then its index in a table of
	// the run's strings, for strings of at most maxInternedLen bytes and
	// the first maxRunStrings such: keys, labels and report ids repeat
	// thousands of times, and the table a reader keeps stays small.
	maxRunStrings  = 2048
	maxInternedLen = 128
)

func newTable[T any](stage, name string, maxHeld int, compare func(a, b *T) int, put func(*runWriter, *T), get func(*runReader, *T), opts ...parquet.WriterOption) *table[T] {
	return &table[T]{stage: stage, name: name, compare: compare, put: put, get: get, opts: opts,
		parts: map[string]*partition[T]{}, maxHeld: maxHeld, maxFan: maxMergeRuns}
}

// add appends rows to the partition named part (year=2023), spilling the
// rows in memory first if they would be more than maxHeld.
func (t *table[T]) add(part string, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	p := t.parts[part]
	if p == nil {
		p = &partition[T]{name: part}
		t.parts[part] = p
	}
	if n := len(t.rows) + len(rows); n > t.maxHeld && len(t.rows) > 0 {
		if err := t.spill(); err != nil {
			return err
		}
	} else if n > cap(t.rows) { // growing, but no further than maxHeld
		c := min(max(2*cap(t.rows), n), max(t.maxHeld, n))
		t.rows, t.of = slices.Grow(t.rows, c-len(t.rows)), slices.Grow(t.of, c-len(t.of))
	}
	t.rows = append(t.rows, rows...)
	for range rows {
		t.of = append(t.of, p)
	}
	return nil
}

// sorted returns the indexes of rows by partition (of), and in each in
// order, equal rows in the order they came (sorting indexes moves 4 bytes
// where sorting rows would move a whole row); and the partitions in the
// order of their indexes.
func (t *table[T]) sorted(rows []T, of []*partition[T]) ([]int32, []*partition[T]) {
	idx := make([]int32, len(rows))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int {
		if c := strings.Compare(of[a].name, of[b].name); c != 0 {
			return c
		}
		return t.compare(&rows[a], &rows[b])
	})
	var parts []*partition[T]
	for _, i := range idx {
		if p := of[i]; len(parts) == 0 || parts[len(parts)-1] != p {
			parts = append(parts, p)
		}
	}
	return idx, parts
}

// segment is the part of idx, sorted, of partition p.
func segment[T any](idx []int32, of []*partition[T], p *partition[T]) []int32 {
	lo, _ := slices.BinarySearchFunc(idx, p.name, func(i int32, name string) int { return strings.Compare(of[i].name, name) })
	hi := lo
	for hi < len(idx) && of[idx[hi]] == p {
		hi++
	}
	return idx[lo:hi]
}

// spill hands the rows in memory to a goroutine that writes them, sorted,
// to a run of each partition, once the spill before has finished; the
// table goes on with the other buffer. Only spills and finish touch the
// partitions' runs, and each waits for the spill before.
func (t *table[T]) spill() error {
	if err := t.waitSpill(); err != nil {
		return err
	}
	rows, of := t.rows, t.of
	t.rows, t.of, t.spareRows, t.spareOf = t.spareRows, t.spareOf, nil, nil
	done := make(chan spilled[T], 1)
	t.spilling = done
	go func() {
		err := t.writeRuns(rows, of)
		clear(rows)
		clear(of)
		done <- spilled[T]{rows[:0], of[:0], err}
	}()
	return nil
}

// waitSpill waits for the spill in the background, if any, and returns
// its error.
func (t *table[T]) waitSpill() error {
	if t.spilling == nil {
		return nil
	}
	s := <-t.spilling
	t.spilling = nil
	t.spareRows, t.spareOf = s.rows, s.of
	return s.err
}

// writeRuns writes rows, sorted, to a run of each of their partitions.
func (t *table[T]) writeRuns(rows []T, of []*partition[T]) error {
	idx, parts := t.sorted(rows, of)
	for _, p := range parts {
		seg := segment(idx, of, p)
		r, err := t.writeRun(p, len(seg), func(w *runWriter) error {
			for _, i := range seg {
				t.put(w, &rows[i])
			}
			return nil
		})
		if err != nil {
			return err
		}
		p.runs = append(p.runs, r)
	}
	return nil
}

// writeRun writes a run of n rows of p, which fill puts.
func (t *table[T]) writeRun(p *partition[T], n int, fill func(*runWriter) error) (run, error) {
	if t.sortDir == "" {
		dir := filepath.Join(t.stage, ".sort-"+t.name)
		if err := op("mkdir "+dir, func() error { return os.Mkdir(dir, 0o777) }); err != nil {
			return run{}, err
		}
		t.sortDir = dir
	}
	t.nruns++
	path := filepath.Join(t.sortDir, p.name+"-"+strconv.Itoa(t.nruns)+".run")
	f, err := createFile(path)
	if err != nil {
		return run{}, err
	}
	w := &runWriter{w: bufio.NewWriterSize(f, runBufferSize), strs: map[string]uint64{}}
	w.uvarint(uint64(n))
	err = fill(w)
	if err = errors.Join(err, w.w.Flush(), f.Close()); err != nil {
		os.Remove(path)
		return run{}, fmt.Errorf("sort run %s: %w", path, err)
	}
	return run{path, n}, nil
}

// finish writes every partition's Parquet file, in the order of their
// names, and removes the runs. A table without a row still gets a file,
// empty, in the unknown year's partition: a glob over the table's files
// finds its columns.
func (t *table[T]) finish() error {
	if err := t.waitSpill(); err != nil {
		return err
	}
	if len(t.parts) == 0 {
		p := partitionName(0)
		t.parts[p] = &partition[T]{name: p}
	}
	dir := filepath.Join(t.stage, t.name)
	if err := op("mkdir "+dir, func() error { return os.Mkdir(dir, 0o777) }); err != nil {
		return err
	}
	names := make([]string, 0, len(t.parts))
	for n := range t.parts {
		names = append(names, n)
	}
	slices.Sort(names)
	idx, _ := t.sorted(t.rows, t.of)
	for _, n := range names {
		p := t.parts[n]
		if err := t.writePartition(p, segment(idx, t.of, p)); err != nil {
			return err
		}
		delete(t.parts, n)
	}
	t.rows, t.of = nil, nil
	if t.sortDir != "" {
		if err := op("remove "+t.sortDir, func() error { return os.RemoveAll(t.sortDir) }); err != nil {
			return err
		}
	}
	return syncDir(dir) // the staging directory is synced last, by Writer.finish
}

// writePartition merges p's runs and its rows in memory, seg, into its
// Parquet file.
func (t *table[T]) writePartition(p *partition[T], seg []int32) error {
	dir := filepath.Join(t.stage, t.name, p.name)
	if err := op("mkdir "+dir, func() error { return os.Mkdir(dir, 0o777) }); err != nil {
		return err
	}
	for len(p.runs) >= t.maxFan { // keeping a place for the rows in memory
		if err := t.mergePass(p); err != nil {
			return err
		}
	}
	cursors, closeRuns, err := openRuns(t, p.runs)
	defer closeRuns()
	if err != nil {
		return err
	}
	cursors = append(cursors, &cursor[T]{idx: len(cursors), next: func(r *T) (bool, error) {
		if len(seg) == 0 {
			return false, nil
		}
		*r, seg = t.rows[seg[0]], seg[1:]
		return true, nil
	}})
	path := filepath.Join(dir, partFile)
	f, err := createFile(path)
	if err != nil {
		return err
	}
	pw := parquet.NewGenericWriter[T](f, t.opts...)
	batch := make([]T, 0, mergeBatch)
	flush := func() error {
		_, err := pw.Write(batch)
		clear(batch)
		batch = batch[:0]
		return err
	}
	err = merge(cursors, t.compare, func(r *T) error {
		if batch = append(batch, *r); len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = op("close writer "+path, pw.Close) // writes the footer
	}
	if err = errors.Join(err, op("fsync "+path, f.Sync), op("close "+path, f.Close)); err != nil {
		return err
	}
	closeRuns()
	for _, r := range p.runs {
		if err := op("remove "+r.path, func() error { return os.Remove(r.path) }); err != nil {
			return err
		}
	}
	p.runs = nil
	return syncDir(dir)
}

// mergePass merges each maxFan runs of p in turn into one that takes
// their place, in order: a pass divides the runs by maxFan and reads and
// writes every row once, so a partition of r runs is merged in
// log(r)/log(maxFan) passes.
func (t *table[T]) mergePass(p *partition[T]) error {
	var merged []run
	for rest := p.runs; len(rest) > 0; {
		chunk := rest[:min(t.maxFan, len(rest))]
		rest = rest[len(chunk):]
		if len(chunk) == 1 {
			merged = append(merged, chunk[0])
			continue
		}
		r, err := t.mergeRuns(p, chunk)
		if err != nil {
			return err
		}
		merged = append(merged, r)
	}
	p.runs = merged
	return nil
}

// mergeRuns merges runs, runs of p, into one and removes them.
func (t *table[T]) mergeRuns(p *partition[T], runs []run) (run, error) {
	n := 0
	for _, r := range runs {
		n += r.rows
	}
	cursors, closeRuns, err := openRuns(t, runs)
	defer closeRuns()
	if err != nil {
		return run{}, err
	}
	merged, err := t.writeRun(p, n, func(w *runWriter) error {
		return merge(cursors, t.compare, func(r *T) error {
			t.put(w, r)
			return nil
		})
	})
	if err != nil {
		return run{}, err
	}
	closeRuns()
	for _, r := range runs {
		if err := op("remove "+r.path, func() error { return os.Remove(r.path) }); err != nil {
			return run{}, err
		}
	}
	return merged, nil
}

// openRuns opens a cursor on each run; closeRuns closes them, and may be
// called again.
func openRuns[T any](t *table[T], runs []run) (cursors []*cursor[T], closeRuns func(), err error) {
	var files []*os.File
	closeRuns = func() {
		for _, f := range files {
			f.Close()
		}
		files = nil
	}
	for i, r := range runs {
		f, err := os.Open(r.path)
		if err != nil {
			return nil, closeRuns, err
		}
		files = append(files, f)
		rr := &runReader{r: bufio.NewReaderSize(f, runBufferSize), path: r.path}
		left := rr.uvarint()
		if rr.err == nil && left != uint64(r.rows) {
			rr.err = fmt.Errorf("holds %d rows, not %d", left, r.rows)
		}
		if rr.err != nil {
			return nil, closeRuns, rr.error()
		}
		cursors = append(cursors, &cursor[T]{idx: i, next: func(row *T) (bool, error) {
			if left == 0 {
				return false, nil
			}
			left--
			t.get(rr, row)
			return rr.err == nil, rr.error()
		}})
	}
	return cursors, closeRuns, nil
}

// A cursor is a source of rows in order for merge: next reads the next
// row into its argument, with fresh pointers (the previous row may still
// be in use), and says false at the end.
type cursor[T any] struct {
	row  T
	idx  int // the source's place: of equal rows, the lower's go first
	next func(*T) (bool, error)
}

// merge calls emit with every row of the cursors, in order.
func merge[T any](cursors []*cursor[T], compare func(a, b *T) int, emit func(*T) error) error {
	h := make([]*cursor[T], 0, len(cursors))
	for _, c := range cursors {
		ok, err := c.next(&c.row)
		if err != nil {
			return err
		}
		if ok {
			h = append(h, c)
		}
	}
	less := func(i, j int) bool {
		if c := compare(&h[i].row, &h[j].row); c != 0 {
			return c < 0
		}
		return h[i].idx < h[j].idx
	}
	down := func(i int) {
		for {
			l, small := 2*i+1, i
			if l < len(h) && less(l, small) {
				small = l
			}
			if r := l + 1; r < len(h) && less(r, small) {
				small = r
			}
			if small == i {
				return
			}
			h[i], h[small] = h[small], h[i]
			i = small
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(h) > 0 {
		top := h[0]
		if err := emit(&top.row); err != nil {
			return err
		}
		ok, err := top.next(&top.row)
		if err != nil {
			return err
		}
		if !ok {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	return nil
}

// runWriter encodes rows into a run file: varints, IEEE doubles, and
// strings by index into the run's table of them once seen.
type runWriter struct {
	w       *bufio.Writer // its error sticks until Flush
	strs    map[string]uint64
	scratch [binary.MaxVarintLen64]byte
}

func internable(table int, s string) bool { return table < maxRunStrings && len(s) <= maxInternedLen }

func (w *runWriter) uvarint(x uint64) { w.w.Write(binary.AppendUvarint(w.scratch[:0], x)) }

// str writes 0, the length and the bytes of a string not in the table,
// else its index + 1.
func (w *runWriter) str(s string) {
	if i, ok := w.strs[s]; ok {
		w.uvarint(i + 1)
		return
	}
	w.uvarint(0)
	w.uvarint(uint64(len(s)))
	w.w.WriteString(s)
	if internable(len(w.strs), s) {
		w.strs[s] = uint64(len(w.strs))
	}
}

func (w *runWriter) f64(f float64) {
	w.w.Write(binary.LittleEndian.AppendUint64(w.scratch[:0], math.Float64bits(f)))
}

func (w *runWriter) optF64(p *float64) {
	if p == nil {
		w.w.WriteByte(0)
		return
	}
	w.w.WriteByte(1)
	w.f64(*p)
}

// optStr writes 0 for nil (NULL), else 1 and the string.
func (w *runWriter) optStr(p *string) {
	if p == nil {
		w.w.WriteByte(0)
		return
	}
	w.w.WriteByte(1)
	w.str(*p)
}

func (w *runWriter) optI32(p *int32) {
	if p == nil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(uint32(*p)) + 1)
}

// f64s writes 0 for nil (NULL), else the length + 1 and the values.
func (w *runWriter) f64s(fs []float64) {
	if fs == nil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(len(fs)) + 1)
	for _, f := range fs {
		w.f64(f)
	}
}

func (w *runWriter) strList(ss []string) {
	w.uvarint(uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

// runReader decodes what runWriter encoded. The first error sticks: the
// values read after it are zero.
type runReader struct {
	r    *bufio.Reader
	path string
	strs []string
	err  error
	buf  [8]byte
	a    slabs // the values of the pointers of the rows read
}

func (r *runReader) fail(err error) {
	if r.err == nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		r.err = err
	}
}

func (r *runReader) error() error {
	if r.err == nil {
		return nil
	}
	return fmt.Errorf("sort run %s: %w", r.path, r.err)
}

func (r *runReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, err := binary.ReadUvarint(r.r)
	if err != nil {
		r.fail(err)
	}
	return x
}

func (r *runReader) str() string {
	tag := r.uvarint()
	switch {
	case r.err != nil:
		return ""
	case tag > 0:
		if tag > uint64(len(r.strs)) {
			r.fail(fmt.Errorf("string %d of %d", tag, len(r.strs)))
			return ""
		}
		return r.strs[tag-1]
	}
	n := r.uvarint()
	if n > math.MaxInt32 {
		r.fail(fmt.Errorf("string of %d bytes", n))
	}
	if r.err != nil {
		return ""
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.r, b); err != nil {
		r.fail(err)
		return ""
	}
	s := string(b)
	if internable(len(r.strs), s) {
		r.strs = append(r.strs, s)
	}
	return s
}

func (r *runReader) f64() float64 {
	if r.err != nil {
		return 0
	}
	if _, err := io.ReadFull(r.r, r.buf[:]); err != nil {
		r.fail(err)
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(r.buf[:]))
}

func (r *runReader) optF64() *float64 {
	if r.err != nil {
		return nil
	}
	b, err := r.r.ReadByte()
	if err != nil || b == 0 {
		if err != nil {
			r.fail(err)
		}
		return nil
	}
	return r.a.float(r.f64())
}

func (r *runReader) optStr() *string {
	if r.err != nil {
		return nil
	}
	b, err := r.r.ReadByte()
	if err != nil || b == 0 {
		if err != nil {
			r.fail(err)
		}
		return nil
	}
	s := r.str()
	return &s
}

func (r *runReader) optI32() *int32 {
	x := r.uvarint()
	if x == 0 || r.err != nil {
		return nil
	}
	return r.a.int(int32(uint32(x - 1)))
}

func (r *runReader) f64s() []float64 {
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > 1<<20 {
		r.fail(fmt.Errorf("list of %d doubles", n-1))
		return nil
	}
	fs := r.a.floats(int(n - 1))
	for i := range fs {
		fs[i] = r.f64()
	}
	return fs
}

func (r *runReader) strList() []string {
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > 1<<20 {
		r.fail(fmt.Errorf("list of %d strings", n))
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func putCell(w *runWriter, c *CellRow) {
	w.str(c.ReportID)
	w.str(c.TableID)
	w.str(c.RowKey)
	w.str(c.ColKey)
	w.str(c.Key)
	w.optF64(c.Value)
	w.str(c.Raw)
	w.str(c.Label)
	w.optStr(c.Origin)
	w.optF64(c.Confidence)
}

func getCell(r *runReader, c *CellRow) {
	var x CellRow
	x.ReportID = r.str()
	x.TableID = r.str()
	x.RowKey = r.str()
	x.ColKey = r.str()
	x.Key = r.str()
	x.Value = r.optF64()
	x.Raw = r.str()
	x.Label = r.str()
	x.Origin = r.optStr()
	x.Confidence = r.optF64()
	*c = x
}

func putPosition(w *runWriter, p *PositionRow) {
	w.str(p.ReportID)
	w.str(p.Key)
	w.optI32(p.Line)
	w.optI32(p.Page)
	w.optI32(p.TableIndex)
	w.optI32(p.GridRow)
	w.optI32(p.GridCol)
	w.f64s(p.BBox)
}

func getPosition(r *runReader, p *PositionRow) {
	var x PositionRow
	x.ReportID = r.str()
	x.Key = r.str()
	x.Line = r.optI32()
	x.Page = r.optI32()
	x.TableIndex = r.optI32()
	x.GridRow = r.optI32()
	x.GridCol = r.optI32()
	x.BBox = r.f64s()
	*p = x
}

func putCheck(w *runWriter, c *CheckRow) {
	w.str(c.ReportID)
	w.str(c.CheckID)
	w.str(c.Identity)
	w.str(c.Status)
	w.optF64(c.LHS)
	w.optF64(c.RHS)
	w.optF64(c.Delta)
	w.strList(c.CellKeys)
	w.str(c.Message)
}

func getCheck(r *runReader, c *CheckRow) {
	var x CheckRow
	x.ReportID = r.str()
	x.CheckID = r.str()
	x.Identity = r.str()
	x.Status = r.str()
	x.LHS = r.optF64()
	x.RHS = r.optF64()
	x.Delta = r.optF64()
	x.CellKeys = r.strList()
	x.Message = r.str()
	*c = x
}

// A Partition is one file of the cells or the checks of a dataset.
type Partition struct {
	Year *int32 // nil: the reports whose year is not known
	Path string
}

// Partitions lists the files of the table dir (CellsDir or ChecksDir) of
// the dataset at dataset, by year, the unknown year last.
func Partitions(dataset, dir string) ([]Partition, error) {
	files, err := filepath.Glob(filepath.Join(dataset, dir, "year=*", "part-*.parquet"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("output: %s: no %s", dataset, filepath.Join(dir, "year=*", "part-*.parquet"))
	}
	slices.Sort(files)
	out := make([]Partition, len(files))
	for i, f := range files {
		out[i].Path = f
		v := filepath.Base(filepath.Dir(f))[len("year="):]
		if v == UnknownYear {
			continue
		}
		y, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("output: %s: not a year partition", f)
		}
		year := int32(y)
		out[i].Year = &year
	}
	return out, nil
}
