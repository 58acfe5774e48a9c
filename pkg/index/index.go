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
// the handles of the people named, titles and names (which no policy may
// encrypt, and which every `list` table shows) and the classification
// (which `show --redact` reads of the records naming the one shown).
//
// It lives in .git/opsbook/index, written atomically (a temporary file
// renamed over it); two writers leave one of their indexes, each entry of
// which still carries the stat data it was made from.
package index

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Format is the version of the file layout; bump it on every change.
const Format = 11

// Clear lists the top-level fields an entry keeps (when their value is
// text, a number or a boolean, kept as such): what the set-wide rules, the
// budget figures and `list` on indexed fields read. None of them is a
// field a policy may encrypt (config.Encryptable).
var Clear = []string{
	"status", "date", "category", "project", "amount", "claimant",
	"assignee", "owner", "employee", "appraiser", "author", "customer",
	"severity", "received_at", "due", "period", "year", "receipt", "type",
	"title", "name", "classification",
}

// Entry is what the index knows of one record file.
type Entry struct {
	Path string
	Stat cache.Stat
	Hash cache.Hash
	// Kind and ID are empty for a file that is not a readable record.
	Kind    record.Kind
	ID      string
	Trusted bool // Stat alone may tell the file unchanged (not racy)
	// Odd says a Clear field holds what Fields cannot keep (a list, a
	// mapping, a null), or an attachment path begins with "sha256:" (which
	// Files would read as a listed file's hash): the entry's fields do not
	// stand for the record's.
	Odd bool
	// Sealed says the record holds encrypted values (crypt.Ciphertexts):
	// what shows it must read and reveal it.
	Sealed bool
	// Linked says the file had more than one name when it was read: a
	// change through another name may escape the file-system monitor, so
	// its stat data are always taken.
	Linked bool
	Refs   []Ref // the references it makes, in rules.Refs order
	// Files are the attachment paths its fields name, and "sha256:HASH"
	// for those of them listed with a hash: what split-claim groups claims
	// by besides claimant and day.
	Files []string
	// Needs are a plan's budget needs, each item of resources.budget as
	// the plan-budget rule reads it: its category and amount as text (""
	// for a value that is not text or a number, as record.Str reads it).
	Needs []Need
	// clear holds the Clear fields the record has, in Clear's order, as
	// the index file keeps them (see appendField): Str reads a value
	// without making the others, Fields makes them all.
	clear string
}

// Need is one item of a plan's resources.budget (see Entry.Needs).
type Need struct {
	Category, Amount string
}

// Ref is one reference a record makes: the field's dotted path and the id
// it names.
type Ref struct {
	Field, ID string
}

// SameFields tells whether two entries hold the same of their records:
// the same kind and id, clear fields, references, attachments and budget
// needs, and whether each is Odd and Sealed. Their files may differ
// elsewhere (a comment, a note, a description, a history field): every
// skeleton of the two is the same.
func SameFields(a, b *Entry) bool {
	return a.Kind == b.Kind && a.ID == b.ID && a.clear == b.clear && a.Odd == b.Odd && a.Sealed == b.Sealed &&
		slices.Equal(a.Refs, b.Refs) && slices.Equal(a.Files, b.Files) && slices.Equal(a.Needs, b.Needs)
}

// Str is a clear field's value as text ("" when absent).
func (e *Entry) Str(field string) string {
	want, ok := clearIndex[field]
	if !ok {
		return ""
	}
	for s := e.clear; s != ""; {
		code, v, rest, ok := nextField(s)
		if !ok {
			return ""
		}
		if int(code&^typeMask) == want {
			return v
		}
		s = rest
	}
	return ""
}

// Fields returns the Clear fields the record has, in Clear's order: text
// as string, numbers as json.Number, booleans as bool.
func (e *Entry) Fields() record.Map { return e.fieldsOf(nil) }

