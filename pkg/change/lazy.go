package change

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// A session opens the department in one of two ways.
//
// Whole: every record is loaded (repo.Load), as a reading command does,
// and the rules judge a change over all of them.
//
// Near (the usual way): the department's index (package index, refreshed
// from the files under the write lock) is read instead, with the people
// and the budgets; any other record is read from its file when asked for
// (Find, Get), and a change is judged on the records around it (see
// judgeNear). Repo.Set then holds only the records read so far: code that
// needs every record calls Whole first, which loads the department and
// turns the session into a whole one for good.
//
// A session opens near only when the index can stand in for the files:
// a git directory to keep it in, every readable record filed under its
// own id, no file the folders' listing refused (a symbolic link, a folder
// that cannot be read). A file that is no record (broken YAML, an empty
// file) is left out, as the whole department's set leaves it out. Otherwise, and with Options.NoIndex, it
// opens whole, as before the index existed.

// traceOn: OPSBOOK_TRACE=1 tells, on standard error, how each write was
// judged (near, with the sizes of its neighbourhood, or whole and why).
var traceOn = os.Getenv("OPSBOOK_TRACE") != ""

func tracef(format string, args ...any) {
	if traceOn {
		fmt.Fprintf(os.Stderr, "opsbook: "+format+"\n", args...)
	}
}

// near is the state of a session opened near: nil for a whole one.
type near struct {
	x *index.Index
	// read are the records read from their files so far, by path. (The
	// problems of their files are the index's and validate's to tell: a
	// change is judged on what its own edits parse to.)
	read map[string]*record.Record
	// lines are the counted claims of each budget line weighed so far
	// (weighing)
	mu    sync.Mutex
	lines map[index.Line]*rules.Weighing
	// changed: a file read did not hold what the index says (errChanged)
	changed bool
}

// ReadChanged tells whether a record file the session read from its
// index no longer held what the index says: its answers may be of no
// department (one file read before a change, another after).
func (s *Session) ReadChanged() bool {
	if s.near == nil {
		return s.partWhole
	}
	s.near.mu.Lock()
	defer s.near.mu.Unlock()
	return s.near.changed
}

// openNear opens the department at root through its index, or returns
// nil when the index cannot stand in for the files.
func openNear(ctx context.Context, root string) (*repo.Repo, *near, error) {
	pol, pds, err := config.Load(root)
	if err != nil {
		return nil, nil, nil
	}
	x, st, err := repo.Index(ctx, root, pol)
	if err != nil || st.Hazards > 0 {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		tracef("write reads the whole department: index %v, %d hazards", err, st.Hazards)
		return nil, nil, nil
	}
	for _, e := range x.Entries {
		// A file that is no record is out of the whole department's set
		// too, and the same before and after a change (its findings are
		// the loader's, which no change moves); nextID keeps clear of its
		// name. A record whose id differs from its file's name: the set
		// finds it under both, the index under its id alone.
		if e.Kind != "" && strings.TrimSuffix(path.Base(e.Path), ".yaml") != e.ID {
			tracef("write reads the whole department: %s is not filed under its id", e.Path)
			return nil, nil, nil
		}
	}
	sch, err := schema.Compile(pol.ExpenseCategories, pol.ComplaintCategories)
	if err != nil {
		return nil, nil, err
	}
	sch = sch.Encrypting(repo.EncryptedFields(pol))
	r := &repo.Repo{Root: root, Policy: pol, Schemas: sch}
	r.Diags = append(r.Diags, pds...)
	n := &near{x: x, read: map[string]*record.Record{}}
	var recs []*record.Record
	for _, e := range x.Entries {
		if e.Kind != record.Person && e.Kind != record.Budget {
			continue
		}
		rec, err := n.load(r, e.Path)
		if err != nil || rec == nil {
			return nil, nil, nil
		}
		recs = append(recs, rec)
	}
	r.Set = record.NewSet(recs)
	return r, n, nil
}

// nearOfSet is the near state of a department loaded whole (r.Set holds
// every record file): an index of its records, every one of them already
// read. x, when not nil, is the department's index holding exactly the
// files r read, with the content r read (the caller compared their
// fingerprints: repo.Repo.Fingerprint); else an index is made of the
// records. Nil when the index could not stand in for the files, as
// openNear refuses: a listing hazard, a record not filed under its own
// id, an id held twice. (A file that is no record is out of r's set, as
// out of the neighbourhoods: a move cannot change it.)
func nearOfSet(r *repo.Repo, x *index.Index) *near {
	if r == nil || r.Set == nil || r.Hazards > 0 {
		return nil
	}
	recs := r.Set.Records
	seen := make(map[string]bool, len(recs))
	for _, rec := range recs {
		if strings.TrimSuffix(path.Base(rec.Path), ".yaml") != rec.ID || seen[rec.ID] {
			return nil
		}
		seen[rec.ID] = true
	}
	if x == nil || len(x.Entries) != len(recs) {
		entries := make([]*index.Entry, len(recs))
		par.For(len(recs), 256, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				entries[i] = index.EntryOf(recs[i].Path, cache.Stat{}, false, cache.Hash{}, recs[i])
			}
		})
		x = index.New(entries)
	}
	read := make(map[string]*record.Record, len(recs))
	for _, rec := range recs {
		read[rec.Path] = rec
	}
	return &near{x: x, read: read}
}

// errChanged: a file no longer holds what the index says it held when
// the session opened (changed behind the lock's back).
var errChanged = errors.New("changed since the index was read")

