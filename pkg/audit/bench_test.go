package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// The speed targets (issue: the audit trail) are against git on the same
// repository: history's first run within 10× and later runs within 2× of
// `git log --format=%H -- PATH`, verify within 3× of `git log -p
// --format=%H`. These benchmarks guard the paths; compare with git by hand
// on the repository TestWriteBenchRepo writes.

const benchCommits = 3000

var (
	benchOnce sync.Once
	benchDir  string
)

func benchRepo(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		d, err := os.MkdirTemp("", "opsbook-audit-bench")
		if err != nil {
			b.Fatal(err)
		}
		n := benchCommits
		fmt.Sscan(os.Getenv("OPSBOOK_BENCH_COMMITS"), &n)
		genRepo(b, d, n)
		benchDir = d
	})
	return benchDir
}

func openBench(b *testing.B, fresh bool) *Repo {
	dir := benchRepo(b)
	if fresh {
		os.RemoveAll(filepath.Join(dir, ".git", "opsbook"))
	}
	r, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkHistoryFirstRun: no index yet; the run builds it.
func BenchmarkHistoryFirstRun(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r := openBench(b, true)
		if _, err := r.History(context.Background(), "EXP-2026-0007"); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkHistoryIndexed: a later run, the index read from disk.
func BenchmarkHistoryIndexed(b *testing.B) {
	r := openBench(b, false)
	if _, err := r.History(context.Background(), "EXP-2026-0007"); err != nil {
		b.Fatal(err)
	}
	r.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := openBench(b, false)
		if _, err := r.History(context.Background(), "EXP-2026-0010"); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkVerifyFirstRun verifies all history without an index.
func BenchmarkVerifyFirstRun(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r := openBench(b, true)
		rep, err := r.Verify(context.Background(), VerifyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Violations) != 0 {
			b.Fatalf("honest history has violations: %+v", rep.Violations[0])
		}
		r.Close()
	}
}

// BenchmarkVerifyIndexed verifies all history with the index in place.
func BenchmarkVerifyIndexed(b *testing.B) {
	r := openBench(b, false)
	if err := r.EnsureIndexed(context.Background(), mustResolve(b, r, "HEAD")); err != nil {
		b.Fatal(err)
	}
	r.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := openBench(b, false)
		if _, err := r.Verify(context.Background(), VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkLog reads the whole activity feed.
func BenchmarkLog(b *testing.B) {
	for i := 0; i < b.N; i++ {
		r := openBench(b, false)
		if _, err := r.Log(context.Background(), LogOptions{}); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
