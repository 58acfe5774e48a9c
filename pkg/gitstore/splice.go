package gitstore

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"os"
	"sort"

	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// A commit rewrites the git index: the entries of the paths it commits
// replaced, every other entry as it was. Decoding 100,000 entries into
// go-git's and encoding them again took some 0.45 s of a commit at that
// size; a splice copies the other entries' bytes as they are and encodes
// only the new ones (with go-git's encoder, so they are byte for byte
// what it writes). It gives the same bytes as the decode and encode did
// (TestSpliceIndexEqualsGoGit), but for the flags go-git does not keep
// (an entry marked assume-unchanged stays marked): the entries, then no
// extensions (the cached-tree extension would describe trees the commit
// changed; git rebuilds what it needs), then the SHA-1 of it all. In
// version 4, where each name is written as what it shares with the name
// before it, the other entries' stat data and flags are copied and their
// names written again against their new neighbours.

// splicedIndex is a git index read for a splice of some paths (sorted):
// its version, the spans of those paths' entries, and for each path the
// place of its entries (where a new entry goes when it has none) and,
// for version 4, the names around that place. The other entries are not
// kept one by one: a splice copies the runs of bytes between the places
// (one copy of 10 MB at 100,000 files, where it appended every entry and
// looked each name up in a map), and in version 4 writes again only the
// name of the first entry after a change.
type splicedIndex struct {
	data     []byte
	version  uint32
	count    int    // entries
	end      int    // where the entries end (the extensions start)
	spans    []span // the entries of the paths, in order
	places   []place
	unmerged string // the first entry at a stage other than 0, if any
}

type span struct {
	name       []byte // a slice of data (a copy in version 4)
	start, end int
	stage      int
	extended   uint16
}

// place is where a path's entries are, or would be: [start, end), empty
// when it has none. Version 4: before is the name of the entry before
// start, and after the name and head size (62 or 64 bytes) of the entry
// at end, when there are such entries.
type place struct {
	path       string
	start, end int
	before     []byte
	after      []byte
	afterHead  int
}

// readSplice reads a git index's bytes for a splice of paths; ok is false
// when it cannot be spliced (a checksum that fails; an extension git
// requires readers to understand, such as a split index; entries out of
// order, which git refuses to read; a cut or garbled file): the caller
// decodes it in full with go-git, which says what is wrong.
func readSplice(data []byte, paths map[string]bool) (*splicedIndex, bool) {
	if len(data) < 12+20 || string(data[:4]) != "DIRC" {
		return nil, false
	}
	body, sum := data[:len(data)-20], data[len(data)-20:]
	if h := sha1.Sum(body); !bytes.Equal(h[:], sum) && !bytes.Equal(sum, make([]byte, 20)) {
		return nil, false
	}
	x := &splicedIndex{data: data, version: binary.BigEndian.Uint32(data[4:8])}
	if x.version < 2 || x.version > 4 {
		return nil, false
	}
	for p := range paths {
		x.places = append(x.places, place{path: p, start: -1})
	}
	sort.Slice(x.places, func(i, j int) bool { return x.places[i].path < x.places[j].path })
	v4 := x.version == 4
	k := 0 // the first place not passed
	var prev []byte
	prevStage := 0
	sorted := true
	end, _, ok := walkEntries(data, func(e rawEntry) bool {
		name := e.name
		if c := bytes.Compare(prev, name); x.count > 0 && (c > 0 || c == 0 && e.stage() <= prevStage) {
			sorted = false
			return false
		}
		if e.stage() != 0 && x.unmerged == "" {
			x.unmerged = string(name)
		}
		// the places this entry is past: their ends (and starts, for a
		// path with no entries)
		for k < len(x.places) && x.places[k].path < string(name) {
			pl := &x.places[k]
			if pl.start < 0 {
				pl.start = e.start
				if v4 && x.count > 0 {
					pl.before = bytes.Clone(prev)
				}
			}
			pl.end = e.start
			if v4 {
				pl.after, pl.afterHead = bytes.Clone(name), 62
				if e.flags()&0x4000 != 0 {
					pl.afterHead += 2
				}
			}
			k++
		}
		if k < len(x.places) && x.places[k].path == string(name) {
			pl := &x.places[k]
			if pl.start < 0 {
				pl.start = e.start
				if v4 && x.count > 0 {
					pl.before = bytes.Clone(prev)
				}
			}
			if v4 { // e.name is walkEntries' buffer, rewritten by the next entry
				name = bytes.Clone(name)
			}
			x.spans = append(x.spans, span{name, e.start, e.end, e.stage(), e.extended})
		}
		if v4 {
			prev = append(prev[:0], e.name...)
		} else {
			prev = e.name
		}
		prevStage = e.stage()
		x.count++
		return true
	})
	if !ok || !sorted {
		return nil, false
	}
	if required, ok := extensionsAfter(data, end); !ok || required != "" {
		return nil, false
	}
	x.end = end
	for ; k < len(x.places); k++ {
		pl := &x.places[k]
		if pl.start < 0 {
			pl.start = end
			if v4 && x.count > 0 {
				pl.before = bytes.Clone(prev)
			}
		}
		pl.end = end
	}
	return x, true
}

