package audit

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Actions an Event can record.
const (
	ActionCreated    = "created"
	ActionMoved      = "moved"
	ActionEdited     = "edited"
	ActionDeleted    = "deleted"
	ActionRenumbered = "renumbered" // created under a new id from an existing record
	// ActionRenumberedAway: the record's file removed by a renumbering to
	// another id (RenumberedTo), in the history of the old id.
	ActionRenumberedAway = "renumbered-away"
	ActionUnreadable     = "unreadable" // the file is not a readable record at this commit
)

// Event is one commit's change to one record, derived from the files.
type Event struct {
	Commit plumbing.Hash
	// Date is the committer date: the one verify judges (commit-date),
	// and the stamps the commit writes are checked against. Authored is
	// the author date, which git keeps through a rebase, a cherry-pick,
	// an amend or git am, and which anyone may set (GIT_AUTHOR_DATE):
	// shown beside Date when they differ, never instead of it.
	Date     time.Time
	Authored time.Time
	Actor    Identity
	Subject  string // the first line of the commit message (shown, never trusted)
	Record   string // the record's id (its file's name)
	Kind     record.Kind
	Path     string
	Action   string
	// From and To are the states before and after ("" where the record
	// is absent, or has no status).
	From, To string
	// RenumberedFrom is the id the record had before, on a renumbering;
	// RenumberedTo the id it took, on a renumbering away.
	RenumberedFrom, RenumberedTo string
	Fields                       []FieldChange
	// Merge marks a merge commit's own change: the file differs from every
	// parent (an evil merge, or a conflict resolved by hand).
	Merge bool
}

// Move is "draft → submitted", "created (draft)", "deleted (paid)".
func (e Event) Move() string {
	switch e.Action {
	case ActionCreated:
		return "created (" + orNone(e.To) + ")"
	case ActionRenumbered:
		if e.From != e.To {
			return "renumbered from " + e.RenumberedFrom + ", " + orNone(e.From) + " → " + orNone(e.To)
		}
		return "renumbered from " + e.RenumberedFrom + " (" + orNone(e.To) + ")"
	case ActionDeleted:
		return "deleted (" + orNone(e.From) + ")"
	case ActionRenumberedAway:
		return "renumbered to " + e.RenumberedTo + " (" + orNone(e.From) + ")"
	case ActionMoved:
		return orNone(e.From) + " → " + orNone(e.To)
	case ActionUnreadable:
		return "unreadable"
	}
	return "edited (" + orNone(e.To) + ")"
}

// MoveText is Move in the reader's language: the states as the glossary
// words them ("已提交 → 已核准", "新增（草稿）"); English reads as Move.
func (e Event) MoveText() string {
	switch e.Action {
	case ActionCreated:
		return i18n.Sprintf("created (%s)", stateText(e.To))
	case ActionRenumbered:
		if e.From != e.To {
			return i18n.Sprintf("renumbered from %s, %s → %s", e.RenumberedFrom, stateText(e.From), stateText(e.To))
		}
		return i18n.Sprintf("renumbered from %s (%s)", e.RenumberedFrom, stateText(e.To))
	case ActionDeleted:
		return i18n.Sprintf("deleted (%s)", stateText(e.From))
	case ActionRenumberedAway:
		return i18n.Sprintf("renumbered to %s (%s)", e.RenumberedTo, stateText(e.From))
	case ActionMoved:
		return stateText(e.From) + " → " + stateText(e.To)
	case ActionUnreadable:
		return i18n.T("unreadable")
	}
	return i18n.Sprintf("edited (%s)", stateText(e.To))
}

// stateText is a state as the reader's language words it, or "no status".
func stateText(s string) string {
	if s == "" {
		return i18n.T("no status")
	}
	return i18n.Term("state", s)
}

func orNone(s string) string {
	if s == "" {
		return "no status"
	}
	return s
}

// ErrNoRecord says a record never existed in the history read.
var ErrNoRecord = errors.New("no such record in the history")

// noRecordError is ErrNoRecord saying which record, in the reader's
// language.
type noRecordError struct{ text string }

func (e noRecordError) Error() string        { return e.text }
func (e noRecordError) Is(target error) bool { return target == ErrNoRecord }

