package crawl

// FetchStatus is the outcome of the last fetch of a URL, as the state
// database records it and the documents dataset reports it
// ([Document.Status]).
type FetchStatus string

// The values of FetchStatus. They are untyped constants so that they compare
// with Document.Status, which stays a plain string for the callers that
// already read it as one.
const (
	StatusNew        = "new"        // first good body
	StatusChanged    = "changed"    // body differs from the previous revision
	StatusUnchanged  = "unchanged"  // 304, or the same body again
	StatusFailed     = "failed"     // HTTP error, timeout, refused redirect, robots.txt unavailable
	StatusBlocked    = "blocked"    // anti-bot answer
	StatusTruncated  = "truncated"  // body cut short or over the size cap
	StatusSuperseded = "superseded" // an older revision (documents dataset only)
)

// good reports whether the fetch left a body in the archive.
func (s FetchStatus) good() bool {
	return s == StatusNew || s == StatusChanged || s == StatusUnchanged
}
