package gitobj

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/progress"
)

// Node is what the index knows of one commit: its tree, its committer time
// (for ordering), its parents, and the files it changed against its first
// parent (against the empty tree for a root commit), with, for a merge,
// each file's blob in the other parents.
//
// A node read from the index file keeps its changes encoded until they
// are asked for (Changes): a history looks in every commit for one path
// (ChangeOf, which reads the encoded changes in place), and the root
// commit of a large department lists every file (300,000 changes, 60 ms
// to decode, a quarter of `show`'s time at that size).
type Node struct {
	Tree    plumbing.Hash
	Time    int64
	Parents []plumbing.Hash
	changes []Change
	// raw is the encoded changes of a node read from the file (checked
	// whole when it was read), nil for one made in this run
	raw  []byte
	nc   int // how many changes raw holds
	once sync.Once
}

// Changes returns the files the commit changed (see Node).
func (n *Node) Changes() []Change {
	if n.raw != nil {
		n.once.Do(func() {
			r := &reader{b: n.raw}
			cs := make([]Change, n.nc)
			for i := range cs {
				cs[i] = n.readChange(r)
			}
			n.changes = cs
		})
	}
	return n.changes
}

// Where returns the changes keep holds for, in order. keep sees each
// change's path and blobs (not Others), read in place from the encoded
// changes without decoding the rest (see Node): a judge of one path, or
// of few, does not decode a root commit's 300,000 changes.
func (n *Node) Where(keep func(c Change) bool) []Change {
	var out []Change
	if n.raw == nil {
		for _, c := range n.changes {
			if keep(Change{Path: c.Path, Old: c.Old, New: c.New}) {
				out = append(out, c)
			}
		}
		return out
	}
	others := uint64(20 * max(len(n.Parents)-1, 0))
	b := n.raw
	for range n.nc {
		l, k := binary.Uvarint(b)
		end := uint64(k) + l
		c := Change{Path: unsafe.String(unsafe.SliceData(b[k:end]), int(l))}
		copy(c.Old[:], b[end:])
		copy(c.New[:], b[end+20:])
		if keep(c) {
			out = append(out, n.readChange(&reader{b: b}))
		}
		b = b[end+40+others:]
	}
	return out
}

// AnyPath tells whether f holds for the path of any change, reading the
// encoded changes in place (see Node) and stopping at the first.
func (n *Node) AnyPath(f func(path string) bool) bool {
	if n.raw == nil {
		for _, c := range n.changes {
			if f(c.Path) {
				return true
			}
		}
		return false
	}
	skip := uint64(40 + 20*max(len(n.Parents)-1, 0))
	b := n.raw
	for range n.nc {
		l, k := binary.Uvarint(b)
		end := uint64(k) + l
		if f(unsafe.String(unsafe.SliceData(b[k:end]), int(l))) {
			return true
		}
		b = b[end+skip:]
	}
	return false
}

// readChange reads one change from r (its path a view of the file's
// bytes, see reader.str).
func (n *Node) readChange(r *reader) Change {
	c := Change{Path: r.str(), Old: r.hash(), New: r.hash()}
	for j := 1; j < len(n.Parents); j++ {
		c.Others = append(c.Others, r.hash())
	}
	return c
}

func (n *Node) FirstParent() plumbing.Hash {
	if len(n.Parents) == 0 {
		return plumbing.ZeroHash
	}
	return n.Parents[0]
}

// ChangeOf returns the node's change of path, if it has one.
func (n *Node) ChangeOf(path string) (Change, bool) {
	if n.raw == nil {
		for _, c := range n.changes {
			if c.Path == path {
				return c, true
			}
		}
		return Change{}, false
	}
	// in place: each change's path compared, the rest skipped
	skip := uint64(40 + 20*max(len(n.Parents)-1, 0))
	b := n.raw
	for range n.nc {
		l, k := binary.Uvarint(b)
		end := uint64(k) + l
		if string(b[k:end]) == path {
			return n.readChange(&reader{b: b}), true
		}
		b = b[end+skip:]
	}
	return Change{}, false
}

