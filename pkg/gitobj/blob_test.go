package gitobj

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/internal/gittest"
)

// A blob over the limit is not inflated: its size comes from the header,
// loose or packed, whole or a delta; one under it is read whole.
func TestBlobOverLimitIsNotRead(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, nil, "init", "-q")
	write := func(name string, b []byte, size int64) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if size > 0 {
			os.Truncate(p, size) // sparse: a big file written in no time
		}
		return strings.TrimSpace(gittest.Git(t, dir, nil, "hash-object", "-w", p))
	}
	const big = 12 << 20
	hBig := write("big", nil, big)
	rnd := rand.New(rand.NewPCG(1, 2))
	a := make([]byte, 2<<20)
	for i := range a {
		a[i] = byte(rnd.IntN(256))
	}
	b := append([]byte{}, a...)
	copy(b[1000:], "a small change")
	hA, hB := write("a", a, 0), write("b", b, 0)
	hSmall := write("small", []byte("kind: expense\n"), 0)
	const limit = 1 << 20
	check := func(how string) {
		r := openT(t, dir)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got, err := r.Blob(plumbing.NewHash(hBig), limit)
		runtime.ReadMemStats(&after)
		if err != nil || len(got) != limit+1 {
			t.Fatalf("%s: big blob: %d bytes, %v", how, len(got), err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
			t.Errorf("%s: reading a %d MB blob over the limit allocated %d MB", how, big>>20, n>>20)
		}
		for _, c := range []struct {
			h    string
			want []byte
		}{{hA, a}, {hB, b}} {
			got, err := r.Blob(plumbing.NewHash(c.h), limit)
			if err != nil || len(got) != limit+1 {
				t.Errorf("%s: 2 MB blob over a 1 MB limit: %d bytes, %v", how, len(got), err)
			}
			if got, err := r.Blob(plumbing.NewHash(c.h), 0); err != nil || !bytes.Equal(got, c.want) {
				t.Errorf("%s: 2 MB blob without limit: %d bytes, %v", how, len(got), err)
			}
		}
		if got, err := r.Blob(plumbing.NewHash(hSmall), limit); err != nil || string(got) != "kind: expense\n" {
			t.Errorf("%s: small blob: %q, %v", how, got, err)
		}
	}
	check("loose")
	cmd := exec.Command("git", "pack-objects", "-q", "--window=10", filepath.Join(dir, ".git", "objects", "pack", "pack"))
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(strings.Join([]string{hBig, hA, hB, hSmall}, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git pack-objects: %v\n%s", err, out)
	}
	gittest.Git(t, dir, nil, "prune-packed")
	out := gittest.Git(t, dir, nil, "verify-pack", "-v", packIdx(t, dir))
	if !strings.Contains(out, "chain length = 1") {
		t.Fatalf("no delta in the pack:\n%s", out)
	}
	check("packed")
}

func packIdx(t *testing.T, dir string) string {
	m, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "pack-*.idx"))
	if len(m) != 1 {
		t.Fatalf("packs: %v", m)
	}
	return m[0]
}
