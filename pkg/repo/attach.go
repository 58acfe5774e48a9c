package repo

import (
	"hash/maphash"
	"io/fs"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/attach"
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
		m map[string]look
	}
}

// look is what an attach.Looker said of a path.
type look struct {
	state attach.State
	info  fs.FileInfo
}

func newSeenFiles() *seenFiles {
	s := &seenFiles{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].m = map[string]look{}
	}
	return s
}

// look answers from memory, or asks test and remembers.
func (s *seenFiles) look(rel string, test func(string) (attach.State, fs.FileInfo)) (attach.State, fs.FileInfo) {
	sh := &s.shards[maphash.String(s.seed, rel)%uint64(len(s.shards))]
	sh.RLock()
	l, seen := sh.m[rel]
	sh.RUnlock()
	if seen {
		return l.state, l.info
	}
	l.state, l.info = test(rel)
	sh.Lock()
	sh.m[rel] = l
	sh.Unlock()
	return l.state, l.info
}

// summed lets go of what look kept of a path besides its state, once
// the file is summed (a path is summed once a run): 100,000 of them
// held 60 MB.
func (s *seenFiles) summed(rel string) {
	sh := &s.shards[maphash.String(s.seed, rel)%uint64(len(s.shards))]
	sh.Lock()
	if l, ok := sh.m[rel]; ok {
		sh.m[rel] = look{state: l.state}
	}
	sh.Unlock()
}

// stat is look's state.
func (s *seenFiles) stat(rel string, test func(string) (attach.State, fs.FileInfo)) attach.State {
	st, _ := s.look(rel, test)
	return st
}
