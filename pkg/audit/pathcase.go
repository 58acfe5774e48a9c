package audit

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"golang.org/x/text/unicode/norm"
)

// RulePathCase names a commit that adds a file whose path differs from
// another path of the same tree only in letter case or Unicode
// normalisation (EXP-2026-0016.YAML beside EXP-2026-0016.yaml,
// records/Expenses beside records/expenses). Git and a Linux checkout keep
// both, so validate and verify read the one spelled right; a checkout on a
// case-insensitive file system (macOS, Windows) has room for only one, and
// the file written last wins: the director's laptop would show, report and
// approve the twin's content. The check looks at every path a commit adds,
// not only records: a twin of .opsbook.yaml or of a receipt hides the same
// way.
const RulePathCase = "path-case"

// pathCase names what commit h adds beside a path that differs only in
// case.
func (r *Repo) pathCase(ctx context.Context, h plumbing.Hash) ([]Violation, error) {
	nd := r.Indexed(h)
	if nd == nil {
		return nil, fmt.Errorf("commit %s is not indexed", h)
	}
	var out []Violation
	actor := ""
	for _, c := range nd.Changes() {
		if !c.Old.IsZero() || c.New.IsZero() {
			continue
		}
		twin, err := r.caseTwin(nd.Tree, nd.FirstParent(), c.Path)
		if err != nil {
			return nil, err
		}
		if twin == "" {
			continue
		}
		if actor == "" {
			actor = r.actorOf(ctx, h)
		}
		v := Violation{Commit: h.String(), Record: twinRecord(c.Path), Path: c.Path, Rule: RulePathCase, Actor: actor, Line: 1, Column: 1}
		// the segment of the path that has a twin: the twin's last
		seg := strings.Split(c.Path, "/")[strings.Count(twin, "/")]
		if record.SameLetters(seg, path.Base(twin)) {
			v.Message, v.Text = i18n.Both("%s differs from %s only in Unicode normalisation (an accented letter written as one character in one, as a letter and an accent in the other): a file system that normalises names (macOS) checks out one file for both, so one hides the other (rename or remove it)", c.Path, twin)
		} else {
			v.Message, v.Text = i18n.Both("%s differs from %s only in letter case: a case-insensitive file system (macOS, Windows) checks out one file for both, so one hides the other (rename or remove it)", c.Path, twin)
		}
		out = append(out, v)
	}
	return out, nil
}

// caseTwin walks p from the root tree and returns the first path of the
// tree that names one of p's folders or p itself with a different spelling
// of the same letters ("" when there is none). A folder of p that was
// already there at the parent does not count: the commit that made its
// twin is the one named.
func (r *Repo) caseTwin(root, parent plumbing.Hash, p string) (string, error) {
	tree, dir := root, ""
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		es, err := r.Entries(tree)
		if err != nil {
			return "", err
		}
		folded := foldName(seg)
		var next plumbing.Hash
		found := false
		for _, e := range es {
			n := string(e.Name)
			switch {
			case n == seg:
				next, found = e.Hash, e.IsDir()
			case foldName(n) == folded:
				old, err := r.folderBefore(parent, path.Join(dir, seg), i < len(segs)-1)
				if err != nil {
					return "", err
				}
				if !old {
					return path.Join(dir, n), nil
				}
			}
		}
		if !found || i == len(segs)-1 {
			return "", nil
		}
		tree, dir = next, path.Join(dir, seg)
	}
	return "", nil
}

// folderBefore tells whether p is a folder (dir) that already existed at
// the parent commit.
func (r *Repo) folderBefore(parent plumbing.Hash, p string, dir bool) (bool, error) {
	if !dir || parent.IsZero() {
		return false, nil
	}
	ptree, err := r.TreeOf(parent)
	if err != nil {
		return false, err
	}
	e, ok, err := r.Lookup(ptree, p)
	return ok && e.IsDir(), err
}

// foldName is a name as a case-insensitive, normalising file system sees
// it.
func foldName(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// twinRecord is the record a twin path concerns, as far as its place
// tells: the folder of an attachment, the file name of a record.
func twinRecord(p string) string {
	if rest, ok := strings.CutPrefix(p, "attachments/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	base := path.Base(p)
	if ext := path.Ext(base); strings.EqualFold(ext, ".yaml") && !strings.HasPrefix(base, ".") {
		return strings.TrimSuffix(base, ext)
	}
	return ""
}
