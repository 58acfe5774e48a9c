package audit

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// RuleFileType names a commit that puts a symbolic link or a submodule
// (a gitlink) in the records folder or at the policy file, or turns a
// file there into one. A submodule is no file to git's diff: the records
// a checkout with its submodules finds under it were never in this
// history, and no commit of it was judged. A link's blob is the name of
// its target, which verify would read as the record or the policy while a
// checkout reads another file (or none), and turning a file into a link
// of the same content changes no blob, so no diff shows it.
const RuleFileType = "file-type"

// fileTypes names the symbolic links and submodules commit h adds in the
// records folder or at the policy file (by its first parent's rules) that
// none of its parents has there.
func (r *Repo) fileTypes(ctx context.Context, h plumbing.Hash, rulesAt func() (*Rules, error)) ([]Violation, error) {
	nd := r.Indexed(h)
	if nd == nil {
		return nil, fmt.Errorf("commit %s is not indexed", h)
	}
	rl, err := rulesAt()
	if err != nil {
		return nil, err
	}
	parents := make([]plumbing.Hash, 0, len(nd.Parents))
	for _, p := range nd.Parents {
		t, err := r.TreeOf(p)
		if err != nil {
			return nil, err
		}
		parents = append(parents, t)
	}
	if len(parents) == 0 {
		parents = append(parents, plumbing.ZeroHash)
	}
	found := map[string]filemode.FileMode{}
	for i, pt := range parents {
		got := map[string]filemode.FileMode{}
		if err := r.oddEntries(pt, nd.Tree, rl.Dir, got); err != nil {
			return nil, err
		}
		if err := r.oddEntries(pt, nd.Tree, rl.PolicyPath, got); err != nil {
			return nil, err
		}
		if i == 0 {
			found = got
			continue
		}
		for p := range found {
			if _, ok := got[p]; !ok {
				delete(found, p) // another parent has it so: its commits were judged
			}
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	paths := make([]string, 0, len(found))
	for p := range found {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	actor := r.actorOf(ctx, h)
	var out []Violation
	for _, p := range paths {
		v := Violation{Commit: h.String(), Path: p, Rule: RuleFileType, Actor: actor, Line: 1, Column: 1}
		if _, id, ok := recordFile(rl.Dir, p); ok {
			v.Record = id
		}
		if found[p] == filemode.Submodule {
			v.Message, v.Text = i18n.Both("%s is a submodule (another repository's commit), not a file: what a checkout of its submodule finds there was never in this history, so no change of it was judged; records and the policy are plain files", p)
		} else {
			v.Message, v.Text = i18n.Both("%s is a symbolic link, not a file: verify reads the link's target name as its content while a checkout reads another file (or none), so what was judged is not what is read; records and the policy are plain files", p)
		}
		out = append(out, v)
	}
	return out, nil
}

// oddEntries adds to found the symbolic links and submodules at or under
// path p in tree that old does not have at the same place with the same
// mode and content, walking only the folders that differ.
func (r *Repo) oddEntries(old, tree plumbing.Hash, p string, found map[string]filemode.FileMode) error {
	now, ok, err := r.Lookup(tree, p)
	if err != nil || !ok {
		return err
	}
	was, wasOK, err := r.Lookup(old, p)
	if err != nil {
		return err
	}
	if wasOK && was.Mode == now.Mode && was.Hash == now.Hash {
		return nil
	}
	switch {
	case now.Mode == filemode.Symlink || now.Mode == filemode.Submodule:
		found[p] = now.Mode
		return nil
	case !now.IsDir():
		return nil
	}
	if !wasOK || !was.IsDir() {
		was.Hash = plumbing.ZeroHash
	}
	return r.oddIn(was.Hash, now.Hash, p, found)
}

// oddIn compares two folders' entries, the old one possibly empty (zero),
// walking both trees' bytes side by side as git sorts them: the entries
// they share (most of a year's folder of claims) are skipped without being
// parsed, so a commit that changes one file of a large folder costs little.
func (r *Repo) oddIn(old, tree plumbing.Hash, dir string, found map[string]filemode.FileMode) error {
	ta, err := r.Tree(old)
	if err != nil {
		return err
	}
	tb, err := r.Tree(tree)
	if err != nil {
		return err
	}
	// The entries inside the bytes both trees begin with are the same.
	const block = 256
	same := 0
	for same+block <= len(ta) && same+block <= len(tb) && bytes.Equal(ta[same:same+block], tb[same:same+block]) {
		same += block
	}
	for same < len(ta) && same < len(tb) && ta[same] == tb[same] {
		same++
	}
	for len(ta) > 0 {
		n := bytes.IndexByte(ta, 0) + 1 + len(plumbing.ZeroHash)
		if n <= len(plumbing.ZeroHash) || n > same {
			break
		}
		ta, tb, same = ta[n:], tb[n:], same-n
	}
	var ea, eb gitobj.TreeEntry
	haveA := false
	for len(tb) > 0 {
		if eb, tb, err = gitobj.ParseTreeEntry(tb); err != nil {
			return fmt.Errorf("tree %s: %w", tree, err)
		}
		// Advance the old folder to eb's place.
		c := 1
		for {
			if !haveA {
				if len(ta) == 0 {
					break
				}
				if ea, ta, err = gitobj.ParseTreeEntry(ta); err != nil {
					return fmt.Errorf("tree %s: %w", old, err)
				}
				haveA = true
			}
			if c = gitobj.CompareTreeNames(ea.Name, ea.IsDir(), eb.Name, eb.IsDir()); c >= 0 {
				break
			}
			haveA = false
		}
		had := haveA && c == 0
		if had && ea.Mode == eb.Mode && ea.Hash == eb.Hash {
			haveA = false
			continue
		}
		p := dir + "/" + string(eb.Name)
		if dir == "" {
			p = string(eb.Name)
		}
		switch {
		case eb.Mode == filemode.Symlink || eb.Mode == filemode.Submodule:
			found[p] = eb.Mode
		case eb.IsDir():
			prev := plumbing.ZeroHash
			if had && ea.IsDir() {
				prev = ea.Hash
			}
			if err := r.oddIn(prev, eb.Hash, p, found); err != nil {
				return err
			}
		}
		if had {
			haveA = false
		}
	}
	return nil
}
