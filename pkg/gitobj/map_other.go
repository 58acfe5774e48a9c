//go:build !linux

package gitobj

import "os"

// mapFile maps nothing here: the caller reads the file.
func mapFile(f *os.File, size int64) []byte { return nil }

func keepMapped[T any](owner *T, m []byte) {}
