package audit

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/record"
)

// LogOptions filter the activity feed.
type LogOptions struct {
	Since time.Time   // commits dated (committer date) at or after (zero: all)
	Kind  record.Kind // "" for every kind
	Actor string      // a handle ("" for everyone)
	Limit int         // at most this many events (0: all)
}

// Log is the department's activity feed: every change to every record in
// the history of HEAD, newest first. Merges are shown only for their own
// changes, read as verify reads them (see mergeJudgement): what no other
// parent's side brought, and what they undid of it; the branch commits
// they join are shown themselves.
func (r *Repo) Log(ctx context.Context, opts LogOptions) ([]Event, error) {
	head, err := r.Resolve("HEAD")
	if err != nil {
		return nil, err
	}
	if err := r.EnsureIndexed(ctx, head); err != nil {
		return nil, err
	}
	commits := r.dateOrder(head)
	type job struct {
		h     plumbing.Hash
		ch    gitobj.CommitHead
		id    Identity
		dir   string
		fcs   []*fileChange
		merge bool
	}
	since := opts.Since.Unix()
	events := 0
	results, err := ordered(func(emit func(job)) error {
		for n, h := range commits {
			if n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if opts.Limit > 0 && events >= opts.Limit {
				return nil
			}
			nd := r.Indexed(h)
			if !opts.Since.IsZero() && nd.Time < since {
				continue
			}
			rl, err := r.rulesBefore(ctx, h)
			if err != nil {
				return err
			}
			dir := rl.Dir
			merge := len(nd.Parents) > 1
			ofKind := func(p string) bool {
				k, _, ok := recordFile(dir, p)
				return ok && (opts.Kind == "" || k == opts.Kind)
			}
			own := map[string]bool{}
			var undone []gitobj.Change
			if merge {
				if own, undone, err = r.mergeJudgement(nd); err != nil {
					return fmt.Errorf("merge %s: %w", h, err)
				}
			}
			fcs, err := r.recordChanges(nd, dir, func(c gitobj.Change) bool {
				return (!merge || own[c.Path]) && ofKind(c.Path)
			})
			if err != nil {
				return err
			}
			for _, c := range undone {
				if !ofKind(c.Path) {
					continue
				}
				k, id, _ := recordFile(dir, c.Path)
				fc := &fileChange{Change: c, kind: k, id: id, judged: true, undone: true}
				if err := r.read(fc); err != nil {
					return err
				}
				fcs = append(fcs, fc)
			}
			if len(fcs) == 0 {
				continue
			}
			ch, err := r.ReadHead(h)
			if err != nil {
				return err
			}
			id, _, err := r.identify(rl, h, ch)
			if err != nil {
				return err
			}
			if opts.Actor != "" && id.Handle != opts.Actor {
				continue
			}
			events++ // at least one event per commit: enough to know when to stop
			emit(job{h, ch, id, dir, fcs, merge})
		}
		return nil
	}, func(j job) []Event {
		for _, fc := range j.fcs {
			r.finish(fc, j.dir)
		}
		pairRenames(j.fcs)
		var out []Event
		for _, fc := range sortedJudged(j.fcs) {
			if !fc.consumed {
				out = append(out, makeEvent(j.h, j.ch, j.id, fc, j.merge))
			}
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, evs := range results {
		out = append(out, evs...)
	}
	if opts.Limit > 0 && len(out) > opts.Limit {
		out = out[:opts.Limit]
	}
	return out, nil
}

// sortedJudged returns the judged changes by path.
func sortedJudged(fcs []*fileChange) []*fileChange {
	var out []*fileChange
	for _, fc := range fcs {
		if fc.judged {
			out = append(out, fc)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// ancestors lists head and every commit it reaches (indexed, or with
// their headers read).
func (r *Repo) ancestors(head plumbing.Hash) []plumbing.Hash {
	seen := map[plumbing.Hash]bool{head: true}
	stack := []plumbing.Hash{head}
	var out []plumbing.Hash
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, h)
		for _, p := range r.ParentsOf(h) {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	return out
}

// dateOrder lists head and its ancestors newest first, as git log
// --date-order does: never a parent before its children, and otherwise by
// commit time (ties in topological order).
func (r *Repo) dateOrder(head plumbing.Hash) []plumbing.Hash {
	topo := r.topo(head, nil)
	pos := make(map[plumbing.Hash]int, len(topo))
	children := make(map[plumbing.Hash]int, len(topo))
	for i, h := range topo {
		pos[h] = i
		for _, p := range r.ParentsOf(h) {
			children[p]++
		}
	}
	ready := &byTime{pos: pos, node: r.Indexed}
	heap.Push(ready, head)
	out := make([]plumbing.Hash, 0, len(topo))
	for ready.Len() > 0 {
		h := heap.Pop(ready).(plumbing.Hash)
		out = append(out, h)
		for _, p := range r.ParentsOf(h) {
			if children[p]--; children[p] == 0 {
				heap.Push(ready, p)
			}
		}
	}
	return out
}

// byTime is a heap of commits, the newest on top.
type byTime struct {
	hs   []plumbing.Hash
	pos  map[plumbing.Hash]int
	node func(plumbing.Hash) *gitobj.Node
}

func (b *byTime) Len() int { return len(b.hs) }
func (b *byTime) Less(i, j int) bool {
	ti, tj := b.node(b.hs[i]).Time, b.node(b.hs[j]).Time
	if ti != tj {
		return ti > tj
	}
	return b.pos[b.hs[i]] > b.pos[b.hs[j]]
}
func (b *byTime) Swap(i, j int) { b.hs[i], b.hs[j] = b.hs[j], b.hs[i] }
func (b *byTime) Push(x any)    { b.hs = append(b.hs, x.(plumbing.Hash)) }
func (b *byTime) Pop() any {
	x := b.hs[len(b.hs)-1]
	b.hs = b.hs[:len(b.hs)-1]
	return x
}
