package parse

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/opengov-cn/nianbao/parse/pdflayout"
)

const scanPath = "../../shared/formats/huaian-hongze-2023-scan/report.pdf"

func TestJudgeValue(t *testing.T) {
	page := func(text string, conf float64) reading { return reading{"page", text, conf} }
	digit := func(text string, conf float64) reading { return reading{"digit", text, conf} }
	tight := func(text string, conf float64) reading { return reading{"tight", text, conf} }
	ink := func(rs ...reading) valueRead { return valueRead{reads: rs, ink: true} }
	tests := []struct {
		name   string
		v      valueRead
		text   string
		unsure bool
	}{
		{"no ink: blank", valueRead{reads: []reading{page("", 1)}}, "", false},
		{"both read it", ink(page("21", 0.9), digit("21", 0.95)), "21", false},
		{"both read it, one sure", ink(page("1", 0.8), digit("1", 0.5)), "1", false},
		{"both read it, neither sure", ink(page("1", 0.5), digit("1", 0.55)), "", true},
		{"readings differ", ink(page("14", 0.9), digit("4", 0.96)), "", true},
		{"readings differ, the tight pass sides with one", ink(page("14", 0.9), digit("4", 0.96), tight("4", 0.9)), "4", false},
		{"readings differ, the tight pass with neither", ink(page("14", 0.9), digit("4", 0.96), tight("11", 0.9)), "", true},
		{"readings differ, the tight pass reads no number", ink(page("8", 0.9), digit("3", 0.96), tight("", 0)), "", true},
		{"both unsure, the tight pass agrees", ink(page("1", 0.5), digit("1", 0.56), tight("1", 0.8)), "1", false},
		{"three agree, none sure", ink(page("1", 0.5), digit("1", 0.56), tight("1", 0.4)), "", true},
		{"digit pass alone, sure", ink(page("吕", 0), digit("3", 0.97)), "3", false},
		{"digit pass alone, unsure", ink(page("", 0), digit("3", 0.7)), "", true},
		{"digit pass alone, unsure, the tight pass agrees", ink(page("", 0), digit("3", 0.7), tight("3", 0.7)), "3", false},
		{"not a number", ink(page("1O", 0.9), digit("1O", 0.9)), "", true},
		{"a speck after the digits", ink(page("0", 0.9), digit("13", 0.9), tight("13,", 0.8)), "13", false},
		{"a speck after the digits, alone", ink(page("1O", 0.9), digit("10.", 0.9)), "10", false},
		{"ink, nothing read", ink(page("", 0), digit("", 0)), "", true},
		{"page pass alone, sure", ink(page("5", 0.9), digit("", 0)), "5", false},
		{"page pass alone, unsure", ink(page("5", 0.7), digit("", 0)), "", true},
		{"page pass alone, unsure, the tight pass agrees", ink(page("5", 0.7), digit("", 0), tight("5", 0.9)), "5", false},
		{"blank mark", ink(page("—", 0.9), digit("-", 0.9)), "—", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, conf, why := judgeValue(tt.v)
			if text != tt.text || (why != "") != tt.unsure {
				t.Errorf("judgeValue = %q, %.2f, %q; want %q, unsure %v", text, conf, why, tt.text, tt.unsure)
			}
			if conf < 0 || conf > 1 {
				t.Errorf("confidence %v outside 0–1", conf)
			}
		})
	}
}