// entriesOf returns the entries (all stages) of the paths, decoded.
func (x *splicedIndex) entriesOf(paths map[string]bool) []*index.Entry {
	var out []*index.Entry
	for _, s := range x.spans {
		if paths[string(s.name)] {
			out = append(out, x.raw(s).entry())
		}
	}
	return out
}

func (x *splicedIndex) raw(s span) rawEntry {
	return rawEntry{name: s.name, fixed: x.data[s.start : s.start+62], extended: s.extended}
}

// splice returns the index's bytes with every entry of the paths of
// replaced dropped and the entries add (stage 0, no extended flags, each
// for a path of replaced) put in their places by name; the paths are
// among those the index was read for. The bytes come in parts to write
// one after the other: the runs of entries kept are slices of the index
// read (not copied: 10 MB at 100,000 files), and what is written anew
// (the header, the new entries, in version 4 the first name after a
// change, the checksum) is in parts of its own.
func (x *splicedIndex) splice(replaced map[string]bool, add []*index.Entry) ([][]byte, error) {
	byPath := make(map[string]*index.Entry, len(add))
	for _, e := range add {
		if !replaced[e.Name] || byPath[e.Name] != nil {
			return nil, i18n.Errorf("splicing the git index: %s added twice, or not replaced", e.Name)
		}
		byPath[e.Name] = e
	}
	var places []place
	for _, pl := range x.places {
		if replaced[pl.path] {
			places = append(places, pl)
		}
	}
	if len(places) != len(replaced) {
		return nil, i18n.Errorf("splicing the git index: a path replaced was not read for")
	}
	// each new entry as go-git encodes it in version 2 or 3: stat data,
	// id and flags, then the name padded (version 4 writes the name anew)
	encoded := make(map[string][]byte, len(add))
	size := 12 + 20
	for _, e := range add {
		version := x.version
		if version == 4 {
			version = 3
		}
		var b bytes.Buffer
		if err := index.NewEncoder(&b).Encode(&index.Index{Version: version, Entries: []*index.Entry{e}}); err != nil {
			return nil, err
		}
		encoded[e.Name] = b.Bytes()[12 : b.Len()-20]
		size += b.Len()
	}
	// out holds what is written anew; parts are spans of out (by offset,
	// as out may grow) or of the index read.
	out := make([]byte, 12, size+64*len(places))
	copy(out, x.data[:8])
	type part struct {
		from, to int  // a span of out, or of x.data
		kept     bool // of x.data
	}
	var parts []part
	mark := 0 // the start of out not yet in parts
	flush := func() {
		if len(out) > mark {
			parts = append(parts, part{mark, len(out), false})
			mark = len(out)
		}
	}
	n := x.count
	var prev []byte // version 4: the name written last
	// encode4 appends, in version 4, an entry's stat data, id and flags
	// (and extended flags): head bytes of entry, and its name as what it
	// keeps of the name before it and the rest.
	encode4 := func(entry []byte, head int, name []byte) {
		out = append(out, entry[:head]...)
		keep := 0
		for keep < len(prev) && keep < len(name) && prev[keep] == name[keep] {
			keep++
		}
		out = appendGitVarint(out, uint64(len(prev)-keep))
		out = append(append(out, name[keep:]...), 0)
		prev = name
	}
	// copyRun appends the entries in [from, to) as they are, but in
	// version 4 the first one when what was written before it is not what
	// was there (rewritten: its name against the new name before it, its
	// name and head size given).
	changed := false
	copyRun := func(from, to int, name []byte, head int, last []byte) {
		if from >= to {
			return
		}
		if x.version == 4 && changed {
			e := x.data[from:]
			encode4(e, head, name)
			// skip the old encoding of its name: varint, rest, NUL
			_, w := gitVarint(e[head:])
			from += head + w + bytes.IndexByte(e[head+w:], 0) + 1
		}
		if from < to {
			flush()
			parts = append(parts, part{from, to, true})
		}
		prev, changed = last, false
	}
	pos, posName, posHead := 12, []byte(nil), 0
	for _, pl := range places {
		copyRun(pos, pl.start, posName, posHead, pl.before)
		for _, s := range x.spans {
			if s.start >= pl.start && s.end <= pl.end {
				n--
			}
		}
		if e := byPath[pl.path]; e != nil {
			enc := encoded[pl.path]
			if x.version == 4 {
				head := 62
				if binary.BigEndian.Uint16(enc[60:62])&0x4000 != 0 {
					head += 2
				}
				encode4(enc, head, []byte(pl.path))
			} else {
				out = append(out, enc...)
			}
			n++
		}
		changed = true
		pos, posName, posHead = pl.end, pl.after, pl.afterHead
	}
	copyRun(pos, x.end, posName, posHead, nil)
	flush()
	binary.BigEndian.PutUint32(out[8:12], uint32(n))
	res := make([][]byte, 0, len(parts)+1)
	sum := sha1.New()
	for _, p := range parts {
		var b []byte
		if p.kept {
			b = x.data[p.from:p.to]
		} else {
			b = out[p.from:p.to]
		}
		sum.Write(b)
		res = append(res, b)
	}
	return append(res, sum.Sum(nil)), nil
}

