package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/parse"
)

// The kill test re-executes the test binary with these set: the child
// writes a dataset into killDirEnv and SIGKILLs itself at the killAtEnv-th
// step of the file-system operations.
const (
	killDirEnv = "NIANBAO_OUTPUT_KILL_DIR"
	killAtEnv  = "NIANBAO_OUTPUT_KILL_AT"
)

var (
	oldIDs   = []string{"old-1", "old-2"}
	newIDs   = []string{"new-1", "new-2", "new-3"}
	thirdIDs = []string{"third"}
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(killDirEnv); dir != "" {
		os.Exit(killChild(dir))
	}
	os.Exit(m.Run())
}

func killChild(dir string) int {
	k, err := strconv.Atoi(os.Getenv(killAtEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	var n atomic.Int64 // the tables write on goroutines of their own
	step = func(name string) {
		if n.Add(1) == int64(k) {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			for {
				time.Sleep(time.Second) // until the signal lands
			}
		}
	}
	if err := writeDataset(dir, newIDs, true); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

// writeDataset commits a dataset of the reports ids to dir, with a
// summary.json if summary is set.
func writeDataset(dir string, ids []string, summary bool) error {
	ds, err := OpenDataset(dir)
	if err != nil {
		return err
	}
	defer ds.Close()
	w, err := ds.Create(Options{})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.Write(report(id, 4)); err != nil {
			return err
		}
	}
	if summary {
		if err := w.WriteFile("summary.json", []byte(`{"reports": 3}`)); err != nil {
			return err
		}
	}
	if err := ds.Commit(w); err != nil {
		return err
	}
	return ds.Close()
}

// idRow reads the report_id of a row of any of the dataset's files, of
// this schema or the first.
type idRow struct {
	ReportID string `parquet:"report_id"`
}

// readDataset reads every Parquet file of the dataset at dir back
// completely and returns its report ids, failing the test if the files
// do not all hold the same reports (a mix of two runs). A dataset of
// schema 1 (an older nianbao's directory, adopted) has flat files.
func readDataset(t *testing.T, dir string) []string {
	t.Helper()
	reports, err := parquet.ReadFile[idRow](filepath.Join(dir, ReportsFile))
	if err != nil {
		t.Fatal(err)
	}
	var cells, checks []idRow
	if _, err := os.Stat(filepath.Join(dir, "cells.parquet")); err == nil {
		if cells, err = parquet.ReadFile[idRow](filepath.Join(dir, "cells.parquet")); err != nil {
			t.Fatal(err)
		}
		if checks, err = parquet.ReadFile[idRow](filepath.Join(dir, "checks.parquet")); err != nil {
			t.Fatal(err)
		}
	} else {
		cells, _ = readTable[idRow](t, dir, CellsDir)
		checks, _ = readTable[idRow](t, dir, ChecksDir)
		if _, err := os.Stat(filepath.Join(dir, DictionaryCSVFile)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, DictionaryFile)); err != nil {
		t.Fatal(err)
	}
	ids := func(id func(int) string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, id(i))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	r := ids(func(i int) string { return reports[i].ReportID }, len(reports))
	c := ids(func(i int) string { return cells[i].ReportID }, len(cells))
	k := ids(func(i int) string { return checks[i].ReportID }, len(checks))
	if !slices.Equal(r, c) || !slices.Equal(r, k) {
		t.Fatalf("%s mixes datasets: reports %v, cells %v, checks %v", dir, r, c, k)
	}
	_, err = os.Stat(filepath.Join(dir, "summary.json"))
	if summary := err == nil; summary != slices.Equal(r, newIDs) {
		t.Fatalf("%s: reports %v but summary.json present: %v", dir, r, summary)
	}
	return r
}

// checkClean fails the test unless root holds only the dataset "data" and
// its store, the store only the lock, DIR's snapshot and at most one
// other (the one DIR showed before), and no temporary file is anywhere.
func checkClean(t *testing.T, root string) {
	t.Helper()
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{".data.nianbao", "data"}) {
		t.Fatalf("%s holds %v, want only the dataset and its store", root, names)
	}
	target, err := os.Readlink(filepath.Join(root, "data"))
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(root, ".data.nianbao")
	entries, _ = os.ReadDir(store)
	snaps := 0
	for _, e := range entries {
		switch name := e.Name(); {
		case name == lockName:
		case strings.HasPrefix(name, snapPrefix) && e.IsDir():
			snaps++
			files, _ := os.ReadDir(filepath.Join(store, name))
			for _, f := range files {
				if strings.Contains(f.Name(), "tmp") {
					t.Errorf("%s/%s: temporary file left", name, f.Name())
				}
			}
		default:
			t.Errorf("store holds %s", name)
		}
	}
	if filepath.Dir(target) != ".data.nianbao" || snaps < 1 || snaps > 2 {
		t.Errorf("data -> %s; store holds %d snapshots, want DIR's and at most the one before", target, snaps)
	}
}

// legacyFiles are the files of a dataset as an older nianbao wrote them
// into a plain directory (schema 1), with temporary files of a killed run.
func legacyFiles(t *testing.T, ids []string) map[string][]byte {
	t.Helper()
	src := t.TempDir()
	lw, err := newLegacyWriter(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := lw.write(report(id, 4)); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.close(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "dictionary.md"), []byte("## Data dictionary\n"), 0o666)
	files := map[string][]byte{".cells.parquet.tmp-1234": []byte("PAR1"), ".dictionary.md.tmp-99": nil}
	for _, name := range []string{"reports.parquet", "cells.parquet", "checks.parquet", "dictionary.md"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	return files
}

func writeLegacy(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKillAtEveryStep kills a run writing a dataset over a previous one
// at each step of its file-system operations in turn, until one runs to
// its end. After every kill the dataset is the previous one or the new
// one, whole; and the next run commits and cleans up what was left.
func TestKillAtEveryStep(t *testing.T) {
	legacy := legacyFiles(t, oldIDs)
	for _, previous := range []string{"committed", "legacy directory"} {
		t.Run(previous, func(t *testing.T) {
			var sawOld, sawNew int
			for k := 1; ; k++ {
				if k > 5000 {
					t.Fatal("the child never finished")
				}
				root := t.TempDir()
				dir := filepath.Join(root, "data")
				if previous == "committed" {
					if err := writeDataset(dir, oldIDs, false); err != nil {
						t.Fatal(err)
					}
				} else {
					writeLegacy(t, dir, legacy)
				}
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), killDirEnv+"="+dir, killAtEnv+"="+strconv.Itoa(k))
				out, err := cmd.CombinedOutput()
				killed := false
				if err != nil {
					var ee *exec.ExitError
					ws, ok := syscall.WaitStatus(0), false
					if errors.As(err, &ee) {
						ws, ok = ee.Sys().(syscall.WaitStatus)
					}
					if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
						t.Fatalf("step %d: child: %v\n%s", k, err, out)
					}
					killed = true
				}
				switch got := readDataset(t, dir); {
				case slices.Equal(got, oldIDs) && killed:
					sawOld++
				case slices.Equal(got, newIDs):
					sawNew++
				default:
					t.Fatalf("step %d (killed %v): dataset holds %v, want %v or %v", k, killed, got, oldIDs, newIDs)
				}
				if err := writeDataset(dir, thirdIDs, false); err != nil {
					t.Fatalf("step %d: the run after the kill: %v", k, err)
				}
				if got := readDataset(t, dir); !slices.Equal(got, thirdIDs) {
					t.Fatalf("step %d: the run after the kill wrote %v", k, got)
				}
				checkClean(t, root)
				if !killed {
					t.Logf("%d steps: killed %d times leaving the previous dataset, %d the new one", k-1, sawOld, sawNew-1)
					break
				}
			}
			if sawOld == 0 || sawNew < 2 {
				t.Errorf("kills left the previous dataset %d times and the new one %d: the steps do not span the commit", sawOld, sawNew-1)
			}
		})
	}
}

func TestSecondWriterFailsAtOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ds, err := OpenDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenDataset(dir)
	want := fmt.Sprintf("dataset %s is being written by pid %d since %d-", dir, os.Getpid(), time.Now().UTC().Year())
	if !errors.Is(err, ErrLocked) || !strings.HasPrefix(fmt.Sprint(err), want) {
		t.Fatalf("second OpenDataset: %v; want %q…", err, want)
	}
	if _, err := Create(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Create while locked: %v", err)
	}
	if err := ds.Close(); err != nil {
		t.Fatal(err)
	}
	if err := writeDataset(dir, newIDs, false); err != nil {
		t.Fatalf("after the first writer closed: %v", err)
	}
}

func TestRefusesWhatIsNotADataset(t *testing.T) {
	root := t.TempDir()
	user := filepath.Join(root, "notes")
	os.Mkdir(user, 0o777)
	os.WriteFile(filepath.Join(user, "reports.parquet"), []byte("x"), 0o666)
	os.WriteFile(filepath.Join(user, "notes.txt"), []byte("mine"), 0o666)
	os.Mkdir(filepath.Join(root, "sub"), 0o777)
	os.Mkdir(filepath.Join(root, "sub", "raw"), 0o777)
	os.WriteFile(filepath.Join(root, "file"), []byte("x"), 0o666)
	os.Symlink("notes", filepath.Join(root, "link"))
	for name, why := range map[string]string{
		"notes": "it holds notes.txt", "sub": "it holds raw", "file": "it is a file", "link": "symbolic link",
	} {
		_, err := OpenDataset(filepath.Join(root, name))
		msg := fmt.Sprint(err)
		if !errors.Is(err, ErrNotDataset) || !strings.Contains(msg, why) ||
			!strings.HasPrefix(msg, filepath.Join(root, name)+" exists and is not a nianbao dataset") || !strings.HasSuffix(msg, "choose another -o") {
			t.Errorf("OpenDataset(%s) = %v", name, err)
		}
		if _, err := os.Lstat(filepath.Join(root, "."+name+".nianbao")); err == nil {
			t.Errorf("refusing %s left a store beside it", name)
		}
	}
	if b, err := os.ReadFile(filepath.Join(user, "notes.txt")); string(b) != "mine" || err != nil {
		t.Errorf("the user's file was touched: %q, %v", b, err)
	}
	for _, bad := range []string{".", "..", "/"} {
		if _, err := OpenDataset(bad); err == nil {
			t.Errorf("OpenDataset(%q) succeeded", bad)
		}
	}
}

