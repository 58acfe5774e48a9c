package gitstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// bigRepo makes a repository of n committed record files in directories of
// 100, the shape of a few years of records.
func bigRepo(b *testing.B, n int) string {
	b.Helper()
	isolate(b)
	dir := newRepo(b, nil)
	for i := range n {
		name := filepath.Join(dir, "records", fmt.Sprintf("d%03d", i/100), fmt.Sprintf("REC-%06d.yaml", i))
		if i%100 == 0 {
			os.MkdirAll(filepath.Dir(name), 0o755)
		}
		if err := os.WriteFile(name, []byte(fmt.Sprintf("id: REC-%06d\nstate: draft\n", i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	gitCmd(b, dir, "add", "-A")
	gitCmd(b, dir, "commit", "-q", "-m", "records")
	return dir
}

func BenchmarkCommit(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			dir := bigRepo(b, n)
			r, err := Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			p := "records/d005/REC-000512.yaml"
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				if err := os.WriteFile(filepath.Join(dir, p), []byte(fmt.Sprintf("id: REC-000512\nrevision: %d\n", i)), 0o644); err != nil {
					b.Fatal(err)
				}
				if _, err := r.Commit(ctx, CommitRequest{Paths: []string{p}, Message: "bench", Author: alice}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDirty(b *testing.B) {
	dir := bigRepo(b, 20000)
	r, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	paths := []string{"records/d005/REC-000512.yaml", "records/d150/REC-015000.yaml", "records/new/REC-999999.yaml"}
	for b.Loop() {
		if _, err := r.Dirty(paths); err != nil {
			b.Fatal(err)
		}
	}
}
