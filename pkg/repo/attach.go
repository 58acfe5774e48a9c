package repo

import (
	"hash/maphash"
	"strings"

	"github.com/opsbook/opsbook/pkg/attach"
	"sync"
)

// insideRepo tells whether an attachment path stays below the root.
func insideRepo(rel string) bool {
	return !strings.HasPrefix(rel, "/") && !strings.Contains("/"+rel+"/", "/../")
}

// seenFiles remembers, for one validate, what is at each attachment path: a department copies its receipts' paths (a template, a
// shared contract) into many records, and each is looked up once. It is
// sharded so the rules' workers rarely wait on one another.
type seenFiles struct {
	seed   maphash.Seed
	shards [64]struct {
		sync.RWMutex
		m map[string]attach.State
	}
}

func newSeenFiles() *seenFiles {
	s := &seenFiles{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].m = map[string]attach.State{}
	}
	return s
}

// stat answers from memory, or asks test and remembers.
func (s *seenFiles) stat(rel string, test func(string) attach.State) attach.State {
	sh := &s.shards[maphash.String(s.seed, rel)%uint64(len(s.shards))]
	sh.RLock()
	ok, seen := sh.m[rel]
	sh.RUnlock()
	if seen {
		return ok
	}
	ok = test(rel)
	sh.Lock()
	sh.m[rel] = ok
	sh.Unlock()
	return ok
}
