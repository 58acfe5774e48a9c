// Package cache keeps what each record file yields (its plain values, the
// file's text for positions, and the diagnostics of parsing, placing and
// schema-checking it) between runs, so that a repository whose files did
// not change is read in a fraction of the time parsing takes.
//
// Entries are found the way git's index finds unchanged files: by the
// file's stat data (size, modification and change times, inode), falling
// back to a hash of its content. A file changed within the timestamp
// granularity of the moment its entry was made is "racy": its stat data is
// not trusted, and the next run hashes its content. The whole cache is keyed
// by everything else the entries depend on (cache format, opsbook build,
// schemas, policy categories, records folder, the reader's language); a cache with another key, or
// whose checksum fails (truncated, garbled), is dropped and rebuilt, never
// trusted.
//
// The cache lives in the repository's git directory (.git/opsbook/cache),
// written atomically; without a git directory there is no cache.
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/heap"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/schemas"
)

// Format is the version of the file layout; bump it on every change.
const Format = 4

// Stat is the part of a file's stat data that tells it unchanged.
type Stat struct {
	Size  int64
	Mtime int64 // nanoseconds
	Ctime int64 // nanoseconds; 0 where the system has none
	Ino   uint64
}

// Hash is a file's content hash (SHA-256).
type Hash [32]byte

// Entry is what one record file yields.
type Entry struct {
	Path string
	Stat Stat
	// Trusted: the stat data was taken long enough after the file's last
	// change that an equal stat means equal content.
	Trusted bool
	Hash    Hash
	// HasRecord is false for a file that yields only diagnostics.
	HasRecord bool
	// Fast says the fast reader read Src (record.Record.Fast).
	Fast    bool
	Kind    record.Kind
	ID      string
	Data    record.Map
	Dropped map[string]bool
	Src     string
	Diags   []diag.Diagnostic
}

// Record rebuilds the entry's record (nil when it has none).
func (e *Entry) Record() *record.Record {
	if !e.HasRecord {
		return nil
	}
	if e.Fast {
		return record.RestoreFast(e.Path, e.Kind, e.ID, e.Data, e.Dropped, e.Src)
	}
	return record.Restore(e.Path, e.Kind, e.ID, e.Data, e.Dropped, e.Src)
}

// Key is what every entry depends on besides its file.
type Key [32]byte

// NewKey derives the cache key from the policy values that change what a
// file yields (the records folder, the category lists that the schemas
// enumerate), the embedded schemas, this build of opsbook, and the language
// of the diagnostics' text: a run in another language rebuilds the cache
// rather than show the last run's language.
func NewKey(recordsDir string, expenseCategories, complaintCategories []string) Key {
	h := sha256.New()
	fmt.Fprintf(h, "opsbook cache %d\x00%s\x00%s\x00%s\x00%s\x00", Format, recordsDir,
		strings.Join(expenseCategories, "\x01"), strings.Join(complaintCategories, "\x01"), i18n.Current())
	h.Write([]byte(buildID()))
	entries, _ := fs.ReadDir(schemas.FS, ".")
	for _, e := range entries {
		data, _ := fs.ReadFile(schemas.FS, e.Name())
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(data))
		h.Write(data)
	}
	var k Key
	copy(k[:], h.Sum(nil))
	return k
}

// buildID names this build of opsbook: the module version and VCS state,
// and the executable's size and modification time, so that a rebuilt
// binary (with uncommitted changes, say) never reads an older one's cache.
func buildID() string {
	var b strings.Builder
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.WriteString(bi.Main.Path + "@" + bi.Main.Version)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				b.WriteString(" " + s.Key + "=" + s.Value)
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if info, err := os.Stat(exe); err == nil {
			fmt.Fprintf(&b, " exe=%d/%d", info.Size(), info.ModTime().UnixNano())
		}
	}
	return b.String()
}

// Cache is a loaded cache.
type Cache struct {
	path    string
	key     Key
	entries []*Entry // sorted by path, each path once
	// Why is set when a cache file existed but was not used: another key,
	// a failed checksum, a bad layout.
	Why string
	buf []byte // keeps the file's bytes, which the entries' strings share
	// partial: only some entries were decoded (OpenOnly)
	partial bool
}

