package repo

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/opsbook/opsbook/pkg/rules"
)

// attachments looks up whether each attachment the records name exists, in
// the background and on all cores, while the rules run: they get the answer
// from there, or look for themselves when the lookup has not got that far.
// wait returns once the lookups are over.
func (r *Repo) attachments() (exists func(rel string) bool, wait func()) {
	index := map[string]int{}
	var paths []string
	for k, patterns := range rules.Attachments {
		split := make([][]string, len(patterns))
		for i, p := range patterns {
			split[i] = strings.Split(p, ".")
		}
		for _, rec := range r.Set.OfKind(k) {
			for _, parts := range split {
				eachValue(rec.Data, parts, func(v any) {
					if s, ok := v.(string); ok && s != "" {
						if _, dup := index[s]; !dup {
							index[s] = len(paths)
							paths = append(paths, s)
						}
					}
				})
			}
		}
	}
	// 0: not known yet; 1: exists; 2: does not.
	state := make([]atomic.Uint32, len(paths))
	st := newStatter(r.Root)
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < 2*runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(256)) - 256
				if lo >= len(paths) {
					return
				}
				for j := lo; j < min(lo+256, len(paths)); j++ {
					v := uint32(2)
					if insideRepo(paths[j]) && st.regular(paths[j]) {
						v = 1
					}
					state[j].Store(v)
				}
			}
		}()
	}
	exists = func(rel string) bool {
		if j, ok := index[rel]; ok {
			switch state[j].Load() {
			case 1:
				return true
			case 2:
				return false
			}
		}
		return r.exists(rel)
	}
	wait = func() {
		wg.Wait()
		st.close()
	}
	return exists, wait
}

// exists is the rules' own test: a regular file (links followed).
func (r *Repo) exists(rel string) bool {
	if !insideRepo(rel) {
		return false
	}
	info, err := os.Stat(filepath.Join(r.Root, filepath.FromSlash(rel)))
	return err == nil && info.Mode().IsRegular()
}

func insideRepo(rel string) bool {
	return !strings.HasPrefix(rel, "/") && !strings.Contains("/"+rel+"/", "/../")
}

// eachValue calls f with every value a dotted pattern ("items.*.receipt")
// reaches in data.
func eachValue(v any, parts []string, f func(any)) {
	if len(parts) == 0 {
		f(v)
		return
	}
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t[parts[0]]; ok {
			eachValue(x, parts[1:], f)
		}
	case []any:
		if parts[0] == "*" {
			for _, x := range t {
				eachValue(x, parts[1:], f)
			}
		} else if i, err := strconv.Atoi(parts[0]); err == nil && i >= 0 && i < len(t) {
			eachValue(t[i], parts[1:], f)
		}
	}
}
