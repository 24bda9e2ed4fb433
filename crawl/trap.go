package crawl

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Limits that keep the crawler out of traps: calendars, session ids and
// other endless variations of one URL.
const (
	maxURLLen = 512
	// maxQueryParams: Hanweb's dataproxy.jsp takes a dozen (hanweb.go);
	// a URL with more is a filter form's endless combinations.
	maxQueryParams   = 14
	maxSegmentRepeat = 3
	maxPathSegments  = 16
	// maxQueryVariants caps the distinct query strings followed per path.
	maxQueryVariants = 1000
)

// volatileParams are query keys that only carry sessions, cache busters or
// tracking; they are dropped so that such variants collapse into one URL.
var volatileParams = map[string]bool{
	"jsessionid": true, "phpsessid": true, "sid": true, "sessionid": true,
	"_": true, "t": true, "timestamp": true, "rand": true, "random": true, "r": true,
	"utm_source": true, "utm_medium": true, "utm_campaign": true, "spm": true,
}

var calendarRe = regexp.MustCompile(`(?i)calendar|rili`)

// canonical returns the form of u the crawler keys its state on: no
// fragment, no session path parameter, volatile query keys dropped and the
// rest sorted, default ports removed, host lower-cased.
func canonical(u *url.URL) *url.URL {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	c.Host = strings.ToLower(c.Host)
	if c.Scheme == "http" {
		c.Host = strings.TrimSuffix(c.Host, ":80")
	} else if c.Scheme == "https" {
		c.Host = strings.TrimSuffix(c.Host, ":443")
	}
	if i := strings.Index(strings.ToLower(c.Path), ";jsessionid="); i >= 0 {
		c.Path, c.RawPath = c.Path[:i], ""
	}
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			if volatileParams[strings.ToLower(k)] {
				delete(q, k)
			}
		}
		c.RawQuery = q.Encode() // Encode sorts by key
	}
	return &c
}

// trapReason returns why u looks like a crawler trap, or "".
func trapReason(u *url.URL) string {
	if len(u.String()) > maxURLLen {
		return "URL too long"
	}
	if calendarRe.MatchString(u.Path) {
		return "calendar"
	}
	if u.RawQuery != "" {
		q := u.Query()
		if len(q) > maxQueryParams {
			return "too many query parameters"
		}
		for k := range q {
			switch strings.ToLower(k) {
			case "date", "day", "month", "calendar", "week":
				return "calendar"
			}
		}
	}
	segs := strings.Split(strings.Trim(path.Clean(u.Path), "/"), "/")
	if len(segs) > maxPathSegments {
		return "path too deep"
	}
	count := map[string]int{}
	for _, s := range segs {
		if s == "" {
			continue
		}
		if count[s]++; count[s] >= maxSegmentRepeat {
			return "repeating path segments"
		}
	}
	return ""
}
