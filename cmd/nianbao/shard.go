package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opengov-cn/nianbao/crawl"
)

// shardSpec is --shard i/n: this run takes the i-th of n parts of the
// registry and writes its dataset to ROOT/shard=i-of-n, beside the other
// parts' (see README, "Shards"). The zero value is the whole registry.
type shardSpec struct{ i, n int }

func (s *shardSpec) String() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.i, s.n)
}

// Type names the flag's value in help text.
func (s *shardSpec) Type() string { return "i/n" }

func (s *shardSpec) Set(v string) error {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n || n > maxShards {
		return fmt.Errorf("want i/n with 1 ≤ i ≤ n ≤ %d, e.g. 2/4", maxShards)
	}
	s.i, s.n = i, n
	return nil
}

// maxShards caps n: a shard per machine, not per site.
const maxShards = 1024

// dir is where the shard's dataset goes under root: a Hive partition
// directory, so that a glob over root reads every shard as one table
// with a shard column.
func (s shardSpec) dir(root string) string {
	if s.n == 0 {
		return root
	}
	return filepath.Join(root, fmt.Sprintf("shard=%d-of-%d", s.i, s.n))
}

// filter keeps the sites of this shard. A site's shard is a hash of its
// name, so it does not move when other sites are added to or removed from
// the registry, and every machine computes the same split.
func (s shardSpec) filter(sites []crawl.Site) []crawl.Site {
	if s.n == 0 {
		return sites
	}
	var out []crawl.Site
	for _, site := range sites {
		if shardOf(site.Name, s.n) == s.i {
			out = append(out, site)
		}
	}
	return out
}

// shardOf is the shard, 1 to n, of the site named name: from the first 8
// bytes of its sha256 (well mixed in every bit, unlike FNV's low bits,
// which put all four demo sites in one of two shards).
func shardOf(name string, n int) int {
	sum := sha256.Sum256([]byte(name))
	return int(binary.BigEndian.Uint64(sum[:8])%uint64(n)) + 1
}
