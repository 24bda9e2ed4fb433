package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/gofrs/flock"
)

// A Dataset is the directory a parse run writes, replaced as a whole and
// atomically by each run that commits. For a DIR of data it is laid out as
//
//	data -> .data.nianbao/snap-20261201T214000Z-1234   a relative symlink to the snapshot:
//	    reports.parquet, documents.parquet, cells/year=Y/part-0.parquet,
//	    checks/year=Y/part-0.parquet, dictionary.md, dictionary.csv, summary.json…
//	.data.nianbao/                                     the store, beside DIR
//	    lock                 flock(2)ed by the writer; "pid N since T" of it
//	    snap-<UTC>-<pid>/    committed snapshots: DIR's target, and the one it replaced
//	    stage-<UTC>-<pid>/   the run being written; removed if it is not committed
//	    link-<UTC>-<pid>     the new symlink, for the instant before it replaces DIR
//
// A run writes every file into its staging directory, syncs them, renames
// the directory to a snapshot, and renames a new symlink over DIR. A
// reader that resolved DIR keeps reading one whole snapshot; a process
// killed at any point leaves DIR as the previous dataset or the new one,
// never a mix and never missing; the lock makes a second writer fail at
// once rather than lose its output. Opening a dataset removes what earlier
// runs left in the store: snapshots other than DIR's target, staging
// directories, symlinks. A snapshot replaced by a commit is kept until the
// next run opens the dataset, for readers still using it.
//
// Use:
//
//	ds, err := output.OpenDataset(dir) // lock, clean up
//	defer ds.Close()                   // unlock; drops an uncommitted run
//	w, err := ds.Create(output.Options{Version: v})
//	err = w.Write(report)              // …for every report
//	err = ds.Commit(w)                 // DIR now shows the new dataset
type Dataset struct {
	dir     string // DIR as the caller named it, cleaned
	parent  string // the directory holding DIR and the store
	store   string // parent/.<base>.nianbao
	link    string // the store's name, which DIR's symlink target starts with
	lock    *flock.Flock
	current string // name of the snapshot DIR links to, "" if none
	w       *Writer
	closed  bool
}

// ErrLocked is the error (errors.Is) of OpenDataset when another process
// is writing the dataset; ErrNotDataset, when DIR is something nianbao did
// not write.
var (
	ErrLocked     = errors.New("dataset locked")
	ErrNotDataset = errors.New("not a nianbao dataset")
)

type datasetError struct {
	msg  string
	kind error
}

func (e *datasetError) Error() string { return e.msg }
func (e *datasetError) Unwrap() error { return e.kind }

const (
	lockName     = "lock"
	snapPrefix   = "snap-"
	stagePrefix  = "stage-"
	linkPrefix   = "link-"
	manifestName = ".nianbao-files" // in a snapshot: the files added by Writer.WriteFile, one a line
)

// datasetFiles are the names of the files a nianbao run writes into a
// dataset directory: those of this version, and cells.parquet and
// checks.parquet of schema 1 (documents.parquet included: crawl output
// directories of old versions).
var datasetFiles = map[string]bool{
	ReportsFile: true, "cells.parquet": true, "checks.parquet": true,
	DocumentsFile: true, DictionaryFile: true, DictionaryCSVFile: true, SummaryFile: true, SitesFile: true, SitesCSVFile: true,
}

// tableDirs are the directories of the partitioned tables in a dataset,
// which hold year=Y directories of part-N.parquet files.
var tableDirs = map[string]bool{CellsDir: true, ChecksDir: true, PositionsDir: true}

// partitionFile tells the files of a partition directory nianbao writes.
func partitionFile(name string) bool {
	ok, _ := filepath.Match("part-*.parquet", name)
	return ok
}

