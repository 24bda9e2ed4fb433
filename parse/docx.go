package parse

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/opengov-cn/nianbao/internal/sniff"
)

// Caps on what a DOCX package may make the reader do. A DOCX is a zip of
// XML parts: the caps bound the bytes inflated, the nesting the XML may
// ask for and the cells its tables may make, whatever the package claims.
const (
	// maxDOCXPartBytes is the most of one part (document.xml, styles.xml)
	// that is inflated. A long report's document.xml is well under 5 MiB;
	// 64 MiB, as for HTML (MaxTextBytes), keeps a worker in hundreds of MiB.
	maxDOCXPartBytes = MaxTextBytes
	// maxDOCXRatio is the largest inflation ratio a part over
	// docxRatioFloor may have. Word's XML deflates 5–30 fold; a part that
	// inflates a thousand fold is a zip bomb, refused before it is read.
	maxDOCXRatio = 1000
	// docxRatioFloor is the size below which the ratio is not checked:
	// small parts of repeated markup deflate very well and cost nothing.
	docxRatioFloor = 1 << 20
	// maxDOCXEntries is the most zip entries a package may list: Word
	// writes a dozen, one with images a few hundred (sniff's cap).
	maxDOCXEntries = sniff.MaxZipEntries
	// maxDOCXDepth is the deepest XML nesting read. Body → table → row →
	// cell → paragraph → run → text is 8 deep; nested tables and content
	// controls add a few levels each. Deeper input is an attack.
	maxDOCXDepth = 256
	// maxDOCXCells is the most cells (spanned copies included) all the
	// tables of one document may have together; MaxTableCells caps each.
	maxDOCXCells = 20 * MaxTableCells
)

// Warning codes of the DOCX reader.
const (
	CodeDOCXCorrupt    Code = "docx.corrupt"     // not a readable DOCX package
	CodeDOCXMergedText Code = "docx.merged_text" // text in a merged-away cell
	CodeDOCXSkipped    Code = "docx.skipped"     // content the reader does not read
)

// wordMainNS is the WordprocessingML namespace of document.xml's elements.
const wordMainNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

