//go:build !linux

package output

import "errors"

// exchange would swap the names a and b atomically; this system has no
// such call that nianbao uses, so an older nianbao's directory is not
// adopted in place here.
func exchange(a, b string) error {
	return errors.New("no atomic exchange of two names on this system")
}
