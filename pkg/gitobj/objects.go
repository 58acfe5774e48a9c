package gitobj

import (
	"bytes"
	"container/list"
	"crypto/sha1"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// objects reads git objects: from the pack files as bytes (rawPack), else
// through go-git's storage (loose objects, alternates). A Repo has one; an
// index build on several cores gives each worker its own, with its own
// open packs and caches; the go-git route is shared and taken one reader
// at a time.
type objects struct {
	packs *packs
	trees *treeCache
	store *filesystem.Storage
	slow  *sync.Mutex // guards the go-git route: packs.get and store
	// promisor is the remote a partial clone was cloned from (""
	// otherwise): an object missing there is a *PartialCloneError.
	promisor string
}

// worker returns objects of its own for another goroutine.
func (r *objects) worker() (*objects, error) {
	ps, err := r.packs.rawClone()
	if err != nil {
		return nil, err
	}
	return &objects{packs: ps, trees: newTreeCache(), store: r.store, slow: r.slow, promisor: r.promisor}, nil
}

// raw returns an object's content. The slice is shared with caches and
// never copied: callers must not modify it.
func (r *objects) raw(t plumbing.ObjectType, h plumbing.Hash) ([]byte, error) {
	b, _, err := r.rawLimit(t, h, 0)
	return b, err
}

// rawLimit is raw for an object that is wanted only when it is at most
// limit bytes (limit > 0): a larger one is not inflated, and over is set.
// Its size comes from its pack header, the first bytes of its delta, or,
// loose, from the object's header.
func (r *objects) rawLimit(t plumbing.ObjectType, h plumbing.Hash, limit int) ([]byte, bool, error) {
	fail := func(err error) ([]byte, bool, error) {
		if r.promisor != "" && errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, false, &PartialCloneError{Remote: r.promisor}
		}
		return nil, false, i18n.Errorf("reading %s %s: %w", t, h, err)
	}
	if ot, b, ok, err := r.packs.raw(h, limit); errors.Is(err, errOverLimit) {
		return nil, true, nil
	} else if err != nil {
		return fail(err)
	} else if ok {
		if ot != t {
			return fail(i18n.Errorf("it is a %s", ot))
		}
		return b, false, nil
	}
	r.slow.Lock()
	defer r.slow.Unlock()
	if limit > 0 {
		// go-git reads a loose object's header, or a packed one's, only.
		n, err := r.store.EncodedObjectSize(h)
		if err != nil {
			return fail(err)
		}
		if n > int64(limit) {
			return nil, true, nil
		}
	}
	o, ok, err := r.packs.get(h)
	if err == nil && !ok {
		o, err = r.store.EncodedObject(t, h)
	}
	if err != nil {
		return fail(err)
	}
	if o.Type() != t {
		return fail(i18n.Errorf("it is a %s", o.Type()))
	}
	rd, err := o.Reader()
	if err != nil {
		return fail(err)
	}
	defer rd.Close()
	if wt, ok := rd.(io.WriterTo); ok {
		var c capture
		if _, err := wt.WriteTo(&c); err != nil {
			return fail(err)
		}
		return c.b, false, nil
	}
	buf := make([]byte, o.Size())
	if _, err := io.ReadFull(rd, buf); err != nil {
		return fail(err)
	}
	return buf, false, nil
}

// capture keeps what is written to it, aliasing a single write (a
// bytes.Reader's WriteTo hands over its whole buffer at once).
type capture struct{ b []byte }

func (c *capture) Write(p []byte) (int, error) {
	if c.b == nil {
		c.b = p
	} else {
		c.b = append(c.b[:len(c.b):len(c.b)], p...)
	}
	return len(p), nil
}

// CommitHead is what the audit needs of a commit object's headers.
type CommitHead struct {
	Tree    plumbing.Hash
	Parents []plumbing.Hash
	Time    int64 // committer time, Unix seconds
	// Committed is the committer time in the committer's own zone.
	Committed time.Time
	// author, with the time in the author's own zone
	Name, Email string
	When        time.Time
	Subject     string // the first line of the message
	Signed      bool   // has a gpgsig header
	// Stray holds the values of "parent" lines that are not parents
	// (not directly after the tree line): git ignores them.
	Stray []string
}