// index is the persistent commit index in .git/opsbook/commits.idx.
//
// The file is a magic line and then one entry per commit: a 4-byte length,
// the entry, and its CRC-32. Entries are appended as new commits are
// indexed; a file that does not read back whole (truncated, bit-flipped,
// another version) is discarded and rebuilt from git.
type index struct {
	path    string
	nodes   map[plumbing.Hash]*Node
	fresh   []plumbing.Hash // indexed in this run, not yet saved
	rewrite bool            // the file must be written anew (missing or corrupt)
	// Rebuilt is set when an existing index was unreadable and discarded.
	rebuilt bool
}

const (
	indexMagic = "opsbook commit index 1\n"
	indexFile  = "commits.idx"
)

// IndexPath is where the commit index of a repository lives.
func (r *Repo) IndexPath() string { return filepath.Join(r.commonDir, "opsbook", indexFile) }

func (r *Repo) index() *index {
	if r.idx == nil {
		r.idx = loadIndex(r.IndexPath())
	}
	return r.idx
}

func loadIndex(path string) *index {
	idx := &index{path: path, nodes: map[plumbing.Hash]*Node{}}
	data, err := cache.ReadFile(path) // never a pipe, a device, a huge file
	if err != nil {
		idx.rewrite = true
		idx.rebuilt = !errors.Is(err, fs.ErrNotExist)
		return idx
	}
	if err := idx.decode(data); err != nil {
		idx.nodes = map[plumbing.Hash]*Node{}
		idx.rewrite, idx.rebuilt = true, true
	}
	return idx
}

