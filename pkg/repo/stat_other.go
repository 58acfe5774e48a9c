//go:build !linux

package repo

import (
	"os"
	"path/filepath"
)

type statter struct{ root string }

func newStatter(root string) *statter { return &statter{root: root} }

func (s *statter) regular(rel string) bool {
	info, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(rel)))
	return err == nil && info.Mode().IsRegular()
}

func (s *statter) close() {}
