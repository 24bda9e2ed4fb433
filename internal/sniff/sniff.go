// Package sniff tells what kind of file a body is from its leading bytes,
// whatever its name or the Content-Type a server claimed. Parse and crawl
// both ask it, so a file is never binary to one and text to the other.
package sniff

import (
	"archive/zip"
	"bytes"
	"strings"
	"unicode/utf16"
)

// Kind is a file kind recognised from its bytes.
type Kind int

const (
	Unknown Kind = iota
	PDF          // %PDF- at the start, or within the first HeaderWindow bytes
	OLE          // OLE2 compound file: .doc, .wps, .xls
	Zip          // zip container: .docx, .ofd, .xlsx
	RTF          // {\rtf
	HTML         // markup a browser would render
	Text         // plain text (UTF-8, UTF-16 with a BOM, GB-family bytes, …)
	Binary       // some other binary: many control bytes in the head
	DOCX         // a zip holding word/document.xml: Word 2007+
	OFD          // a zip holding OFD.xml: GB/T 33190 fixed-layout document
)

// HeadSize is how much of a body Detect looks at: enough for a PDF header
// after junk and for an HTML page's first tags, small enough to be cheap.
const HeadSize = 4096

// HeaderWindow is how far into a file a PDF header may start: PDF readers
// (poppler, Acrobat) accept up to 1 KiB of junk before %PDF-.
const HeaderWindow = 1024

var (
	magicPDF = []byte("%PDF-")
	magicOLE = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicZip = []byte("PK\x03\x04")
	magicRTF = []byte("{\\rtf")
)

var kindNames = [...]string{"unknown", "pdf", "ole", "zip", "rtf", "html", "text", "binary", "docx", "ofd"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// MIMEType is the media type a body of this kind is stored under when the
// server sent none or a wrong one.
func (k Kind) MIMEType() string {
	switch k {
	case PDF:
		return "application/pdf"
	case OLE:
		return "application/x-ole-storage"
	case Zip:
		return "application/zip"
	case DOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case OFD:
		return "application/ofd"
	case RTF:
		return "application/rtf"
	case HTML:
		return "text/html"
	case Text:
		return "text/plain"
	}
	return "application/octet-stream"
}

// IsBinary reports whether a body of this kind must be stored byte for
// byte and never decoded as text.
func (k Kind) IsBinary() bool {
	switch k {
	case PDF, OLE, Zip, RTF, Binary, DOCX, OFD:
		return true
	}
	return false
}

// Detect tells the kind of data from its first HeadSize bytes; a zip is
// told apart by the names of its entries when data holds the whole file
// (its central directory is at the end), and stays Zip given a head only.
func Detect(data []byte) Kind {
	head := data[:min(len(data), HeadSize)]
	switch {
	case bytes.HasPrefix(head, magicPDF):
		return PDF
	case bytes.HasPrefix(head, magicOLE[:4]):
		return OLE
	case bytes.HasPrefix(head, magicZip):
		return zipKind(data)
	case bytes.HasPrefix(head, magicRTF):
		return RTF
	}
	if u, ok := utf16Head(head); ok {
		head = u
	}
	markup := LooksLikeHTML(head)
	if !markup && bytes.Contains(head[:min(len(head), HeaderWindow)], magicPDF) {
		// The header may follow junk; a page that merely mentions it is
		// still a page.
		return PDF
	}
	if controlShare(head) > maxControlShare {
		return Binary
	}
	if markup {
		return HTML
	}
	return Text
}

// maxControlShare is the largest share of control bytes a text may have.
// Binary data has about one in ten (28 of 256 byte values); text has none,
// or a stray NUL from a bad copy, which is no reason to drop a report.
const maxControlShare = 0.01

// controlShare is the share of bytes in b that are control characters
// other than white space.
func controlShare(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	n := 0
	for _, c := range b {
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == 0x7F {
			n++
		}
	}
	return float64(n) / float64(len(b))
}

// utf16Head decodes a head that starts with a UTF-16 byte order mark, so
// that the tests above see its characters rather than its NUL bytes.
func utf16Head(head []byte) ([]byte, bool) {
	var be bool
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		be = true
	default:
		return nil, false
	}
	units := make([]uint16, 0, len(head)/2)
	for i := 2; i+1 < len(head); i += 2 {
		if be {
			units = append(units, uint16(head[i])<<8|uint16(head[i+1]))
		} else {
			units = append(units, uint16(head[i+1])<<8|uint16(head[i]))
		}
	}
	return []byte(string(utf16.Decode(units))), true
}

var htmlTags = [][]byte{
	[]byte("<!doctype html"), []byte("<html"), []byte("<head"), []byte("<body"),
	[]byte("<table"), []byte("<p>"), []byte("<p "), []byte("<div"), []byte("<meta"),
}

// LooksLikeHTML reports whether head contains a tag only markup has.
func LooksLikeHTML(head []byte) bool {
	lower := bytes.ToLower(head)
	for _, tag := range htmlTags {
		if bytes.Contains(lower, tag) {
			return true
		}
	}
	return false
}

