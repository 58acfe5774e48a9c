package index_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/index"
)

// BenchmarkOpen opens the index of a department: OPSBOOK_BENCH_DIR, or
// the sample copied up to 10,000 records. Opening reads the file, checks
// it and its tables and makes every entry.
func BenchmarkOpen(b *testing.B) {
	dir := os.Getenv("OPSBOOK_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "copy")
		if _, err := gen.Replicate(context.Background(), dir, gen.ReplicateOptions{From: filepath.Join("..", ".."), Records: 10000}); err != nil {
			b.Fatal(err)
		}
	}
	path := filepath.Join(b.TempDir(), "index")
	if err := index.Save(path, key, index.Mark{}, entriesOf(b, dir)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := index.Open(path, key); err != nil {
			b.Fatal(err)
		}
	}
}