// fieldsOf is Fields with only the fields keep accepts (all for nil).
func (e *Entry) fieldsOf(keep func(field string) bool) record.Map {
	var out record.Map
	for s := e.clear; s != ""; {
		code, v, rest, ok := nextField(s)
		if !ok {
			break
		}
		s = rest
		name := Clear[code&^typeMask]
		if keep != nil && !keep(name) {
			continue
		}
		var val any = v
		switch code & typeMask {
		case typeNumber:
			val = json.Number(v)
		case typeBool:
			val = v == "true"
		}
		out = append(out, record.Field{Key: name, Value: val})
	}
	return out
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
	var clear []byte
	for i, f := range Clear {
		v, ok := rec.Data.Get(f)
		if !ok {
			continue
		}
		switch v.(type) {
		case string, json.Number, bool:
			clear = appendField(clear, i, v)
		default:
			e.Odd = true
		}
	}
	e.clear = string(clear)
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
	if rec.Kind == record.Plan {
		for i := range rec.List("resources.budget") {
			p := "resources.budget." + strconv.Itoa(i)
			e.Needs = append(e.Needs, Need{rec.Str(p + ".category"), rec.Str(p + ".amount")})
		}
	}
	sums := map[string]string{}
	for _, l := range rules.Listed(rec) {
		sums[l.Path] = strings.ToLower(l.SHA256)
	}
	for _, n := range rules.NamedAttachments(rec) {
		if strings.HasPrefix(n.Path, hashMark) {
			e.Odd = true
		}
		e.Files = append(e.Files, n.Path)
		if h := sums[n.Path]; len(h) == 64 {
			e.Files = append(e.Files, hashMark+h)
		}
	}
	return e
}

// Index is the entries of a department, with look-ups by id and of the
// references made to an id. An index read from its file answers them
// from the tables stored in it (sorted positions, searched in place);
// after a refresh (Update), from those tables for every entry that kept
// its path, id and references, and from maps built on first use over the
// few others. An index made by New builds the maps over all its entries
// on first use. A command reading only the entries (summary's
// fingerprint, a list) pays for neither.
type Index struct {
	Entries []*Entry // by path
	// Mark is the mark the opened file was saved with (zero for an index
	// not opened from a file).
	Mark  Mark
	file  *opened  // the file the stored look-ups were read from
	st    *stored  // nil: no stored look-ups
	extra []*Entry // the entries the stored look-ups do not cover
	once  sync.Once
	byID  map[string][]*Entry // of extra
	in    map[string][]In     // of extra
	// the look-ups of kinds and claims, built on first use
	groupsOnce, linesOnce sync.Once
	kinds                 map[record.Kind][]*Entry
	lines                 map[Line][]*Entry
}

// stored is the look-ups of the entries of an index file.
type stored struct {
	base []*Entry // the entries as the file holds them, by path
	// now is, for each entry of base, the entry of the index standing
	// for it (same path, id and references), or nil when its file is
	// gone or changed them.
	now []*Entry
	// ids is the positions in base (4 bytes each, little-endian) of the
	// entries with an id, by id then path.
	ids string
	// refs is every reference of base as the position of its entry and
	// its place among the entry's Refs (4 bytes each), by the id named,
	// then the entry's path, then place.
	refs string
	// named is where each id named starts in refs (found while checking
	// the table on opening).
	named []int32
}

// group returns the g-th id named and its references' places in refs.
func (st *stored) group(g int) (id string, from, to int) {
	from, to = int(st.named[g]), len(st.refs)/8
	if g+1 < len(st.named) {
		to = int(st.named[g+1])
	}
	return st.refID(from), from, to
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

// groups finds the entries of each kind. The kind of an entry is its
// folder's (see pkg/repo), and the paths of a folder are contiguous in
// path order, so the entries of a kind are a few runs of the sorted
// entries: found in one pass comparing each entry's kind with the one
// before it, and a kind of one run is a slice of Entries, not a copy
// (where a map of every entry by kind took 30 ms at 100,000 records).
func (x *Index) groups() {
	x.groupsOnce.Do(func() {
		x.kinds = map[record.Kind][]*Entry{}
		start := 0
		for i := 1; i <= len(x.Entries); i++ {
			if i < len(x.Entries) && x.Entries[i].Kind == x.Entries[start].Kind {
				continue
			}
			k := x.Entries[start].Kind
			run := x.Entries[start:i:i] // full: an append copies
			if had := x.kinds[k]; had == nil {
				x.kinds[k] = run
			} else {
				x.kinds[k] = append(had[:len(had):len(had)], run...)
			}
			start = i
		}
	})
}

func (x *Index) claimLines() {
	x.linesOnce.Do(func() {
		x.lines = map[Line][]*Entry{}
		for _, e := range x.Kind(record.Expense) {
			l := LineOf(e)
			x.lines[l] = append(x.lines[l], e)
		}
	})
}

// Kind returns the entries of a kind, by path (shared: not to be changed).
func (x *Index) Kind(k record.Kind) []*Entry { x.groups(); return x.kinds[k] }

// Claims returns the expense entries of a budget line, by path.
func (x *Index) Claims(l Line) []*Entry { x.claimLines(); return x.lines[l] }

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
	return &Index{Entries: entries, extra: entries}
}