// Dir returns the folder for caches of the repository at root: the
// opsbook folder in its git directory, or "" when it has none.
func Dir(root string) string {
	gitDir := filepath.Join(root, ".git")
	info, err := os.Lstat(gitDir)
	if err != nil {
		return ""
	}
	if info.Mode().IsRegular() {
		// A worktree or submodule: ".git" names the git directory.
		data, err := os.ReadFile(gitDir)
		if err != nil {
			return ""
		}
		line := strings.TrimSpace(string(data))
		if !strings.HasPrefix(line, "gitdir: ") {
			return ""
		}
		gitDir = strings.TrimPrefix(line, "gitdir: ")
		if !filepath.IsAbs(gitDir) {
			gitDir = filepath.Join(root, gitDir)
		}
	} else if !info.IsDir() {
		return ""
	}
	return filepath.Join(gitDir, "opsbook")
}

// Open reads the cache file at path. A missing, unreadable, foreign or
// damaged file gives an empty cache (with Why saying what was wrong).
func Open(path string, key Key) *Cache { return open(path, key, nil) }

// OpenOnly is Open keeping only the entries whose paths keep accepts; the
// others are not decoded (a load of some folders of a large department
// decodes their entries alone). Such a cache is read, never saved: see
// Partial.
func OpenOnly(path string, key Key, keep func(path string) bool) *Cache {
	c := open(path, key, keep)
	c.partial = true
	return c
}

// Partial tells a cache OpenOnly opened: it lacks the entries it was not
// asked for, so saving it (even with Outside) would drop them.
func (c *Cache) Partial() bool { return c.partial }

func open(path string, key Key, keep func(string) bool) *Cache {
	c := &Cache{path: path, key: key}
	data, err := ReadFile(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.Why = err.Error()
		}
		return c
	}
	entries, err := decode(data, key, keep)
	if err != nil {
		c.Why = err.Error()
		return c
	}
	// Save writes entries in path order (a partial load appends the other
	// kinds' entries, which sorting puts back in place); a path held
	// twice means the file is not one Save wrote.
	if !sort.SliceIsSorted(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path }) {
		sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].Path == entries[i-1].Path {
			c.Why = errCorrupt.Error()
			return c
		}
	}
	c.buf, c.entries = data, entries
	return c
}

// Len is the number of entries.
func (c *Cache) Len() int { return len(c.entries) }

// Get returns the entry of a path, if any. Callers compare its Stat or Hash
// to decide whether it still holds.
func (c *Cache) Get(path string) *Entry {
	i := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].Path >= path })
	if i < len(c.entries) && c.entries[i].Path == path {
		return c.entries[i]
	}
	return nil
}

// Match returns the entry of each of the paths (nil where there is none),
// in one pass when the paths are sorted, as a walk lists them.
func (c *Cache) Match(paths []string) []*Entry {
	out := make([]*Entry, len(paths))
	if !sort.StringsAreSorted(paths) {
		for i, p := range paths {
			out[i] = c.Get(p)
		}
		return out
	}
	j := 0
	for i, p := range paths {
		for j < len(c.entries) && c.entries[j].Path < p {
			j++
		}
		if j < len(c.entries) && c.entries[j].Path == p {
			out[i] = c.entries[j]
		}
	}
	return out
}

// Outside returns the entries whose paths start with none of the prefixes,
// in path order: what a load of only some folders keeps when it rewrites
// the cache.
func (c *Cache) Outside(prefixes []string) []*Entry {
	var out []*Entry
next:
	for _, e := range c.entries {
		for _, pre := range prefixes {
			if strings.HasPrefix(e.Path, pre) {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}

// Save writes entries (in their order) as the new cache, atomically. Errors
// are returned for the caller to ignore: a cache that cannot be written
// only costs time.
func Save(path string, key Key, entries []*Entry) error {
	return WriteFile(path, ".cache-*", encode(key, entries))
}

// WriteFile writes data to path atomically: into a temporary file named
// by pattern in the same folder, renamed over path (a folder in its
// place is removed first). No fsync: a file cut
// short by a crash fails its checksum and is made again. Temporary files
// of writers killed half-way (kill -9) older than an hour are removed: no
// live writer takes that long.
func WriteFile(path, pattern string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
		if err != nil {
			// A folder made at the file's path (by hand, by a tool gone
			// wrong) would refuse every write, and every command would
			// read the whole department again, unsaid: it is removed.
			// The cache folder is opsbook's own.
			if info, lerr := os.Lstat(path); lerr == nil && info.IsDir() && os.RemoveAll(path) == nil {
				err = os.Rename(tmp.Name(), path)
			}
		}
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	if old, _ := filepath.Glob(filepath.Join(dir, pattern)); len(old) > 0 {
		for _, p := range old {
			if info, err := os.Lstat(p); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.Remove(p)
			}
		}
	}
	return err
}

// MaxFileSize bounds the files kept in the cache folder (the parse cache,
// the index, the memos, the commit index): a larger one is not read but
// taken as damaged, and made again. 100,000 records make a cache of about
// 120 MB and an index of 36 MB; a file of 20 GB (one grown by a tool gone
// wrong, or a sparse one) read as they are would exhaust the memory.
const MaxFileSize = 1 << 30

// errNotRegular: what is at a cache file's path is no regular file.
var errNotRegular = errors.New("not a regular file")

// OpenFile opens a file kept in the cache folder for reading, and returns
// its size: it must be a regular file (a symbolic link to one is
// followed) of at most MaxFileSize bytes. It never blocks: a named pipe or
// a device put at the path is refused, not read (a pipe with no writer
// would hang the command, /dev/zero would never end).
func OpenFile(path string) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	switch {
	case err != nil:
	case !info.Mode().IsRegular():
		err = &fs.PathError{Op: "open", Path: path, Err: errNotRegular}
	case info.Size() > MaxFileSize:
		err = &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("larger than %d bytes", int64(MaxFileSize))}
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

// ReadFile reads a file kept in the cache folder whole, as os.ReadFile
// does, refusing what OpenFile refuses; a file that grows past
// MaxFileSize while it is read is refused too.
func ReadFile(path string) ([]byte, error) {
	f, n, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := ReadSized(io.LimitReader(f, MaxFileSize+1), n)
	if err == nil && len(data) > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("larger than %d bytes", int64(MaxFileSize))}
	}
	return data, err
}