func TestFixBrackets(t *testing.T) {
	tests := []struct{ in, want string }{
		{"（二）部分公开《区分处理的）", "（二）部分公开（区分处理的）"},
		{"落实《条例》要求", "落实《条例》要求"},
		{"第二十条第（八》项", "第二十条第（八）项"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := fixBrackets(tt.in); got != tt.want {
			t.Errorf("fixBrackets(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTSV(t *testing.T) {
	tsv := "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"4\t1\t1\t1\t1\t0\t10\t10\t100\t20\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t10\t10\t30\t20\t91.5\t\"本年\n" +
		"5\t1\t1\t1\t1\t2\t50\t10\t30\t20\t80\t21\n" +
		"5\t2\t1\t1\t1\t1\t5\t5\t10\t10\t150\t0\n" +
		"5\t3\t1\t1\t1\t1\t5\t5\t10\t10\t50\tx\n" + // no third image
		"5\t1\t1\t1\t1\t3\t5\t5\t0\t10\t50\tzero width\n" +
		"5\t1\t1\t1\t1\t4\tNaN\t5\t10\t10\t50\tnan\n" +
		"garbage\n"
	got := parseTSV([]byte(tsv), 2)
	if len(got) != 2 || len(got[0]) != 2 || len(got[1]) != 1 {
		t.Fatalf("parseTSV = %+v, want 2 words on image 1 and 1 on image 2", got)
	}
	if w := got[0][0]; w.text != "\"本年" || w.conf != 0.915 || w.box != (pdflayout.Rect{X0: 10, Y0: 10, X1: 40, Y1: 30}) {
		t.Errorf("first word %+v", w)
	}
	if c := got[1][0].conf; c != 1 {
		t.Errorf("confidence %v, want it capped at 1", c)
	}
}

// gridImage draws a ruled table of rows×cols cells, each w×h pixels, on
// white paper, turned by deg degrees.
func gridImage(rows, cols, w, h int, deg float64) *grayImage {
	W, H := cols*w+100, rows*h+100
	g := &grayImage{w: W, h: H, pix: []byte(strings.Repeat("\xff", W*H))}
	t := math.Tan(deg * math.Pi / 180)
	put := func(x, y int) {
		// turn about the centre: y drifts by x·tan
		yy := y + int(math.Round(float64(x-W/2)*t))
		if x >= 0 && x < W && yy >= 0 && yy < H {
			g.pix[yy*W+x] = 0
		}
	}
	for r := 0; r <= rows; r++ {
		for x := 50; x <= 50+cols*w; x++ {
			for k := 0; k < 2; k++ {
				put(x, 50+r*h+k)
			}
		}
	}
	for c := 0; c <= cols; c++ {
		for y := 50; y <= 50+rows*h; y++ {
			for k := 0; k < 2; k++ {
				put(50+c*w+k, y)
			}
		}
	}
	return g
}

func TestSkewAndRulings(t *testing.T) {
	for _, deg := range []float64{0, 0.3, -0.5} {
		g := gridImage(6, 5, 120, 50, deg)
		got, err := skew(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		// the image turned by deg measures as -deg: ink along y + x·tan = c
		// within the resolution the 2-pixel bins give on a page this wide
		if math.Abs(got+deg) > 0.1 {
			t.Errorf("skew of a grid turned %.2f° = %.2f°", deg, got)
		}
		h, v := g.rotate(got).rulings(100, 40, 6)
		// a line left a little stepped comes as collinear pieces, which
		// the layout joins: count the lines
		if nh, nv := lines(h, true), lines(v, false); nh != 7 || nv != 6 {
			t.Errorf("turned %.2f°: %d horizontal and %d vertical lines, want 7 and 6", deg, nh, nv)
		}
	}
}

// lines counts the distinct positions of rulings, 3 pixels apart or more.
func lines(rs []pdflayout.Rule, horizontal bool) int {
	var pos []float64
	for _, r := range rs {
		p := r.X0
		if horizontal {
			p = r.Y0
		}
		seen := false
		for _, q := range pos {
			seen = seen || math.Abs(p-q) < 3
		}
		if !seen {
			pos = append(pos, p)
		}
	}
	return len(pos)
}

func TestRulingsIgnoreStrokes(t *testing.T) {
	// a long thin bar that meets nothing across it is not a ruling
	g := &grayImage{w: 400, h: 100, pix: []byte(strings.Repeat("\xff", 400*100))}
	for x := 10; x < 390; x++ {
		g.pix[50*400+x] = 0
	}
	if h, v := g.rulings(100, 40, 6); len(h)+len(v) != 0 {
		t.Errorf("lone bar: %d, %d rulings, want none", len(h), len(v))
	}
}

func TestScanWithoutEngine(t *testing.T) {
	data := readOrSkip(t, scanPath)
	defer func(c string) { OCRCommand = c }(OCRCommand)
	OCRCommand = "nianbao-test-no-such-ocr-engine"
	doc, err := ParsePDF(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != StatusNeedsOCR {
		t.Fatalf("status %q, want %q", doc.Status, StatusNeedsOCR)
	}
	for _, w := range doc.Warnings {
		if w.Code == CodePDFNeedsOCR && strings.Contains(w.Message, "tesseract-ocr-chi-sim") {
			return
		}
	}
	t.Errorf("no %s warning naming the packages to install: %v", CodePDFNeedsOCR, doc.Warnings)
}

// ocrOrSkip skips a test when the OCR engine is not installed.
func ocrOrSkip(t testing.TB) {
	t.Helper()
	if _, err := findOCR(context.Background()); err != nil {
		t.Skip(err)
	}
}

func TestScanByOCR(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of whole scans takes seconds a page")
	}
	data := readOrSkip(t, scanPath)
	ocrOrSkip(t)
	doc, err := ParsePDF(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != StatusOK {
		t.Fatalf("status %q: %v", doc.Status, doc.Warnings)
	}
	read, tables := 0, 0
	for _, w := range doc.Warnings {
		if w.Code == CodeOCRRead {
			read++
		}
	}
	if read != doc.Pages() {
		t.Errorf("%d pages read by OCR, want %d", read, doc.Pages())
	}
	for _, b := range doc.Blocks {
		if b.Table == nil {
			continue
		}
		tables++
		for _, r := range b.Table.Rows {
			for _, c := range r.Cells {
				if c.Origin != OriginOCR || c.Confidence < 0 || c.Confidence > 1 {
					t.Fatalf("cell %q: origin %q, confidence %v", c.Text, c.Origin, c.Confidence)
				}
			}
		}
	}
	if tables == 0 {
		t.Error("no tables read")
	}
}

func TestDecodeGrayCapsSize(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	// the frame header (SOF0) claims 60000×60000 pixels
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(data[i+5:], 60000)
	binary.BigEndian.PutUint16(data[i+7:], 60000)
	allocs := testing.AllocsPerRun(1, func() {
		if _, err := decodeGray(data); err == nil || !strings.Contains(err.Error(), "cap") {
			t.Errorf("decodeGray of a 60000×60000 JPEG: %v, want the cap", err)
		}
	})
	if allocs > 100 {
		t.Errorf("%v allocations: the image was decoded", allocs)
	}
}

func TestTightCrop(t *testing.T) {
	g := &grayImage{w: 60, h: 40, pix: bytes.Repeat([]byte{255}, 60*40)}
	// a stroke 3×12 at (20, 10), grey as a hairline (below tightLevel,
	// above inkLevel) at its top; a speck of 2 pixels at (50, 30)
	for y := 10; y < 22; y++ {
		for x := 20; x < 23; x++ {
			g.pix[y*g.w+x] = 0
		}
	}
	g.pix[9*g.w+21] = 180
	g.pix[30*g.w+50], g.pix[30*g.w+51] = 0, 0
	c, ok := g.tightCrop(0, 0, g.w, g.h)
	if !ok {
		t.Fatal("tightCrop found no ink")
	}
	// the stroke and its hairline (rows 9–21, columns 20–22) with a pixel
	// round it, scaled, framed; the speck left out
	if w, h := (3+2)*tightScale+2*tightPad, (13+2)*tightScale+2*tightPad; c.w != w || c.h != h {
		t.Errorf("crop %d×%d, want %d×%d (the stroke alone, scaled %d×)", c.w, c.h, w, h, tightScale)
	}
	for _, v := range c.pix {
		if v != 0 && v != 255 {
			t.Fatalf("crop pixel %d: not binarized", v)
		}
	}
	if n := c.ink(0, 0, c.w, c.h); n < 3*13*tightScale*tightScale/2 {
		t.Errorf("%d ink pixels in the crop, want about %d", n, 3*13*tightScale*tightScale)
	}
	if _, ok := g.tightCrop(40, 25, 60, 40); ok {
		t.Error("a box holding a speck alone has ink")
	}
	if _, ok := g.tightCrop(70, 0, 80, 10); ok {
		t.Error("a box outside the image has ink")
	}
}

func TestPageList(t *testing.T) {
	tests := []struct {
		in   []int
		want string
	}{
		{[]int{3}, "page 3"},
		{[]int{2, 3, 4}, "pages 2–4"},
		{[]int{2, 3, 4, 7, 9, 10}, "pages 2–4, 7, 9–10"},
		{[]int{5, 8}, "pages 5, 8"},
	}
	for _, tt := range tests {
		if got := pageList(tt.in); got != tt.want {
			t.Errorf("pageList(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fakeClock makes ocrClock advance step on each reading, from now.
func fakeClock(t *testing.T, step time.Duration) {
	t.Helper()
	now := time.Now()
	was := ocrClock
	ocrClock = func() time.Time {
		now = now.Add(step)
		return now
	}
	t.Cleanup(func() { ocrClock = was })
}

func TestOCRBudget(t *testing.T) {
	fakeClock(t, 10*time.Second)
	b := &ocrBudget{deadline: ocrClock().Add(35 * time.Second), limited: true}
	// before any page, a page is reckoned at ocrPageCost: 25 s left cover it
	if !b.allows() {
		t.Fatal("the first page not allowed with 25 s left")
	}
	b.begin()
	b.end() // the page took 10 s; 5 s are left at the next look
	if got := b.perPage(); got != 10*time.Second {
		t.Errorf("perPage = %v after a page of 10 s", got)
	}
	if b.allows() {
		t.Error("a page of 10 s allowed with 5 s left")
	}
	if !(&ocrBudget{}).allows() {
		t.Error("no deadline: a page not allowed")
	}
}

// TestScanOverBudget reads a scan whose time allows one page by OCR (the
// clock is faked: each look at it takes 15 s): the page is kept, and a
// warning names the pages not read, rather than the document failing
// at its time limit with nothing.
func TestScanOverBudget(t *testing.T) {
	data := readOrSkip(t, scanPath)
	ocrOrSkip(t)
	fakeClock(t, 15*time.Second)
	doc, err := ParsePDF(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != StatusOK || len(doc.Blocks) == 0 {
		t.Fatalf("status %q, %d blocks: %v", doc.Status, len(doc.Blocks), doc.Warnings)
	}
	var read []int
	named := ""
	for _, w := range doc.Warnings {
		switch {
		case w.Code == CodeOCRRead:
			read = append(read, w.Loc.Page)
		case w.Code == CodeOCRFailed && strings.Contains(w.Message, "time left"):
			named = w.Message
		}
	}
	if len(read) != 1 || read[0] != 1 {
		t.Errorf("pages read by OCR %v, want page 1 alone", read)
	}
	d, err := pdflayout.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("pages 2–%d not read by OCR", d.NumPages()); !strings.HasPrefix(named, want) {
		t.Errorf("warning %q, want one beginning %q", named, want)
	}
	for _, b := range doc.Blocks {
		if b.Loc.Page > 1 {
			t.Errorf("a block of page %d, which was not read", b.Loc.Page)
			break
		}
	}
}

const mixedPath = "../testdata/scan/gopdf-2021-ruled-mixed/report.pdf"

// TestMixedScan reads a PDF whose page 2 is a scan among pages of text
// (made by testdata/scangen/make.sh): the scanned page is read by OCR in
// its place, its cells have origin ocr, the others' none.
func TestMixedScan(t *testing.T) {
	data := readOrSkip(t, mixedPath)
	ocrOrSkip(t)
	doc, err := ParsePDF(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != StatusOK {
		t.Fatalf("status %q: %v", doc.Status, doc.Warnings)
	}
	for _, w := range doc.Warnings {
		switch {
		case w.Code == CodeOCRRead && w.Loc.Page != 2:
			t.Errorf("page %d, of text, read by OCR", w.Loc.Page)
		case w.Code == CodePDFImagePage || w.Code == CodePDFNeedsOCR:
			t.Errorf("warning %s on page %d: the scanned page was not read", w.Code, w.Loc.Page)
		}
	}
	cells := map[int]int{}
	for _, b := range doc.Blocks {
		if b.Table == nil {
			continue
		}
		for _, r := range b.Table.Rows {
			for _, c := range r.Cells {
				if want := c.Loc.Page == 2; (c.Origin == OriginOCR) != want {
					t.Fatalf("cell %q of page %d: origin %q", c.Text, c.Loc.Page, c.Origin)
				}
				cells[c.Loc.Page]++
			}
		}
	}
	if cells[1] == 0 || cells[2] == 0 {
		t.Errorf("table cells by page %v: want cells on the text page 1 and the scanned page 2", cells)
	}
}

// TestMixedScanWithoutEngine: without an OCR engine the pages of text
// are read as ever, and the scanned page is marked as one for OCR.
func TestMixedScanWithoutEngine(t *testing.T) {
	data := readOrSkip(t, mixedPath)
	defer func(c string) { OCRCommand = c }(OCRCommand)
	OCRCommand = "nianbao-test-no-such-ocr-engine"
	doc, err := ParsePDF(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != StatusOK || len(doc.Blocks) == 0 {
		t.Fatalf("status %q, %d blocks", doc.Status, len(doc.Blocks))
	}
	marked := false
	for _, w := range doc.Warnings {
		marked = marked || w.Code == CodePDFNeedsOCR && w.Loc.Page == 2 && strings.Contains(w.Message, "tesseract-ocr-chi-sim")
		if w.Code == CodeOCRRead {
			t.Errorf("page %d read by OCR without an engine", w.Loc.Page)
		}
	}
	if !marked {
		t.Errorf("no %s warning on page 2 naming the packages: %v", CodePDFNeedsOCR, doc.Warnings)
	}
}

// TestMixedScanPageOverruns: the OCR of a scanned page that would
// overrun the document's time stops short of it (the budget is fooled
// by a clock that runs back), so the page alone is lost (all or part of
// it), with a warning, and the pages of text are kept, rather than the
// document failing at its limit.
func TestMixedScanPageOverruns(t *testing.T) {
	data := readOrSkip(t, mixedPath)
	ocrOrSkip(t)
	fakeClock(t, -time.Hour)
	// the page's OCR has 1 s, short of the 3 s or more a page takes
	ctx, cancel := context.WithTimeout(context.Background(), ocrReserve+time.Second)
	defer cancel()
	doc, err := ParsePDF(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Status != StatusOK || len(doc.Blocks) == 0 {
		t.Fatalf("status %q, %d blocks: %v", doc.Status, len(doc.Blocks), doc.Warnings)
	}
	failed := false
	for _, w := range doc.Warnings {
		failed = failed || w.Code == CodeOCRFailed && w.Loc.Page == 2
	}
	if !failed {
		t.Errorf("no %s warning on page 2: %v", CodeOCRFailed, doc.Warnings)
	}
}

// TestLabelMissedByPagePass: a label cell the page pass reads nothing in
// (the shared scan's "（四）无法提供", alone in a tall cell) is no value
// cell left blank with a warning, but the label the label pass reads.
func TestLabelMissedByPagePass(t *testing.T) {
	if testing.Short() {
		t.Skip("OCR of whole scans takes seconds a page")
	}
	data := readOrSkip(t, scanPath)
	ocrOrSkip(t)
	doc, err := ParsePDF(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range doc.Blocks {
		if b.Table == nil {
			continue
		}
		for _, r := range b.Table.Rows {
			for _, c := range r.Cells {
				found = found || strings.Contains(c.Text, "无法提供")
			}
		}
	}
	if !found {
		t.Error("the label （四）无法提供 not read")
	}
	for _, w := range doc.Warnings {
		if w.Code == CodeOCRUnsure && w.Loc.Page == 3 && w.Loc.BBox[0] < 200 {
			t.Errorf("a cell of the labels' column left blank: %s", w.Message)
		}
	}
}
