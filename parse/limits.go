package parse

import (
	"context"
	"fmt"
)

// Caps on what one document may make the readers build. Each is far above
// anything a real report needs and far below what would exhaust a worker;
// a document that reaches one is read up to it and says so in a warning.
const (
	// MaxTextBytes is the most of an HTML page or text dump that is read.
	// A report page is well under 5 MiB; 64 MiB leaves room for pages that
	// inline images and still keeps a worker's memory in hundreds of MiB.
	MaxTextBytes = 64 << 20
	// MaxBlocks is the most paragraphs and tables kept per document: a
	// report has a few hundred, a long dump a few thousand.
	MaxBlocks = 100_000
	// MaxTableCells is the most cells (spanned copies included) one table
	// may have: a template table has about 300. It bounds rowspan bombs.
	MaxTableCells = 50_000
	// MaxGridCols is the widest grid a table may span; the template's
	// widest table has 16 columns.
	MaxGridCols = 500
	// MaxRowCells is the most cells kept from one row of a text dump.
	MaxRowCells = 500
	// MaxWarnings is the most warnings a document keeps; past it one
	// warning counts the rest, so a pathological row cannot flood a log.
	MaxWarnings = 200
	// ctxCheckEvery is how many tokens or lines a reader handles between
	// looks at its context: often enough to stop within milliseconds,
	// rarely enough to cost nothing.
	ctxCheckEvery = 1024
)

// Warning codes for documents cut short.
const (
	CodeLimit   Code = "parse.limit"   // a cap above was reached
	CodeTimeout Code = "parse.timeout" // the document's time ran out
)

// limitWarning says that cap what was reached at loc.
func limitWarning(what string, limit int, loc Loc) Warning {
	return Warning{Code: CodeLimit, Message: fmt.Sprintf("%s exceeds the cap of %d; the rest is not read", what, limit), Loc: loc}
}

// stopped reports whether ctx is done, and if so notes it on doc: what was
// read so far is kept, the document is failed, and the warning says why.
func stopped(ctx context.Context, doc *Document, loc Loc) bool {
	if ctx.Err() == nil {
		return false
	}
	doc.Status = StatusFailed
	doc.Warnings = append(doc.Warnings, Warning{Code: CodeTimeout,
		Message: fmt.Sprintf("reading stopped before the end: %v", context.Cause(ctx)), Loc: loc})
	return true
}

// capWarnings keeps the first MaxWarnings warnings and one that counts
// the rest.
func capWarnings(ws []Warning) []Warning {
	if len(ws) <= MaxWarnings {
		return ws
	}
	rest := len(ws) - MaxWarnings + 1
	ws = ws[:MaxWarnings-1]
	return append(ws, Warning{Code: CodeLimit, Message: fmt.Sprintf("%d more warnings not kept (cap %d)", rest, MaxWarnings)})
}
