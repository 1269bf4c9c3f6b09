//go:build unix

package persist

import (
	"strings"
	"syscall"
)

// isLockConflict reports whether Badger's lock error text carries flock's
// "would block" (another holder), not some other flock failure such as
// ENOLCK on a network file system.
func isLockConflict(msg string) bool {
	return strings.Contains(msg, syscall.EWOULDBLOCK.Error())
}