// load reads the record file at p (once a session).
// A file whose content is not the one the index describes is an error:
// what the index says of the records around it may be stale too.
func (n *near) load(r *repo.Repo, p string) (*record.Record, error) {
	if rec, ok := n.read[p]; ok {
		return rec, nil
	}
	data, err := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(p)))
	if err != nil {
		return nil, err
	}
	if e := n.x.At(p); e == nil || e.Hash != cache.Hash(sha256.Sum256(data)) {
		n.mu.Lock()
		n.changed = true
		n.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", p, errChanged)
	}
	rec, _ := record.ParseLean(p, data)
	n.read[p] = rec
	return rec, nil
}

// Near reports whether the session judges changes on their neighbourhood
// (see judgeNear) rather than on the whole department.
func (s *Session) Near() bool { return s.near != nil }

// Whole loads every record (Repo.Set then holds the department) and
// judges from then on as a session opened whole does. Code that reads
// the whole department (a --where selection, a status report's figures,
// every encrypted record) calls it first.
func (s *Session) Whole() error {
	if s.near == nil {
		return nil
	}
	if s.preview && !s.part { // opened on the whole department (nearOfSet)
		s.near = nil
		return nil
	}
	if s.part {
		// what it reads now may be another department than the index's
		s.part, s.partWhole = false, true
	}
	tracef("reading the whole department")
	r, err := repo.Load(s.ctx, s.Repo.Root)
	if err != nil {
		return err
	}
	s.Repo, s.near = r, nil
	s.env.Records = r.Set
	s.env.People = workflow.NewPeople(r.Set.OfKind(record.Person))
	return nil
}

// Get returns the record holding id, or nil: read from its file when the
// session is near and has not read it yet.
func (s *Session) Get(id string) *record.Record {
	if s.near == nil {
		return s.Repo.Set.Get(id)
	}
	es := s.near.x.Get(id)
	if len(es) != 1 {
		if len(es) == 0 {
			return nil
		}
		// one id held twice: which one the set answers is the whole
		// department's to say
		if s.Whole() != nil {
			return nil
		}
		return s.Repo.Set.Get(id)
	}
	return s.getEntry(es[0])
}

// getEntry reads an entry's record into Repo.Set.
func (s *Session) getEntry(e *index.Entry) *record.Record {
	if rec := s.near.read[e.Path]; rec != nil {
		return rec
	}
	return s.getEntries([]*index.Entry{e})[0]
}

// getEntries reads the entries' records into Repo.Set (nil for a file
// that cannot be read now).
func (s *Session) getEntries(es []*index.Entry) []*record.Record {
	out := make([]*record.Record, len(es))
	var added []*record.Record
	for i, e := range es {
		if rec := s.near.read[e.Path]; rec != nil {
			out[i] = rec
			continue
		}
		rec, err := s.near.load(s.Repo, e.Path)
		if err != nil || rec == nil {
			continue
		}
		out[i] = rec
		added = append(added, rec)
	}
	if len(added) > 0 {
		s.Repo.Set = record.NewSet(append(append([]*record.Record(nil), s.Repo.Set.Records...), added...))
	}
	return out
}

// Find returns the record with this id, or an error saying none exists
// (as Repo.Find on the whole department).
func (s *Session) Find(id string) (*record.Record, error) {
	if s.near != nil {
		if rec := s.Get(id); rec != nil {
			return rec, nil
		}
		// not held: the whole department says why (a file of that name
		// that could not be read, ...)
		if err := s.Whole(); err != nil {
			return nil, err
		}
	}
	return s.Repo.Find(id)
}

// idsOf lists the ids of kind k in the department, by path.
func (s *Session) idsOf(k record.Kind) []string {
	var out []string
	if s.near == nil {
		for _, r := range s.Repo.Set.OfKind(k) {
			out = append(out, r.ID)
		}
		return out
	}
	for _, e := range s.near.x.Entries {
		if e.Kind == k {
			out = append(out, e.ID)
		}
	}
	return out
}

// nextID is NextID for the session. A session opened near holds every
// record of the records folders in its index, so the kind's ids are the
// index's; the year's folder is listed for the other names in it (a file
// that is no record, a folder named like an id or a record file, which
// the index does not hold), by name alone, as NextID lists it: a new
// record is never written over a file that is no record, and near and
// whole allocate the same id.
func (s *Session) nextID(k record.Kind, year int) string {
	return NextID(s.Repo.Root, s.Repo.Policy.Records, s.idsOf(k), k, year)
}

// holder returns the path of a record holding id, or "".
func (s *Session) holder(id string) string {
	if s.near == nil {
		if r := s.Repo.Set.Get(id); r != nil {
			return r.Path
		}
		return ""
	}
	if es := s.near.x.Get(id); len(es) > 0 {
		return es[0].Path
	}
	return ""
}

// lazyRecords is the workflow's view of a near session's department: a
// record by id, read when asked for; every record of a kind, each read.
type lazyRecords struct{ s *Session }

func (l lazyRecords) Get(id string) *record.Record {
	if l.s.near == nil {
		return l.s.Repo.Set.Get(id)
	}
	return l.s.Get(id)
}

func (l lazyRecords) OfKind(k record.Kind) []*record.Record {
	if l.s.near == nil {
		return l.s.Repo.Set.OfKind(k)
	}
	var es []*index.Entry
	for _, e := range l.s.near.x.Entries {
		if e.Kind == k {
			es = append(es, e)
		}
	}
	var out []*record.Record
	for _, rec := range l.s.getEntries(es) {
		if rec != nil {
			out = append(out, rec)
		}
	}
	return out
}
