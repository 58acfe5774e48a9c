//go:build !linux

package heap

// Prefault gets a large slice just made into memory at once where the
// system has the calls for it (Linux); elsewhere its pages are faulted in
// as they are first written, as usual.
func Prefault[T any](s []T) {}
