package parse

// Code is a warning's stable machine-readable code. Codes are grouped by
// what they are about (pdf.*, charset.*, …); every code any stage emits is
// a constant listed once, here or in package normalize, with its meaning,
// and the README's table of warnings is checked against that list.
type Code string

// CodeDoc documents one warning code.
type CodeDoc struct {
	Code    Code
	Meaning string
}

// Warning codes of the readers.
const (
	CodeFormatUnsupported Code = "format.unsupported"
	CodeCharsetUnknown    Code = "charset.unknown"
	CodeCharsetMismatch   Code = "charset.mismatch"
	CodeCharsetDecode     Code = "charset.decode"
	CodeCharsetMixed      Code = "charset.mixed"
	CodeCharsetNUL        Code = "charset.nul"
	CodePDFStructure      Code = "pdf.structure"
	CodePDFPage           Code = "pdf.page"
	CodePDFFont           Code = "pdf.font"
	CodePDFGarbled        Code = "pdf.garbled"
	CodePDFLayout         Code = "pdf.layout"
	CodePDFCorrupt        Code = "pdf.corrupt"
	CodePDFNeedsOCR       Code = "pdf.needs_ocr"
	CodePDFImagePage      Code = "pdf.image_page"
	CodePDFTimeout        Code = "pdf.timeout"
	CodePDFPanic          Code = "pdf.panic"
	CodePDFEncrypted      Code = "pdf.encrypted"
	CodePDFRepaired       Code = "pdf.repaired"
)

// ReaderCodes lists the codes of this package, in the order the README
// documents them.
var ReaderCodes = []CodeDoc{
	{CodeFormatUnsupported, "the file's format is not one nianbao reads; nothing was extracted"},
	{CodeLimit, "the document reached one of the readers' caps (size, blocks, cells, columns, warnings): it was read up to the cap"},
	{CodeTimeout, "the document's time ran out; what was read so far is kept and the report is failed"},
	{CodeCharsetUnknown, "the declared charset is not known; the text was decoded by detection"},
	{CodeCharsetMismatch, "the declared charset does not fit the bytes; the one that does was used"},
	{CodeCharsetDecode, "some bytes did not decode in the chosen charset and were replaced"},
	{CodeCharsetMixed, "the file mixes encodings (or is UTF-8 with damaged bytes): each line was read in its own, bad bytes replaced"},
	{CodeCharsetNUL, "NUL bytes in a text or HTML file were removed"},
	{CodePDFStructure, "the PDF's object structure is damaged (page tree, xref); what could be read was"},
	{CodePDFRepaired, "the PDF was repaired to be read, as other readers repair it: junk before its header or after its end dropped, an unknown header version read as 1.7, or its cross-reference table rebuilt by scanning for objects; the message says which"},
	{CodePDFPage, "a page could not be read, or something on it was not understood (rotation, content stream, form XObject)"},
	{CodePDFFont, "a font or CMap of a page was not understood: some of its characters may be missing or replaced"},
	{CodePDFGarbled, "text that does not decode to characters: a page skipped, or the whole text layer"},
	{CodePDFLayout, "the table layout of a page could not be built; its text is kept as paragraphs"},
	{CodePDFCorrupt, "no page of the PDF could be read"},
	{CodePDFNeedsOCR, "a page (or the whole file) has no text layer and must be read by OCR"},
	{CodePDFImagePage, "a page has images but no text; its content is not read"},
	{CodePDFTimeout, "reading the PDF took longer than the per-document time limit; it was stopped"},
	{CodePDFPanic, "the PDF is malformed in a way that stopped the reader; nothing was extracted"},
	{CodePDFEncrypted, "the PDF is encrypted and cannot be opened without a password"},
	{CodeDOCXCorrupt, "the DOCX package or its document.xml cannot be read (not a zip, no main part, a zip bomb, XML that is not well-formed): what could be read was"},
	{CodeDOCXMergedText, "a Word table's vertically merged continuation cells hold text of their own; as Word shows it, only the merged cell's first text was read"},
	{CodeDOCXSkipped, "a Word document holds content nianbao does not read (an embedded w:altChunk document)"},
	{CodeConverterMissing, "a Word 97/WPS file needs LibreOffice (Debian package libreoffice-writer-nogui) to be read, and it is not installed: status needs_converter"},
	{CodeConvertFailed, "LibreOffice could not convert the Word 97/WPS file to DOCX; nothing was extracted"},
	{CodeOFDCorrupt, "the OFD package could not be read (not a zip, no OFD.xml or document, no pages, no text): nothing was extracted"},
	{CodeOFDPage, "a page of the OFD could not be read, or only in part (missing part, malformed XML, a cap reached)"},
	{CodeOCRRead, "a page without a text layer was read by OCR (its deskew angle, rulings, words and mean confidence in the message); its cells have origin `ocr`"},
	{CodeOCRUnsure, "a table cell OCR could not read for certain (low confidence, a character that is not a digit, or marks it read nothing in) was left blank rather than guessed; the message gives what it read"},
	{CodeOCRFailed, "a page could not be read by OCR (its image not decoded, the engine failing or overrunning its time); its content is missing"},
}
