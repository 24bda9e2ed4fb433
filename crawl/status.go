package crawl

// FetchStatus is the outcome of the last fetch of a URL, as the state
// database records it and the documents dataset reports it
// ([Document.Status]). Its values are the strings the state database and
// documents.parquet hold; callers that need the plain string convert it
// with string(s).
type FetchStatus string

// The values of FetchStatus.
const (
	StatusNew        FetchStatus = "new"        // first good body
	StatusChanged    FetchStatus = "changed"    // body differs from the previous revision
	StatusUnchanged  FetchStatus = "unchanged"  // 304, or the same body again
	StatusFailed     FetchStatus = "failed"     // HTTP error, timeout, refused redirect, robots.txt unavailable
	StatusBlocked    FetchStatus = "blocked"    // anti-bot answer
	StatusTruncated  FetchStatus = "truncated"  // body cut short or over the size cap
	StatusSuperseded FetchStatus = "superseded" // an older revision (documents dataset only)
)

// good reports whether the fetch left a body in the archive.
func (s FetchStatus) good() bool {
	return s == StatusNew || s == StatusChanged || s == StatusUnchanged
}
