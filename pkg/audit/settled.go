package audit

import (
	"context"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/config"
)

// The rules of a range's BASE are those BASE's accepted history leaves,
// not whatever BASE's files say: a self-granted role, or a limit the
// director raised alone, that reached the main branch anyway (pushed past
// the check, merged while it failed) stays without effect in every later
// pull request, as it does in a verify of all history. settle replays
// BASE's history for that, judging only the commits that change people or
// the policy (found by comparing the policy file and the people folder of
// each commit's tree with its parents', a few tree reads a commit, not a
// diff), as a verify of all of BASE's history would judge them.
//
// The department is founded by the root commit of the anchor's first
// parents (HEAD's for all history, BASE's for a range), judged by its own
// registry, or, in a repository whose records came later than its first
// commit (an import on top of other history), by the first commit on those
// first parents that brings people where the rules before it held nobody:
// before it there was no department and nobody whose change could be
// judged, and it is judged by its own registry as a root is.

// anchor makes h the commit whose first parents found the department:
// r.root, their root, and r.chain, the commits on them.
func (r *Repo) anchor(h plumbing.Hash) {
	r.chain = map[plumbing.Hash]bool{}
	r.root = h
	r.chain[h] = true
	for ps := r.ParentsOf(r.root); len(ps) > 0; ps = r.ParentsOf(r.root) {
		r.root = ps[0]
		r.chain[r.root] = true
	}
}

// judgedBy are the rules commit h is judged by over all of history
// (rulesFor), and whether h founds the department: the anchor's root, or
// the first commit on its first parents that brings people where the
// rules before it held nobody, judged by its own registry (what was
// rejected before it is forgotten: there was no department).
func (r *Repo) judgedBy(ctx context.Context, h plumbing.Hash) (*Rules, bool, error) {
	rl, err := r.rulesFor(ctx, h)
	if err != nil || h == r.root {
		return rl, err == nil && h == r.root, err
	}
	if !r.chain[h] || len(rl.People) > 0 {
		return rl, false, nil
	}
	t, err := r.TreeOf(h)
	if err != nil {
		return nil, false, err
	}
	own, err := r.rulesAt(t)
	if err != nil || len(own.People) == 0 {
		return rl, false, err
	}
	clear(r.rejected)
	return own, true, nil
}

// judgeRegistry judges a job that changes people or the policy at once,
// and remembers what it did that is forbidden: the rules of the commits
// after it depend on it.
func (r *Repo) judgeRegistry(ctx context.Context, j *verifyJob) error {
	for _, fc := range j.fcs {
		r.finish(fc, j.rules.Dir)
	}
	j.done, j.judged = j.judge(), true
	kept, err := r.keptForbidden(ctx, j)
	if err != nil {
		return err
	}
	j.done = append(j.done, kept...)
	if j.founding {
		// the department's first registry: named if its author was not
		// one to write it, but there is no earlier one to keep instead
		return nil
	}
	return r.reject(j)
}

// settle replays base's history as a verify of all of it would, for what
// it leaves of people and the policy: r.rejected then holds the forbidden
// changes still without effect at base.
func (r *Repo) settle(ctx context.Context, base plumbing.Hash) error {
	r.anchor(base)
	defer func() { r.chain = nil }()
	keys := map[registryAt]registryKey{}
	keyOf := func(h plumbing.Hash, dir string) (registryKey, error) {
		t, err := r.TreeOf(h)
		if err != nil {
			return registryKey{}, err
		}
		at := registryAt{t, dir}
		if k, ok := keys[at]; ok {
			return k, nil
		}
		k, err := r.registryKeyOf(t, dir)
		keys[at] = k
		return k, err
	}
	for n, h := range r.topo(base, nil) {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// the records folders the rules name, when a rejected change of
		// the policy moved the tree's
		var dirs []string
		for _, rj := range r.rejected[r.Prefix()+config.FileName] {
			pol, err := r.policy(rj.prev)
			if err != nil {
				return err
			}
			if d := r.Prefix() + pol.Records; !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
		slices.Sort(dirs)
		dir := strings.Join(dirs, "\x00")
		ps := r.ParentsOf(h)
		touched := len(ps) == 0
		if !touched {
			k, err := keyOf(h, dir)
			if err != nil {
				return err
			}
			for _, p := range ps {
				kp, err := keyOf(p, dir)
				if err != nil {
					return err
				}
				touched = touched || kp != k
			}
		}
		if !touched {
			continue
		}
		if _, err := r.IndexCommit(h); err != nil {
			return err
		}
		if len(ps) > 1 {
			// a merge's renumberings are looked for in its parents' changes
			for _, p := range ps {
				if _, err := r.IndexCommit(p); err != nil {
					return err
				}
			}
		}
		rules, founding, err := r.judgedBy(ctx, h)
		if err != nil {
			return err
		}
		j, err := r.prepareSome(ctx, h, rules, true)
		if err != nil {
			return err
		}
		if j == nil || !j.registry {
			continue
		}
		j.founding = founding
		if err := r.judgeRegistry(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// registryKey is what a tree's rules are read from: its policy file, the
// people folder the policy names, and those under the other records
// folders the rules may name (moved).
type registryKey struct {
	policy, people plumbing.Hash
	moved          string
}

type registryAt struct {
	tree plumbing.Hash
	dir  string
}

// registryKeyOf reads the registryKey of a tree; moved lists the other
// records folders, joined by NUL.
func (r *Repo) registryKeyOf(tree plumbing.Hash, moved string) (registryKey, error) {
	var k registryKey
	var err error
	if k.policy, err = r.BlobAt(tree, r.Prefix()+config.FileName); err != nil {
		return k, err
	}
	pol, err := r.policy(k.policy)
	if err != nil {
		return k, err
	}
	e, _, err := r.Lookup(tree, r.Prefix()+pol.Records+"/people")
	if err != nil {
		return k, err
	}
	k.people = e.Hash
	if moved == "" {
		return k, nil
	}
	for _, d := range strings.Split(moved, "\x00") {
		if d == r.Prefix()+pol.Records {
			continue
		}
		if e, _, err = r.Lookup(tree, d+"/people"); err != nil {
			return k, err
		}
		k.moved += e.Hash.String()
	}
	return k, nil
}