// RacyWindow is how close to the moment an entry is made a file's change
// may be and still be trusted by its stat data. It covers file systems with
// coarse timestamps (1–2 s).
const RacyWindow = 2 * time.Second

// Trust reports whether stat data taken at start can vouch for the file's
// content on later runs.
func Trust(st Stat, start time.Time) bool {
	limit := start.Add(-RacyWindow).UnixNano()
	return st.Mtime < limit && st.Ctime < limit
}

// ---- file layout ----
//
//	magic "OPSBKC\x00\x02"
//	key [32]
//	entry count uint32, payload length uint64, payload CRC-32C uint32
//	payload: the dictionary of field names, count × uint32 entry offsets,
//	then the entries
//
// Strings are uvarint length + bytes; numbers uvarint/varint; field names
// are indexes into the dictionary; string values are, when they can be,
// offset and length in the entry's own text.

var magic = []byte("OPSBKC\x00\x02")

const headerLen = 8 + 32 + 4 + 8 + 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type encoder struct {
	b    []byte
	src  string            // the current entry's text: its strings point into it
	keys map[string]uint64 // field names, written once in the dictionary
	dict []string
}

func (e *encoder) key(k string) {
	i, ok := e.keys[k]
	if !ok {
		i = uint64(len(e.dict))
		e.keys[k] = i
		e.dict = append(e.dict, k)
	}
	e.uv(i)
}

// text writes a string value, as a slice of the entry's text when it is
// one (almost always): the cache then holds each text once.
func (e *encoder) text(inline, ref byte, s string) {
	if s != "" {
		if i := strings.Index(e.src, s); i >= 0 {
			e.b = append(e.b, ref)
			e.uv(uint64(i))
			e.uv(uint64(len(s)))
			return
		}
	}
	e.b = append(e.b, inline)
	e.str(s)
}

func (e *encoder) uv(x uint64) { e.b = binary.AppendUvarint(e.b, x) }
func (e *encoder) v(x int64)   { e.b = binary.AppendVarint(e.b, x) }
func (e *encoder) str(s string) {
	e.uv(uint64(len(s)))
	e.b = append(e.b, s...)
}

// Value tags.
const (
	tagMap = iota
	tagList
	tagString
	tagNumber
	tagTrue
	tagFalse
	tagSrcString // offset and length in the entry's text
	tagSrcNumber
)

func (e *encoder) value(v any) {
	switch t := v.(type) {
	case record.Map:
		e.b = append(e.b, tagMap)
		e.uv(uint64(len(t)))
		for _, f := range t {
			e.key(f.Key)
			e.value(f.Value)
		}
	case []any:
		e.b = append(e.b, tagList)
		e.uv(uint64(len(t)))
		for _, x := range t {
			e.value(x)
		}
	case string:
		e.text(tagString, tagSrcString, t)
	case json.Number:
		e.text(tagNumber, tagSrcNumber, string(t))
	case bool:
		if t {
			e.b = append(e.b, tagTrue)
		} else {
			e.b = append(e.b, tagFalse)
		}
	default:
		// Plain values hold nothing else; write it as text rather than
		// fail.
		e.b = append(e.b, tagString)
		e.str(fmt.Sprint(t))
	}
}

