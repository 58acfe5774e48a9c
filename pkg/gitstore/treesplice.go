package gitstore

import (
	"bytes"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// treeBuilder writes the trees along the changed paths only; every other
// subtree is reused by hash. Each tree is spliced: the bytes of the tree
// it replaces are copied as they are, but for the entries of the names it
// changes, removed from their place and written at git's place for the
// new entry (by name, a folder's name compared as if it ended in "/").
// It replaced decoding the whole tree into go-git's entries and a map,
// sorting them and encoding every one (a year's claims, 27,000 entries,
// to change one). A tree out of git's order (which git fsck calls broken)
// is first written in order, repeated names kept once (the last), as the
// decode and sort did.
type treeBuilder struct {
	r       *Repo
	level   int             // zlib level of the loose objects written
	written []plumbing.Hash // the trees it stored
}

// slot is one name a tree's change touches: where its entry is now, if
// any, and the entry it gets, if any.
type slot struct {
	name []byte
	dir  bool // the new entry is a folder (orders it)
	at   int  // offset of the first entry after the new one's place

	old        gitobj.TreeEntry
	exists     bool
	start, end int // the old entry's bytes

	remove bool              // take the old entry out
	entry  *gitobj.TreeEntry // the new entry
}

// build applies changes (keyed by path relative to dir) to the tree base
// (zero for none) and returns the new tree's hash, or the zero hash when the
// tree ends up empty.
func (b *treeBuilder) build(base plumbing.Hash, dir string, changes map[string]treeChange) (plumbing.Hash, error) {
	raw, err := b.r.tree(base)
	if err != nil {
		return plumbing.ZeroHash, i18n.Errorf("reading tree %q: %w", dir, err)
	}
	if b.r.unsorted[base] {
		raw = sortTree(raw)
	}
	direct := map[string]treeChange{}
	nested := map[string]map[string]treeChange{}
	for p, c := range changes {
		if first, rest, ok := strings.Cut(p, "/"); ok {
			if nested[first] == nil {
				nested[first] = map[string]treeChange{}
			}
			nested[first][rest] = c
		} else {
			direct[p] = c
		}
	}
	slots := make([]slot, 0, len(direct)+len(nested))
	for name := range direct {
		if _, alsoDir := nested[name]; !alsoDir {
			slots = append(slots, slot{name: []byte(name)})
		}
	}
	for name := range nested {
		slots = append(slots, slot{name: []byte(name), dir: true})
	}
	slices.SortFunc(slots, func(x, y slot) int { return gitobj.CompareTreeNames(x.name, x.dir, y.name, y.dir) })
	if err := locate(raw, slots); err != nil {
		return plumbing.ZeroHash, i18n.Errorf("reading tree %q: %w", dir, err)
	}
	byName := make(map[string]*slot, len(slots))
	for i := range slots {
		byName[string(slots[i].name)] = &slots[i]
	}

	for name, c := range direct {
		s := byName[name]
		full := joinPath(dir, name)
		if _, alsoDir := nested[name]; alsoDir && !c.remove {
			return plumbing.ZeroHash, i18n.Errorf("%w %q: committed both as a file and as a directory", ErrBadPath, full)
		}
		if s.exists && s.old.IsDir() {
			return plumbing.ZeroHash, i18n.Errorf("%w %q: is a directory in HEAD; name the files in it", ErrBadPath, full)
		}
		s.remove = s.exists
		if !c.remove {
			s.entry = &gitobj.TreeEntry{Name: s.name, Mode: c.mode, Hash: c.hash}
		}
	}
	for name, sub := range nested {
		s := byName[name]
		full := joinPath(dir, name)
		var subBase plumbing.Hash
		if s.exists && !s.remove { // a file removed just above is no base
			if !s.old.IsDir() {
				return plumbing.ZeroHash, i18n.Errorf("%w %q: is a file in HEAD; commit its removal with the files under it", ErrBadPath, full)
			}
			subBase = s.old.Hash
		}
		h, err := b.build(subBase, full, sub)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		s.remove = s.exists
		if !h.IsZero() { // else git keeps no empty directories
			s.entry = &gitobj.TreeEntry{Name: s.name, Mode: filemode.Dir, Hash: h}
		}
	}

	out := splice(raw, slots)
	if len(out) == 0 {
		return plumbing.ZeroHash, nil
	}
	return b.writeRaw(out)
}

// locate finds, in a tree's bytes (in git's order), each slot's old entry
// (by name, file or folder) and the place of its new one (slots are in
// git's order of their new entries).
func locate(raw []byte, slots []slot) error {
	var byName map[string]int
	if len(slots) > 8 {
		byName = make(map[string]int, len(slots))
		for i, s := range slots {
			byName[string(s.name)] = i
		}
	}
	k := 0
	for t := raw; len(t) > 0; {
		start := len(raw) - len(t)
		e, rest, err := gitobj.ParseTreeEntry(t)
		if err != nil {
			return err
		}
		for k < len(slots) && gitobj.CompareTreeNames(slots[k].name, slots[k].dir, e.Name, e.IsDir()) <= 0 {
			slots[k].at = start
			k++
		}
		i := -1
		if byName != nil {
			if j, ok := byName[string(e.Name)]; ok {
				i = j
			}
		} else {
			for j := range slots {
				if bytes.Equal(slots[j].name, e.Name) {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			s := &slots[i]
			s.old, s.exists = e, true
			s.start, s.end = start, len(raw)-len(rest)
		}
		t = rest
	}
	for ; k < len(slots); k++ {
		slots[k].at = len(raw)
	}
	return nil
}

// splice writes raw with the slots' old entries taken out and their new
// ones put in.
func splice(raw []byte, slots []slot) []byte {
	type op struct {
		at, end int               // bytes to take out, or where to put e
		e       *gitobj.TreeEntry // nil: take out
	}
	ops := make([]op, 0, 2*len(slots))
	grow := 0
	for i := range slots {
		s := &slots[i]
		if s.entry != nil {
			ops = append(ops, op{at: s.at, e: s.entry})
			grow += len(s.name) + 30
		}
		if s.remove {
			ops = append(ops, op{at: s.start, end: s.end})
		}
	}
	// By place; at one place, what is put in before what is taken out
	// (slots are in git's order, so are the entries put in at one place).
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].at != ops[j].at {
			return ops[i].at < ops[j].at
		}
		return ops[i].e != nil && ops[j].e == nil
	})
	out := make([]byte, 0, len(raw)+grow)
	pos := 0
	for _, o := range ops {
		out = append(out, raw[pos:o.at]...)
		pos = o.at
		if o.e == nil {
			pos = o.end
			continue
		}
		out = appendEntry(out, *o.e)
	}
	return append(out, raw[pos:]...)
}