// zipKind tells a DOCX or an OFD from other zips by the entries they must
// have: Word's main part (word/document.xml, the name every producer
// uses) and OFD's entry file OFD.xml. Reading the central directory
// inflates nothing; it is walked in place when it is plain, and through
// archive/zip otherwise (Zip64, a directory that does not add up).
func zipKind(data []byte) Kind {
	if n := ZipEntries(data); n < 0 || n > MaxZipEntries {
		return Zip
	}
	k := Zip
	ok := WalkZip(data, func(e ZipEntry) bool { // the whole directory: WalkZip checks it all
		switch name := e.Name; {
		case k != Zip:
		case nameIs(name, "word/document.xml"):
			k = DOCX
		case nameIs(name, "ofd.xml"):
			k = OFD
		}
		return true
	})
	if ok {
		return k
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Zip
	}
	for _, f := range zr.File {
		switch strings.ToLower(strings.TrimPrefix(f.Name, "/")) {
		case "word/document.xml":
			return DOCX
		case "ofd.xml":
			return OFD
		}
	}
	return Zip
}

// nameIs reports whether an entry's name is want (lower case), ignoring
// case and a leading "/", as zipKind's fallback compares them.
func nameIs(name []byte, want string) bool {
	name = bytes.TrimPrefix(name, []byte("/"))
	return len(name) == len(want) && bytes.EqualFold(name, []byte(want))
}

// ZipEntry is one record of a zip's central directory.
type ZipEntry struct {
	Name                 []byte // a slice of the zip's bytes
	Method               uint16
	CompressedSize, Size uint32
	HeaderOffset         uint32 // where the entry's local header is
}

// WalkZip calls f with each entry of the central directory of data, a
// whole zip, until f returns false. It reports whether the directory is
// plain, one archive/zip reads as it is written: not Zip64, ending at the
// end record (no bytes before the zip), every record whole, as many
// records as the end record declares. When it is not, f may have seen
// some entries, and the zip is for archive/zip to read; when f stops the
// walk, the rest of the directory is not looked at. It allocates
// nothing, where archive/zip makes a File per entry.
func WalkZip(data []byte, f func(ZipEntry) bool) bool {
	const headerLen, zip64 = 46, 0xFFFFFFFF
	eocd := endRecord(data)
	if eocd < 0 {
		return false
	}
	rec := data[eocd:]
	n, size, off := int(le16(rec[10:])), le32(rec[12:]), le32(rec[16:])
	// archive/zip looks for Zip64 records when any of these is all ones
	// (the size at 16 bits, as it reads it), and takes a directory that
	// does not end at the end record to be offset by bytes before the zip.
	if n == 0xFFFF || size == 0xFFFF || size == zip64 || off == zip64 || uint64(off)+uint64(size) != uint64(eocd) {
		return false
	}
	dir := data[int(off):eocd]
	for range n {
		if len(dir) < headerLen || !bytes.HasPrefix(dir, []byte("PK\x01\x02")) {
			return false
		}
		nameLen, extra, comment := int(le16(dir[28:])), int(le16(dir[30:])), int(le16(dir[32:]))
		if len(dir) < headerLen+nameLen+extra+comment {
			return false
		}
		e := ZipEntry{Name: dir[headerLen : headerLen+nameLen], Method: le16(dir[10:]),
			CompressedSize: le32(dir[20:]), Size: le32(dir[24:]), HeaderOffset: le32(dir[42:])}
		if e.CompressedSize == zip64 || e.Size == zip64 || e.HeaderOffset == zip64 {
			return false
		}
		if !f(e) {
			return true
		}
		dir = dir[headerLen+nameLen+extra+comment:]
	}
	// archive/zip reads records until one is not: one more than declared
	// makes its count wrong, and the zip unreadable.
	return !bytes.HasPrefix(dir, []byte("PK\x01\x02"))
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
func le32(b []byte) uint32 { return uint32(le16(b)) | uint32(le16(b[2:]))<<16 }

// MaxZipEntries is the most entries a zip may list to be looked into:
// archive/zip allocates every entry of the central directory up front, so a
// zip of a million empty entries would cost hundreds of MiB just to list.
// A DOCX has a dozen entries, one with images a few hundred; an OFD one
// per page and resource.
const MaxZipEntries = 10_000

// ZipEntries returns the number of entries a zip's end-of-central-directory
// record declares, 0xFFFF for a Zip64 archive (which may hold more), and -1
// when data has no such record.
func ZipEntries(data []byte) int {
	i := endRecord(data)
	if i < 0 {
		return -1
	}
	return int(le16(data[i+10:]))
}

// endRecord returns where the end-of-central-directory record is in
// data, -1 when it has none: as archive/zip finds it, the last signature
// of one whose comment fits in what follows it.
func endRecord(data []byte) int {
	const eocdLen, maxComment = 22, 0xFFFF
	start := max(0, len(data)-eocdLen-maxComment)
	for end := len(data); end > start; {
		i := bytes.LastIndex(data[start:end], []byte("PK\x05\x06"))
		if i < 0 {
			return -1
		}
		i += start
		if i+eocdLen <= len(data) && i+eocdLen+int(le16(data[i+20:])) <= len(data) {
			return i
		}
		end = i + 3 // before this signature: data[start:i+3] cannot hold it
	}
	return -1
}
