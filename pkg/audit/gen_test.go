package audit

import (
	"fmt"
	"os"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/internal/gittest"
)

var (
	genRepo = gittest.Gen
	gitIn   = gittest.Git
)

// TestWriteBenchRepo writes a generated repository for timing by hand
// against git: OPSBOOK_BENCH_REPO=/tmp/bench OPSBOOK_BENCH_COMMITS=10000.
func TestWriteBenchRepo(t *testing.T) {
	dir := os.Getenv("OPSBOOK_BENCH_REPO")
	if dir == "" {
		t.Skip("set OPSBOOK_BENCH_REPO to write a benchmark repository")
	}
	n := 10000
	fmt.Sscan(os.Getenv("OPSBOOK_BENCH_COMMITS"), &n)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	genRepo(t, dir, n)
}

func mustResolve(tb testing.TB, r *Repo, rev string) plumbing.Hash {
	tb.Helper()
	h, err := r.Resolve(rev)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}