func encode(key Key, entries []*Entry) []byte {
	e := &encoder{b: make([]byte, 0, len(entries)*700), keys: map[string]uint64{}}
	offsets := make([]uint32, len(entries))
	for i, en := range entries {
		offsets[i] = uint32(len(e.b))
		e.str(en.Path)
		e.v(en.Stat.Size)
		e.v(en.Stat.Mtime)
		e.v(en.Stat.Ctime)
		e.uv(en.Stat.Ino)
		var flags byte
		if en.Trusted {
			flags |= 1
		}
		if en.HasRecord {
			flags |= 2
		}
		if en.Fast {
			flags |= 4
		}
		e.b = append(e.b, flags)
		e.b = append(e.b, en.Hash[:]...)
		e.str(string(en.Kind))
		e.str(en.ID)
		e.uv(uint64(len(en.Dropped)))
		for p := range en.Dropped {
			e.str(p)
		}
		e.str(en.Src)
		e.src = en.Src
		if en.HasRecord {
			e.value(en.Data)
		}
		e.uv(uint64(len(en.Diags)))
		for _, d := range en.Diags {
			e.str(d.Path)
			e.uv(uint64(d.Line))
			e.uv(uint64(d.Column))
			e.str(string(d.Severity))
			e.str(d.Rule)
			e.str(d.Message)
			e.str(d.Text)
			e.str(d.Record)
		}
	}
	body := e.b
	// header | dictionary | entry offsets (into the entries) | entries
	h := &encoder{b: make([]byte, headerLen, headerLen+len(body)+4*len(entries)+1024)}
	h.uv(uint64(len(e.dict)))
	for _, k := range e.dict {
		h.str(k)
	}
	for _, o := range offsets {
		h.b = binary.LittleEndian.AppendUint32(h.b, o)
	}
	b := append(h.b, body...)
	copy(b, magic)
	copy(b[8:], key[:])
	binary.LittleEndian.PutUint32(b[40:], uint32(len(entries)))
	payload := b[headerLen:]
	binary.LittleEndian.PutUint64(b[44:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(b[52:], crc32.Checksum(payload, castagnoli))
	return b
}

var errCorrupt = errors.New("cache file is damaged")

type decoder struct {
	s    string // the whole file; strings are substrings of it
	i    int
	err  bool
	dict []string
	src  string // the current entry's text
}

func (d *decoder) key() string {
	i := d.uv()
	if d.err || i >= uint64(len(d.dict)) {
		d.err = true
		return ""
	}
	return d.dict[i]
}

// ref reads an offset and length into the entry's text.
func (d *decoder) ref() string {
	off, n := d.uv(), d.uv()
	if d.err || off > uint64(len(d.src)) || n > uint64(len(d.src))-off {
		d.err = true
		return ""
	}
	return d.src[off : off+n]
}

func (d *decoder) uv() uint64 {
	if d.err {
		return 0
	}
	x, n := uvarint(d.s[d.i:])
	if n <= 0 {
		d.err = true
		return 0
	}
	d.i += n
	return x
}

func (d *decoder) v() int64 {
	u := d.uv()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func uvarint(s string) (uint64, int) {
	var x uint64
	var sh uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			return x | uint64(c)<<sh, i + 1
		}
		x |= uint64(c&0x7f) << sh
		sh += 7
	}
	return 0, 0
}

func (d *decoder) byte1() byte {
	if d.err || d.i >= len(d.s) {
		d.err = true
		return 0
	}
	c := d.s[d.i]
	d.i++
	return c
}

func (d *decoder) str() string {
	n := d.uv()
	if d.err || n > uint64(len(d.s)-d.i) {
		d.err = true
		return ""
	}
	s := d.s[d.i : d.i+int(n)]
	d.i += int(n)
	return s
}

func (d *decoder) count() int {
	n := d.uv()
	if n > uint64(len(d.s)-d.i) { // every element takes at least a byte
		d.err = true
		return 0
	}
	return int(n)
}

func (d *decoder) value(depth int) any {
	if depth > 64 {
		d.err = true
		return nil
	}
	switch d.byte1() {
	case tagMap:
		n := d.count()
		m := make(record.Map, 0, n)
		for i := 0; i < n && !d.err; i++ {
			k := d.key()
			m = append(m, record.Field{Key: k, Value: d.value(depth + 1)})
		}
		return m
	case tagList:
		n := d.count()
		l := make([]any, 0, n)
		for i := 0; i < n && !d.err; i++ {
			l = append(l, d.value(depth+1))
		}
		return l
	case tagString:
		return d.str()
	case tagNumber:
		return json.Number(d.str())
	case tagSrcString:
		return d.ref()
	case tagSrcNumber:
		return json.Number(d.ref())
	case tagTrue:
		return true
	case tagFalse:
		return false
	}
	d.err = true
	return nil
}

// decode decodes the entries of a cache file, only those whose paths
// keep accepts when it is set.
func decode(data []byte, key Key, keep func(string) bool) ([]*Entry, error) {
	if len(data) < headerLen || !bytes.Equal(data[:8], magic) {
		return nil, errCorrupt
	}
	if !bytes.Equal(data[8:40], key[:]) {
		return nil, errors.New("cache was made by another opsbook or policy")
	}
	n := int(binary.LittleEndian.Uint32(data[40:]))
	plen := binary.LittleEndian.Uint64(data[44:])
	if plen != uint64(len(data)-headerLen) || plen == 0 {
		return nil, errCorrupt
	}
	payload := data[headerLen:]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(data[52:]) {
		return nil, errCorrupt
	}
	// The buffer is never written again: its strings can share it.
	s := unsafe.String(&payload[0], len(payload))
	hd := &decoder{s: s}
	dict := make([]string, hd.count())
	for i := range dict {
		dict[i] = hd.str()
	}
	if hd.err || uint64(n)*4 > uint64(len(s)-hd.i) {
		return nil, errCorrupt
	}
	index := payload[hd.i : hd.i+4*n]
	body := hd.i + 4*n
	entries := make([]*Entry, n)
	errs := make([]bool, n)
	// Decoding makes the values that stay: collecting garbage meanwhile
	// would only trace them again and again.
	defer heap.Pause()()
	par.For(n, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			off := body + int(binary.LittleEndian.Uint32(index[4*i:]))
			if off >= len(s) {
				errs[i] = true
				continue
			}
			d := &decoder{s: s, i: off, dict: dict}
			if keep != nil {
				if p := d.str(); d.err || !keep(p) {
					errs[i] = d.err
					continue
				}
				d.i = off
			}
			entries[i] = d.entry()
			errs[i] = d.err
		}
	})
	for _, bad := range errs {
		if bad {
			return nil, errCorrupt
		}
	}
	if keep != nil {
		entries = slices.DeleteFunc(entries, func(e *Entry) bool { return e == nil })
	}
	return entries, nil
}