// ErrBadCommit says a commit object is not one git would read: its first
// header is not a tree, a parent line right after it names no commit, or
// it has no author or committer.
// It reads in the reader's language.
var ErrBadCommit error = badCommit{}

type badCommit struct{}

func (badCommit) Error() string { return i18n.T("malformed commit object") }

// ReadHead reads a commit's headers, without decoding the rest.
func (r *Repo) ReadHead(h plumbing.Hash) (CommitHead, error) {
	b, err := r.raw(plumbing.CommitObject, h)
	if err != nil {
		return CommitHead{}, err
	}
	ch, err := ParseHead(b)
	if err != nil {
		return ch, i18n.Errorf("commit %s: %w", h, err)
	}
	return ch, nil
}

// ParseHead reads a commit object's headers as git's parse_commit_buffer
// does: the first line is "tree", the parents are the "parent" lines
// directly after it, and nothing later is a parent. A "parent" line
// anywhere else is kept in Stray (git, the forge and git fsck ignore it; a
// reader that took it for a parent would see a merge that is not one).
// A commit without exactly one author and one committer is malformed (git
// fsck refuses it; readers disagree on which line counts), like one whose
// first line is not a tree.
func ParseHead(b []byte) (CommitHead, error) {
	var ch CommitHead
	line, b, _ := bytes.Cut(b, []byte{'\n'})
	tree, ok := bytes.CutPrefix(line, []byte("tree "))
	if !ok {
		return ch, i18n.Errorf("%w: its first line is not a tree", ErrBadCommit)
	}
	if ch.Tree, ok = hexHash(tree); !ok {
		return ch, i18n.Errorf("%w: bad tree %q", ErrBadCommit, tree)
	}
	parents := true // still in the parent lines right after the tree
	sawAuthor, sawCommitter := false, false
	for len(b) > 0 {
		line, b, _ = bytes.Cut(b, []byte{'\n'})
		if len(line) == 0 {
			subj, _, _ := bytes.Cut(bytes.TrimLeft(b, "\n"), []byte{'\n'})
			ch.Subject = strings.TrimSpace(string(subj))
			break
		}
		if line[0] == ' ' {
			continue // a continuation of a multi-line header (gpgsig, mergetag)
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		if string(key) == "parent" {
			h, ok := hexHash(val)
			switch {
			case parents && !ok:
				return ch, i18n.Errorf("%w: bad parent %q", ErrBadCommit, val)
			case parents:
				ch.Parents = append(ch.Parents, h)
			default:
				ch.Stray = append(ch.Stray, string(val))
			}
			continue
		}
		parents = false
		switch string(key) {
		case "gpgsig", "gpgsig-sha256":
			ch.Signed = true
		case "author":
			if sawAuthor {
				return ch, i18n.Errorf("%w: two author lines", ErrBadCommit)
			}
			ch.Name, ch.Email, ch.When = parseIdent(val)
			sawAuthor = true
		case "committer":
			// "Name <email> 1700000000 +0800"
			if sawCommitter {
				return ch, i18n.Errorf("%w: two committer lines", ErrBadCommit)
			}
			_, _, ch.Committed = parseIdent(val)
			if j := bytes.LastIndexByte(val, '>'); j >= 0 {
				f := bytes.Fields(val[j+1:])
				if len(f) > 0 {
					ch.Time, _ = strconv.ParseInt(string(f[0]), 10, 64)
				}
			}
			sawCommitter = true
		}
	}
	if !sawAuthor || !sawCommitter {
		return ch, i18n.Errorf("%w: no author or committer", ErrBadCommit)
	}
	return ch, nil
}

// parseIdent reads "Name <email> 1700000000 +0800".
func parseIdent(b []byte) (name, email string, when time.Time) {
	open := bytes.IndexByte(b, '<')
	end := bytes.LastIndexByte(b, '>')
	if open < 0 || end < open {
		return strings.TrimSpace(string(b)), "", time.Time{}
	}
	// Control characters are dropped: the identity is printed to
	// terminals and CI logs, and an author name is anyone's to choose.
	name = strings.TrimSpace(printable(b[:open]))
	email = printable(b[open+1 : end])
	f := bytes.Fields(b[end+1:])
	if len(f) == 0 {
		return name, email, time.Time{}
	}
	sec, _ := strconv.ParseInt(string(f[0]), 10, 64)
	when = time.Unix(sec, 0)
	if len(f) > 1 && len(f[1]) == 5 {
		tz := f[1]
		hh, _ := strconv.Atoi(string(tz[1:3]))
		mm, _ := strconv.Atoi(string(tz[3:5]))
		off := hh*3600 + mm*60
		if tz[0] == '-' {
			off = -off
		}
		when = when.In(time.FixedZone(string(tz), off))
	}
	return name, email, when
}

func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, string(b))
}

