// Package index is the department's persistent index: for every record file
// its stat data and content hash (as the parse cache finds unchanged files),
// its id, kind and state, the clear fields the rules and reports count
// (amounts, dates, categories, parties), and the references it makes. The
// references are also kept the other way (who names a record), so a command
// about one record finds what touches it without reading the department.
//
// The index is a cache and never an authority: it is refreshed from the
// files (pkg/repo) before every use, an entry whose stat data and content
// hash no longer match its file is made again from the file, and an index of
// another format or build, or whose checksum fails, is dropped and rebuilt.
// It holds no field a policy may encrypt: no texts, no contact details;
// only ids, paths, kinds, states, references, amounts, dates, categories,
// the handles of the people named, and titles and names (which no policy
// may encrypt, and which every `list` table shows).
//
// It lives in .git/opsbook/index, written atomically (a temporary file
// renamed over it); two writers leave one of their indexes, each entry of
// which still carries the stat data it was made from.
package index

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Format is the version of the file layout; bump it on every change.
const Format = 4

// Clear lists the top-level fields an entry keeps (when their value is
// text, a number or a boolean, kept as such): what the set-wide rules, the
// budget figures and `list` on indexed fields read. None of them is a
// field a policy may encrypt (config.Encryptable).
var Clear = []string{
	"status", "date", "category", "project", "amount", "claimant",
	"assignee", "owner", "employee", "appraiser", "author", "customer",
	"severity", "received_at", "due", "period", "year", "receipt", "type",
	"title", "name",
}

// Entry is what the index knows of one record file.
type Entry struct {
	Path    string
	Stat    cache.Stat
	Trusted bool // Stat alone may tell the file unchanged (not racy)
	Hash    cache.Hash
	// Kind and ID are empty for a file that is not a readable record.
	Kind   record.Kind
	ID     string
	Fields record.Map // the Clear fields the record has: string, json.Number or bool
	// Odd says a Clear field holds what Fields cannot keep (a list, a
	// mapping, a null): the entry's fields do not stand for the record's.
	Odd bool
	// Sealed says the record holds encrypted values (crypt.Ciphertexts):
	// what shows it must read and reveal it.
	Sealed bool
	Refs   []Ref // the references it makes, in rules.Refs order
	// Files are the attachment paths its fields name, and "sha256:HASH"
	// for those of them listed with a hash: what split-claim groups claims
	// by besides claimant and day.
	Files []string
}

// Ref is one reference a record makes: the field's dotted path and the id
// it names.
type Ref struct {
	Field, ID string
}

// Str is a clear field's value as text ("" when absent).
func (e *Entry) Str(field string) string {
	v, _ := e.Fields.Get(field)
	return record.Text(v)
}

// EntryOf makes the entry of a file from its parsed record (nil for a file
// that is not one).
func EntryOf(path string, st cache.Stat, trusted bool, h cache.Hash, rec *record.Record) *Entry {
	e := &Entry{Path: path, Stat: st, Trusted: trusted, Hash: h}
	if rec == nil {
		return e
	}
	e.Kind, e.ID = rec.Kind, rec.ID
	e.Sealed = len(crypt.Ciphertexts(rec)) > 0
	for _, f := range Clear {
		v, ok := rec.Data.Get(f)
		if !ok {
			continue
		}
		switch v.(type) {
		case string, json.Number, bool:
			e.Fields = append(e.Fields, record.Field{Key: f, Value: v})
		default:
			e.Odd = true
		}
	}
	for _, ref := range rules.Refs {
		if ref.Kind != rec.Kind {
			continue
		}
		found := rules.Expand(rec.Data, ref.Path)
		paths := make([]string, 0, len(found))
		for p := range found {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			e.Refs = append(e.Refs, Ref{p, found[p]})
		}
	}
	sums := map[string]string{}
	for _, l := range rules.Listed(rec) {
		sums[l.Path] = strings.ToLower(l.SHA256)
	}
	for _, n := range rules.NamedAttachments(rec) {
		e.Files = append(e.Files, n.Path)
		if h := sums[n.Path]; len(h) == 64 {
			e.Files = append(e.Files, "sha256:"+h)
		}
	}
	return e
}

// Index is the entries of a department, with the look-ups built from them
// on first use (a command reading only the entries, such as summary's
// fingerprint or a list, never pays for them).
type Index struct {
	Entries []*Entry // by path
	once    sync.Once
	byID    map[string][]*Entry
	in      map[string][]In
	// the look-ups of kinds and claims, built on first use
	groupsOnce sync.Once
	kinds      map[record.Kind][]*Entry
	lines      map[Line][]*Entry
	days       map[Day][]*Entry
	files      map[string][]*Entry
}