// Update returns the index of entries, the refreshed entries of the files
// x was read from: x's stored look-ups answer for every entry that keeps
// the path, id and references it has in x, so a refresh that changed a
// few files builds look-ups over those few only. A nil x is New.
func (x *Index) Update(entries []*Entry) *Index {
	y := New(entries)
	if x == nil || x.st == nil {
		return y
	}
	base := x.st.base
	y.file = x.file
	st := &stored{base: base, now: make([]*Entry, len(base)), ids: x.st.ids, refs: x.st.refs, named: x.st.named}
	var extra []*Entry
	i := 0
	for _, e := range y.Entries {
		for i < len(base) && base[i].Path < e.Path {
			i++
		}
		if i < len(base) && base[i].Path == e.Path && sameLooks(base[i], e) {
			st.now[i] = e
		} else {
			extra = append(extra, e)
		}
	}
	y.st, y.extra = st, extra
	return y
}

// Change is one entry of an opened index replaced (Entry) or removed
// (nil Entry): At is its place in the index's Entries.
type Change struct {
	At    int
	Entry *Entry
}

// Patch returns the index of x's entries with the changes made (sorted by
// At, each place once, none adding a path): what Update returns for those
// entries, without comparing every path. For the refresh of a few files a
// file-system monitor named. Nil when x's entries are not those of the
// file it was opened from (the caller uses Update).
func (x *Index) Patch(changes []Change) *Index {
	if x == nil || x.st == nil || len(x.Entries) != len(x.st.base) || len(x.Entries) > 0 && &x.Entries[0] != &x.st.base[0] {
		return nil
	}
	base := x.st.base
	entries := make([]*Entry, 0, len(base))
	st := &stored{base: base, now: make([]*Entry, len(base)), ids: x.st.ids, refs: x.st.refs, named: x.st.named}
	copy(st.now, base)
	var extra []*Entry
	from := 0
	for _, c := range changes {
		if c.At < from || c.At >= len(base) || c.Entry != nil && c.Entry.Path != base[c.At].Path {
			return nil
		}
		entries = append(entries, base[from:c.At]...)
		from = c.At + 1
		switch e := c.Entry; {
		case e == nil:
			st.now[c.At] = nil
		case sameLooks(base[c.At], e):
			st.now[c.At] = e
			entries = append(entries, e)
		default:
			st.now[c.At] = nil
			entries = append(entries, e)
			extra = append(extra, e)
		}
	}
	entries = append(entries, base[from:]...)
	return &Index{Entries: entries, file: x.file, st: st, extra: extra}
}

// sameLooks tells whether two entries of a path have the same id and
// references: what the look-ups know of them.
func sameLooks(a, b *Entry) bool {
	if a == b {
		return true
	}
	if a.ID != b.ID || len(a.Refs) != len(b.Refs) {
		return false
	}
	for i, r := range a.Refs {
		if b.Refs[i] != r {
			return false
		}
	}
	return true
}

