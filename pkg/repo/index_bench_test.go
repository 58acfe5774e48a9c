package repo

import (
	"context"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
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
