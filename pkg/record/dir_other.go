//go:build !linux

package record

import "os"

// readDir lists a folder's entries by name, with the type of each.
func readDir(abs string) ([]dirEntry, error) {
	entries, err := os.ReadDir(abs)
	out := make([]dirEntry, len(entries))
	for i, d := range entries {
		out[i] = dirEntry{name: d.Name(), typ: d.Type()}
	}
	return out, err
}