// History returns the life of one record from git alone, oldest first:
// every commit that changed its file, with the actor (from the registry at
// the commit's parent), the move and the fields that changed. It follows
// renumbering (a commit that removes the record's old file and adds the
// same record under a new id) and, at a merge that took the record from a
// branch, the branch's own commits rather than the merge.
func (r *Repo) History(ctx context.Context, id string) ([]Event, error) {
	kind, ok := record.KindOfID(id)
	if !ok {
		return nil, noRecordError{i18n.Sprintf("%q is not a record id (EXP-2026-0193, CUS-0007, BUD-2026, li.wei, ...)", id)}
	}
	head, err := r.Resolve("HEAD")
	if err != nil {
		return nil, err
	}
	if err := r.EnsureIndexed(ctx, head); err != nil {
		return nil, err
	}
	hn := r.Indexed(head)
	rl, err := r.rulesAt(hn.Tree)
	if err != nil {
		return nil, err
	}
	dir := rl.Dir
	p := dir + "/" + record.RelPath(kind, id)

	type found struct {
		commit plumbing.Hash
		fc     *fileChange
		merge  bool
	}
	var hits []found
	q := &frontier{}
	seen := map[walkItem]bool{}
	push := func(c plumbing.Hash, path string) {
		it := walkItem{c, path}
		if c.IsZero() || seen[it] {
			return
		}
		seen[it] = true
		heap.Push(q, queued{it, r.Indexed(c).Time})
	}
	push(head, p)
	for n := 0; q.Len() > 0; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		it := heap.Pop(q).(queued).walkItem
		nd := r.Indexed(it.commit)
		ch, changed := nd.ChangeOf(it.path)
		merge := len(nd.Parents) > 1
		if merge {
			// What the merge undid of another side's change (a payment
			// dropped by keeping the first parent's version) is an event,
			// as verify reads it, and that side's commits are the
			// record's life too.
			u, err := r.undoneAt(nd, it.path)
			if err != nil {
				return nil, fmt.Errorf("merge %s: %w", it.commit, err)
			}
			if u != nil {
				k, id, _ := recordFile(dir, it.path)
				fc := &fileChange{Change: *u, kind: k, id: id, judged: true, undone: true}
				if err := r.read(fc); err != nil {
					return nil, err
				}
				r.finish(fc, dir)
				hits = append(hits, found{it.commit, fc, true})
				for _, par := range nd.Parents {
					push(par, it.path)
				}
				if !changed {
					continue
				}
			}
		}
		if !changed {
			push(nd.FirstParent(), it.path)
			continue
		}
		if merge {
			own, _, err := r.mergeJudgement(nd)
			if err != nil {
				return nil, fmt.Errorf("merge %s: %w", it.commit, err)
			}
			// Brought by another parent's side: the record's life goes on
			// there. A merge's own change is an event of its own.
			if i := sameAsParent(ch); i > 0 && !own[it.path] {
				push(nd.Parents[i], it.path)
				continue
			}
			if !own[it.path] {
				// A side's edit of the record the first parent renumbered
				// (renumberHeld): its life goes on on both sides.
				par, old, ok, err := r.renumberedFrom(nd, it.path)
				if err != nil {
					return nil, fmt.Errorf("merge %s: %w", it.commit, err)
				}
				if ok {
					push(par, old)
					push(nd.FirstParent(), it.path)
					continue
				}
			}
		}
		fcs, err := r.recordChanges(nd, dir, func(c gitobj.Change) bool { return c.Path == it.path })
		if err != nil {
			return nil, err
		}
		for _, fc := range fcs {
			r.finish(fc, dir)
		}
		pairRenames(fcs)
		if len(fcs) == 0 {
			continue
		}
		fc := fcs[0] // the judged change comes first
		if fc.after == nil && fc.before != nil && !fc.badAfter {
			// Removed: renumbered away, when the commit added the same
			// record under a new id.
			if fc.to, err = r.renumberedTo(nd, dir, fc); err != nil {
				return nil, err
			}
		}
		hits = append(hits, found{it.commit, fc, merge})
		if fc.source != nil {
			// Renumbered: the record lived under its old id before.
			push(nd.Parents[fc.source.parent], fc.source.Path)
			if !merge {
				continue
			}
		}
		// Walk on: a created file may have had an earlier life (deleted
		// and created again), and a merge's own change joins branches.
		for _, par := range nd.Parents {
			push(par, it.path)
		}
	}
	if len(hits) == 0 {
		// exp-2026-0001 is a well-formed handle, so it was looked for
		// among the people; the record meant is in capitals
		if up := strings.ToUpper(id); up != id {
			if k, ok := record.KindOfID(up); ok && k != record.Person {
				return nil, noRecordError{i18n.Sprintf("no such record in the history: %s was never committed at %s (ids are in capitals: did you mean %s?)", id, p, up)}
			}
		}
		return nil, noRecordError{i18n.Sprintf("no such record in the history: %s was never committed at %s", id, p)}
	}
	// Oldest first: by time, never a child before its parent.
	pos := map[plumbing.Hash]int{}
	for i, h := range r.dateOrder(head) {
		pos[h] = -i
	}
	sort.SliceStable(hits, func(i, j int) bool { return pos[hits[i].commit] < pos[hits[j].commit] })
	events := make([]Event, 0, len(hits))
	for _, h := range hits {
		ev, err := r.event(ctx, h.commit, h.fc, h.merge)
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	}
	return events, nil
}

// sameAsParent returns the index of the first parent after the first whose
// file is the merge's (the change came from that branch), or 0.
func sameAsParent(ch gitobj.Change) int {
	for i, o := range ch.Others {
		if o == ch.New {
			return i + 1
		}
	}
	return 0
}