func TestAdoptsAnOlderNianbaosDirectory(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	writeLegacy(t, dir, legacyFiles(t, oldIDs))
	ds, err := OpenDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(dir); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("%s is not a symlink after OpenDataset: %v", dir, err)
	}
	if got := readDataset(t, dir); !slices.Equal(got, oldIDs) {
		t.Fatalf("adopted dataset holds %v", got)
	}
	ds.Close()
	if err := writeDataset(dir, newIDs, true); err != nil {
		t.Fatal(err)
	}
	if got := readDataset(t, dir); !slices.Equal(got, newIDs) {
		t.Fatalf("dataset holds %v", got)
	}
	checkClean(t, root)
}

// TestAdoptsACopyOfASnapshot: a plain directory holding a copy of a
// snapshot (partition directories and all) is a dataset too, and its
// tables go with its snapshot, but for a file of the user's among them.
func TestAdoptsACopyOfASnapshot(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "src")
	if err := writeDataset(src, oldIDs, false); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "data")
	if out, err := exec.Command("cp", "-rL", src, dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	if got := readDataset(t, dir); !slices.Equal(got, oldIDs) {
		t.Fatalf("copy holds %v", got)
	}
	mine := filepath.Join(dir, CellsDir, "notes.txt")
	os.WriteFile(mine, []byte("mine"), 0o666)
	if _, err := OpenDataset(dir); !errors.Is(err, ErrNotDataset) || !strings.Contains(err.Error(), "holds cells/notes.txt") {
		t.Fatalf("OpenDataset of a copy with a file of the user's in cells/: %v", err)
	}
	os.Remove(mine)
	if err := writeDataset(dir, newIDs, true); err != nil {
		t.Fatal(err)
	}
	if got := readDataset(t, dir); !slices.Equal(got, newIDs) {
		t.Fatalf("dataset holds %v", got)
	}
	// The adopted copy is now the previous snapshot; a user's file saved in
	// its cells/ survives the next run's clean-up, the rest does not.
	var adopted string
	entries, _ := os.ReadDir(filepath.Join(root, ".data.nianbao"))
	for _, e := range entries {
		if target, _ := os.Readlink(dir); strings.HasPrefix(e.Name(), snapPrefix) && filepath.Base(target) != e.Name() {
			adopted = filepath.Join(root, ".data.nianbao", e.Name())
		}
	}
	if adopted == "" {
		t.Fatal("no previous snapshot")
	}
	mine = filepath.Join(adopted, CellsDir, "notes.txt")
	os.WriteFile(mine, []byte("mine"), 0o666)
	if err := writeDataset(dir, thirdIDs, false); err != nil {
		t.Fatal(err)
	}
	var left []string
	filepath.Walk(adopted, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			rel, _ := filepath.Rel(adopted, p)
			left = append(left, rel)
		}
		return nil
	})
	if !slices.Equal(left, []string{".", "cells", "cells/notes.txt"}) {
		t.Errorf("the removed snapshot left %v", left)
	}
}

