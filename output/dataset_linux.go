package output

import "golang.org/x/sys/unix"

// exchange swaps the names a and b in one atomic step (renameat2(2) with
// RENAME_EXCHANGE; Linux 3.15 and the common local file systems).
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