func (idx *index) decode(data []byte) error {
	if !bytes.HasPrefix(data, []byte(indexMagic)) {
		return i18n.NewError("not an opsbook commit index")
	}
	data = data[len(indexMagic):]
	for len(data) > 0 {
		if len(data) < 8 {
			return i18n.NewError("truncated")
		}
		n := int(binary.BigEndian.Uint32(data))
		if n < 0 || len(data) < 8+n {
			return i18n.NewError("truncated")
		}
		body := data[4 : 4+n]
		if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(data[4+n:]) {
			return i18n.NewError("checksum mismatch")
		}
		h, nd, err := decodeNode(body)
		if err != nil {
			return err
		}
		idx.nodes[h] = nd
		data = data[8+n:]
	}
	return nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) hash() (h plumbing.Hash) {
	if len(r.b) < len(h) {
		r.err = i18n.NewError("truncated entry")
		return h
	}
	copy(h[:], r.b)
	r.b = r.b[len(h):]
	return h
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = i18n.NewError("bad number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = i18n.NewError("bad number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// str reads a string as a view of the index file's bytes, which are never
// written again: no copy, no allocation. (A root commit's node lists every
// file; copying, or interning, 300,000 paths took a quarter of a second of
// every history at that size.)
func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil || uint64(len(r.b)) < n {
		r.err = i18n.NewError("truncated entry")
		return ""
	}
	var s string
	if n > 0 {
		s = unsafe.String(&r.b[0], int(n))
	}
	r.b = r.b[n:]
	return s
}

// decodeNode decodes one entry of the index file; its paths share body's
// bytes (see str).
func decodeNode(body []byte) (plumbing.Hash, *Node, error) {
	r := &reader{b: body}
	h := r.hash()
	nd := &Node{Tree: r.hash(), Time: r.varint()}
	np := r.uvarint()
	if np > 1<<16 {
		return h, nil, i18n.NewError("bad parent count")
	}
	for i := uint64(0); i < np && r.err == nil; i++ {
		nd.Parents = append(nd.Parents, r.hash())
	}
	nc := r.uvarint()
	if nc > uint64(len(body)) {
		return h, nil, i18n.NewError("bad change count")
	}
	// the changes are checked whole now (every length within the entry,
	// nothing left over) and decoded when asked for
	raw := r.b
	skip := uint64(40 + 20*max(len(nd.Parents)-1, 0))
	for i := uint64(0); i < nc && r.err == nil; i++ {
		n := r.uvarint()
		if r.err != nil {
			break
		}
		if n > uint64(len(r.b)) || uint64(len(r.b))-n < skip {
			r.err = i18n.NewError("truncated entry")
			break
		}
		r.b = r.b[n+skip:]
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = i18n.NewError("trailing bytes")
	}
	if nc > 0 {
		nd.raw, nd.nc = raw, int(nc)
	}
	return h, nd, r.err
}

func encodeNode(buf []byte, h plumbing.Hash, nd *Node) []byte {
	start := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	buf = append(buf, h[:]...)
	buf = append(buf, nd.Tree[:]...)
	buf = binary.AppendVarint(buf, nd.Time)
	buf = binary.AppendUvarint(buf, uint64(len(nd.Parents)))
	for _, p := range nd.Parents {
		buf = append(buf, p[:]...)
	}
	changes := nd.Changes()
	buf = binary.AppendUvarint(buf, uint64(len(changes)))
	for _, c := range changes {
		buf = binary.AppendUvarint(buf, uint64(len(c.Path)))
		buf = append(buf, c.Path...)
		buf = append(buf, c.Old[:]...)
		buf = append(buf, c.New[:]...)
		for _, o := range c.Others {
			buf = append(buf, o[:]...)
		}
	}
	body := buf[start+4:]
	binary.BigEndian.PutUint32(buf[start:], uint32(len(body)))
	return binary.BigEndian.AppendUint32(buf, crc32.ChecksumIEEE(body))
}

// save writes what this run indexed: appended to a sound file, or the whole
// index to a new one. The index is a cache: a folder that cannot be written
// (a read-only checkout) costs speed, never correctness, so the error is
// only returned for tests to see.
func (idx *index) save() error {
	if len(idx.fresh) == 0 && !idx.rewrite {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(idx.path), 0o755); err != nil {
		return err
	}
	if !idx.rewrite {
		var buf []byte
		for _, h := range idx.fresh {
			buf = encodeNode(buf, h, idx.nodes[h])
		}
		f, err := os.OpenFile(idx.path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		// One write: a concurrent run appends whole entries too, and a torn
		// one is caught by its checksum and rebuilt.
		_, err = f.Write(buf)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		idx.fresh = nil
		return err
	}
	buf := []byte(indexMagic)
	for h, nd := range idx.nodes {
		buf = encodeNode(buf, h, nd)
	}
	// atomically, as the other caches (a folder in its place removed)
	if err := cache.WriteFile(idx.path, indexFile+".*", buf); err != nil {
		return err
	}
	idx.fresh, idx.rewrite = nil, false
	return nil
}

// NodeOf returns the index's node of a commit, indexing it (and every
// ancestor not yet indexed) first.
func (r *Repo) NodeOf(ctx context.Context, h plumbing.Hash) (*Node, error) {
	if nd := r.index().nodes[h]; nd != nil {
		return nd, nil
	}
	if err := r.EnsureIndexed(ctx, h); err != nil {
		return nil, err
	}
	return r.index().nodes[h], nil
}

// EnsureIndexed indexes every commit reachable from tips that the index
// does not hold yet, and saves the index.
func (r *Repo) EnsureIndexed(ctx context.Context, tips ...plumbing.Hash) error {
	order, err := r.Discover(ctx, tips...)
	if err != nil {
		return err
	}
	nodes, err := r.diffAll(ctx, order)
	if err != nil {
		return err
	}
	idx := r.index()
	for i, h := range order {
		if idx.nodes[h] == nil {
			idx.nodes[h] = nodes[i]
			idx.fresh = append(idx.fresh, h)
		}
		delete(r.heads, h)
	}
	_ = idx.save()
	return nil
}

// parallelIndex is the fewest commits a worker is given; indexWorkers the
// most workers (tests change both).
var (
	parallelIndex = 1000
	indexWorkers  = func() int { return runtime.GOMAXPROCS(0) }
)

// diffAll makes the index nodes of the commits in order. Each commit is
// diffed against its first parent on its own, so a long history is cut in
// as many runs of consecutive commits as there are cores, each read
// through objects of its own (consecutive commits share most trees).
func (r *Repo) diffAll(ctx context.Context, order []plumbing.Hash) ([]*Node, error) {
	type job struct {
		head   CommitHead
		base   plumbing.Hash   // the first parent's tree
		others []plumbing.Hash // the other parents' trees
	}
	jobs := make([]job, len(order))
	for i, h := range order {
		ch, ok := r.heads[h]
		if !ok {
			var err error
			if ch, err = r.ReadHead(h); err != nil {
				return nil, err
			}
		}
		jobs[i].head = ch
		for k, p := range ch.Parents {
			t, err := r.TreeOf(p)
			if err != nil {
				return nil, err
			}
			if k == 0 {
				jobs[i].base = t
			} else {
				jobs[i].others = append(jobs[i].others, t)
			}
		}
	}
	nodes := make([]*Node, len(order))
	var done atomic.Int64
	if r.IndexProgress != nil && len(order) > 0 {
		stop := progress.Tick(r.IndexProgress, &done, len(order))
		defer func() {
			stop()
			r.IndexProgress(len(order), len(order))
		}()
	}
	run := func(o *objects, lo, hi int) error {
		for i := lo; i < hi; i++ {
			if (i-lo)%512 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			done.Add(1)
			j := &jobs[i]
			nd := &Node{Tree: j.head.Tree, Time: j.head.Time, Parents: j.head.Parents}
			var err error
			if nd.changes, err = o.DiffTrees(j.base, nd.Tree, "", nil); err != nil {
				return i18n.Errorf("commit %s: %w", order[i], err)
			}
			for _, t := range j.others {
				for c := range nd.changes {
					b, err := o.BlobAt(t, nd.changes[c].Path)
					if err != nil {
						return err
					}
					nd.changes[c].Others = append(nd.changes[c].Others, b)
				}
			}
			nodes[i] = nd
		}
		return nil
	}
	workers := min(indexWorkers(), len(order)/parallelIndex)
	if workers < 2 {
		return nodes, run(r.objects, 0, len(order))
	}
	objs := []*objects{r.objects}
	defer func() {
		for _, o := range objs[1:] {
			o.packs.close()
		}
	}()
	for len(objs) < workers {
		o, err := r.objects.worker()
		if err != nil {
			return nil, err
		}
		objs = append(objs, o)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w, o := range objs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = run(o, len(order)*w/workers, len(order)*(w+1)/workers)
		}()
	}
	wg.Wait()
	return nodes, errors.Join(errs...)
}

// Discover reads the headers of every commit reachable from tips that the
// index does not hold, and returns them parents first (first parents
// before the others), the order in which consecutive diffs share trees.
// It walks through indexed commits too: a verify of a range indexes only
// the range, so an indexed commit's ancestors may not all be.
func (r *Repo) Discover(ctx context.Context, tips ...plumbing.Hash) ([]plumbing.Hash, error) {
	idx := r.index()
	type frame struct {
		h plumbing.Hash
		i int
	}
	var order []plumbing.Hash
	var stack []frame
	seen := map[plumbing.Hash]bool{}
	visit := func(h plumbing.Hash) error {
		if seen[h] {
			return nil
		}
		seen[h] = true
		if _, ok := r.heads[h]; !ok && idx.nodes[h] == nil {
			ch, err := r.ReadHead(h)
			if err != nil {
				return err
			}
			r.heads[h] = ch
		}
		stack = append(stack, frame{h, 0})
		return nil
	}
	for _, t := range tips {
		if err := visit(t); err != nil {
			return nil, err
		}
		for n := 0; len(stack) > 0; n++ {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			f := &stack[len(stack)-1]
			ps := r.ParentsOf(f.h)
			if f.i < len(ps) {
				p := ps[f.i]
				f.i++
				if err := visit(p); err != nil {
					return nil, err
				}
				continue
			}
			if idx.nodes[f.h] == nil {
				order = append(order, f.h)
			}
			stack = stack[:len(stack)-1]
		}
	}
	return order, nil
}

// ParentsOf are a commit's parents, from the index or the headers read.
func (r *Repo) ParentsOf(h plumbing.Hash) []plumbing.Hash {
	if nd := r.index().nodes[h]; nd != nil {
		return nd.Parents
	}
	return r.heads[h].Parents
}

// TimeOf is a commit's committer time (Unix seconds), from the index or
// the headers read; 0 for a commit not met yet.
func (r *Repo) TimeOf(h plumbing.Hash) int64 {
	if nd := r.index().nodes[h]; nd != nil {
		return nd.Time
	}
	return r.heads[h].Time
}

// TreeOf is a commit's root tree, from the index or its headers.
func (r *Repo) TreeOf(h plumbing.Hash) (plumbing.Hash, error) {
	if nd := r.index().nodes[h]; nd != nil {
		return nd.Tree, nil
	}
	ch, ok := r.heads[h]
	if !ok {
		var err error
		if ch, err = r.ReadHead(h); err != nil {
			return plumbing.ZeroHash, err
		}
		r.heads[h] = ch
	}
	return ch.Tree, nil
}

// IndexCommit diffs a commit against its first parent (and, for a merge,
// looks up each changed file in the other parents) and adds it to the
// index.
func (r *Repo) IndexCommit(h plumbing.Hash) (*Node, error) {
	idx := r.index()
	if nd := idx.nodes[h]; nd != nil {
		return nd, nil
	}
	ch, ok := r.heads[h]
	if !ok {
		var err error
		if ch, err = r.ReadHead(h); err != nil {
			return nil, err
		}
	}
	nd := &Node{Tree: ch.Tree, Time: ch.Time, Parents: ch.Parents}
	var base plumbing.Hash
	var err error
	if len(nd.Parents) > 0 {
		if base, err = r.TreeOf(nd.Parents[0]); err != nil {
			return nil, err
		}
	}
	if nd.changes, err = r.DiffTrees(base, nd.Tree, "", nil); err != nil {
		return nil, i18n.Errorf("commit %s: %w", h, err)
	}
	for _, p := range nd.Parents[min(1, len(nd.Parents)):] {
		t, err := r.TreeOf(p)
		if err != nil {
			return nil, err
		}
		for i := range nd.changes {
			b, err := r.BlobAt(t, nd.changes[i].Path)
			if err != nil {
				return nil, err
			}
			nd.changes[i].Others = append(nd.changes[i].Others, b)
		}
	}
	idx.nodes[h] = nd
	idx.fresh = append(idx.fresh, h)
	delete(r.heads, h)
	return nd, nil
}

// Indexed is the index's node of commit h, nil when h is not indexed yet
// (EnsureIndexed, IndexCommit and NodeOf index it).
func (r *Repo) Indexed(h plumbing.Hash) *Node { return r.index().nodes[h] }

// SaveIndex writes what this run indexed. The index is a cache: a folder
// that cannot be written costs speed, never correctness, so callers may
// ignore the error.
func (r *Repo) SaveIndex() error { return r.index().save() }

// DistrustIndex makes the repository answer from the objects alone: the
// index file is not read, and every commit asked for is read and diffed
// again. What is computed is still appended to the file for later runs (a
// later entry of a commit replaces an earlier one when the file is read),
// so a run that distrusts the index also repairs it. verify calls this: a
// file anyone with the work tree can write must not decide what a
// commit changed.
func (r *Repo) DistrustIndex() {
	path := r.IndexPath()
	_, err := os.Stat(path)
	r.idx = &index{path: path, nodes: map[plumbing.Hash]*Node{}, rewrite: err != nil}
	clear(r.heads)
}
