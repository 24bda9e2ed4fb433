package parse

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"runtime"
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
	return parseDOCX(ctx, data, true)
}

// parseDOCX is ParseDOCX, with the reader's ways around its tokenizer
// (docxReader.fast) on or off.
func parseDOCX(ctx context.Context, data []byte, fast bool) (*Document, error) {
	doc := &Document{Format: FormatDOCX, PositionsReliable: true, Meta: map[string]string{}}
	if n := sniff.ZipEntries(data); n > maxDOCXEntries {
		return corruptDOCX(doc, fmt.Errorf("the zip declares %d entries, more than the cap of %d", n, maxDOCXEntries)), nil
	}
	sc := getDOCXScratch()
	defer sc.release()
	pk := docxPackage{data: data, doc: doc, scratch: sc}
	if err := pk.open(); err != nil {
		return corruptDOCX(doc, err), nil
	}
	main := pk.mainPart()
	body, err := pk.part(main, &sc.body)
	if err != nil {
		return corruptDOCX(doc, err), nil
	}
	if body == nil {
		return corruptDOCX(doc, fmt.Errorf("no main document part (%s)", main)), nil
	}
	styles := pk.styles(path.Join(path.Dir(main), "styles.xml"))
	pk.coreTitle()
	r := sc.newReader(doc, styles)
	r.fast = fast
	r.read(ctx, body)
	return doc, nil
}

// corruptDOCX marks doc as unreadable for err.
func corruptDOCX(doc *Document, err error) *Document {
	doc.Status = StatusFailed
	doc.Warnings = append(doc.Warnings, Warning{Code: CodeDOCXCorrupt, Message: "the DOCX package cannot be read: " + err.Error()})
	return doc
}

// docxPackage is the zip of a DOCX.
type docxPackage struct {
	entries []docxEntry // the zip's directory (in the scratch)
	data    []byte      // the zip's bytes, which its entries' data are slices of
	doc     *Document
	scratch *docxScratch
}

// docxEntry is an entry of a DOCX's zip.
type docxEntry struct {
	name         []byte // a slice of the zip's bytes
	method       uint16
	csize, usize uint64
	header       int64     // where its local header is
	file         *zip.File // archive/zip's entry, when it read the directory
}

// open reads the zip's directory: in place when it is plain (see
// sniff.WalkZip), which a DOCX's always is, through archive/zip
// otherwise. Either way the entry names are compared as bytes, and
// archive/zip's File for each entry, a few hundred bytes, is made only
// for a zip that needs it.
func (pk *docxPackage) open() error {
	entries := pk.scratch.entries[:0]
	defer func() { pk.entries, pk.scratch.entries = entries, entries }()
	// sniff.ZipEntries has held the number of entries to maxDOCXEntries.
	if sniff.WalkZip(pk.data, func(e sniff.ZipEntry) bool {
		entries = append(entries, docxEntry{name: e.Name, method: e.Method,
			csize: uint64(e.CompressedSize), usize: uint64(e.Size), header: int64(e.HeaderOffset)})
		return true
	}) {
		return nil
	}
	zr, err := zip.NewReader(bytes.NewReader(pk.data), int64(len(pk.data)))
	if err != nil {
		return fmt.Errorf("opening the zip: %w", err)
	}
	if len(zr.File) > maxDOCXEntries {
		return fmt.Errorf("the zip lists %d entries, more than the cap of %d", len(zr.File), maxDOCXEntries)
	}
	entries = entries[:0]
	for _, f := range zr.File {
		entries = append(entries, docxEntry{name: []byte(f.Name), method: f.Method, csize: f.CompressedSize64, usize: f.UncompressedSize64, file: f})
	}
	return nil
}

// dataOffset returns where the data of entry e starts in the zip.
func (pk *docxPackage) dataOffset(e *docxEntry) (int64, error) {
	if e.file != nil {
		return e.file.DataOffset()
	}
	const localLen = 30
	h := e.header
	if h < 0 || h > int64(len(pk.data))-localLen || string(pk.data[h:h+4]) != "PK\x03\x04" {
		return 0, zip.ErrFormat
	}
	b := pk.data[h:]
	nameLen, extraLen := int64(b[26])|int64(b[27])<<8, int64(b[28])|int64(b[29])<<8
	return h + localLen + nameLen + extraLen, nil
}