// looks builds the look-ups by id and of references in over the entries
// the stored ones do not cover.
func (x *Index) looks() {
	x.once.Do(func() {
		x.byID, x.in = make(map[string][]*Entry, len(x.extra)), map[string][]In{}
		for _, e := range x.extra {
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

// u32 reads the little-endian number at byte i of s.
func u32(s string, i int) int {
	return int(uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24)
}

// idAt is the position in base of the k-th entry of the id table.
func (st *stored) idAt(k int) int { return u32(st.ids, 4*k) }

// refAt is the k-th reference of the table: its entry's position in
// base and its place among the entry's Refs.
func (st *stored) refAt(k int) (int, int) { return u32(st.refs, 8*k), u32(st.refs, 8*k+4) }

// refID is the id the k-th reference of the table names.
func (st *stored) refID(k int) string {
	p, j := st.refAt(k)
	return st.base[p].Refs[j].ID
}

// Get returns the entries of the files holding id, by path (more than
// one: a duplicate id).
func (x *Index) Get(id string) []*Entry {
	x.looks()
	more := x.byID[id]
	if x.st == nil {
		return more
	}
	var out []*Entry
	st := x.st
	n := len(st.ids) / 4
	for k := sort.Search(n, func(k int) bool { return st.base[st.idAt(k)].ID >= id }); k < n; k++ {
		p := st.idAt(k)
		if st.base[p].ID != id {
			break
		}
		if e := st.now[p]; e != nil {
			out = append(out, e)
		}
	}
	if len(more) > 0 {
		out = append(out, more...)
		sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	}
	return out
}

// At returns the entry of a path, or nil.
func (x *Index) At(path string) *Entry {
	i := sort.Search(len(x.Entries), func(i int) bool { return x.Entries[i].Path >= path })
	if i < len(x.Entries) && x.Entries[i].Path == path {
		return x.Entries[i]
	}
	return nil
}

// RefsIn returns the references made to id, by path of the entry making
// them, then field (in the entry's order).
func (x *Index) RefsIn(id string) []In {
	x.looks()
	more := x.in[id]
	if x.st == nil {
		return more
	}
	st := x.st
	n := len(st.refs) / 8
	var out []In
	for k := sort.Search(n, func(k int) bool { return st.refID(k) >= id }); k < n; k++ {
		p, j := st.refAt(k)
		r := st.base[p].Refs[j]
		if r.ID != id {
			break
		}
		if e := st.now[p]; e != nil {
			out = append(out, In{e, r.Field})
		}
	}
	return mergeIn(out, more)
}

// mergeIn joins two lists of references in, each by path of the entry
// making them, into one (no entry is in both).
func mergeIn(a, b []In) []In {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := append(append(make([]In, 0, len(a)+len(b)), a...), b...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].From.Path < out[j].From.Path })
	return out
}

// Named calls f with every id some record names and the references made
// to it (whether a record holds the id or not), in no particular order.
func (x *Index) Named(f func(id string, in []In)) {
	x.looks()
	var done map[string]bool
	if st := x.st; st != nil {
		done = map[string]bool{}
		for g := range st.named {
			id, from, to := st.group(g)
			var in []In
			for k := from; k < to; k++ {
				p, j := st.refAt(k)
				if e := st.now[p]; e != nil {
					in = append(in, In{e, st.base[p].Refs[j].Field})
				}
			}
			if more := x.in[id]; len(more) > 0 {
				in = mergeIn(in, more)
				done[id] = true
			}
			if len(in) > 0 {
				f(id, in)
			}
		}
	}
	for id, in := range x.in {
		if !done[id] {
			f(id, in)
		}
	}
}

// NamedIDs calls f with every id some record names, as Named does,
// without making the lists of references: at 100,000 records, a few
// milliseconds where Named takes about 100.
func (x *Index) NamedIDs(f func(id string)) {
	x.looks()
	var done map[string]bool
	if st := x.st; st != nil {
		done = map[string]bool{}
		for g := range st.named {
			id, from, to := st.group(g)
			live := false
			for k := from; k < to && !live; k++ {
				live = st.now[u32(st.refs, 8*k)] != nil
			}
			if len(x.in[id]) > 0 {
				live, done[id] = true, true
			}
			if live {
				f(id)
			}
		}
	}
	for id := range x.in {
		if !done[id] {
			f(id)
		}
	}
}

// OfKind returns the entries of a kind, by path (a copy of Kind's).
func (x *Index) OfKind(k record.Kind) []*Entry {
	return append([]*Entry(nil), x.Kind(k)...)
}

// Skeleton is the entry as a record holding only its clear fields and its
// references: enough for the set-wide sums (rules.Spent) and for matching,
// never for judging the record itself.
func (e *Entry) Skeleton() *record.Record {
	data := append(record.Map{{Key: "kind", Value: string(e.Kind)}, {Key: "id", Value: e.ID}}, e.Fields()...)
	return record.Restore(e.Path, e.Kind, e.ID, data, nil, "")
}

// SkeletonOf is Skeleton with only the clear fields keep accepts (and the
// kind and id): what a caller reading a few fields of thousands of
// entries (`list --where`) makes, at a fraction of the cost.
func (e *Entry) SkeletonOf(keep func(field string) bool) *record.Record {
	data := append(record.Map{{Key: "kind", Value: string(e.Kind)}, {Key: "id", Value: e.ID}}, e.fieldsOf(keep)...)
	return record.Restore(e.Path, e.Kind, e.ID, data, nil, "")
}

// ClaimSkeleton is Skeleton with the claim's attachments as split-claim
// reads them (rules.NamedAttachments, rules.Listed): every path of Files
// as an item's receipt, in Files' order (the receipt field left out: its
// path is among them), and each path Files gives a hash as an entry of
// attachments with that hash. It groups and totals in split-claim as the
// record does; which field named each path is not kept. Not for an Odd
// entry (see Odd).
func (e *Entry) ClaimSkeleton() *record.Record {
	rec := e.Skeleton()
	data := make(record.Map, 0, len(rec.Data)+2)
	for _, f := range rec.Data {
		if f.Key != "receipt" {
			data = append(data, f)
		}
	}
	var items, listed []any
	for i, f := range e.Files {
		if h, ok := strings.CutPrefix(f, hashMark); ok && i > 0 {
			listed = append(listed, record.Map{{Key: "path", Value: e.Files[i-1]}, {Key: "sha256", Value: h}})
			continue
		}
		items = append(items, record.Map{{Key: "receipt", Value: f}})
	}
	if items != nil {
		data = append(data, record.Field{Key: "items", Value: items})
	}
	if listed != nil {
		data = append(data, record.Field{Key: "attachments", Value: listed})
	}
	rec.Data = data
	return rec
}

// RefSkeleton is Skeleton with the references the record makes at their
// places (Refs: "lines.3.project" as the project of the fourth line, the
// lines before it empty): what `show` reads of a record naming the one
// shown (rules.Expand finds the same references in it) and the rules of
// that one read of it (its clear fields). Not for an Odd entry.
func (e *Entry) RefSkeleton() *record.Record {
	rec := e.Skeleton()
	for _, r := range e.Refs {
		if !strings.Contains(r.Field, ".") {
			if _, ok := rec.Data.Get(r.Field); ok {
				continue // a clear field
			}
		}
		rec.Data = setPath(rec.Data, strings.Split(r.Field, "."), r.ID).(record.Map)
	}
	return rec
}

// PlanSkeleton is RefSkeleton with the plan's budget needs as
// resources.budget (each item's category and amount, as text): what the
// plan-budget and plan-active rules read of a plan other than the one
// judged (its status, project, supersedes and budget needs). Not for an
// Odd entry.
func (e *Entry) PlanSkeleton() *record.Record {
	rec := e.RefSkeleton()
	for i, n := range e.Needs {
		at := []string{"resources", "budget", strconv.Itoa(i)}
		rec.Data = setPath(rec.Data, append(at, "category"), n.Category).(record.Map)
		rec.Data = setPath(rec.Data, append(at, "amount"), n.Amount).(record.Map)
	}
	return rec
}

// setPath puts value at the dotted path parts below v (a record.Map or a
// list, made when nil: a list when the part is a number), and returns v.
func setPath(v any, parts []string, value string) any {
	if len(parts) == 0 {
		return value
	}
	if i, err := strconv.Atoi(parts[0]); err == nil && i >= 0 {
		l, _ := v.([]any)
		for len(l) <= i {
			l = append(l, nil)
		}
		l[i] = setPath(l[i], parts[1:], value)
		return l
	}
	m, _ := v.(record.Map)
	old, _ := m.Get(parts[0])
	nv := setPath(old, parts[1:], value)
	for i := range m {
		if m[i].Key == parts[0] {
			m[i].Value = nv
			return m
		}
	}
	return append(m, record.Field{Key: parts[0], Value: nv})
}

// hashMark starts the entries of Files that are a listed file's hash.
const hashMark = "sha256:"

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
