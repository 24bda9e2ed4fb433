// Command ofdgen makes the OFD fixtures under testdata/ofd: it converts
// PDF fixtures of testdata/pdf to OFD (GB/T 33190) the way a PDF-to-OFD
// converter does, page by page, every glyph kept where the PDF draws it
// and every ruling kept as a path, so the report's cells are those of the
// PDF fixture and its expected.json holds for the OFD too.
//
// The OFD it writes uses what real ones do: text runs as TextObjects
// with a Boundary, a Size and TextCodes whose DeltaX uses the "g" repeat
// syntax; fonts in PublicRes; rulings as PathObjects with
// AbbreviatedData; every other object drawn through a CTM that scales
// its own coordinates.
//
// Run from the repository root:
//
//	go run ./testdata/ofdgen
package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/opengov-cn/nianbao/parse/pdflayout"
)

// fixtures are the PDF fixtures converted, one of each template.
var fixtures = []string{"gopdf-2021-ruled", "gopdf-2019-unruled"}

const ptToMM = 25.4 / 72

func main() {
	in := flag.String("in", "testdata/pdf", "directory of the PDF fixtures")
	out := flag.String("out", "testdata/ofd", "directory the OFD fixtures are written to")
	flag.Parse()
	for _, name := range fixtures {
		if err := convert(filepath.Join(*in, name), filepath.Join(*out, name+"-ofd")); err != nil {
			log.Fatalf("%s: %v", name, err)
		}
	}
}

func convert(src, dst string) error {
	data, err := os.ReadFile(filepath.Join(src, "report.pdf"))
	if err != nil {
		return err
	}
	ctx := context.Background()
	d, err := pdflayout.Open(ctx, data)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dst, "report.ofd"))
	if err != nil {
		return err
	}
	z := zip.NewWriter(f)
	var pages []*pdflayout.Page
	for n := 1; n <= d.NumPages(); n++ {
		p, err := d.Page(ctx, n)
		if err != nil {
			return err
		}
		pages = append(pages, p)
	}
	put := func(name, body string) error {
		w, err := z.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + body))
		return err
	}
	ns := `xmlns:ofd="http://www.ofdspec.org/2016"`
	steps := []struct{ name, body string }{
		{"OFD.xml", `<ofd:OFD ` + ns + ` Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>nianbao-fixture</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`},
		{"Doc_0/Document.xml", document(ns, pages)},
		{"Doc_0/PublicRes.xml", `<ofd:Res ` + ns + ` BaseLoc="Res"><ofd:Fonts><ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>`},
	}
	for i, p := range pages {
		steps = append(steps, struct{ name, body string }{fmt.Sprintf("Doc_0/Pages/Page_%d/Content.xml", i), content(ns, p)})
	}
	for _, s := range steps {
		if err := put(s.name, s.body); err != nil {
			return err
		}
	}
	if err := z.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return expected(src, dst)
}

func document(ns string, pages []*pdflayout.Page) string {
	var b strings.Builder
	p := pages[0]
	fmt.Fprintf(&b, `<ofd:Document %s><ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 %s %s</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>`,
		ns, mm(p.Width), mm(p.Height))
	for i := range pages {
		fmt.Fprintf(&b, `<ofd:Page ID="%d" BaseLoc="Pages/Page_%d/Content.xml"/>`, i+2, i)
	}
	b.WriteString(`</ofd:Pages></ofd:Document>`)
	return b.String()
}

func mm(pt float64) string { return num(pt * ptToMM) }

func num(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64) }

// run is glyphs of one line and size, left to right.
type run struct {
	gs   []pdflayout.Glyph
	size float64
}

func runs(gs []pdflayout.Glyph) []run {
	var out []run
	for _, g := range gs {
		if strings.TrimSpace(g.Text) == "" {
			continue
		}
		if n := len(out); n > 0 {
			r := &out[n-1]
			last := r.gs[len(r.gs)-1]
			if g.Size == r.size && math.Abs(g.BBox.Y0-last.BBox.Y0) < 0.01 && g.BBox.X0 >= last.BBox.X0 && g.BBox.X0-last.BBox.X1 < g.Size {
				r.gs = append(r.gs, g)
				continue
			}
		}
		out = append(out, run{gs: []pdflayout.Glyph{g}, size: g.Size})
	}
	return out
}