// docxScratch holds the buffers one reading of a package inflates into
// and reads with, kept for the next (docxScratches): a report's
// document.xml is a few hundred KiB.
type docxScratch struct {
	body, small []byte // document.xml; the small parts, one after the other
	entries     []docxEntry
	inflate     *inflateState // the decoder's tables
	reader      docxReader    // its buffers, tables and cells, kept
}

// docxScratches keeps the scratches of readings that ended, for the next,
// as many as there are CPUs reading at once, each holding at most a few
// buffers of maxPooledDOCXBuffer. Not a sync.Pool: a pool is emptied by
// every other collection, and a run of reports collects often, so a
// pooled scratch was made anew, its buffers a report's worth of memory,
// every few reports.
var docxScratches = make(chan *docxScratch, runtime.GOMAXPROCS(0))

func getDOCXScratch() *docxScratch {
	select {
	case sc := <-docxScratches:
		return sc
	default:
		return new(docxScratch)
	}
}

// maxPooledDOCXBuffer is the largest buffer kept for the next document:
// a long report's document.xml is about a MiB, and a rare huge one is
// left to the collector rather than held.
const maxPooledDOCXBuffer = 2 << 20

// maxPooledDOCXEntries is the most directory entries kept for the next
// document: Word writes a dozen, one with images a few hundred.
const maxPooledDOCXEntries = 1024

func (sc *docxScratch) release() {
	clear(sc.entries) // a kept scratch must not keep the zip's bytes alive
	if sc.entries = sc.entries[:0]; cap(sc.entries) > maxPooledDOCXEntries {
		sc.entries = nil
	}
	if cap(sc.body) > maxPooledDOCXBuffer {
		sc.body = nil
	}
	if cap(sc.small) > maxPooledDOCXBuffer {
		sc.small = nil
	}
	r := &sc.reader
	r.doc, r.styles = nil, nil
	r.memo = [len(r.memo)]propsMemo{} // its entries are slices of the body read
	if cap(r.ptext) > maxPooledDOCXBuffer || cap(r.para) > maxPooledDOCXBuffer || cap(r.ctext) > maxPooledDOCXBuffer || cap(r.blocks) > MaxBlocks/4 {
		*r = docxReader{}
	}
	for _, t := range r.tables[:cap(r.tables)] {
		if t != nil && (cap(t.text) > maxPooledDOCXBuffer || cap(t.cells) > MaxTableCells) {
			r.tables = nil // the next document starts with fresh tables
			break
		}
	}
	select {
	case docxScratches <- sc:
	default: // as many kept as CPUs: this one is left to the collector
	}
}

// file returns the entry named name (a leading "/" ignored), the last of
// that name as a map by name would; nil when there is none.
func (pk *docxPackage) file(name string) *docxEntry {
	for i := len(pk.entries) - 1; i >= 0; i-- {
		if e := &pk.entries[i]; string(bytes.TrimPrefix(e.name, []byte("/"))) == name {
			return e
		}
	}
	return nil
}

// mainPart names the main document part: the target of the package's
// officeDocument relationship, word/document.xml when it has none.
func (pk *docxPackage) mainPart() string {
	const fallback = "word/document.xml"
	rels, err := pk.part("_rels/.rels", &pk.scratch.small)
	if err != nil || rels == nil {
		return fallback
	}
	sc := xmlScanner{data: rels}
	for {
		k, _ := sc.next()
		if k == 0 {
			break
		}
		if k != xmlStart || string(sc.local()) != "Relationship" || !bytes.HasSuffix(xmlAttrRaw(sc.attrs(), "Type"), []byte("/officeDocument")) {
			continue
		}
		if target := strings.TrimPrefix(xmlAttr(sc.attrs(), "Target"), "/"); target != "" {
			if pk.file(target) != nil {
				return target
			}
		}
	}
	return fallback
}

// errDOCXBomb is a part whose inflation ratio says it is a zip bomb.
var errDOCXBomb = errors.New("zip bomb")

