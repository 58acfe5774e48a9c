package audit

import (
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
)

// Both sides of a merge may change the same field of one record: git's
// merge then stops on a conflict, and the merger resolves it as git's own
// resolutions do, keeping one side's value (ours, theirs), or, for a list
// both sides added to (a customer's visits, a complaint's updates), both
// sides' items. Such a merge holds only values the sides' commits wrote,
// each judged there, and is not judged again for them:
//
//   - a side's change of a field the first parent's side changed too (a
//     value that is no list), where the merge holds the first parent's
//     value, is not undone by the merge (the first parent's value came
//     after it, as it were);
//   - a merge that holds a side's version whole, where the first parent's
//     side changed only such fields the side changed too, makes no change
//     of its own (the side's values came after);
//   - a list field both sides added items to (the items before unchanged),
//     held with every item of both, in each side's order and nothing else,
//     while the record is in the same state on both sides, is held.
//
//
// People and the policy are never resolved so: what a forbidden change of
// them left in a file is tracked by the file's versions (see
// keptForbidden), and a merge that joins it with an allowed change, or
// drops an allowed change for it, is judged as its actor's, as before.
//
// The state (status) is never one of them: a move on one side (a payment)
// that the merge does not hold is named, whatever the other side did. And
// a merge that mixes the two sides' values of different fields both changed
// is judged as before, as its actor's edit: an approval by one side with
// an amount of the other is a claim nobody approved.

// registryFile reports whether p may be a person file or is the policy
// (as mayTouchRules tells them).
func (r *Repo) registryFile(p string) bool {
	return p == r.Prefix()+config.FileName || strings.Contains("/"+p, "/people/")
}

// versions are one record file as the merge base, the first parent
// (ours), a side (theirs) and the merge hold it.
type versions struct {
	base, ours, theirs, merged record.Map
}

// readVersions reads the four versions of p (the base: the side's first
// merge base that has the file); ok is false when one is missing or does
// not read as a record.
func (r *Repo) readVersions(s mergeSide, p string, ours, theirs, merged plumbing.Hash) (versions, bool, error) {
	var vs versions
	var b plumbing.Hash
	for _, t := range s.bases {
		h, err := r.BlobAt(t, p)
		if err != nil {
			return vs, false, err
		}
		if !h.IsZero() {
			b = h
			break
		}
	}
	out := []*record.Map{&vs.base, &vs.ours, &vs.theirs, &vs.merged}
	for i, h := range []plumbing.Hash{b, ours, theirs, merged} {
		if h.IsZero() {
			return vs, false, nil
		}
		data, err := r.Blob(h, record.MaxFileSize)
		if err != nil {
			return vs, false, err
		}
		rec, ds := record.ParseLean(p, data)
		if rec == nil || len(ds) > 0 {
			return vs, false, nil
		}
		*out[i] = rec.Data
	}
	return vs, true, nil
}

func sameField(a, b record.Map, key string) bool {
	x, okx := a.Get(key)
	y, oky := b.Get(key)
	return okx == oky && (!okx || record.SameValue(x, y))
}

// keys are the fields of any of ms, once each.
func keys(ms ...record.Map) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for _, f := range m {
			if !seen[f.Key] {
				seen[f.Key] = true
				out = append(out, f.Key)
			}
		}
	}
	return out
}

// bothChanged: both sides changed field f since the base, a value that is
// no list (the state aside): one side's value replaces the other's. A
// list's items are never dropped so (bothAdded).
func (v versions) bothChanged(f string) bool {
	for _, m := range []record.Map{v.base, v.ours, v.theirs, v.merged} {
		if x, ok := m.Get(f); ok {
			if _, list := x.([]any); list {
				return false
			}
		}
	}
	return f != "status" && !sameField(v.base, v.ours, f) && !sameField(v.base, v.theirs, f)
}

// bothAdded: f is a list both sides added items to, the merge holding the
// base's items and then every item either side added, in each side's
// order, and nothing else; the record in the same state on both sides.
func (v versions) bothAdded(f string) bool {
	if f == "status" || !sameField(v.ours, v.theirs, "status") {
		return false
	}
	list := func(m record.Map) ([]any, bool) {
		x, ok := m.Get(f)
		if !ok {
			return nil, true
		}
		l, ok := x.([]any)
		return l, ok
	}
	b, okb := list(v.base)
	o, oko := list(v.ours)
	t, okt := list(v.theirs)
	m, okm := list(v.merged)
	if !okb || !oko || !okt || !okm {
		return false
	}
	for _, l := range [][]any{o, t, m} {
		if len(l) < len(b) {
			return false
		}
		for i := range b {
			if !record.SameValue(b[i], l[i]) {
				return false
			}
		}
	}
	return interleaves(o[len(b):], t[len(b):], m[len(b):])
}

// interleaves reports whether m is a and b interleaved, each in its order.
func interleaves(a, b, m []any) bool {
	if len(a)+len(b) != len(m) {
		return false
	}
	// can[j]: a[:i] and b[:j] make m[:i+j], row by row
	can := make([]bool, len(b)+1)
	for i := 0; i <= len(a); i++ {
		for j := 0; j <= len(b); j++ {
			switch {
			case i == 0 && j == 0:
				can[j] = true
			case i == 0:
				can[j] = can[j-1] && record.SameValue(b[j-1], m[j-1])
			case j == 0:
				can[j] = can[j] && record.SameValue(a[i-1], m[i-1])
			default:
				can[j] = can[j] && record.SameValue(a[i-1], m[i+j-1]) || can[j-1] && record.SameValue(b[j-1], m[i+j-1])
			}
		}
	}
	return can[len(b)]
}

// heldOver reports whether the merge holds the side's change of field f
// as a resolution of a conflict: f changed on both sides and the merge
// holds the first parent's value, or both sides added to the list.
func (v versions) heldOver(f string) bool {
	return v.bothChanged(f) && sameField(v.ours, v.merged, f) || v.bothAdded(f)
}

// noOwnChange reports whether what the merge holds of the file, against
// the first parent's version, is a side's resolution of conflicts: the
// side's version whole over first parent's changes of fields the side
// changed too, or both sides' items of lists both added to.
func (v versions) noOwnChange() bool {
	whole := true // the merge holds the side's version
	for _, f := range keys(v.merged, v.theirs) {
		if !sameField(v.merged, v.theirs, f) {
			whole = false
		}
	}
	for _, f := range keys(v.ours, v.merged) {
		if sameField(v.ours, v.merged, f) {
			continue
		}
		if whole && v.bothChanged(f) || v.bothAdded(f) {
			continue
		}
		return false
	}
	return true
}