// appendEntry appends a tree entry as git writes it: the mode in octal
// without leading zeros ("40000" for a folder), a space, the name, a NUL
// and the hash.
func appendEntry(b []byte, e gitobj.TreeEntry) []byte {
	b = strconv.AppendUint(b, uint64(e.Mode), 8)
	b = append(b, ' ')
	b = append(b, e.Name...)
	b = append(b, 0)
	return append(b, e.Hash[:]...)
}

// sortTree writes a tree's entries in git's order, a name repeated kept
// once (its last entry).
func sortTree(raw []byte) []byte {
	last := map[string]gitobj.TreeEntry{}
	for t := raw; len(t) > 0; {
		e, rest, err := gitobj.ParseTreeEntry(t)
		if err != nil {
			break // checked by tree already
		}
		last[string(e.Name)] = e
		t = rest
	}
	list := make([]gitobj.TreeEntry, 0, len(last))
	for _, e := range last {
		list = append(list, e)
	}
	slices.SortFunc(list, func(x, y gitobj.TreeEntry) int {
		return gitobj.CompareTreeNames(x.Name, x.IsDir(), y.Name, y.IsDir())
	})
	out := make([]byte, 0, len(raw))
	for _, e := range list {
		out = appendEntry(out, e)
	}
	return out
}

// write stores a tree of entries, in git's order.
func (b *treeBuilder) write(entries []gitobj.TreeEntry) (plumbing.Hash, error) {
	slices.SortFunc(entries, func(x, y gitobj.TreeEntry) int {
		return gitobj.CompareTreeNames(x.Name, x.IsDir(), y.Name, y.IsDir())
	})
	var raw []byte
	for _, e := range entries {
		raw = appendEntry(raw, e)
	}
	return b.writeRaw(raw)
}

// writeRaw stores a tree's bytes, unless the repository holds the tree.
func (b *treeBuilder) writeRaw(raw []byte) (plumbing.Hash, error) {
	h, stored, err := b.r.writeObject(plumbing.TreeObject, raw, b.level)
	if err != nil {
		return plumbing.ZeroHash, i18n.Errorf("storing a tree: %w", err)
	}
	if stored {
		b.written = append(b.written, h)
	}
	return h, nil
}
