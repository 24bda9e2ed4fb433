// Package parse extracts the raw tables of a 政府信息公开工作年度报告 from
// the bytes of an HTML page, a plain-text or Markdown dump, a PDF file or a
// Word document (DOCX; DOC and WPS through LibreOffice).
//
// It knows nothing about the national template: it turns a document into a
// stream of rows of cells, each with the text as printed and where it came
// from. Mapping those cells to canonical keys is the job of package normalize.
package parse

// Format is a document's file format, detected from its bytes.
type Format string

const (
	FormatHTML     Format = "html"
	FormatText     Format = "txt"
	FormatPDF      Format = "pdf"
	FormatWord     Format = "doc"  // Word 97–2003 or WPS (OLE), read through a conversion to DOCX
	FormatDOCX     Format = "docx" // Word 2007+ (Office Open XML)
	FormatMarkdown Format = "md"   // Markdown, as PDF converters write it
	FormatUnknown  Format = "unknown"
)

// Status says how far parsing got. The zero value means the parser produced
// its output; the others mean no trustworthy cells could be produced.
type Status string

const (
	StatusOK          Status = ""
	StatusUnsupported Status = "unsupported" // format or feature not handled yet
	StatusNeedsOCR    Status = "needs_ocr"   // image-only: no text layer to read
	StatusGarbled     Status = "garbled"     // a text layer that does not decode to text
	StatusEncrypted   Status = "encrypted"   // cannot be opened without a password
	StatusFailed      Status = "failed"      // corrupt or otherwise unreadable
	// StatusNeedsConverter: a format read through an external converter
	// (LibreOffice for .doc and .wps) that is not installed.
	StatusNeedsConverter Status = "needs_converter"
)

// Document is a parsed report: its metadata as printed and its content as an
// ordered list of blocks (paragraphs and tables).
type Document struct {
	Format Format
	Status Status
	Title  string // from <title>, the article heading or the first title-like line
	Meta   map[string]string
	Blocks []Block
	// PositionsReliable reports whether Cell.Col places a cell under the
	// header cell with the same column (true for HTML grids and ruled PDF
	// tables, false for text dumps whose fields drift).
	PositionsReliable bool
	Warnings          []Warning
}

// Block is one paragraph (Table == nil) or one table of a document.
type Block struct {
	Text  string // paragraph text; empty for a table
	Table *Table
	Loc   Loc
	// Heading reports that the reader saw the paragraph set as a heading:
	// an HTML <h1>–<h3>, a Markdown "#" line, PDF text printed larger than
	// the body. The title rule (see Parse) prefers such blocks.
	Heading bool
}

// Table is a table as printed: rows of cells. Spanned cells are expanded
// so that each row lists the cells covering it, left to right.
type Table struct {
	Index int // 0-based among the document's tables
	Rows  []Row
}

// Row is one printed row of a table.
type Row struct {
	Cells []Cell
	Loc   Loc
}

// Cell is one cell of a row.
type Cell struct {
	Text    string // the text as printed, whitespace folded, <br> and <p> as "\n"
	Col     int    // first grid column the cell covers
	ColSpan int    // number of grid columns (≥ 1)
	RowSpan int    // number of rows (≥ 1)
	// Continued marks a copy of a cell from a row above that spans into
	// this row; it is never a value of its own.
	Continued bool
	Loc       Loc
	// Origin says how the text was read: OriginText ("") from the file's
	// own text, OriginOCR from the page image by OCR, which can misread.
	Origin Origin
	// Confidence is how sure OCR is of the cell's text, 0 to 1 (the
	// least sure of its words); 0 for cells not read by OCR.
	Confidence float64
}

// Origin is how a cell's text was read.
type Origin string

const (
	OriginText Origin = ""    // the document's text (HTML, text layer, OFD)
	OriginOCR  Origin = "ocr" // recognised in a page image
)

// Loc is a place in a source document, as precise as the format allows.
// Every field counts from 1 and is 0 when unknown, so the zero Loc means
// "the document as a whole". Use GridLoc to build one from 0-based indexes.
type Loc struct {
	Line  int        // line in the source (HTML, text)
	Page  int        // page (PDF, OFD)
	Table int        // table among the document's tables; 0 outside tables
	Row   int        // row within the table; 0 for the table as a whole
	Col   int        // grid column within the row; 0 for the row as a whole
	BBox  [4]float64 // x0, y0, x1, y1 in PDF points (PDF only)
}

// GridLoc is the Loc of grid column col of row row of table table, all
// 0-based as readers count them; col < 0 means the whole row and row < 0
// the whole table.
func GridLoc(table, row, col int) Loc {
	return Loc{Table: table + 1, Row: max(row+1, 0), Col: max(col+1, 0)}
}

// InTable reports whether l is inside a table.
func (l Loc) InTable() bool { return l.Table > 0 }

// Warning is something the parser met and did not understand, or chose to
// skip, with the place it happened.
type Warning struct {
	Code    Code // stable machine-readable code, see ReaderCodes
	Message string
	Loc     Loc
}

func (w Warning) String() string {
	return string(w.Code) + ": " + w.Message + " (" + w.Loc.String() + ")"
}