// tableTree lists the files and directories below the table directory
// dir, deepest first, and whether all of them are nianbao's: year=Y
// directories of partition files; foreign names the first that is not.
func tableTree(dir string) (files, dirs []string, foreign string) {
	parts, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err.Error()
	}
	for _, p := range parts {
		pd := filepath.Join(dir, p.Name())
		if !p.IsDir() || !strings.HasPrefix(p.Name(), "year=") {
			foreign = filepath.Join(filepath.Base(dir), p.Name())
			continue
		}
		entries, err := os.ReadDir(pd)
		if err != nil {
			return nil, nil, err.Error()
		}
		for _, e := range entries {
			if e.Type().IsRegular() && partitionFile(e.Name()) {
				files = append(files, filepath.Join(pd, e.Name()))
			} else if foreign == "" {
				foreign = filepath.Join(filepath.Base(dir), p.Name(), e.Name())
			}
		}
		dirs = append(dirs, pd)
	}
	return files, append(dirs, dir), foreign
}

// leftover tells the temporary files earlier versions of nianbao left
// behind when they were killed.
func leftover(name string) bool {
	for _, pattern := range []string{".*.parquet.tmp-*", ".dictionary.md.tmp-*", ".documents-*.parquet"} {
		if ok, _ := filepath.Match(pattern, name); ok {
			return true
		}
	}
	return false
}

// step, when set (by tests), is called with the name of every file-system
// operation of a dataset's life just before it is done, and again just
// after it with " done" appended.
var step func(name string)

func op(name string, f func() error) error {
	if step != nil {
		step(name)
	}
	err := f()
	if step != nil {
		step(name + " done")
	}
	return err
}

// OpenDataset locks the dataset at dir and removes what earlier runs left
// in its store. dir must not exist, or be the symlink an earlier commit
// made, or a directory holding only files a nianbao wrote there (its
// Parquet files, dictionary, temporary files; a copy of a snapshot, say,
// or the flat directory of an older version): such a directory
// is moved into the store as a snapshot and replaced by the symlink in
// one atomic exchange. Anything else is refused with ErrNotDataset; a
// dataset another process holds, with ErrLocked naming it. Close the
// dataset when done.
func OpenDataset(dir string) (*Dataset, error) {
	clean := filepath.Clean(dir)
	base := filepath.Base(clean)
	if base == "." || base == ".." || base == string(filepath.Separator) {
		return nil, fmt.Errorf("output: %s: name the dataset's own directory, not . or ..", dir)
	}
	ds := &Dataset{dir: clean, parent: filepath.Dir(clean), link: "." + base + ".nianbao"}
	ds.store = filepath.Join(ds.parent, ds.link)
	// A first look before creating anything, so that refusing a directory
	// leaves nothing beside it.
	if _, _, err := ds.inspect(); err != nil {
		return nil, err
	}
	if err := op("mkdir "+ds.parent, func() error { return os.MkdirAll(ds.parent, 0o777) }); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	if err := op("mkdir "+ds.store, func() error { return mkdirExisting(ds.store) }); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	if err := ds.takeLock(); err != nil {
		return nil, err
	}
	legacy, target, err := ds.inspect() // again, now that nobody else writes
	if err == nil {
		ds.current = target
		err = ds.cleanup()
	}
	if err == nil && legacy {
		err = ds.adopt()
	}
	if err != nil {
		ds.lock.Close()
		return nil, err
	}
	return ds, nil
}

func mkdirExisting(dir string) error {
	err := os.Mkdir(dir, 0o777)
	if errors.Is(err, fs.ErrExist) {
		var fi fs.FileInfo
		if fi, err = os.Lstat(dir); err == nil && !fi.IsDir() {
			err = fmt.Errorf("%s exists and is not a directory", dir)
		}
	}
	return err
}

