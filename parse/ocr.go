package parse

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opengov-cn/nianbao/parse/pdflayout"
)

// OCR reads scanned pages (image-only PDFs) with the Tesseract engine,
// when it is installed: the program OCRCommand with the language model
// ocrLanguage. It is looked for at run time; without it a scan gets
// StatusNeedsOCR and a warning naming the packages to install.
var OCRCommand = "tesseract"

const (
	ocrLanguage = "chi_sim"
	// ocrPackages are the Debian packages that provide the engine and
	// its model of simplified Chinese.
	ocrPackages = "tesseract-ocr tesseract-ocr-chi-sim"
	// maxOCROutput bounds the TSV one page's OCR may write: a dense page
	// holds a few thousand words of some 60 bytes each.
	maxOCROutput = 8 << 20
	// minOCRConfidence: a number OCR is less sure of than this (0–1) is
	// not recorded. Tesseract gives the digits of a clean 200 dpi scan
	// 0.75–0.95 and its misreadings mostly under 0.6.
	minOCRConfidence = 0.6
)

// OCRPageTimeLimit bounds the time the engine may spend on one page; it
// is killed past it and the page is not read.
var OCRPageTimeLimit = 30 * time.Second

// ocrEngine is an OCR program found on the machine.
type ocrEngine struct {
	path string
}

var engines sync.Map // OCRCommand → ocrLookup

type ocrLookup struct {
	e   *ocrEngine
	err error
}

// findOCR returns the OCR engine, looked for once per command name: the
// program on PATH with its Chinese model installed.
func findOCR(ctx context.Context) (*ocrEngine, error) {
	cmd := OCRCommand
	if l, ok := engines.Load(cmd); ok {
		return l.(ocrLookup).e, l.(ocrLookup).err
	}
	e, err := lookOCR(ctx, cmd)
	if ctx.Err() == nil {
		engines.Store(cmd, ocrLookup{e, err})
	}
	return e, err
}

func lookOCR(ctx context.Context, cmd string) (*ocrEngine, error) {
	path, err := exec.LookPath(cmd)
	if err != nil {
		return nil, fmt.Errorf("no OCR engine: %s not found (install the packages %s)", cmd, ocrPackages)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--list-langs").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("OCR engine %s does not run (%v); install the packages %s", path, err, ocrPackages)
	}
	for _, l := range strings.Fields(string(out)) {
		if l == ocrLanguage {
			return &ocrEngine{path: path}, nil
		}
	}
	return nil, fmt.Errorf("OCR engine %s lacks the %s model (install the package tesseract-ocr-chi-sim)", path, ocrLanguage)
}

// ocrWord is a word the engine read, with its box on the page in points
// and its confidence, 0 to 1.
type ocrWord struct {
	text string
	box  pdflayout.Rect
	conf float64
}

// ocrPass is how the engine is asked to read: the model, the page
// segmentation mode, and the characters it may read (all when empty).
type ocrPass struct {
	lang      string
	psm       int
	whitelist string
}

var (
	// pagePass reads a whole page as one block of text.
	pagePass = ocrPass{lang: ocrLanguage, psm: 6}
	// digitPass reads the value cells of a table one by one, each as a
	// line that holds only a number: the engine's English model, kept to
	// digits, misreads far fewer of them than the Chinese one.
	digitPass = ocrPass{lang: "eng", psm: 7, whitelist: "0123456789.,-"}
	// labelPass reads the label cells of a table one by one.
	labelPass = ocrPass{lang: ocrLanguage, psm: 6}
)

// recognize runs the engine on PNG images of dpi dots per inch, in a
// temporary directory, and returns the words of each image in its pixel
// coordinates. Several images go to one run of the engine, which loads
// its model once.
func (e *ocrEngine) recognize(ctx context.Context, imgs [][]byte, dpi int, pass ocrPass) ([][]ocrWord, error) {
	dir, err := os.MkdirTemp("", "nianbao-ocr-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var list strings.Builder
	for i, img := range imgs {
		name := filepath.Join(dir, fmt.Sprintf("img%d.png", i))
		if err := os.WriteFile(name, img, 0o600); err != nil {
			return nil, err
		}
		list.WriteString(name + "\n")
	}
	in := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(in, []byte(list.String()), 0o600); err != nil {
		return nil, err
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, OCRPageTimeLimit)
	defer cancel()
	args := []string{in, "stdout", "-l", pass.lang, "--psm", strconv.Itoa(pass.psm), "--dpi", strconv.Itoa(dpi)}
	if pass.whitelist != "" {
		args = append(args, "-c", "tessedit_char_whitelist="+pass.whitelist)
	}
	cmd := exec.CommandContext(ctx, e.path, append(args, "tsv")...)
	cmd.Dir = dir
	// one thread: the document runs in a worker beside others, each on a core
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var out limitedBuffer
	out.max = maxOCROutput
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if parent.Err() != nil {
			return nil, fmt.Errorf("OCR stopped short of the document's time limit: %w", parent.Err())
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("OCR stopped after %v: %w", OCRPageTimeLimit, ctx.Err())
		}
		return nil, fmt.Errorf("OCR engine: %v: %s", err, strings.TrimSpace(lastLine(stderr.String())))
	}
	if out.over {
		return nil, fmt.Errorf("OCR output longer than the cap of %d bytes", maxOCROutput)
	}
	return parseTSV(out.Bytes(), len(imgs)), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.over = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// parseTSV reads Tesseract's TSV output: the rows of level 5 are words,
// with their box in pixels and a confidence of 0–100. Fields are split
// at tabs alone: a word may be a quotation mark.
func parseTSV(data []byte, images int) [][]ocrWord {
	out := make([][]ocrWord, images)
	for _, line := range strings.Split(string(data), "\n") {
		rec := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(rec) < 12 || rec[0] != "5" {
			continue
		}
		text := strings.TrimSpace(strings.ToValidUTF8(rec[11], ""))
		if text == "" {
			continue
		}
		var n [5]float64
		ok := true
		for i := range n {
			v, err := strconv.ParseFloat(rec[6+i], 64)
			ok = ok && err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
			n[i] = v
		}
		page, err := strconv.Atoi(rec[1])
		if !ok || n[2] <= 0 || n[3] <= 0 || err != nil || page < 1 || page > images {
			continue
		}
		out[page-1] = append(out[page-1], ocrWord{text: text, box: pdflayout.Rect{X0: n[0], Y0: n[1], X1: n[0] + n[2], Y1: n[1] + n[3]},
			conf: min(max(n[4]/100, 0), 1)})
	}
	return out
}
