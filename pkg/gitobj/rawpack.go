package gitobj

import (
	"bufio"
	"compress/zlib"
	"errors"
	"io"
	"os"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// rawPack reads objects from one pack file as bytes, resolving deltas
// itself: it inflates the delta and patches the base it holds, one copy of
// the result, where go-git's object reader copies a large object three
// times through buffers and writers (a history index over big folders read
// trees of a megabyte ten thousand times). Resolved objects are kept, by
// offset, within a byte budget: a folder's versions are deltas of one
// another, so the next read usually finds its base here.
type rawPack struct {
	mu    sync.Mutex
	idx   offsetIndex
	f     *os.File
	size  int64
	br    *bufio.Reader
	zr    io.ReadCloser // reused through zlib.Resetter
	cache *rawCache
}

func openRawPack(packPath string, idx offsetIndex, c *rawCache) (*rawPack, error) {
	f, err := os.Open(packPath)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &rawPack{idx: idx, f: f, size: info.Size(), br: bufio.NewReaderSize(nil, 64<<10), cache: c}, nil
}

func (p *rawPack) close() { p.f.Close() }

// get returns the object's type and content; ok is false when the pack
// does not hold it. With limit > 0, an object larger than limit is not
// inflated (a delta's base is not even read): get returns errOverLimit.
func (p *rawPack) get(h plumbing.Hash, limit int) (plumbing.ObjectType, []byte, bool, error) {
	off, err := p.idx.FindOffset(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t, b, err := p.at(off, limit)
	if errors.Is(err, errOverLimit) {
		return 0, nil, true, err
	}
	if errors.Is(err, errTooLarge) {
		return 0, nil, false, nil // left to go-git's reader, which streams
	}
	if err != nil {
		return 0, nil, false, i18n.Errorf("object %s: %w", h, err)
	}
	return t, b, true, nil
}

// maxDeltaDepth bounds a delta chain: git writes at most 4095 (and 50 by
// default); a longer one is a damaged pack, not something to follow.
const maxDeltaDepth = 5000

// link is one delta of a chain being resolved: where it is in the pack and
// its inflated instructions.
type link struct {
	off   int64
	delta []byte
}

// at resolves the object at off. A delta chain is followed down to an
// object the cache holds or a whole one, then patched upwards, one level
// after another, without recursion: each level whose result the cache
// keeps gets a buffer of its own (the cache holds it; a history walk
// finds the next version's base there), and the others are patched into
// two buffers used in turn, since only the level below is read. A chain of
// 24 deltas of a 1.3 MB tree allocated 24 such buffers, all of them kept
// by the cache of a reader opened for one write.
func (p *rawPack) at(off int64, limit int) (plumbing.ObjectType, []byte, error) {
	var chain []link
	var t plumbing.ObjectType
	var base []byte
	owned := false // base is one of the two buffers (neither cached nor shared)
	for depth := 0; ; depth++ {
		if depth > maxDeltaDepth {
			return 0, nil, i18n.NewError("delta chain too long")
		}
		if o, ok := p.cache.get(p, off); ok {
			if depth == 0 && limit > 0 && len(o.b) > limit {
				return 0, nil, errOverLimit
			}
			t, base = o.t, o.b
			break
		}
		ot, data, baseOff, err := p.inflate(off, depth == 0, limit)
		if err != nil {
			return 0, nil, err
		}
		if ot == plumbing.OFSDeltaObject || ot == plumbing.REFDeltaObject {
			chain = append(chain, link{off, data})
			off = baseOff
			continue
		}
		p.cache.put(p, off, ot, data)
		t, base, owned = ot, data, !p.cache.keeps(len(data))
		break
	}
	var spare []byte // the other buffer, free to patch into
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		size, err := deltaTarget(l.delta)
		if err != nil {
			return 0, nil, err
		}
		keep := p.cache.keeps(int(size))
		var dst []byte
		usedSpare := !keep && uint64(cap(spare)) >= size
		if usedSpare {
			dst = spare[:0]
		} else {
			dst = make([]byte, 0, size)
		}
		out, err := patchDeltaInto(dst, base, l.delta)
		if err != nil {
			return 0, nil, err
		}
		if usedSpare {
			spare = nil
		}
		if owned {
			spare = base
		}
		if keep {
			p.cache.put(p, l.off, t, out)
		}
		base, owned = out, !keep
	}
	return t, base, nil
}

// inflate reads the object at off as stored: its type, its inflated
// content (a delta's instructions, for a delta) and a delta's base. top
// says it is the object asked for, to which limit applies.
func (p *rawPack) inflate(off int64, top bool, limit int) (plumbing.ObjectType, []byte, int64, error) {
	t, size, baseOff, ref, err := p.header(off)
	if err != nil {
		return 0, nil, 0, err
	}
	isDelta := t == plumbing.OFSDeltaObject || t == plumbing.REFDeltaObject
	if top && limit > 0 && !isDelta && size > uint64(limit) {
		return 0, nil, 0, errOverLimit
	}
	if size > maxObjectSize {
		return 0, nil, 0, errTooLarge
	}
	switch t {
	case plumbing.OFSDeltaObject, plumbing.REFDeltaObject, plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	default:
		return 0, nil, 0, i18n.Errorf("object type %v at offset %d", t, off)
	}
	if p.zr == nil {
		if p.zr, err = zlib.NewReader(p.br); err != nil {
			return 0, nil, 0, err
		}
	} else if err := p.zr.(zlib.Resetter).Reset(p.br, nil); err != nil {
		return 0, nil, 0, err
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(p.zr, data); err != nil {
		return 0, nil, 0, i18n.Errorf("object at offset %d: %w", off, err)
	}
	if !isDelta {
		return t, data, 0, nil
	}
	if top && limit > 0 {
		// The delta states its result's size before anything is
		// patched: over the limit, the base is not read.
		if target, err := deltaTarget(data); err == nil && target > uint64(limit) {
			return 0, nil, 0, errOverLimit
		}
	}
	if t == plumbing.REFDeltaObject {
		if baseOff, err = p.idx.FindOffset(ref); err != nil {
			return 0, nil, 0, i18n.Errorf("base %s: %w", ref, err)
		}
	}
	return t, data, baseOff, nil
}

// rawCache keeps resolved objects within a byte budget; when full it
// forgets the oldest half.
type rawCache struct {
	mu    sync.Mutex
	max   int
	size  int
	m     map[rawKey]rawObject
	order []rawKey
}

type rawKey struct {
	p   *rawPack
	off int64
}

type rawObject struct {
	t plumbing.ObjectType
	b []byte
}

func newRawCache(max int) *rawCache { return &rawCache{max: max, m: map[rawKey]rawObject{}} }

func (c *rawCache) get(p *rawPack, off int64) (rawObject, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.m[rawKey{p, off}]
	return o, ok
}

// keeps says whether put keeps an object of n bytes.
func (c *rawCache) keeps(n int) bool { return n <= c.max/4 }

func (c *rawCache) put(p *rawPack, off int64, t plumbing.ObjectType, b []byte) {
	if !c.keeps(len(b)) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rawKey{p, off}
	if _, ok := c.m[k]; ok {
		return
	}
	for c.size+len(b) > c.max && len(c.order) > 0 {
		half := c.order[:(len(c.order)+1)/2]
		for _, old := range half {
			c.size -= len(c.m[old].b)
			delete(c.m, old)
		}
		c.order = append(c.order[:0:0], c.order[len(half):]...)
	}
	c.m[k] = rawObject{t, b}
	c.order = append(c.order, k)
	c.size += len(b)
}

// header reads the object header at off, leaving p.br at the start of
// its zlib stream: type, inflated size, and the base of a delta (an
// offset, or a hash for a reference delta).
func (p *rawPack) header(off int64) (t plumbing.ObjectType, size uint64, baseOff int64, ref plumbing.Hash, err error) {
	if off < 12 || off >= p.size {
		return 0, 0, 0, ref, i18n.Errorf("object offset %d outside the pack", off)
	}
	p.br.Reset(io.NewSectionReader(p.f, off, p.size-off))
	c, err := p.br.ReadByte()
	if err != nil {
		return 0, 0, 0, ref, err
	}
	t = plumbing.ObjectType((c >> 4) & 7)
	size = uint64(c & 15)
	for shift := uint(4); c&0x80 != 0; shift += 7 {
		if shift > 60 {
			return 0, 0, 0, ref, i18n.NewError("object size too large")
		}
		if c, err = p.br.ReadByte(); err != nil {
			return 0, 0, 0, ref, err
		}
		size |= uint64(c&0x7f) << shift
	}
	switch t {
	case plumbing.OFSDeltaObject:
		if c, err = p.br.ReadByte(); err != nil {
			return 0, 0, 0, ref, err
		}
		n := uint64(c & 0x7f)
		for i := 0; c&0x80 != 0; i++ {
			if i > 8 {
				return 0, 0, 0, ref, i18n.NewError("delta base offset too large")
			}
			if c, err = p.br.ReadByte(); err != nil {
				return 0, 0, 0, ref, err
			}
			n = (n+1)<<7 | uint64(c&0x7f)
		}
		if n == 0 || n >= uint64(off) {
			return 0, 0, 0, ref, i18n.Errorf("delta at offset %d: base offset out of range", off)
		}
		baseOff = off - int64(n)
	case plumbing.REFDeltaObject:
		if _, err = io.ReadFull(p.br, ref[:]); err != nil {
			return 0, 0, 0, ref, err
		}
	}
	return t, size, baseOff, ref, nil
}

var errBadDelta = i18n.NewError("invalid delta")

// maxObjectSize bounds the objects read here (a header or a delta states
// the size, and the result is allocated at once): a damaged pack must not
// ask for gigabytes. Records repositories hold nothing near it.
const maxObjectSize = 256 << 20

var errTooLarge = i18n.NewError("object too large to read whole")

// errOverLimit: the object is larger than the limit its reader gave.
var errOverLimit = i18n.NewError("object over the size limit")

// deltaTarget is the size of a delta's result, from its header.
func deltaTarget(delta []byte) (uint64, error) {
	_, rest, ok := leb128(delta)
	if !ok {
		return 0, errBadDelta
	}
	size, _, ok := leb128(rest)
	if !ok {
		return 0, errBadDelta
	}
	if size > maxObjectSize {
		return 0, errTooLarge
	}
	return size, nil
}

// patchDelta applies a git delta to base, into a result allocated once at
// the size the delta states (go-git's PatchDelta grows a buffer as it
// goes, copying the result again and again for a large tree).
func patchDelta(base, delta []byte) ([]byte, error) {
	return patchDeltaInto(nil, base, delta)
}

// patchDeltaInto is patchDelta writing into dst's storage when it is
// large enough (dst must not overlap base).
func patchDeltaInto(dst, base, delta []byte) ([]byte, error) {
	srcSize, delta, ok := leb128(delta)
	if !ok || srcSize != uint64(len(base)) {
		return nil, errBadDelta
	}
	size, delta, ok := leb128(delta)
	if !ok {
		return nil, errBadDelta
	}
	if size > maxObjectSize {
		return nil, errTooLarge
	}
	out := dst[:0]
	if uint64(cap(out)) < size {
		out = make([]byte, 0, size)
	}
	for len(delta) > 0 {
		cmd := delta[0]
		delta = delta[1:]
		switch {
		case cmd&0x80 != 0: // copy from the base
			var off, n uint64
			var ok bool
			if off, delta, ok = copyField(cmd, 4, delta); !ok {
				return nil, errBadDelta
			}
			if n, delta, ok = copyField(cmd>>4, 3, delta); !ok {
				return nil, errBadDelta
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || uint64(len(out))+n > size {
				return nil, errBadDelta
			}
			out = append(out, base[off:off+n]...)
		case cmd != 0: // insert the next cmd bytes
			n := int(cmd)
			if n > len(delta) || uint64(len(out)+n) > size {
				return nil, errBadDelta
			}
			out = append(out, delta[:n]...)
			delta = delta[n:]
		default:
			return nil, errBadDelta
		}
	}
	if uint64(len(out)) != size {
		return nil, errBadDelta
	}
	return out, nil
}

// copyField reads a copy command's offset or size: up to width
// little-endian bytes, present where the low bits of bits are set.
func copyField(bits byte, width uint, delta []byte) (uint64, []byte, bool) {
	var v uint64
	for i := uint(0); i < width; i++ {
		if bits&(1<<i) != 0 {
			if len(delta) == 0 {
				return 0, nil, false
			}
			v |= uint64(delta[0]) << (8 * i)
			delta = delta[1:]
		}
	}
	return v, delta, true
}

// leb128 reads a delta header's little-endian base-128 size.
func leb128(b []byte) (uint64, []byte, bool) {
	var n uint64
	for i := 0; i < len(b) && i < 10; i++ {
		n |= uint64(b[i]&0x7f) << (7 * uint(i))
		if b[i]&0x80 == 0 {
			return n, b[i+1:], true
		}
	}
	return 0, nil, false
}