// inspect tells what DIR is: absent (false, ""), the symlink of a commit
// (false, its snapshot), or a directory an older nianbao wrote (true, "").
func (ds *Dataset) inspect() (legacy bool, snapshot string, err error) {
	fi, err := os.Lstat(ds.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, "", nil
	case err != nil:
		return false, "", fmt.Errorf("output: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		t, err := os.Readlink(ds.dir)
		if err != nil {
			return false, "", fmt.Errorf("output: %w", err)
		}
		if name := filepath.Base(t); filepath.Dir(t) == ds.link && strings.HasPrefix(name, snapPrefix) {
			return false, name, nil
		}
		return false, "", ds.notDataset("is a symbolic link nianbao did not make, to " + t)
	case fi.IsDir():
		if name, ok := onlyOurs(ds.dir); !ok {
			return false, "", ds.notDataset("holds " + name)
		}
		return true, "", nil
	default:
		return false, "", ds.notDataset("is a file")
	}
}

func (ds *Dataset) notDataset(why string) error {
	return &datasetError{fmt.Sprintf("%s exists and is not a nianbao dataset (it %s); choose another -o", ds.dir, why), ErrNotDataset}
}

// onlyOurs reports whether dir holds only regular files nianbao writes
// into a dataset, and else the first name that is not.
func onlyOurs(dir string) (string, bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err.Error(), false
	}
	extra := manifest(dir)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && tableDirs[name] {
			if _, _, foreign := tableTree(filepath.Join(dir, name)); foreign != "" {
				return foreign, false
			}
			continue
		}
		if !e.Type().IsRegular() || !datasetFiles[name] && !leftover(name) && !extra[name] && name != manifestName {
			return name, false
		}
	}
	return "", true
}

// manifest reads the names of the files Writer.WriteFile added to a
// snapshot.
func manifest(dir string) map[string]bool {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil
	}
	names := map[string]bool{}
	for _, n := range strings.Split(string(b), "\n") {
		if validExtraName(n) == nil {
			names[n] = true
		}
	}
	return names
}