// event builds the Event of a commit's change to one file, with the actor
// under the rules of the commit's first parent.
func (r *Repo) event(ctx context.Context, h plumbing.Hash, fc *fileChange, merge bool) (Event, error) {
	ch, err := r.ReadHead(h)
	if err != nil {
		return Event{}, err
	}
	rl, err := r.rulesBefore(ctx, h)
	if err != nil {
		return Event{}, err
	}
	id, _, err := r.identify(rl, h, ch)
	if err != nil {
		return Event{}, err
	}
	return makeEvent(h, ch, id, fc, merge), nil
}

// rulesBefore are the rules a commit is judged by in history, log and
// verify over all history: its first parent's, or, for a root commit, its
// own.
func (r *Repo) rulesBefore(ctx context.Context, h plumbing.Hash) (*Rules, error) {
	if ps := r.ParentsOf(h); len(ps) > 0 {
		return r.rulesOf(ctx, ps[0])
	}
	return r.rulesOf(ctx, h)
}

// rulesOf are the rules commit h's tree holds. A commit that changes
// neither the policy nor a person file (against its first parent) holds
// its parent's: the walk down the first parents stops at the first commit
// whose rules are known or that may change them, and only that commit's
// tree is read. A history asks the rules of a few commits, and so reads
// the rules of only as many trees, however often people files changed in
// between.
func (r *Repo) rulesOf(ctx context.Context, h plumbing.Hash) (*Rules, error) {
	if rl, ok := r.commitRules[h]; ok {
		return rl, nil
	}
	var chain []plumbing.Hash
	var base *Rules
	for c := h; base == nil; {
		if rl, ok := r.commitRules[c]; ok {
			base = rl
			break
		}
		chain = append(chain, c)
		nd := r.Indexed(c)
		var tree plumbing.Hash
		switch {
		case nd == nil: // not indexed (below a range's base): read its tree
			t, err := r.TreeOf(c)
			if err != nil {
				return nil, err
			}
			tree = t
		case nd.FirstParent().IsZero() || r.mayTouchRules(nd):
			tree = nd.Tree
		default:
			c = nd.FirstParent()
			continue
		}
		rl, err := r.rulesAt(tree)
		if err != nil {
			return nil, err
		}
		base = rl
	}
	for _, c := range chain {
		r.commitRules[c] = base
	}
	return base, nil
}

// mayTouchRules reports whether a commit changed, against its first
// parent, the policy or a file in a folder named people: a superset of the
// commits that change the rules (the records folder itself is named by
// the policy), so that every other commit surely keeps its parent's.
func (r *Repo) mayTouchRules(nd *gitobj.Node) bool {
	policy := r.Prefix() + config.FileName
	return nd.AnyPath(func(p string) bool {
		return p == policy || strings.HasPrefix(p, "people/") || strings.Contains(p, "/people/")
	})
}

func makeEvent(h plumbing.Hash, ch gitobj.CommitHead, id Identity, fc *fileChange, merge bool) Event {
	date := ch.Committed
	if date.IsZero() {
		date = time.Unix(ch.Time, 0)
	}
	ev := Event{Commit: h, Date: date, Authored: ch.When, Actor: id, Subject: ch.Subject,
		Record: fc.id, Kind: fc.kind, Path: fc.Path, Merge: merge}
	before := fc.before
	if fc.source != nil {
		before = fc.source.before
		ev.RenumberedFrom = fc.source.id
	}
	if before != nil {
		ev.From = before.Status()
	}
	if fc.after != nil {
		ev.To = fc.after.Status()
	}
	switch {
	case fc.badAfter:
		ev.Action = ActionUnreadable
	case fc.after == nil && fc.to != "":
		ev.Action, ev.RenumberedTo = ActionRenumberedAway, fc.to
	case fc.after == nil:
		ev.Action = ActionDeleted
	case fc.source != nil:
		ev.Action = ActionRenumbered
		for _, f := range fieldChanges(before, fc.after) {
			if f.Field != "id" {
				ev.Fields = append(ev.Fields, f)
			}
		}
	case before == nil:
		ev.Action = ActionCreated
	default:
		ev.Action = ActionEdited
		if ev.From != ev.To {
			ev.Action = ActionMoved
		}
		ev.Fields = fieldChanges(before, fc.after)
	}
	return ev
}

type walkItem struct {
	commit plumbing.Hash
	path   string
}

type queued struct {
	walkItem
	time int64
}

// frontier pops the newest commit first, so a walk meets a merge before
// the branches it joined.
type frontier []queued

func (f frontier) Len() int { return len(f) }
func (f frontier) Less(i, j int) bool {
	if f[i].time != f[j].time {
		return f[i].time > f[j].time
	}
	return strings.Compare(f[i].commit.String(), f[j].commit.String()) < 0
}
func (f frontier) Swap(i, j int) { f[i], f[j] = f[j], f[i] }
func (f *frontier) Push(x any)   { *f = append(*f, x.(queued)) }
func (f *frontier) Pop() any {
	old := *f
	x := old[len(old)-1]
	*f = old[:len(old)-1]
	return x
}
