package parse_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// TestScanFixtures reads the scans of testdata/scan (made by
// testdata/scangen/make.sh) and the shared corpus's scan by OCR and holds
// them to the rule OCR must keep: never a wrong number. Every cell is
// right, or left NULL with an ocr.unsure warning at its place; no number
// lands under a key the report does not print. Rows whose label OCR
// misread are missing, which the log tells.
func TestScanFixtures(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of whole scans takes seconds a page")
	}
	if _, err := exec.LookPath(parse.OCRCommand); err != nil {
		t.Skip("no OCR engine: ", err)
	}
	dirs, _ := filepath.Glob("../testdata/scan/*")
	dirs = append(dirs, "../../shared/formats/huaian-hongze-2023-scan")
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want, err := normalize.LoadExpected(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Skip(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, want.File))
			if err != nil {
				t.Fatal(err)
			}
			r := normalize.Process(context.Background(), normalize.Source{Path: dir}, data)
			s := normalize.Compare(r, want)
			unsure := map[[5]float64]bool{}
			for _, w := range r.Warnings {
				if w.Code == parse.CodeOCRUnsure {
					b := w.Loc.BBox
					unsure[[5]float64{float64(w.Loc.Page), b[0], b[1], b[2], b[3]}] = true
				}
			}
			cells := map[string]normalize.Cell{}
			for _, c := range r.Cells {
				cells[c.Key()] = c
			}
			for _, m := range s.Wrong {
				c := cells[m.Key]
				b := c.Loc.BBox
				switch {
				case m.Got != nil:
					t.Errorf("%s: a wrong number, %v for %v", m.Key, *m.Got, ptr(m.Expected))
				case c.Origin != parse.OriginOCR || !unsure[[5]float64{float64(c.Loc.Page), b[0], b[1], b[2], b[3]}]:
					t.Errorf("%s: NULL for %v without an %s warning at its place", m.Key, ptr(m.Expected), parse.CodeOCRUnsure)
				}
			}
			for _, m := range s.Extra {
				if m.Got != nil {
					t.Errorf("%s: a number, %v (printed %q), under a key the report does not print", m.Key, *m.Got, m.Raw)
				}
			}
			t.Logf("%d right, %d NULL with a warning, %d missing (accuracy %.2f%%)", s.Right, len(s.Wrong), len(s.Missing), 100*s.Accuracy())
		})
	}
}

func ptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestTightPassSettlesDoubt weighs the tight pass on a scan fixture: read
// without it, the cells its page and digit passes disagree on are left
// NULL; with it, more cells are right, fewer NULL, and still no number
// is wrong (a cell all passes disagree on stays NULL: TestJudgeValue).
func TestTightPassSettlesDoubt(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of whole scans takes seconds a page")
	}
	if _, err := exec.LookPath(parse.OCRCommand); err != nil {
		t.Skip("no OCR engine: ", err)
	}
	dir := "../testdata/scan/gopdf-2021-ruled-scan"
	want, err := normalize.LoadExpected(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, want.File))
	if err != nil {
		t.Fatal(err)
	}
	score := func(on bool) normalize.Score {
		defer parse.SetTightPass(on)()
		s := normalize.Compare(normalize.Process(context.Background(), normalize.Source{Path: dir}, data), want)
		for _, m := range s.Wrong {
			if m.Got != nil {
				t.Errorf("tight pass %v: %s: a wrong number, %v for %v", on, m.Key, *m.Got, ptr(m.Expected))
			}
		}
		return s
	}
	without, with := score(false), score(true)
	t.Logf("without the tight pass %d right, %d NULL; with it %d right, %d NULL", without.Right, len(without.Wrong), with.Right, len(with.Wrong))
	if len(without.Wrong) == 0 {
		t.Fatal("no cell left in doubt without the tight pass: the fixture no longer weighs it")
	}
	if with.Right <= without.Right || len(with.Wrong) >= len(without.Wrong) {
		t.Errorf("the tight pass settled nothing: %d right, %d NULL without it; %d, %d with it", without.Right, len(without.Wrong), with.Right, len(with.Wrong))
	}
}
