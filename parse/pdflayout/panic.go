package pdflayout

import (
	"bytes"
	"runtime/debug"
)

// strictPanics makes the recover points re-raise panics that start in this
// package's own code rather than in the PDF library, so that fuzzing finds
// this package's bugs instead of hiding them. Tests set it; it is off in
// production, where every panic becomes an error for its page.
var strictPanics = false

// rethrowOwn re-panics with r when strictPanics is set and the panic was
// raised in this package. Call it only from a deferred function.
func rethrowOwn(r any) {
	if strictPanics && ownFault(debug.Stack()) {
		panic(r)
	}
}

// ownFault reports whether the innermost frame that raised a panic (the
// first frame after the runtime's panic machinery) belongs to this package.
func ownFault(stack []byte) bool {
	lines := bytes.Split(stack, []byte("\n"))
	afterPanic := false
	for _, l := range lines {
		if len(l) == 0 || l[0] == '\t' {
			continue
		}
		switch {
		case bytes.HasPrefix(l, []byte("panic(")):
			afterPanic = true
		case !afterPanic:
		case bytes.HasPrefix(l, []byte("runtime.")):
		default:
			return bytes.Contains(l, []byte("nianbao/parse/pdflayout."))
		}
	}
	return false
}
