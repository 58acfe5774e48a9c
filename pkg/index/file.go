package index

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/internal/heap"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/record"
)

// The index file:
//
//	"OPSBOOK-INDEX\n"  key (32 bytes)
//	the mark: the file-system monitor's token the entries hold as of (a
//	string, empty when they were not made with a monitor: see package
//	monitor), and when every file was last listed and statted (a varint,
//	Unix seconds)
//	entries, references, files: three counts (uvarint)
//	the names: a count, then every field and id a reference names, once,
//	by text
//	each entry, by path: its path (whole, not shared with the previous
//	one: the strings of an opened index are slices of the file's bytes,
//	made without a copy), size, modification and change time, inode,
//	flags, content hash, kind, id, clear fields (as Entry keeps them),
//	references (the places of their field and id among the names: equal
//	ids are one string, compared at once), files, a plan's budget needs
//	(category, amount)
//	the id table: a count, then the positions of the entries with an id,
//	by id then path (4 bytes each, little-endian)
//	the references table: a count (the references'), then each
//	reference's entry position and place among its Refs (4 + 4 bytes),
//	by the id named, then path, then place
//	the chunks table: a count, then for each chunk of 4,096 entries its
//	first entry's offset (from after the key) and the references and
//	files of the entries before it; then where the entries end
//	the chunks table's length (4 bytes, big-endian)
//	CRC-32 (IEEE) of all the above, big-endian
//
// Strings and numbers are a uvarint length then the bytes, and varints.
// Opening reads the file once, checks the CRC, and makes the entries
// with three allocations (the entries, their references, their files),
// the chunks decoded on all cores at once (each must use up exactly its
// bytes, references and files);
// the clear fields stay encoded until asked for. The tables are searched
// in place. Everything is checked on opening (the paths strictly sorted,
// every count and length within the file, the entries, references and
// files counted together within the entries' bytes before any is made,
// each table sorted and covering
// every entry with an id and every reference exactly once): a file that
// fails any check is unusable, and rebuilt, however its CRC came out.

var magic = []byte("OPSBOOK-INDEX\n")

// minEntry is the fewest bytes an entry takes in the file: a byte for
// each length and count (path, kind, id, clear fields, references,
// files, needs), four for the stat data, the flags, the hash.
const minEntry = 7 + 4 + 1 + 32

// mapAtLeast is the size from which, on Linux, the index file is mapped
// into memory rather than read (see readFile); a variable for tests.
var mapAtLeast int64 = 2 << 20

// workRoom is what a command about one record makes besides the index's
// entries before its first collection (its records, their rules, their
// history): about 50 MB at 100,000 records, where the entries take 33 MB
// and the heap's floor (96 MB) is already above both.
const workRoom = 64 << 20

// Open reads the index at path; an index of another key, truncated or
// garbled, is an error wrapping ErrUnusable (the caller rebuilds).
func Open(path string, key Key) (*Index, error) {
	data, release, err := readFile(path)
	if err != nil {
		return nil, err
	}
	x, err := decode(data, key)
	if err != nil {
		release() // nothing holds the bytes of an unusable index
		return nil, err
	}
	x.file = &opened{size: int64(len(data)), sum: binary.BigEndian.Uint32(data[len(data)-4:]), key: key, mark: x.Mark}
	return x, nil
}

// opened is what tells the file an index was opened from from others:
// its size and checksum (and the key and mark it was opened with).
type opened struct {
	size int64
	sum  uint32
	key  Key
	mark Mark
}

