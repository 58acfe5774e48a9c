//go:build !linux

package index

import "os"

// readFile reads the index file (release does nothing).
func readFile(path string) ([]byte, func(), error) {
	data, err := os.ReadFile(path)
	return data, func() {}, err
}