// readIndexForCommit reads the git index for a commit of paths: spliced
// when it can be (sp, with idx holding the entries of paths alone), else
// decoded whole (idx). An entry at a stage other than 0 (an unresolved
// conflict) refuses the commit.
func (r *Repo) readIndexForCommit(paths []string) (sp *splicedIndex, idx *index.Index, err error) {
	unmerged := func(name string) error {
		return i18n.Errorf("%w: %s has unresolved conflicts; resolve them and `git add` the result, or `git reset`, then run opsbook again", ErrState, name)
	}
	data, err := r.readGitIndex(r.indexPath())
	switch {
	case errors.Is(err, os.ErrNotExist):
		data = emptyIndex()
	case err != nil:
		return nil, nil, i18n.Errorf("reading the git index: %w", err)
	}
	want := make(map[string]bool, len(paths))
	for _, p := range paths {
		want[p] = true
	}
	if x, ok := readSplice(data, want); ok {
		if x.unmerged != "" {
			return nil, nil, unmerged(x.unmerged)
		}
		return x, &index.Index{Version: x.version, Entries: x.entriesOf(want)}, nil
	}
	idx, err = r.readIndex(r.indexPath())
	if err != nil {
		return nil, nil, err
	}
	for _, e := range idx.Entries {
		if e.Stage != 0 {
			return nil, nil, unmerged(e.Name)
		}
	}
	return nil, idx, nil
}

// emptyIndex is the bytes of a version 2 index of no entries.
func emptyIndex() []byte {
	b := []byte("DIRC\x00\x00\x00\x02\x00\x00\x00\x00")
	h := sha1.Sum(b)
	return append(b, h[:]...)
}
