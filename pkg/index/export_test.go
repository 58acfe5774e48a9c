package index

// SetHugeAtLeast sets the size from which the index file is read into
// memory of its own, and returns a function putting it back.
func SetHugeAtLeast(n int64) (restore func()) {
	old := hugeAtLeast
	hugeAtLeast = n
	return func() { hugeAtLeast = old }
}
