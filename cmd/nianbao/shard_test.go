package main

import (
	"fmt"
	"testing"

	"github.com/opengov-cn/nianbao/crawl"
)

func TestShardSpec(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"1/1", true}, {"2/4", true}, {"4/4", true},
		{"0/4", false}, {"5/4", false}, {"1/0", false}, {"a/b", false}, {"3", false}, {"1/2000", false}, {"", false},
	} {
		var s shardSpec
		if err := s.Set(tc.in); (err == nil) != tc.ok {
			t.Errorf("Set(%q): %v", tc.in, err)
		} else if tc.ok && s.String() != tc.in {
			t.Errorf("Set(%q) then String: %q", tc.in, s.String())
		}
	}
	if d := (shardSpec{2, 4}).dir("root"); d != "root/shard=2-of-4" {
		t.Errorf("dir: %s", d)
	}
}

// TestShardSplit checks that the shards of a registry hold every site
// exactly once, each a fair part, and that a site's shard does not depend
// on the other sites.
func TestShardSplit(t *testing.T) {
	var sites []crawl.Site
	for i := range 3000 {
		sites = append(sites, crawl.Site{Name: fmt.Sprintf("site-%d", i)})
	}
	const n = 4
	seen := map[string]int{}
	for i := 1; i <= n; i++ {
		part := shardSpec{i, n}.filter(sites)
		if len(part) < len(sites)/n*8/10 || len(part) > len(sites)/n*12/10 {
			t.Errorf("shard %d/%d holds %d of %d sites", i, n, len(part), len(sites))
		}
		for _, s := range part {
			seen[s.Name]++
		}
	}
	for _, s := range sites {
		if seen[s.Name] != 1 {
			t.Fatalf("%s in %d shards", s.Name, seen[s.Name])
		}
	}
	alone := shardSpec{shardOf("site-7", n), n}.filter(sites[7:8])
	if len(alone) != 1 {
		t.Error("a site's shard changed with the registry around it")
	}
}
