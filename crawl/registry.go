package crawl

import (
	"bytes"
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// A Site is one entry of the registry: a government site and the 年报 column
// to crawl on it.
type Site struct {
	// Name identifies the site in logs, state and output; unique in a registry.
	Name string `yaml:"name"`
	// Agency is the government body publishing the reports.
	Agency string `yaml:"agency"`
	// Start lists the URLs the crawl begins with: the annual-report column's
	// list pages, or single report pages.
	Start []string `yaml:"start"`
	// Hosts lists the hosts (host or host:port) the crawler may fetch from.
	// Links and redirects to any other host are never followed.
	Hosts []string `yaml:"hosts"`

	// What the national registry knows of a portal (NationalRegistry):
	// its level (province, prefecture or county), its 2023 division code
	// and its 省/市/县 name path. Empty when unknown.
	Level string `yaml:"level,omitempty"`
	Code  string `yaml:"code,omitempty"`
	Path  string `yaml:"path,omitempty"`
	// Discover says that Start is the site's home page and not its 年报
	// column, which the crawl then finds by itself (column.go).
	Discover bool `yaml:"discover,omitempty"`

	// Politeness overrides; zero means the run's setting.
	Delay    Duration `yaml:"delay,omitempty"`
	Parallel int      `yaml:"parallel,omitempty"`

	// Discovery overrides; zero means the run's setting.
	MaxDepth int `yaml:"max_depth,omitempty"`
	MaxPages int `yaml:"max_pages,omitempty"`
	// Follow lists extra URL path prefixes whose links are followed as
	// list pages; the directories of the start URLs always are.
	Follow []string `yaml:"follow,omitempty"`
}

// Duration is a time.Duration written in YAML as a Go duration string
// ("1s", "500ms").
type Duration time.Duration

// MarshalYAML implements yaml.Marshaler: a duration string, as read.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: bad duration %q (want e.g. 1s, 500ms)", n.Line, n.Value)
	}
	if v < 0 {
		return fmt.Errorf("line %d: negative duration %q", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// A Registry is the list of sites to crawl.
type Registry struct {
	Sites []Site `yaml:"sites"`
}

//go:embed sites.yaml
var defaultRegistry []byte

//go:generate go run ./internal/genportals -in ../../shared/registry -out portals.yaml

//go:embed portals.yaml
var nationalRegistry []byte

// NationalRegistry returns the registry of every county-level-and-above
// government portal (3,205, generated from shared/registry: see
// portals.yaml's header for the sources), with the curated sites of the
// default registry in place of their governments' portals on their hosts
// (they name the 年报 column; a portal names only its home page), and
// after them the other curated sites: a department's column on a portal's
// host is crawled beside the portal.
func NationalRegistry() *Registry {
	r, err := LoadRegistry(bytes.NewReader(nationalRegistry))
	if err != nil {
		panic("crawl: national registry: " + err.Error())
	}
	byHost := map[string]int{}
	for i, s := range r.Sites {
		for _, h := range s.Hosts {
			byHost[h] = i
		}
	}
	replaced := map[int]bool{}
	for _, c := range DefaultRegistry().Sites {
		i, ok := -1, false
		for _, h := range c.Hosts {
			if i, ok = byHost[h]; ok {
				break
			}
		}
		// A curated site takes the place of the portal of its own
		// government; a department's column on the portal's host (its
		// agency annotated, 沭阳县人民政府（sygfj 部门栏目）) is crawled
		// beside the portal, which keeps its own discovery.
		if !ok || replaced[i] || strings.ContainsAny(c.Agency, "（(") {
			r.Sites = append(r.Sites, c)
			continue
		}
		p := r.Sites[i]
		c.Level, c.Code, c.Path = cmp.Or(c.Level, p.Level), cmp.Or(c.Code, p.Code), cmp.Or(c.Path, p.Path)
		c.Discover = false // the curated sites name their column
		r.Sites[i] = c
		replaced[i] = true
	}
	if err := r.validate(); err != nil { // a curated name taken by a portal
		panic("crawl: national registry: " + err.Error())
	}
	return r
}

// DefaultRegistry returns the registry built into the binary, made from the
// report locations in the project's shared/sites.md.
func DefaultRegistry() *Registry {
	r, err := LoadRegistry(bytes.NewReader(defaultRegistry))
	if err != nil {
		panic("crawl: built-in registry: " + err.Error())
	}
	return r
}

// LoadRegistry reads a YAML registry. Unknown keys, missing names, agencies,
// start URLs or hosts, duplicate names and start URLs that are not absolute
// http(s) URLs on one of the site's hosts are errors.
func LoadRegistry(r io.Reader) (*Registry, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var reg Registry
	if err := dec.Decode(&reg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("registry: empty")
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("registry: %s", strings.Join(tidyYAMLErrors(te.Errors), "; "))
		}
		return nil, fmt.Errorf("registry: %w", err)
	}
	if err := reg.validate(); err != nil {
		return nil, err
	}
	return &reg, nil
}

var fieldNotFound = regexp.MustCompile(`field (\S+) not found in type \S+`)

// tidyYAMLErrors rewrites the decoder's messages for people writing
// registries: "line 6: field pages not found in type crawl.Site" becomes
// "line 6: unknown key \"pages\"".
func tidyYAMLErrors(errs []string) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = fieldNotFound.ReplaceAllString(e, `unknown key "$1"`)
	}
	return out
}

func (reg *Registry) validate() error {
	if len(reg.Sites) == 0 {
		return errors.New("registry: no sites")
	}
	seen := map[string]bool{}
	for i := range reg.Sites {
		s := &reg.Sites[i]
		if s.Name == "" {
			return fmt.Errorf("registry: site %d: missing name", i+1)
		}
		if seen[s.Name] {
			return fmt.Errorf("registry: site %q: duplicate name", s.Name)
		}
		seen[s.Name] = true
		if err := s.validate(); err != nil {
			return fmt.Errorf("registry: site %q: %w", s.Name, err)
		}
	}
	return nil
}

func (s *Site) validate() error {
	if s.Agency == "" {
		return errors.New("missing agency")
	}
	if len(s.Hosts) == 0 {
		return errors.New("missing hosts")
	}
	for i, h := range s.Hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || strings.ContainsAny(h, "/ ?#@") {
			return fmt.Errorf("bad host %q (want a host name, optionally with :port)", s.Hosts[i])
		}
		s.Hosts[i] = h
	}
	if len(s.Start) == 0 {
		return errors.New("missing start URLs")
	}
	for _, raw := range s.Start {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("bad start URL %q: %w", raw, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("bad start URL %q: want an absolute http or https URL", raw)
		}
		if !s.allowedHost(u) {
			return fmt.Errorf("start URL %q is not on the site's hosts %v", raw, s.Hosts)
		}
	}
	for _, p := range s.Follow {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("bad follow prefix %q: want a URL path starting with /", p)
		}
	}
	if s.Parallel < 0 || s.MaxDepth < 0 || s.MaxPages < 0 {
		return errors.New("parallel, max_depth and max_pages must not be negative")
	}
	return nil
}

// allowedHost reports whether u is on one of the site's hosts.
func (s *Site) allowedHost(u *url.URL) bool { return hostIn(s.Hosts, u) }

// hostIn reports whether u is on one of hosts (host or host:port, lower
// case).
func hostIn(hosts []string, u *url.URL) bool {
	host := strings.ToLower(u.Host)
	name := strings.ToLower(u.Hostname())
	for _, h := range hosts {
		if h == host || h == name {
			return true
		}
	}
	return false
}