func hexHash(b []byte) (plumbing.Hash, bool) {
	var h plumbing.Hash
	if len(b) != 2*len(h) {
		return h, false
	}
	for i := range h {
		hi, ok1 := unhex(b[2*i])
		lo, ok2 := unhex(b[2*i+1])
		if !ok1 || !ok2 {
			return h, false
		}
		h[i] = hi<<4 | lo
	}
	return h, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// objectCache is go-git's delta-base and object cache, an LRU bounded in
// bytes, like cache.ObjectLRU but keyed with the standard library's SHA-1.
// go-git's cache hashes every object it stores with the collision-detecting
// sha1cd, which costs a fifth of a history walk; here the key only has to
// find again an object go-git has just read from a pack that the pack's
// index already names, so plain SHA-1 serves.
type objectCache struct {
	mu        sync.Mutex
	max, size int64
	ll        *list.List
	m         map[plumbing.Hash]*list.Element
	// While a read of a known hash runs (reading), what go-git stores is
	// held back unhashed: the object read is keyed by the hash asked for,
	// and only the delta bases decoded on the way are hashed.
	reading bool
	pending []plumbing.EncodedObject
}

type cacheEntry struct {
	h plumbing.Hash
	o plumbing.EncodedObject
}

func newObjectCache(max int64) *objectCache {
	return &objectCache{max: max, ll: list.New(), m: map[plumbing.Hash]*list.Element{}}
}

// read runs get, an object read by hash h, keying what it stores without
// hashing the object itself.
func (c *objectCache) read(h plumbing.Hash, get func() (plumbing.EncodedObject, error)) (plumbing.EncodedObject, error) {
	c.mu.Lock()
	c.reading, c.pending = true, c.pending[:0]
	c.mu.Unlock()
	o, err := get()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reading = false
	for _, p := range c.pending {
		if p == o {
			c.put(h, p)
		} else {
			c.put(keyOf(p), p)
		}
	}
	c.pending = c.pending[:0]
	return o, err
}

func (c *objectCache) Put(o plumbing.EncodedObject) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reading {
		c.pending = append(c.pending, o)
		return
	}
	c.put(keyOf(o), o)
}

func (c *objectCache) put(h plumbing.Hash, o plumbing.EncodedObject) {
	if e, ok := c.m[h]; ok {
		c.ll.MoveToFront(e)
		return
	}
	sz := o.Size()
	if sz > c.max {
		return
	}
	c.m[h] = c.ll.PushFront(cacheEntry{h, o})
	c.size += sz
	for c.size > c.max {
		last := c.ll.Back()
		ce := last.Value.(cacheEntry)
		c.ll.Remove(last)
		delete(c.m, ce.h)
		c.size -= ce.o.Size()
	}
}

func (c *objectCache) Get(h plumbing.Hash) (plumbing.EncodedObject, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[h]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(cacheEntry).o, true
}

func (c *objectCache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	c.m = map[plumbing.Hash]*list.Element{}
	c.size = 0
}

// keyOf is an object's hash, computed with crypto/sha1 for objects held in
// memory.
func keyOf(o plumbing.EncodedObject) plumbing.Hash {
	mo, ok := o.(*plumbing.MemoryObject)
	if !ok {
		return o.Hash()
	}
	rd, err := mo.Reader()
	if err != nil {
		return o.Hash()
	}
	wt, ok := rd.(io.WriterTo)
	if !ok {
		return o.Hash()
	}
	s := sha1.New()
	s.Write(mo.Type().Bytes())
	s.Write([]byte{' '})
	s.Write(strconv.AppendInt(nil, mo.Size(), 10))
	s.Write([]byte{0})
	wt.WriteTo(s)
	var h plumbing.Hash
	copy(h[:], s.Sum(nil))
	return h
}
