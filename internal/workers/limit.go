package workers

import (
	"os"
	"runtime/debug"
	"strconv"
)

// softShare is the share of the hard memory limit at which a worker's
// garbage collector starts working harder.
const softShare = 0.8

func setSoftLimit() {
	n, err := strconv.ParseUint(os.Getenv(MemoryEnv), 10, 64)
	if err != nil || n == 0 {
		return
	}
	debug.SetMemoryLimit(int64(float64(n) * softShare))
}
