package index

// SetMapAtLeast sets the size from which the index file is mapped into
// memory rather than read, and returns a function putting it back.
func SetMapAtLeast(n int64) (restore func()) {
	old := mapAtLeast
	mapAtLeast = n
	return func() { mapAtLeast = old }
}

// SetChunks sets how many entries a chunk of the file holds and from how
// many elements a table is checked in parts, and returns a function
// putting them back.
func SetChunks(entries, part int) (restore func()) {
	oe, op := chunkEntries, validPart
	chunkEntries, validPart = entries, part
	return func() { chunkEntries, validPart = oe, op }
}