// TestSnapshots checks that the snapshot a commit replaces stays for
// readers until the next run opens the dataset, that an uncommitted run
// leaves nothing, and that a file a user saved in a snapshot survives.
func TestSnapshots(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	if err := writeDataset(dir, oldIDs, true); err != nil {
		t.Fatal(err)
	}
	resolved, err := filepath.EvalSymlinks(dir) // a reader's view
	if err != nil {
		t.Fatal(err)
	}
	if err := writeDataset(dir, newIDs, true); err != nil {
		t.Fatal(err)
	}
	if got := readDataset(t, dir); !slices.Equal(got, newIDs) {
		t.Fatalf("dataset holds %v", got)
	}
	if _, err := os.Stat(filepath.Join(resolved, "reports.parquet")); err != nil {
		t.Fatalf("the snapshot a reader resolved is gone right after the commit: %v", err)
	}

	// A run that is not committed changes nothing and leaves nothing.
	ds, err := OpenDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(resolved); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the snapshot before the previous one was not removed: %v", err)
	}
	w, _ := ds.Create(Options{})
	w.Write(report("x", 2))
	w.WriteFile("summary.json", []byte("{}"))
	if err := ds.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readDataset(t, dir); !slices.Equal(got, newIDs) {
		t.Fatalf("an uncommitted run changed the dataset to %v", got)
	}
	checkClean(t, root)

	// A user's file in DIR is never deleted with its snapshot.
	mine := filepath.Join(dir, "analysis.ipynb")
	os.WriteFile(mine, []byte("mine"), 0o666)
	kept, _ := filepath.EvalSymlinks(mine)
	for range 2 {
		if err := writeDataset(dir, thirdIDs, false); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(kept); string(b) != "mine" || err != nil {
		t.Errorf("the user's file in an old snapshot: %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(kept)); len(entries) != 1 {
		t.Errorf("the old snapshot still holds %d files, want only the user's", len(entries))
	}
}

func TestWriteFileNames(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "data"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, bad := range []string{"", ".hidden", "a/b", "..", "reports.parquet", "dictionary.md", "dictionary.csv", "cells", "checks", "cells.parquet", "\xff.json"} {
		if err := w.WriteFile(bad, nil); err == nil {
			t.Errorf("WriteFile(%q) accepted", bad)
		}
	}
	if err := w.WriteFile("summary.json", nil); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile("summary.json", nil); err == nil {
		t.Error("WriteFile twice accepted")
	}
}

func TestInvalidUTF8Replaced(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	r := report("bad", 3)
	r.Source = "年报/\xb2\xe2\xca\xd4.html" // a GBK file name (测试)
	r.Title = "某县\xff年报"
	r.Warnings = append(r.Warnings, parse.Warning{Code: parse.CodePDFFont, Message: "font \xc0\xc1SimSun not understood"})
	r.Cells[1].Label = "规章\xfe"
	w, err := Create(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(r); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(report("good", 2)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Title != "某县\xff年报" || len(r.Warnings) != 2 {
		t.Error("Write changed the report it was given")
	}
	reports, err := parquet.ReadFile[ReportRow](filepath.Join(dir, "reports.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	cells, _ := readTable[CellRow](t, dir, CellsDir)
	checks, _ := readTable[CheckRow](t, dir, ChecksDir)
	allValid(t, reports)
	allValid(t, cells)
	allValid(t, checks)
	got := reports[0]
	if got.Source != "年报/\uFFFD.html" || *got.Title != "某县\uFFFD年报" || cells[1].Label != "规章\uFFFD" {
		t.Errorf("replaced strings: source %q, title %q, label %q", got.Source, *got.Title, cells[1].Label)
	}
	var codes []string
	for _, wn := range got.Warnings {
		if strings.HasPrefix(wn, string(CodeInvalidUTF8)+": ") {
			codes = append(codes, wn)
		}
	}
	want := []string{
		"output.invalid_utf8: invalid UTF-8 replaced in source (document)",
		"output.invalid_utf8: invalid UTF-8 replaced in title (document)",
		"output.invalid_utf8: invalid UTF-8 replaced in warnings (document)",
		"output.invalid_utf8: invalid UTF-8 replaced in cells.label (document)",
	}
	if !slices.Equal(codes, want) {
		t.Errorf("warnings of the report:\n%s\nwant\n%s", strings.Join(codes, "\n"), strings.Join(want, "\n"))
	}
	if len(reports[1].Warnings) != 1 {
		t.Errorf("a valid report got warnings %v", reports[1].Warnings)
	}
}

func TestDocumentsInvalidUTF8Replaced(t *testing.T) {
	dir := t.TempDir()
	rows := []DocumentRow{
		{URL: "https://example.gov.cn/a.htm", Title: "ok", Status: "fetched"},
		{URL: "https://\xe4\xb8.gov.cn/b.htm", Title: "年报\xff", Status: "failed", Error: "dial tcp: lookup \xe4\xb8.gov.cn"},
		{URL: "https://example.gov.cn/c.pdf", Agency: "\xc4\xea", Status: "fetched"},
	}
	if err := WriteDocuments(dir, rows, Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.ReadFile[DocumentRow](filepath.Join(dir, DocumentsFile))
	if err != nil {
		t.Fatal(err)
	}
	allValid(t, got)
	if got[0].Error != "" || got[1].Error != "dial tcp: lookup \uFFFD.gov.cn; invalid UTF-8 replaced in url, title, error" ||
		got[2].Error != "invalid UTF-8 replaced in agency" {
		t.Errorf("errors: %q", []string{got[0].Error, got[1].Error, got[2].Error})
	}
	if rows[1].Title != "年报\xff" {
		t.Error("WriteDocuments changed the rows it was given")
	}
}

// allValid fails the test if a string field of a row is not UTF-8.
func allValid[T any](t *testing.T, rows []T) {
	t.Helper()
	for i, r := range rows {
		s := fmt.Sprintf("%+v", r)
		if !utf8.ValidString(s) {
			t.Errorf("row %d has invalid UTF-8: %q", i, s)
		}
	}
}

func TestWriteDocumentsLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".documents-123.parquet") // a killed run's
	os.WriteFile(stale, nil, 0o666)
	os.WriteFile(filepath.Join(dir, ".documents.parquet.tmp-1-a"), nil, 0o666)
	if err := WriteDocuments(dir, []DocumentRow{{URL: "u"}}, Options{}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != DocumentsFile {
		t.Errorf("dir holds %v, want only %s", entries, DocumentsFile)
	}
	// A directory that cannot be written: an error, and nothing left.
	ro := filepath.Join(dir, "gone")
	if err := WriteDocuments(ro, []DocumentRow{{URL: "u"}}, Options{}); err == nil {
		t.Error("WriteDocuments into a missing directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a failed WriteDocuments left %v", entries)
	}
}

// TestFileModes checks that every file and directory a dataset, a
// documents file and WriteFileAtomic create has the mode the umask gives,
// never os.CreateTemp's 0600.
func TestFileModes(t *testing.T) {
	for _, tc := range []struct{ umask, file, dir fs.FileMode }{{0o022, 0o644, 0o755}, {0o027, 0o640, 0o750}} {
		t.Run(fmt.Sprintf("umask %03o", tc.umask), func(t *testing.T) {
			old := syscall.Umask(int(tc.umask))
			defer syscall.Umask(old)
			root := t.TempDir()
			dir := filepath.Join(root, "out", "data") // out is created too
			if err := writeDataset(dir, newIDs, true); err != nil {
				t.Fatal(err)
			}
			if err := WriteDocuments(root, []DocumentRow{{URL: "u"}}, Options{}); err != nil {
				t.Fatal(err)
			}
			if err := WriteFileAtomic(filepath.Join(root, "x.md"), []byte("x")); err != nil {
				t.Fatal(err)
			}
			n := 0
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || p == root || d.Type()&fs.ModeSymlink != 0 {
					return err
				}
				fi, _ := d.Info()
				want := tc.file
				if d.IsDir() {
					want = tc.dir
				}
				if fi.Mode().Perm() != want {
					t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
				}
				n++
				return nil
			})
			if n < 11 { // out, store, lock, snapshot, its 5 files, documents, x.md
				t.Errorf("checked only %d files", n)
			}
		})
	}
}