// Line is a budget line of the claims: the year of a claim's date and
// its category.
type Line struct{ Year, Category string }

// LineOf is the budget line an expense entry counts against (the year
// empty when its date is too short to hold one).
func LineOf(e *Entry) Line {
	date := e.Str("date")
	if len(date) < 4 {
		date = ""
	}
	if date != "" {
		date = date[:4]
	}
	return Line{date, e.Str("category")}
}

// Day is a claimant's day: the claims split-claim compares.
type Day struct{ Claimant, Date string }

// DayOf is the claimant's day of an expense entry.
func DayOf(e *Entry) Day { return Day{e.Str("claimant"), e.Str("date")} }

func (x *Index) groups() {
	x.groupsOnce.Do(func() {
		x.kinds, x.lines, x.days, x.files = map[record.Kind][]*Entry{}, map[Line][]*Entry{}, map[Day][]*Entry{}, map[string][]*Entry{}
		for _, e := range x.Entries {
			x.kinds[e.Kind] = append(x.kinds[e.Kind], e)
			if e.Kind != record.Expense {
				continue
			}
			x.lines[LineOf(e)] = append(x.lines[LineOf(e)], e)
			x.days[DayOf(e)] = append(x.days[DayOf(e)], e)
			for _, f := range e.Files {
				x.files[f] = append(x.files[f], e)
			}
		}
	})
}

// Kind returns the entries of a kind, by path (shared: not to be changed).
func (x *Index) Kind(k record.Kind) []*Entry { x.groups(); return x.kinds[k] }

// Claims returns the expense entries of a budget line, by path.
func (x *Index) Claims(l Line) []*Entry { x.groups(); return x.lines[l] }

// ClaimsOn returns the expense entries of a claimant's day, by path.
func (x *Index) ClaimsOn(d Day) []*Entry { x.groups(); return x.days[d] }

// ClaimsWith returns the expense entries listing a file (Entry.Files), by
// path.
func (x *Index) ClaimsWith(file string) []*Entry { x.groups(); return x.files[file] }

// In is a reference made to a record: the entry making it and its field.
type In struct {
	From  *Entry
	Field string
}

// New wraps entries (sorted here by path).
func New(entries []*Entry) *Index {
	less := func(i, j int) bool { return entries[i].Path < entries[j].Path }
	if !sort.SliceIsSorted(entries, less) { // the folders' listing is
		sort.Slice(entries, less)
	}
	return &Index{Entries: entries}
}

// looks builds the look-ups by id and of references in.
func (x *Index) looks() {
	x.once.Do(func() {
		x.byID, x.in = make(map[string][]*Entry, len(x.Entries)), map[string][]In{}
		for _, e := range x.Entries {
			if e.ID == "" {
				continue
			}
			x.byID[e.ID] = append(x.byID[e.ID], e)
			for _, r := range e.Refs {
				x.in[r.ID] = append(x.in[r.ID], In{e, r.Field})
			}
		}
	})
}

// Get returns the entries of the files holding id (more than one: a
// duplicate id).
func (x *Index) Get(id string) []*Entry { x.looks(); return x.byID[id] }

// At returns the entry of a path, or nil.
func (x *Index) At(path string) *Entry {
	i := sort.Search(len(x.Entries), func(i int) bool { return x.Entries[i].Path >= path })
	if i < len(x.Entries) && x.Entries[i].Path == path {
		return x.Entries[i]
	}
	return nil
}

// RefsIn returns the references made to id, by path of the entry making
// them, then field.
func (x *Index) RefsIn(id string) []In { x.looks(); return x.in[id] }

// OfKind returns the entries of a kind, by path (a copy of Kind's).
func (x *Index) OfKind(k record.Kind) []*Entry {
	return append([]*Entry(nil), x.Kind(k)...)
}

// Skeleton is the entry as a record holding only its clear fields and its
// references: enough for the set-wide sums (rules.Spent) and for matching,
// never for judging the record itself.
func (e *Entry) Skeleton() *record.Record {
	data := append(record.Map{{Key: "kind", Value: string(e.Kind)}, {Key: "id", Value: e.ID}}, e.Fields...)
	return record.Restore(e.Path, e.Kind, e.ID, data, nil, "")
}

// ErrUnusable says why an index file was not used.
var ErrUnusable = errors.New("index unusable")

// Key is what an index's entries depend on besides the files: the cache's
// key (format, build, schemas, policy categories, records folder) and the
// index's own format.
type Key [32]byte

// NewKey derives the index's key from the cache's.
func NewKey(k cache.Key) Key {
	h := sha256.New()
	fmt.Fprintf(h, "opsbook index %d\n", Format)
	h.Write(k[:])
	var out Key
	copy(out[:], h.Sum(nil))
	return out
}