// deltaX writes the advances of a run, repeats as "g N v".
func deltaX(ds []string) string {
	var parts []string
	for i := 0; i < len(ds); {
		j := i
		for j < len(ds) && ds[j] == ds[i] {
			j++
		}
		if j-i > 1 {
			parts = append(parts, fmt.Sprintf("g %d %s", j-i, ds[i]))
		} else {
			parts = append(parts, ds[i])
		}
		i = j
	}
	return strings.Join(parts, " ")
}

func content(ns string, p *pdflayout.Page) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<ofd:Page %s><ofd:Area><ofd:PhysicalBox>0 0 %s %s</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID="1">`, ns, mm(p.Width), mm(p.Height))
	id := 10
	for i, r := range runs(p.Glyphs) {
		first, last := r.gs[0], r.gs[len(r.gs)-1]
		size := r.size * ptToMM
		x0, top := first.BBox.X0*ptToMM, first.BBox.Y0*ptToMM
		w, h := (last.BBox.X1-first.BBox.X0)*ptToMM, (first.BBox.Y1-first.BBox.Y0)*ptToMM
		baseline := 0.88 * size
		var ds []string
		var text strings.Builder
		for k, g := range r.gs {
			text.WriteString(g.Text)
			if k > 0 {
				ds = append(ds, num((g.BBox.X0-r.gs[k-1].BBox.X0)*ptToMM))
			}
		}
		// every other run is drawn through a CTM that halves its own
		// coordinates: the code gives them doubled
		ctm, k := "", 1.0
		if i%2 == 1 {
			ctm, k = ` CTM="0.5 0 0 0.5 0 0"`, 2
			for j := range ds {
				v, _ := strconv.ParseFloat(ds[j], 64)
				ds[j] = num(v * k)
			}
		}
		fmt.Fprintf(&b, `<ofd:TextObject ID="%d" Boundary="%s %s %s %s" Font="1" Size="%s"%s><ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="%s" DeltaX="%s">%s</ofd:TextCode></ofd:TextObject>`,
			id, num(x0), num(top), num(w), num(h), num(size*k), ctm, num(baseline*k), deltaX(ds), escape(text.String()))
		id++
	}
	rules := append([]pdflayout.Rule(nil), p.Rules...)
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].Y0 < rules[j].Y0 })
	for i, r := range rules {
		x0, y0 := r.X0*ptToMM, r.Y0*ptToMM
		w, h := (r.X1-r.X0)*ptToMM, (r.Y1-r.Y0)*ptToMM
		ctm, k := "", 1.0
		if i%2 == 1 {
			ctm, k = ` CTM="2 0 0 2 0 0"`, 0.5
		}
		fmt.Fprintf(&b, `<ofd:PathObject ID="%d" Boundary="%s %s %s %s" LineWidth="0.2"%s><ofd:AbbreviatedData>M 0 0 L %s %s</ofd:AbbreviatedData></ofd:PathObject>`,
			id, num(x0), num(y0), num(max(w, 0.2)), num(max(h, 0.2)), ctm, num(w*k), num(h*k))
		id++
	}
	b.WriteString(`</ofd:Layer></ofd:Content></ofd:Page>`)
	return b.String()
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// expected writes the PDF fixture's expected.json for the OFD: the same
// cells and identities, its own file, format and notes.
func expected(src, dst string) error {
	data, err := os.ReadFile(filepath.Join(src, "expected.json"))
	if err != nil {
		return err
	}
	var e map[string]any
	if err := json.Unmarshal(data, &e); err != nil {
		return err
	}
	e["file"], e["format"] = "report.ofd", "ofd"
	e["notes"] = fmt.Sprintf("OFD made by testdata/ofdgen from the PDF fixture %s: each text run a TextObject (DeltaX with g repeats, every other one through a CTM), each ruling a PathObject. Same cells. %v", filepath.Base(src), e["notes"])
	out, err := json.MarshalIndent(e, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dst, "expected.json"), append(out, '\n'), 0o644)
}
