//go:build !linux

package repo

import (
	"path/filepath"

	"github.com/opsbook/opsbook/pkg/cache"
)

type reader struct{ root string }

func newReader(root string) *reader { return &reader{root: root} }

func (r *reader) close() {}

type cursor struct{ r *reader }

func (r *reader) cursor() *cursor { return &cursor{r: r} }

func (c *cursor) close() {}

func (c *cursor) lstat(rel string) (cache.Stat, bool, error) {
	return lstatPath(filepath.Join(c.r.root, filepath.FromSlash(rel)))
}

// lstatLinks is lstat; whether a file has other names is not asked here
// (there is no monitor on this system to be fooled by them).
func (c *cursor) lstatLinks(rel string) (cache.Stat, bool, bool, error) {
	s, regular, err := c.lstat(rel)
	return s, regular, false, err
}

func (c *cursor) read(rel string, size int64, buf []byte) ([]byte, error) {
	return readSized(filepath.Join(c.r.root, filepath.FromSlash(rel)), size, buf)
}
