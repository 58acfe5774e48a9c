package gen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

var shared struct {
	sync.Mutex
	dirs map[string]string
}

// Shared returns a folder holding a department of n records made with seed
// (and an empty .git folder, so that opsbook caches in it), generated once
// per process under the temporary folder: benchmarks share it. Cleanup
// removes them all.
func Shared(n int, seed uint64) (string, error) {
	shared.Lock()
	defer shared.Unlock()
	key := fmt.Sprintf("%d-%d", n, seed)
	if d, ok := shared.dirs[key]; ok {
		return d, nil
	}
	dir, err := os.MkdirTemp("", "opsbook-dept-"+key+"-")
	if err != nil {
		return "", err
	}
	if _, err := Generate(context.Background(), dir, Options{Records: n, Seed: seed}); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		return "", err
	}
	if shared.dirs == nil {
		shared.dirs = map[string]string{}
	}
	shared.dirs[key] = dir
	return dir, nil
}

// Cleanup removes the folders Shared made.
func Cleanup() {
	shared.Lock()
	defer shared.Unlock()
	for k, d := range shared.dirs {
		os.RemoveAll(d)
		delete(shared.dirs, k)
	}
}
