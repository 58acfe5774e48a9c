package repo

import (
	"context"
	"os"
	"testing"

	"github.com/opsbook/opsbook/pkg/gen"
)

// benchRecords is the size of the generated department the benchmarks
// read; OPSBOOK_BENCH_DIR points them at another (e.g. 100,000 records from
// cmd/opsbook-gen) instead.
const benchRecords = 5000

func benchDept(b *testing.B) string {
	b.Helper()
	if d := os.Getenv("OPSBOOK_BENCH_DIR"); d != "" {
		return d
	}
	dir, err := gen.Shared(benchRecords, 1)
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	gen.Cleanup()
	os.Exit(code)
}

// BenchmarkLoadCold reads, parses, places and schema-checks every file.
func BenchmarkLoadCold(b *testing.B) {
	dir := benchDept(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := LoadWith(context.Background(), dir, Options{NoCache: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadWarm reads an unchanged repository through the cache.
func BenchmarkLoadWarm(b *testing.B) {
	dir := benchDept(b)
	trustAll(b)
	if _, err := LoadWith(context.Background(), dir, Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := LoadWith(context.Background(), dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate runs the cross-record rules (with the attachment
// lookups) over a loaded repository.
func BenchmarkValidate(b *testing.B) {
	dir := benchDept(b)
	r, err := LoadWith(context.Background(), dir, Options{NoCache: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Validate(gen.DefaultUntil)
	}
}
