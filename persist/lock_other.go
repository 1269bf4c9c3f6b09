//go:build !unix

package persist

// isLockConflict: on Windows Badger reports a held lock as a lock file it
// cannot create exclusively, and the shared message is all there is to match.
func isLockConflict(string) bool { return true }
