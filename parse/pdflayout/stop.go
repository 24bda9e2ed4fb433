package pdflayout

import "context"

// checkEvery is how many steps (tokens, entries, rows) a loop that scales
// with its input takes between looks at its context: a step costs well
// under a microsecond, so a loop stops within milliseconds of its
// context's end, and looking costs nothing measurable.
const checkEvery = 4096

// stopper tells a loop when to give up: once its context is done. A nil
// stopper, or one with a nil context, never stops. The first error seen is kept, so that every loop
// sharing the stopper ends and the caller can say why.
type stopper struct {
	ctx context.Context
	n   int
	err error
}

// stop counts one step and reports whether the work must end.
func (s *stopper) stop() bool { return s.steps(1) }

// steps counts n steps, for a loop whose every turn does n steps' work.
func (s *stopper) steps(n int) bool {
	if s == nil {
		return false
	}
	if s.err != nil {
		return true
	}
	if s.ctx == nil {
		return false
	}
	if s.n += n; s.n < checkEvery {
		return false
	}
	s.n = 0
	s.err = s.ctx.Err()
	return s.err != nil
}

// now looks at the context at once, for loops whose steps are costly.
func (s *stopper) now() bool {
	if s == nil {
		return false
	}
	if s.err == nil && s.ctx != nil {
		s.err = s.ctx.Err()
	}
	return s.err != nil
}