func (d *decoder) entry() *Entry {
	e := &Entry{}
	e.Path = d.str()
	e.Stat.Size = d.v()
	e.Stat.Mtime = d.v()
	e.Stat.Ctime = d.v()
	e.Stat.Ino = d.uv()
	flags := d.byte1()
	e.Trusted, e.HasRecord, e.Fast = flags&1 != 0, flags&2 != 0, flags&4 != 0
	if d.i+32 > len(d.s) {
		d.err = true
		return e
	}
	copy(e.Hash[:], d.s[d.i:d.i+32])
	d.i += 32
	e.Kind = record.Kind(d.str())
	e.ID = d.str()
	if n := d.count(); n > 0 {
		e.Dropped = make(map[string]bool, n)
		for i := 0; i < n && !d.err; i++ {
			e.Dropped[d.str()] = true
		}
	}
	e.Src = d.str()
	d.src = e.Src
	if e.HasRecord {
		m, ok := d.value(0).(record.Map)
		if !ok {
			d.err = true
		}
		e.Data = m
	}
	if n := d.count(); n > 0 {
		e.Diags = make([]diag.Diagnostic, n)
		for i := 0; i < n && !d.err; i++ {
			dg := &e.Diags[i]
			dg.Path = d.str()
			dg.Line = int(d.uv())
			dg.Column = int(d.uv())
			dg.Severity = diag.Severity(d.str())
			dg.Rule = d.str()
			dg.Message = d.str()
			dg.Text = d.str()
			dg.Record = d.str()
		}
	}
	return e
}

// ReadSized reads f, of n bytes when its stat was taken, as os.ReadFile
// does: into a buffer with room for all of it and the read that finds its
// end, grown only if the file grew (a buffer grown at the end copies it
// all: 10 MB for a git index at 100,000 files, 36 MB for the index).
func ReadSized(f io.Reader, n int64) ([]byte, error) {
	if n < 0 || n > 1<<40 {
		n = 0
	}
	data := make([]byte, 0, n+512)
	for {
		k, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+k]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}
