package normalize

import "github.com/opengov-cn/nianbao/parse"

// Warning codes of the mapping to the template; parse.ReaderCodes has the
// readers' own.
const (
	CodeLabelUnplaced parse.Code = "label.unplaced"
	CodeHeaderMissing parse.Code = "header.missing"
	CodeHeaderAssumed parse.Code = "header.assumed"
	CodeValueSpanned  parse.Code = "value.spanned"
	CodeCellDuplicate parse.Code = "cell.duplicate"
	CodeValuesCount   parse.Code = "values.count"
	CodeValuesExtra   parse.Code = "values.extra"
	CodeValuesMissing parse.Code = "values.missing"
	CodeTablesNone    parse.Code = "tables.none"
	CodeTablesMissing parse.Code = "tables.missing"
	// The self-check (selfcheck.go): the template's row identities judge
	// the reader's assignment of columns.
	CodeReadingSwapped  parse.Code = "reading.swapped"
	CodeReadingDoubtful parse.Code = "reading.doubtful"
)

// MappingCodes lists the codes of this package, in the order the README
// documents them.
var MappingCodes = []parse.CodeDoc{
	{Code: CodeRead, Meaning: "the file could not be read"},
	{Code: CodeParse, Meaning: "the reader could not read the document at all"},
	{Code: CodePanic, Meaning: "the reader crashed on this document (a bug: please report it with the file)"},
	{Code: CodeTimeout, Meaning: "the document took longer than its time limit; its worker was killed and nothing of it kept"},
	{Code: CodeMemory, Meaning: "the document needed more memory than its limit; its worker was killed and nothing of it kept"},
	{Code: CodeCrash, Meaning: "the worker reading the document died (stack overflow, fatal error); nothing of it kept"},
	{Code: CodeLabelUnplaced, Meaning: "a row label matches no template row: its values (if any) are not recorded"},
	{Code: CodeHeaderMissing, Meaning: "a table row has values but no column header above it; not recorded"},
	{Code: CodeHeaderAssumed, Meaning: "no column header was recognised; the template's column order was assumed"},
	{Code: CodeValueSpanned, Meaning: "a value cell spans several rows, so it belongs to none of them; not recorded"},
	{Code: CodeCellDuplicate, Meaning: "the same cell is printed twice; the first is kept"},
	{Code: CodeValuesCount, Meaning: "a row has more or fewer values than columns; they were placed by grid position"},
	{Code: CodeValuesExtra, Meaning: "a row has more values than columns; only the cells every reading agrees on are recorded"},
	{Code: CodeValuesMissing, Meaning: "a row has fewer values than columns and no positions; none of its cells is recorded"},
	{Code: CodeTablesNone, Meaning: "no table of the national template was found"},
	{Code: CodeTablesMissing, Meaning: "one of the three template tables was not found"},
	{Code: CodeReadingSwapped, Meaning: "two columns as read broke the row identities (applicant or block sums) in several rows and agree read the other way round; they were exchanged"},
	{Code: CodeReadingDoubtful, Meaning: "rows break their identities systematically under every plausible reading of the columns: the cells are kept as read but may stand in the wrong columns; the report is partial"},
	{Code: CodeAgencyListed, Meaning: "the body the report prints is not the department or township whose sub-column of its government's portal listed it; the printed one is kept"},
}