var magic = []byte("OPSBOOK-INDEX\n")

// Open reads the index at path; an index of another key, truncated or
// garbled, is an error wrapping ErrUnusable (the caller rebuilds).
func Open(path string, key Key) ([]*Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decode(data, key)
}

// Save writes the entries atomically to path.
func Save(path string, key Key, entries []*Entry) error {
	data := encode(key, entries)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".index.tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	// No fsync: a file cut short by a crash fails its checksum and is
	// rebuilt.
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	// Temporary files of writers killed half-way (kill -9) older than an
	// hour: no live writer takes that long.
	if old, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".index.tmp-*")); len(old) > 0 {
		for _, p := range old {
			if info, err := os.Lstat(p); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.Remove(p)
			}
		}
	}
	return err
}

func encode(key Key, entries []*Entry) []byte {
	var b []byte
	b = append(b, magic...)
	b = append(b, key[:]...)
	uv := func(x uint64) { b = binary.AppendUvarint(b, x) }
	v := func(x int64) { b = binary.AppendVarint(b, x) }
	str := func(s string) { uv(uint64(len(s))); b = append(b, s...) }
	uv(uint64(len(entries)))
	prev := ""
	for _, e := range entries {
		// a path as the length it shares with the previous one, then the
		// rest: sorted paths share their folders
		n := 0
		for n < len(prev) && n < len(e.Path) && prev[n] == e.Path[n] {
			n++
		}
		uv(uint64(n))
		str(e.Path[n:])
		prev = e.Path
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
		b = append(b, flags)
		b = append(b, e.Hash[:]...)
		str(string(e.Kind))
		str(e.ID)
		uv(uint64(len(e.Fields)))
		for _, f := range e.Fields {
			// the field's code, with the value's type in the high bits
			code := byte(clearIndex[f.Key])
			switch f.Value.(type) {
			case json.Number:
				code |= typeNumber
			case bool:
				code |= typeBool
			}
			b = append(b, code)
			str(record.Text(f.Value))
		}
		uv(uint64(len(e.Refs)))
		for _, r := range e.Refs {
			str(r.Field)
			str(r.ID)
		}
		uv(uint64(len(e.Files)))
		for _, f := range e.Files {
			str(f)
		}
	}
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

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

func decode(data []byte, key Key) ([]*Entry, error) {
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
	d := &decoder{s: string(body[len(key):])}
	n := d.count()
	entries := make([]*Entry, 0, n)
	all := make([]Entry, n) // one allocation for the entries
	prev := ""
	for i := 0; i < n && !d.bad; i++ {
		e := &all[i]
		shared := d.uv()
		if shared > uint64(len(prev)) {
			d.bad = true
			break
		}
		e.Path = prev[:shared] + d.str()
		prev = e.Path
		e.Stat = cache.Stat{Size: d.v(), Mtime: d.v(), Ctime: d.v(), Ino: d.uv()}
		if t := d.take(1); t != "" {
			e.Trusted, e.Odd, e.Sealed = t[0]&1 != 0, t[0]&2 != 0, t[0]&4 != 0
		}
		copy(e.Hash[:], d.take(32))
		e.Kind = record.Kind(d.str())
		e.ID = d.str()
		if nf := d.count(); nf > 0 {
			e.Fields = make(record.Map, 0, nf)
			for j := 0; j < nf; j++ {
				k := d.take(1)
				if k == "" || int(k[0]&^typeMask) >= len(Clear) {
					d.bad = true
					break
				}
				var v any = d.str()
				switch k[0] & typeMask {
				case typeNumber:
					v = json.Number(v.(string))
				case typeBool:
					v = v.(string) == "true"
				}
				e.Fields = append(e.Fields, record.Field{Key: Clear[k[0]&^typeMask], Value: v})
			}
		}
		if nr := d.count(); nr > 0 {
			e.Refs = make([]Ref, 0, nr)
			for j := 0; j < nr; j++ {
				e.Refs = append(e.Refs, Ref{d.str(), d.str()})
			}
		}
		if nf := d.count(); nf > 0 {
			e.Files = make([]string, 0, nf)
			for j := 0; j < nf; j++ {
				e.Files = append(e.Files, d.str())
			}
		}
		entries = append(entries, e)
	}
	if d.bad || len(d.s) != 0 {
		return nil, fmt.Errorf("%w: damaged", ErrUnusable)
	}
	return entries, nil
}

// Named calls f with every id some record names and the references made
// to it (whether a record holds the id or not).
func (x *Index) Named(f func(id string, in []In)) {
	for id, in := range x.in {
		f(id, in)
	}
}
