package record_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsbook/opsbook/pkg/gen"
	"github.com/opsbook/opsbook/pkg/record"
)

func TestMain(m *testing.M) {
	code := m.Run()
	gen.Cleanup()
	os.Exit(code)
}

// files returns the record files of a generated department of n records.
func files(b *testing.B, n int) (string, []string, [][]byte) {
	b.Helper()
	dir, err := gen.Shared(n, 1)
	if err != nil {
		b.Fatal(err)
	}
	paths, _, err := record.Walk(dir, "records")
	if err != nil {
		b.Fatal(err)
	}
	data := make([][]byte, len(paths))
	size := 0
	for i, p := range paths {
		if data[i], err = os.ReadFile(filepath.Join(dir, p)); err != nil {
			b.Fatal(err)
		}
		size += len(data[i])
	}
	b.SetBytes(int64(size))
	return dir, paths, data
}

// BenchmarkParse: the full route, keeping node trees (what editing uses).
func BenchmarkParse(b *testing.B) {
	_, paths, data := files(b, 2000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range data {
			record.Parse(paths[j], data[j])
		}
	}
}

// BenchmarkParseLean: what loading uses (the fast route where it applies).
func BenchmarkParseLean(b *testing.B) {
	_, paths, data := files(b, 2000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range data {
			record.ParseLean(paths[j], data[j])
		}
	}
}

// BenchmarkLoad reads and parses every file on all cores (no schemas).
func BenchmarkLoad(b *testing.B) {
	dir, _, _ := files(b, 5000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := record.Load(context.Background(), dir, "records"); err != nil {
			b.Fatal(err)
		}
	}
}