// ParseDOCX parses a Word 2007+ document (.docx, an Office Open XML zip).
// Body paragraphs become paragraph blocks, numbered in document order as
// lines; each grid table becomes a Table whose cells sit at their grid
// column (w:gridSpan gives ColSpan, w:vMerge RowSpan and Continued copies,
// as the HTML reader makes them). Only the text a reader of the document
// sees once all tracked changes are accepted is read: insertions are kept,
// deletions and moved-away text dropped, field codes dropped and field
// results kept. A table that holds another table is layout, as in HTML:
// its cells are read as paragraphs and the inner tables as grids.
//
// document.xml is read token by token with a depth counter and no
// recursion, so neither its size nor its nesting costs more than the
// blocks it holds.
func ParseDOCX(ctx context.Context, data []byte) (*Document, error) {
	doc := &Document{Format: FormatDOCX, PositionsReliable: true, Meta: map[string]string{}}
	if n := sniff.ZipEntries(data); n > maxDOCXEntries {
		return corruptDOCX(doc, fmt.Errorf("the zip declares %d entries, more than the cap of %d", n, maxDOCXEntries)), nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return corruptDOCX(doc, fmt.Errorf("opening the zip: %w", err)), nil
	}
	if len(zr.File) > maxDOCXEntries {
		return corruptDOCX(doc, fmt.Errorf("the zip lists %d entries, more than the cap of %d", len(zr.File), maxDOCXEntries)), nil
	}
	pk := docxPackage{files: map[string]*zip.File{}, doc: doc}
	for _, f := range zr.File {
		pk.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	main := pk.mainPart()
	body, err := pk.part(main)
	if err != nil {
		return corruptDOCX(doc, err), nil
	}
	if body == nil {
		return corruptDOCX(doc, fmt.Errorf("no main document part (%s)", main)), nil
	}
	styles := pk.styles(path.Join(path.Dir(main), "styles.xml"))
	pk.coreTitle()
	r := newDOCXReader(doc, styles)
	r.read(ctx, body)
	return doc, nil
}

// corruptDOCX marks doc as unreadable for err.
func corruptDOCX(doc *Document, err error) *Document {
	doc.Status = StatusFailed
	doc.Warnings = append(doc.Warnings, Warning{Code: CodeDOCXCorrupt, Message: "the DOCX package cannot be read: " + err.Error()})
	return doc
}

// docxPackage is the zip of a DOCX, its entries by name.
type docxPackage struct {
	files map[string]*zip.File
	doc   *Document
}

// mainPart names the main document part: the target of the package's
// officeDocument relationship, word/document.xml when it has none.
func (pk *docxPackage) mainPart() string {
	const fallback = "word/document.xml"
	rels, err := pk.part("_rels/.rels")
	if err != nil || rels == nil {
		return fallback
	}
	sc := xmlScanner{data: rels}
	for {
		t, _ := sc.next()
		if t == nil {
			break
		}
		if t.kind != xmlStart || string(t.local) != "Relationship" || !bytes.HasSuffix(xmlAttrRaw(t.attrs, "Type"), []byte("/officeDocument")) {
			continue
		}
		if target := strings.TrimPrefix(xmlAttr(t.attrs, "Target"), "/"); target != "" {
			if _, ok := pk.files[target]; ok {
				return target
			}
		}
	}
	return fallback
}

// errDOCXBomb is a part whose inflation ratio says it is a zip bomb.
var errDOCXBomb = errors.New("zip bomb")

// part inflates the named entry, nil when there is none. A part longer
// than maxDOCXPartBytes is cut there with a warning; one whose declared
// inflation ratio is beyond maxDOCXRatio is refused. The declared sizes
// are checked first and the bytes actually inflated are counted too,
// since a hostile zip may declare anything.
func (pk *docxPackage) part(name string) ([]byte, error) {
	f := pk.files[name]
	if f == nil {
		return nil, nil
	}
	if n, c := f.UncompressedSize64, f.CompressedSize64; n > docxRatioFloor && (c == 0 || n/max(c, 1) > maxDOCXRatio) {
		return nil, fmt.Errorf("part %s: %w: %d bytes inflate to %d, more than %d fold", name, errDOCXBomb, c, n, maxDOCXRatio)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	defer rc.Close()
	b := make([]byte, 0, min(f.UncompressedSize64, maxDOCXPartBytes)+512)
	b, err = readAllInto(b, io.LimitReader(rc, maxDOCXPartBytes+1))
	if err != nil && !errors.Is(err, zip.ErrChecksum) {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	if len(b) > docxRatioFloor && uint64(len(b))/max(f.CompressedSize64, 1) > maxDOCXRatio {
		return nil, fmt.Errorf("part %s: %w: %d bytes inflate to more than %d", name, errDOCXBomb, f.CompressedSize64, len(b))
	}
	if len(b) > maxDOCXPartBytes {
		b = b[:maxDOCXPartBytes]
		pk.doc.Warnings = append(pk.doc.Warnings, limitWarning("part "+name+"'s size", maxDOCXPartBytes, Loc{}))
	}
	return b, nil
}

// coreTitle copies the title of the package's core properties into Meta,
// where the title rule looks after the headings.
func (pk *docxPackage) coreTitle() {
	b, err := pk.part("docProps/core.xml")
	if err != nil || b == nil {
		return
	}
	sc := xmlScanner{data: b}
	in := false
	var title []byte
	for {
		t, _ := sc.next()
		if t == nil {
			break
		}
		switch t.kind {
		case xmlStart:
			in = string(t.local) == "title"
		case xmlEnd:
			in = false
		case xmlText:
			if in && len(title) < maxTitleRunes*4 {
				title = appendXMLText(title, t.text)
			}
		}
	}
	if s := foldSpace(strings.ToValidUTF8(string(title), "\uFFFD")); s != "" {
		pk.doc.Meta["title"] = s
	}
}

// readAllInto reads r to its end into b, which a size the zip declared
// has made large enough in the usual case.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}