// Opened returns the index as the file it was opened from holds it (the
// entries decoded then, with the file's look-ups) when the file at path
// holds the same bytes (the same size and checksum, the same key): a
// second name of that file (a link) or a copy of it is not decoded again.
// Nil otherwise, or when x was not opened from a file (New), or when
// path cannot be read. The entries are the file's, not x's refreshed ones.
//
// A checksum is no proof: a caller takes the entries only where a
// fingerprint of them must match what it expects anyway (see package
// repo's bases).
func (x *Index) Opened(path string, key Key) *Index {
	if x == nil || x.file == nil || x.st == nil || x.file.key != key {
		return nil
	}
	f, n, err := cache.OpenFile(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var sum [4]byte
	if n != x.file.size || n < 4 {
		return nil
	}
	if _, err := f.ReadAt(sum[:], n-4); err != nil || binary.BigEndian.Uint32(sum[:]) != x.file.sum {
		return nil
	}
	st := x.st
	base := st.base
	return &Index{Entries: base, Mark: x.file.mark, file: x.file, extra: nil,
		st: &stored{base: base, now: base, ids: st.ids, refs: st.refs, named: st.named}}
}

// Mark says as of when the entries hold: the file-system monitor's token
// they were refreshed as of ("" for none), and when every file was last
// listed and statted (Unix seconds).
type Mark struct {
	Token  string
	Listed int64
}

// Save writes the entries atomically to path (cache.WriteFile), with
// their mark.
func Save(path string, key Key, mark Mark, entries []*Entry) error {
	return cache.WriteFile(path, ".index.tmp-*", encode(key, mark, entries))
}

// The high bits of a field's code say the type of its value: text, a
// number (kept as its literal) or a boolean.
const (
	typeNumber = 0x40
	typeBool   = 0x80
	typeMask   = 0xc0
)

// clearIndex is each clear field's place in Clear: its code in the file.
var clearIndex = func() map[string]int {
	m := map[string]int{}
	for i, k := range Clear {
		m[k] = i
	}
	return m
}()

// appendField appends a clear field as Entry.clear keeps it: its code
// (its place in Clear, the value's type in the high bits), then the
// value as text.
func appendField(b []byte, i int, v any) []byte {
	code := byte(i)
	switch v.(type) {
	case json.Number:
		code |= typeNumber
	case bool:
		code |= typeBool
	}
	b = append(b, code)
	t := record.Text(v)
	b = binary.AppendUvarint(b, uint64(len(t)))
	return append(b, t...)
}

// nextField reads the first field of an encoded list; ok is false when s
// does not start with a whole, well-formed field.
func nextField(s string) (code byte, v, rest string, ok bool) {
	if s == "" {
		return 0, "", "", false
	}
	code = s[0]
	if int(code&^typeMask) >= len(Clear) || code&typeMask == typeMask {
		return 0, "", "", false
	}
	d := decoder{s: s[1:]}
	v = d.str()
	if d.bad {
		return 0, "", "", false
	}
	return code, v, d.s, true
}

// sorted returns entries by path (a sorted copy when they are not).
func sorted(entries []*Entry) []*Entry {
	less := func(a, b *Entry) bool { return a.Path < b.Path }
	if sort.SliceIsSorted(entries, func(i, j int) bool { return less(entries[i], entries[j]) }) {
		return entries
	}
	out := append([]*Entry(nil), entries...)
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func encode(key Key, mark Mark, entries []*Entry) []byte {
	entries = sorted(entries)
	// The file's size, nearly: the bytes are appended without growing.
	size := len(magic) + len(key) + len(mark.Token) + 64
	for _, e := range entries {
		size += len(e.Path) + len(e.Kind) + len(e.ID) + len(e.clear) + minEntry + 40 + 8
		for _, r := range e.Refs {
			size += len(r.Field) + len(r.ID) + 6 + 8 // names, at most
		}
		for _, f := range e.Files {
			size += len(f) + 2
		}
		for _, n := range e.Needs {
			size += len(n.Category) + len(n.Amount) + 4
		}
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = append(b, key[:]...)
	uv := func(x uint64) { b = binary.AppendUvarint(b, x) }
	v := func(x int64) { b = binary.AppendVarint(b, x) }
	str := func(s string) { uv(uint64(len(s))); b = append(b, s...) }
	str(mark.Token)
	v(mark.Listed)
	nrefs, nfiles := 0, 0
	for _, e := range entries {
		nrefs += len(e.Refs)
		nfiles += len(e.Files)
	}
	uv(uint64(len(entries)))
	uv(uint64(nrefs))
	uv(uint64(nfiles))
	// the names: every field and id of a reference, once (most name a
	// few people and projects), by text; a reference is then two places
	// in it
	place := map[string]int{}
	for _, e := range entries {
		for _, r := range e.Refs {
			place[r.Field], place[r.ID] = 0, 0
		}
	}
	names := make([]string, 0, len(place))
	for s := range place {
		names = append(names, s)
	}
	slices.Sort(names)
	uv(uint64(len(names)))
	for i, s := range names {
		place[s] = i
		str(s)
	}
	base := len(magic) + len(key)
	var chunks []uint64 // each chunk's offset, references and files before it
	refsBefore, filesBefore := 0, 0
	for i, e := range entries {
		if i%chunkEntries == 0 {
			chunks = append(chunks, uint64(len(b)-base), uint64(refsBefore), uint64(filesBefore))
		}
		refsBefore += len(e.Refs)
		filesBefore += len(e.Files)
		str(e.Path)
		v(e.Stat.Size)
		v(e.Stat.Mtime)
		v(e.Stat.Ctime)
		uv(e.Stat.Ino)
		var flags byte
		if e.Trusted {
			flags |= 1
		}
		if e.Odd {
			flags |= 2
		}
		if e.Sealed {
			flags |= 4
		}
		if e.Linked {
			flags |= 8
		}
		b = append(b, flags)
		b = append(b, e.Hash[:]...)
		str(string(e.Kind))
		str(e.ID)
		str(e.clear)
		uv(uint64(len(e.Refs)))
		for _, r := range e.Refs {
			uv(uint64(place[r.Field]))
			uv(uint64(place[r.ID]))
		}
		uv(uint64(len(e.Files)))
		for _, f := range e.Files {
			str(f)
		}
		uv(uint64(len(e.Needs)))
		for _, n := range e.Needs {
			str(n.Category)
			str(n.Amount)
		}
	}
	entriesEnd := len(b) - base
	// the id table
	var ids []int
	for i, e := range entries {
		if e.ID != "" {
			ids = append(ids, i)
		}
	}
	slices.SortFunc(ids, func(a, b int) int {
		return cmp.Or(strings.Compare(entries[a].ID, entries[b].ID), a-b)
	})
	uv(uint64(len(ids)))
	for _, p := range ids {
		b = binary.LittleEndian.AppendUint32(b, uint32(p))
	}
	// the references table: the ids named are few beside the references
	// (most name people), so the references are put in buckets by the
	// rank of the id they name, in path then place order as they come
	type ref struct{ p, j int }
	rank := map[string]int{}
	for _, e := range entries {
		for _, r := range e.Refs {
			rank[r.ID] = 0
		}
	}
	named := make([]string, 0, len(rank))
	for id := range rank {
		named = append(named, id)
	}
	slices.Sort(named)
	for i, id := range named {
		rank[id] = i
	}
	at := make([]int, len(named)+1) // where each rank's bucket starts
	for _, e := range entries {
		for _, r := range e.Refs {
			at[rank[r.ID]+1]++
		}
	}
	for i := 1; i < len(at); i++ {
		at[i] += at[i-1]
	}
	refs := make([]ref, nrefs)
	for i, e := range entries {
		for j, r := range e.Refs {
			k := rank[r.ID]
			refs[at[k]] = ref{i, j}
			at[k]++
		}
	}
	uv(uint64(len(refs)))
	for _, r := range refs {
		b = binary.LittleEndian.AppendUint32(b, uint32(r.p))
		b = binary.LittleEndian.AppendUint32(b, uint32(r.j))
	}
	// the chunks table, then its length
	table := len(b)
	uv(uint64(len(chunks) / 3))
	for _, x := range chunks {
		uv(x)
	}
	uv(uint64(entriesEnd))
	b = binary.BigEndian.AppendUint32(b, uint32(len(b)-table))
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// chunkEntries is how many entries a chunk holds: the chunks are decoded
// on all cores at once; validPart the fewest table elements checked in
// parts on all cores (see valid). Variables for tests.
var chunkEntries, validPart = 4096, 1 << 14

// decoder reads the entries out of one string holding the whole file: the
// strings it returns share it (one allocation, not one per string).
type decoder struct {
	s   string
	bad bool
}

func (d *decoder) uv() uint64 {
	var x uint64
	for i := 0; i < len(d.s) && i < binary.MaxVarintLen64; i++ {
		c := d.s[i]
		x |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			d.s = d.s[i+1:]
			return x
		}
	}
	d.bad, d.s = true, ""
	return 0
}

func (d *decoder) v() int64 {
	u := d.uv()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (d *decoder) take(n uint64) string {
	if n > uint64(len(d.s)) {
		d.bad, d.s = true, ""
		return ""
	}
	out := d.s[:n]
	d.s = d.s[n:]
	return out
}

func (d *decoder) str() string { return d.take(d.uv()) }

// count reads a count that cannot exceed what is left of the data (each
// element takes at least a byte): a garbled count never allocates much.
func (d *decoder) count() int {
	n := d.uv()
	if n > uint64(len(d.s)) {
		d.bad, d.s = true, ""
		return 0
	}
	return int(n)
}

func decode(data []byte, key Key) (*Index, error) {
	if len(data) < len(magic)+len(key)+4 || !bytes.HasPrefix(data, magic) {
		return nil, fmt.Errorf("%w: not an opsbook index", ErrUnusable)
	}
	body, sum := data[:len(data)-4], binary.BigEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch (truncated or damaged)", ErrUnusable)
	}
	body = body[len(magic):]
	if !bytes.Equal(body[:len(key)], key[:]) {
		return nil, fmt.Errorf("%w: made by another opsbook build, format or policy", ErrUnusable)
	}
	body = body[len(key):]
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	// The chunks table, at the end: where each chunk of entries starts
	// (its offset, the references and files of the entries before it),
	// and where the entries end.
	if len(body) < 4 {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	tl := uint64(binary.BigEndian.Uint32(body[len(body)-4:]))
	if tl > uint64(len(body)-4) {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	tail := body[len(body)-4-int(tl) : len(body)-4]
	body = body[:len(body)-4-int(tl)]
	if len(body) == 0 || len(tail) == 0 {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	// The buffer is never written again: the entries' strings share it.
	whole := unsafe.String(&body[0], len(body))
	d := &decoder{s: whole}
	mark := Mark{Token: d.str(), Listed: d.v()}
	n, nrefs, nfiles := d.count(), d.count(), d.count()
	// An entry takes at least minEntry bytes and a reference two: counts
	// the rest of the file cannot hold are damage, found before the
	// entries are made (a forged count would otherwise ask for gigabytes).
	if d.bad || n > len(d.s)/minEntry || nrefs > len(d.s)/2 {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	// the names the references are places in (each name takes a byte at
	// least: a count the rest cannot hold is damage)
	dict := make([]string, d.count())
	for i := range dict {
		dict[i] = d.str()
		// strictly by text, as encode writes them: a reference's place
		// among them orders it as its text does (valid compares places)
		if i > 0 && dict[i-1] >= dict[i] {
			d.bad = true
			break
		}
	}
	if d.bad {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	td := &decoder{s: unsafe.String(&tail[0], len(tail))}
	nchunks := td.count()
	if nchunks != (n+chunkEntries-1)/chunkEntries {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	type chunk struct{ off, refs, files int }
	chunks := make([]chunk, nchunks+1)
	for c := range nchunks {
		chunks[c] = chunk{int(td.uv()), int(td.uv()), int(td.uv())}
	}
	end := td.uv()
	chunks[nchunks] = chunk{int(end), nrefs, nfiles}
	// the first chunk starts where the entries do, with no references or
	// files before it; with no entries, the end does (a file of no
	// entries said to hold files, over bytes no chunk reads, was opened)
	start := len(whole) - len(d.s)
	if td.bad || len(td.s) != 0 || end > uint64(len(whole)) || chunks[0] != (chunk{start, 0, 0}) {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	// Every entry, reference and file takes bytes of the entries' own:
	// counts they cannot hold together are damage, found before the
	// entries, references and files are made (each reference is 32 bytes
	// made from at least 2 of the file, each file 16 from at least 1).
	if uint64(n)*minEntry+2*uint64(nrefs)+uint64(nfiles) > end-uint64(start) {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	for c := 1; c <= nchunks; c++ {
		a, b := chunks[c-1], chunks[c]
		if b.off <= a.off || b.refs < a.refs || b.files < a.files || b.refs > nrefs || b.files > nfiles {
			return nil, fmt.Errorf("%w: damaged", ErrUnusable)
		}
	}
	// What the entries take stays to the end of the command: the first
	// collection, if the heap's floor still holds, comes after the room a
	// command needs besides them (see package heap), not while they are
	// made.
	heap.AtLeast(int64(n)*int64(unsafe.Sizeof(Entry{})+unsafe.Sizeof((*Entry)(nil))+4) +
		int64(nrefs)*int64(unsafe.Sizeof(Ref{})+4) + int64(nfiles)*int64(unsafe.Sizeof("")) + workRoom)
	all := make([]Entry, n)
	entries := make([]*Entry, n)
	refs := make([]Ref, nrefs)
	// for valid: where each entry's references start among all of them,
	// and the place among the names of the id each one names
	refStart := make([]int32, n)
	refName := make([]int32, nrefs)
	files := make([]string, nfiles)
	bad := make([]bool, nchunks)
	heap.Prefault(all)
	heap.Prefault(entries)
	heap.Prefault(refs)
	heap.Prefault(files)
	// Decoding makes the entries that stay: collecting garbage meanwhile
	// (a department whose entries pass the heap's floor) would only trace
	// them again and again.
	defer heap.Pause()()
	par.Each(nchunks, func(c int) {
		at, to := chunks[c], chunks[c+1]
		cd := &decoder{s: whole[at.off:to.off]}
		refs, files := refs[at.refs:to.refs:to.refs], files[at.files:to.files:to.files]
		rpos := at.refs // the global place of refs[0]
		for i := c * chunkEntries; i < min(n, (c+1)*chunkEntries) && !cd.bad; i++ {
			e := &all[i]
			e.Path = cd.str()
			if i > c*chunkEntries && e.Path <= all[i-1].Path {
				cd.bad = true
				break
			}
			e.Stat = cache.Stat{Size: cd.v(), Mtime: cd.v(), Ctime: cd.v(), Ino: cd.uv()}
			if t := cd.take(1); t != "" {
				e.Trusted, e.Odd, e.Sealed, e.Linked = t[0]&1 != 0, t[0]&2 != 0, t[0]&4 != 0, t[0]&8 != 0
			}
			copy(e.Hash[:], cd.take(32))
			e.Kind = record.Kind(cd.str())
			e.ID = cd.str()
			e.clear = cd.str()
			for s := e.clear; s != ""; {
				_, _, rest, ok := nextField(s)
				if !ok {
					cd.bad = true
					break
				}
				s = rest
			}
			refStart[i] = int32(rpos)
			if k := cd.count(); k > len(refs) {
				cd.bad = true
			} else if k > 0 {
				e.Refs, refs = refs[:k:k], refs[k:]
				for j := range e.Refs {
					f, id := cd.uv(), cd.uv()
					if f >= uint64(len(dict)) || id >= uint64(len(dict)) {
						cd.bad = true
						break
					}
					e.Refs[j] = Ref{dict[f], dict[id]}
					refName[rpos+j] = int32(id)
				}
				rpos += k
			}
			if k := cd.count(); k > len(files) {
				cd.bad = true
			} else if k > 0 {
				e.Files, files = files[:k:k], files[k:]
				for j := range e.Files {
					e.Files[j] = cd.str()
				}
			}
			// a plan's needs (few plans have any): made per entry, each
			// taking at least two bytes of the chunk
			if k := cd.count(); k > len(cd.s)/2 {
				cd.bad = true
			} else if k > 0 {
				e.Needs = make([]Need, k)
				for j := range e.Needs {
					e.Needs[j] = Need{cd.str(), cd.str()}
				}
			}
			entries[i] = e
		}
		// each chunk's bytes, references and files used up exactly
		bad[c] = cd.bad || len(cd.s) != 0 || len(refs) != 0 || len(files) != 0
	})
	for c := range nchunks {
		if bad[c] || c > 0 && all[c*chunkEntries].Path <= all[c*chunkEntries-1].Path {
			return nil, fmt.Errorf("%w: damaged", ErrUnusable)
		}
	}
	d.s = whole[end:]
	st := &stored{base: entries, now: entries}
	if m := d.count(); m <= len(d.s)/4 {
		st.ids = d.take(uint64(4 * m))
	} else {
		d.bad = true
	}
	if m := d.count(); m <= len(d.s)/8 {
		st.refs = d.take(uint64(8 * m))
	} else {
		d.bad = true
	}
	if d.bad || len(d.s) != 0 || !st.valid(nrefs, refStart, refName) {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	return &Index{Entries: entries, st: st, Mark: mark}, nil
}

// valid checks the stored tables against the entries: the id table lists
// every entry with an id once, by id then path; the references table
// every one of the nrefs references once, by id named, then path, then
// place. (The paths are strictly sorted: a position stands for a path.)
// The ids of references are compared by their places among the names
// (refName, from where each entry's references start, refStart): the
// names are strictly by text, so places order as texts do, and an
// integer is compared where a string was.
// Each table is checked in parts on all cores, each element against the
// one before it.
func (st *stored) valid(nrefs int, refStart, refName []int32) bool {
	withID := 0
	for _, e := range st.base {
		if e.ID != "" {
			withID++
		}
	}
	n := len(st.ids) / 4
	if n != withID {
		return false
	}
	var bad atomic.Bool
	par.For(n, validPart, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			p := st.idAt(k)
			if p >= len(st.base) || st.base[p].ID == "" {
				bad.Store(true)
				return
			}
			if k == 0 {
				continue
			}
			q := st.idAt(k - 1)
			if q >= len(st.base) {
				bad.Store(true)
				return
			}
			if a, b := st.base[q].ID, st.base[p].ID; a > b || a == b && q >= p {
				bad.Store(true)
				return
			}
		}
	})
	n = len(st.refs) / 8
	if bad.Load() || n != nrefs {
		return false
	}
	var mu sync.Mutex
	parts := map[int][]int32{} // the groups starting in each part, by its first element
	par.For(n, validPart, func(lo, hi int) {
		var named []int32
		for k := lo; k < hi; k++ {
			p, j := st.refAt(k)
			if p >= len(st.base) || j >= len(st.base[p].Refs) {
				bad.Store(true)
				return
			}
			if k == 0 {
				named = append(named, 0)
				continue
			}
			pp, pj := st.refAt(k - 1)
			if pp >= len(st.base) || pj >= len(st.base[pp].Refs) {
				bad.Store(true)
				return
			}
			// the ids' places among the names, which are by text
			a, b := refName[int(refStart[pp])+pj], refName[int(refStart[p])+j]
			if a > b || a == b && (pp > p || pp == p && pj >= j) {
				bad.Store(true)
				return
			}
			if a != b {
				named = append(named, int32(k))
			}
		}
		mu.Lock()
		parts[lo] = named
		mu.Unlock()
	})
	if bad.Load() {
		return false
	}
	los := make([]int, 0, len(parts))
	for lo := range parts {
		los = append(los, lo)
	}
	sort.Ints(los)
	for _, lo := range los {
		st.named = append(st.named, parts[lo]...)
	}
	return true
}
