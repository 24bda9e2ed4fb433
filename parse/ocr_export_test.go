package parse

// SetTightPass turns the OCR's tight pass on or off, for a test to weigh
// what it settles; the returned func restores it.
func SetTightPass(on bool) (restore func()) {
	was := tightPassOn
	tightPassOn = on
	return func() { tightPassOn = was }
}