func (ds *Dataset) takeLock() error {
	path := filepath.Join(ds.store, lockName)
	l := flock.New(path, flock.SetPermissions(0o666))
	var ok bool
	err := op("lock", func() (err error) {
		ok, err = l.TryLock()
		return err
	})
	if err != nil {
		return fmt.Errorf("output: lock %s: %w", path, err)
	}
	if !ok {
		holder := "another process"
		if b, err := os.ReadFile(path); err == nil {
			if s := strings.TrimSpace(string(b)); s != "" && len(s) < 200 && utf8.ValidString(s) {
				holder = s
			}
		}
		return &datasetError{fmt.Sprintf("dataset %s is being written by %s", ds.dir, holder), ErrLocked}
	}
	ds.lock = l
	info := fmt.Sprintf("pid %d since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	if err := op("write lock", func() error { return os.WriteFile(path, []byte(info), 0o666) }); err != nil {
		l.Close()
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// cleanup removes from the store every snapshot but DIR's target, and
// every staging directory and symlink, which only killed runs leave.
func (ds *Dataset) cleanup() error {
	entries, err := os.ReadDir(ds.store)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(ds.store, name)
		switch {
		case name == lockName:
		case name == ds.current:
			errs = append(errs, removeLeftovers(p))
		case strings.HasPrefix(name, stagePrefix):
			errs = append(errs, op("remove "+name, func() error { return os.RemoveAll(p) }))
		case strings.HasPrefix(name, linkPrefix):
			errs = append(errs, op("remove "+name, func() error { return os.Remove(p) }))
		case strings.HasPrefix(name, snapPrefix):
			errs = append(errs, removeSnapshot(p))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("output: clean up %s: %w", ds.store, err)
	}
	return nil
}

// removeSnapshot deletes a snapshot: the files nianbao wrote into it, then
// the directory if nothing else is left (a user may have saved a file of
// their own in DIR; it is never deleted).
func removeSnapshot(p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if !fi.IsDir() { // the symlink of an interrupted adopt
		return op("remove "+p, func() error { return os.Remove(p) })
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	extra := manifest(p)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && tableDirs[name] {
			if err := removeTable(filepath.Join(p, name)); err != nil {
				return err
			}
			continue
		}
		if e.Type().IsRegular() && (datasetFiles[name] || leftover(name) || extra[name]) {
			f := filepath.Join(p, name)
			if err := op("remove "+f, func() error { return os.Remove(f) }); err != nil {
				return err
			}
		}
	}
	// The manifest goes last, so that a run killed here still knows the
	// rest.
	m := filepath.Join(p, manifestName)
	if err := op("remove "+m, func() error { return os.Remove(m) }); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	err = op("remove "+p, func() error { return os.Remove(p) })
	if err != nil {
		if left, rerr := os.ReadDir(p); rerr == nil && len(left) > 0 {
			return nil // not ours: leave it
		}
	}
	return err
}

// removeTable removes the partition files of a table directory of a
// snapshot, then the directories left empty.
func removeTable(dir string) error {
	files, dirs, _ := tableTree(dir)
	for _, f := range files {
		if err := op("remove "+f, func() error { return os.Remove(f) }); err != nil {
			return err
		}
	}
	for _, d := range dirs {
		if left, err := os.ReadDir(d); err == nil && len(left) > 0 {
			continue // something of the user's
		}
		if err := op("remove "+d, func() error { return os.Remove(d) }); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// adopt moves the directory of an older nianbao at DIR into the store as
// a snapshot and puts the symlink in its place, in one exchange of the two
// names: at every instant DIR is that directory.
func (ds *Dataset) adopt() error {
	snap := ds.unique(snapPrefix)
	p := filepath.Join(ds.store, snap)
	if err := op("symlink "+p, func() error { return os.Symlink(filepath.Join(ds.link, snap), p) }); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := op("exchange "+p+" "+ds.dir, func() error { return exchange(p, ds.dir) }); err != nil {
		os.Remove(p)
		return fmt.Errorf("output: %s was written by an older nianbao and cannot be turned into a snapshot in place here (%v); move it away or choose another -o", ds.dir, err)
	}
	ds.current = snap
	if err := errors.Join(syncDir(ds.parent), syncDir(ds.store), removeLeftovers(p)); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// removeLeftovers removes the temporary files of older nianbaos from the
// directory they adopted.
func removeLeftovers(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // a dangling link: nothing to clean
	}
	for _, e := range entries {
		if e.Type().IsRegular() && leftover(e.Name()) {
			f := filepath.Join(dir, e.Name())
			if err := op("remove "+f, func() error { return os.Remove(f) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// unique returns a name prefix+UTC time+pid that the store does not hold.
func (ds *Dataset) unique(prefix string) string {
	name := prefix + time.Now().UTC().Format("20060102T150405Z") + "-" + strconv.Itoa(os.Getpid())
	for i, n := 2, name; ; i++ {
		if _, err := os.Lstat(filepath.Join(ds.store, n)); errors.Is(err, fs.ErrNotExist) {
			return n
		}
		n = name + "-" + strconv.Itoa(i)
	}
}

// Create starts the run's dataset in a new staging directory of the
// store. Only one writer at a time: commit or abort it before the next.
func (ds *Dataset) Create(o Options) (*Writer, error) {
	if ds.closed {
		return nil, errors.New("output: Create on a closed dataset")
	}
	if ds.w != nil {
		return nil, errors.New("output: the dataset already has a writer")
	}
	stage := filepath.Join(ds.store, ds.unique(stagePrefix))
	if err := op("mkdir "+stage, func() error { return os.Mkdir(stage, 0o777) }); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	w, err := newWriter(stage, o)
	if err != nil {
		op("remove "+stage, func() error { return os.RemoveAll(stage) })
		return nil, err
	}
	w.ds, ds.w = ds, w
	return w, nil
}

// Commit finishes w's files (flushed, synced, with the data dictionary)
// and makes them the dataset: once it returns nil, DIR is the new
// snapshot; on any error before that DIR is the previous one, unchanged.
// The staging directory is gone either way.
func (ds *Dataset) Commit(w *Writer) error {
	if w == nil || ds.w != w || ds.closed {
		return errors.New("output: Commit of a writer this dataset does not have open")
	}
	if err := w.finish(); err != nil {
		ds.discard()
		return err
	}
	snap := ds.unique(snapPrefix)
	p := filepath.Join(ds.store, snap)
	if err := op("rename "+w.dir+" "+p, func() error { return os.Rename(w.dir, p) }); err != nil {
		ds.discard()
		return fmt.Errorf("output: %w", err)
	}
	ds.w = nil
	if err := syncDir(ds.store); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	link := filepath.Join(ds.store, ds.unique(linkPrefix))
	if err := op("symlink "+link, func() error { return os.Symlink(filepath.Join(ds.link, snap), link) }); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := op("rename "+link+" "+ds.dir, func() error { return os.Rename(link, ds.dir) }); err != nil {
		os.Remove(link)
		return fmt.Errorf("output: %w", err)
	}
	ds.current = snap
	if err := errors.Join(syncDir(ds.parent), syncDir(ds.store)); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// discard drops the writer's staging directory.
func (ds *Dataset) discard() error {
	w := ds.w
	if w == nil {
		return nil
	}
	ds.w = nil
	w.closeFiles()
	return op("remove "+w.dir, func() error { return os.RemoveAll(w.dir) })
}

// StateDir returns the directory named name in the dataset's hidden
// store, creating it: state that outlives snapshots (a crawl's database
// and archive, a cache of parsed reports) lives there, beside the
// snapshots and under the same lock.
func (ds *Dataset) StateDir(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\\") || strings.HasPrefix(name, ".") ||
		strings.HasPrefix(name, stagePrefix) || strings.HasPrefix(name, snapPrefix) || strings.HasPrefix(name, linkPrefix) || name == lockName {
		return "", fmt.Errorf("output: bad state directory name %q", name)
	}
	p := filepath.Join(ds.store, name)
	if err := os.MkdirAll(p, 0o777); err != nil {
		return "", fmt.Errorf("output: %w", err)
	}
	return p, nil
}

// Close releases the lock, first removing the staging directory of a
// writer not committed. DIR stays as the last commit left it.
func (ds *Dataset) Close() error {
	if ds == nil || ds.closed {
		return nil
	}
	ds.closed = true
	err := ds.discard()
	err = errors.Join(err, op("unlock", ds.lock.Close))
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// syncDir makes the entries of dir durable. File systems that cannot sync
// a directory say EINVAL; there is nothing more to do on those.
func syncDir(dir string) error {
	return op("fsync "+dir, func() error {
		d, err := os.Open(dir)
		if err != nil {
			return err
		}
		err = d.Sync()
		if errors.Is(err, syscall.EINVAL) {
			err = nil
		}
		return errors.Join(err, d.Close())
	})
}

// createFile creates a new file with mode 0666 less the umask: files of a
// dataset are readable like any other the user makes (os.CreateTemp would
// make them 0600).
func createFile(path string) (*os.File, error) {
	var f *os.File
	err := op("create "+path, func() (err error) {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		return err
	})
	return f, err
}

// writeNew writes a new file, synced.
func writeNew(path string, data []byte) error {
	f, err := createFile(path)
	if err != nil {
		return err
	}
	err = op("write "+path, func() error { _, err := f.Write(data); return err })
	err = errors.Join(err, op("fsync "+path, f.Sync), op("close "+path, f.Close))
	if err != nil {
		os.Remove(path)
	}
	return err
}

func validExtraName(name string) error {
	switch {
	case name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, "."):
		return fmt.Errorf("output: %q: want a plain file name, not hidden", name)
	case datasetFiles[name] || tableDirs[name]:
		return fmt.Errorf("output: %s is written by the dataset itself", name)
	case !utf8.ValidString(name):
		return fmt.Errorf("output: %q: file name is not UTF-8", name)
	}
	return nil
}
