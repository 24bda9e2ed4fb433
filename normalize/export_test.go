package normalize

// ResetLabelCaches empties the caches that reports share, for benchmarks
// of a report whose labels nobody has matched yet.
func ResetLabelCaches() {
	matches.reset()
	votes.reset()
}

func (c *cache[K, V]) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