// part inflates the named entry into *buf, nil when there is none. A part
// longer than maxDOCXPartBytes is cut there with a warning; one whose
// declared inflation ratio is beyond maxDOCXRatio is refused. The declared
// sizes are checked first and the bytes actually inflated are counted too,
// since a hostile zip may declare anything. A stored part is a slice of
// the zip's bytes, not a copy.
//
// The entry's data is inflated straight from the zip's bytes by inflate
// (inflate.go, 3.4 times compress/flate's speed on document.xml), not
// through zip.File.Open, whose buffered reader and checksum cost as much
// as the reading of a small report's XML; the sizes are held to the declared ones as Open holds
// them (more is zip.ErrFormat, less an unexpected EOF), and the checksum,
// whose failure never stopped the reader, is not computed.
func (pk *docxPackage) part(name string, buf *[]byte) ([]byte, error) {
	f := pk.file(name)
	if f == nil {
		return nil, nil
	}
	if n, c := f.usize, f.csize; n > docxRatioFloor && (c == 0 || n/max(c, 1) > maxDOCXRatio) {
		return nil, fmt.Errorf("part %s: %w: %d bytes inflate to %d, more than %d fold", name, errDOCXBomb, c, n, maxDOCXRatio)
	}
	b, err := pk.inflate(f, buf)
	if err != nil {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	if len(b) > docxRatioFloor && uint64(len(b))/max(f.csize, 1) > maxDOCXRatio {
		return nil, fmt.Errorf("part %s: %w: %d bytes inflate to more than %d", name, errDOCXBomb, f.csize, len(b))
	}
	if len(b) > maxDOCXPartBytes {
		b = b[:maxDOCXPartBytes]
		pk.doc.Warnings = append(pk.doc.Warnings, limitWarning("part "+name+"'s size", maxDOCXPartBytes, Loc{}))
	}
	return b, nil
}

// inflate returns the data of entry f, at most maxDOCXPartBytes+1 bytes.
func (pk *docxPackage) inflate(f *docxEntry, buf *[]byte) ([]byte, error) {
	off, err := pk.dataOffset(f)
	if err != nil {
		return nil, err
	}
	if off < 0 || uint64(off) > uint64(len(pk.data)) || f.csize > uint64(len(pk.data))-uint64(off) {
		return nil, io.ErrUnexpectedEOF
	}
	raw := pk.data[off : off+int64(f.csize)]
	limit := int(min(f.usize, maxDOCXPartBytes) + 1)
	var b []byte
	switch f.method {
	case zip.Store:
		b = raw[:min(len(raw), limit)]
	case zip.Deflate:
		if cap(*buf) < limit {
			*buf = make([]byte, 0, limit)
		}
		if pk.scratch.inflate == nil {
			pk.scratch.inflate = new(inflateState)
		}
		b, err = inflateWith(pk.scratch.inflate, *buf, raw, limit)
		*buf = b[:0]
		if err != nil {
			return nil, err
		}
	default:
		return nil, zip.ErrAlgorithm
	}
	switch n := uint64(len(b)); {
	case n > f.usize:
		return nil, zip.ErrFormat
	case len(b) < limit && n != f.usize:
		return nil, io.ErrUnexpectedEOF
	}
	return b, nil
}

// coreTitle copies the title of the package's core properties into Meta,
// where the title rule looks after the headings.
func (pk *docxPackage) coreTitle() {
	b, err := pk.part("docProps/core.xml", &pk.scratch.small)
	if err != nil || b == nil {
		return
	}
	sc := xmlScanner{data: b}
	in := false
	var title []byte
	for {
		k, _ := sc.next()
		if k == 0 {
			break
		}
		switch k {
		case xmlStart:
			in = string(sc.local()) == "title"
		case xmlEnd:
			in = false
		case xmlText:
			if in && len(title) < maxTitleRunes*4 {
				title = appendXMLText(title, sc.text())
			}
		}
	}
	if s := foldSpace(strings.ToValidUTF8(string(title), "\uFFFD")); s != "" {
		pk.doc.Meta["title"] = s
	}
}
