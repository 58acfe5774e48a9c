package repo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
)

// BenchmarkIndexWarm refreshes the index of an unchanged department
// (the generated one, or OPSBOOK_BENCH_DIR).
func BenchmarkIndexWarm(b *testing.B) {
	dir := benchDept(b)
	pol, _, err := config.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := Index(context.Background(), dir, pol); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Index(context.Background(), dir, pol); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexOpen reads the stored index alone (the file, its checks,
// the entries), without the listing and stat data of the files.
func BenchmarkIndexOpen(b *testing.B) {
	dir := benchDept(b)
	pol, _, err := config.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := Index(context.Background(), dir, pol); err != nil {
		b.Fatal(err)
	}
	key := index.NewKey(cache.NewKey(pol.Records, pol.ExpenseCategories, pol.ComplaintCategories))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := index.Open(filepath.Join(cache.Dir(dir), "index"), key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWalk lists the record folders.
func BenchmarkWalk(b *testing.B) {
	dir := benchDept(b)
	for i := 0; i < b.N; i++ {
		if _, _, err := record.Walk(dir, "records"); err != nil {
			b.Fatal(err)
		}
	}
}
