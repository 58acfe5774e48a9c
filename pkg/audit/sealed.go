package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// RuleAttachmentSealed names a commit that changes or removes an
// attachment of a record that was sealed (approved, paid, closed, ...) at
// the commit's first parent, or edits that record's attachments list.
const RuleAttachmentSealed = "attachment-sealed"

// sealedAttachments judges commit h against its first parent: every file a
// sealed record lists (or names in an attachment field) must be at h with
// the same content, and the record must still list it with the same
// SHA-256. The records looked at are those the commit changes, those
// whose folder attachments/<ID>/ holds a file it changes or removes, and,
// for a file no such record uses, every record that uses it. Nobody may
// change a sealed attachment, whoever makes the commit.
func (r *Repo) sealedAttachments(ctx context.Context, h plumbing.Hash, rulesAt func() (*Rules, error)) ([]Violation, error) {
	dir := func() (string, error) {
		rl, err := rulesAt()
		if err != nil {
			return "", err
		}
		return rl.Dir, nil
	}
	nd := r.Indexed(h)
	if nd == nil {
		return nil, fmt.Errorf("commit %s is not indexed", h)
	}
	parent := nd.FirstParent()
	if parent.IsZero() {
		return nil, nil
	}
	// Attachment files that existed at the parent and changed: only those
	// can be sealed content (an added file was sealed by nobody).
	var touched []string
	ids := map[string]bool{}
	yaml := false
	for _, c := range nd.Changes() {
		yaml = yaml || strings.HasSuffix(c.Path, ".yaml")
		rest, ok := strings.CutPrefix(c.Path, attach.Dir+"/")
		if !ok || c.Old.IsZero() {
			continue
		}
		touched = append(touched, c.Path)
		if id, _, ok := strings.Cut(rest, "/"); ok {
			ids[id] = true
		}
	}
	if len(touched) == 0 && !yaml {
		return nil, nil
	}
	d, err := dir()
	if err != nil {
		return nil, err
	}
	paths := map[string]bool{}
	for _, c := range nd.Changes() {
		if _, _, ok := recordFile(d, c.Path); ok {
			paths[c.Path] = true
		}
	}
	if len(touched) == 0 && len(paths) == 0 {
		return nil, nil
	}
	ptree, err := r.TreeOf(parent)
	if err != nil {
		return nil, err
	}
	// The record whose folder holds a touched file is the usual owner; a
	// file no such record uses (a renumbered record's old folder, a file
	// shared from another record's folder) is looked for in every record.
	claimed := map[string]bool{}
	for id := range ids {
		k, ok := record.KindOfID(id)
		if !ok || !record.ValidID(k, id) {
			continue
		}
		p := strings.TrimSuffix(d, "/") + "/" + record.RelPath(k, id)
		rec, err := r.recordIn(ptree, p, d)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			continue
		}
		paths[p] = true
		for f := range usedFiles(rec) {
			claimed[f] = true
		}
	}
	orphans := map[string]bool{}
	for _, f := range touched {
		if !claimed[f] {
			orphans[f] = true
		}
	}
	if len(orphans) > 0 {
		if err := r.recordsUsing(ctx, ptree, d, orphans, paths); err != nil {
			return nil, err
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	var out []Violation
	var actor string
	for _, p := range sorted {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		before, err := r.recordIn(ptree, p, d)
		if err != nil {
			return nil, err
		}
		after, err := r.recordIn(nd.Tree, p, d)
		if err != nil {
			return nil, err
		}
		if after != nil && workflow.Sealed(after) && (before == nil || !workflow.Sealed(before)) {
			vs, err := r.sealingHashes(ctx, h, nd.Tree, after, &actor)
			if err != nil {
				return nil, err
			}
			out = append(out, vs...)
		}
		if before == nil || !workflow.Sealed(before) {
			continue
		}
		now := map[string]string{}
		if after != nil {
			for _, e := range rules.Listed(after) {
				now[e.Path] = e.SHA256
			}
		}
		files := usedFiles(before)
		// A rekey or encrypt of the record's files by the director or
		// leadership (reencryption) is no change of sealed content, when
		// each file it replaces is an age file with the hash now listed.
		var reenc *bool
		reencrypted := func(f string) (bool, error) {
			if reenc == nil {
				rl, err := rulesAt()
				if err != nil {
					return false, err
				}
				ok := reencryption(rl.Policy, rl.actor(r.handleOf(ctx, h, rl)), before, after)
				reenc = &ok
			}
			if !*reenc {
				return false, nil
			}
			return r.fileReencrypted(nd.Tree, f, files[f], after)
		}
		names := make([]string, 0, len(files))
		for f := range files {
			names = append(names, f)
		}
		sort.Strings(names)
		for _, f := range names {
			var why any
			// Any path inside the repository is guarded, below attachments/
			// or not (a record written with plain git may name another).
			if !strings.HasPrefix(f, "/") && !strings.Contains("/"+f+"/", "/../") {
				old, _, err := r.Lookup(ptree, f)
				if err != nil {
					return nil, err
				}
				cur, ok, err := r.Lookup(nd.Tree, f)
				if err != nil {
					return nil, err
				}
				switch {
				case !ok:
					why = i18n.P("removed")
				case cur.Hash != old.Hash || cur.Mode != old.Mode:
					why = i18n.P("replaced by other content")
				}
			}
			if why == nil && after != nil && files[f] != "" && now[f] != files[f] {
				why = i18n.P("taken out of the record's attachments list or given another hash")
			}
			if why == nil {
				continue
			}
			ok, err := reencrypted(f)
			if err != nil {
				return nil, err
			}
			if ok {
				continue
			}
			if actor == "" {
				actor = r.actorOf(ctx, h)
			}
			v := Violation{Commit: h.String(), Record: before.ID, Path: f, Rule: RuleAttachmentSealed, Actor: actor, Line: 1, Column: 1}
			v.Message, v.Text = i18n.Both("attachment %s of %s, sealed since it is %s, was %s: a sealed record's files never change (restore it from the parent commit)", f, before.ID, i18n.Word{Group: "state", Key: before.Status()}, why)
			out = append(out, v)
		}
	}
	return out, nil
}

// RuleAttachmentHash names a commit that seals a record (approves, pays,
// closes it) while a file the record lists is not committed with the
// SHA-256 the record gives for it: the seal would cover other content than
// the one listed. validate says the same of the files in a work tree.
const RuleAttachmentHash = "attachment-hash"

// maxAttachment bounds the blob verify reads to hash an attachment.
const maxAttachment = 256 << 20

// sealingHashes checks, at the commit h that seals rec, every attachment
// rec lists against the blob committed at its path.
func (r *Repo) sealingHashes(ctx context.Context, h, tree plumbing.Hash, rec *record.Record, actor *string) ([]Violation, error) {
	var out []Violation
	for _, e := range rules.Listed(rec) {
		var why any
		if strings.HasPrefix(e.Path, "/") || strings.Contains("/"+e.Path+"/", "/../") {
			continue // rule attachment-path names it
		}
		ent, ok, err := r.Lookup(tree, e.Path)
		if err != nil {
			return nil, err
		}
		switch {
		case !ok:
			why = i18n.P("is not in the commit")
		case ent.Mode != filemode.Regular && ent.Mode != filemode.Executable:
			why = i18n.P("is not a regular file in the commit")
		default:
			data, err := r.Blob(ent.Hash, maxAttachment)
			if err != nil {
				return nil, err
			}
			if len(data) > maxAttachment {
				why = i18n.P("is too large to check")
			} else if sum := attach.SumBytes(data); sum != e.SHA256 {
				why = i18n.P("has SHA-256 %s", sum)
			}
		}
		if why == nil {
			continue
		}
		if *actor == "" {
			*actor = r.actorOf(ctx, h)
		}
		v := Violation{Commit: h.String(), Record: rec.ID, Path: e.Path, Rule: RuleAttachmentHash, Actor: *actor, Line: 1, Column: 1}
		v.Message, v.Text = i18n.Both("%s became %s while its attachment %s %s, not the %s it lists: a seal must cover exactly the listed file", rec.ID, i18n.Word{Group: "state", Key: rec.Status()}, e.Path, why, e.SHA256)
		out = append(out, v)
	}
	return out, nil
}

// recordIn parses the record at path p in a root tree (nil when absent or
// unreadable).
func (r *Repo) recordIn(tree plumbing.Hash, p, dir string) (*record.Record, error) {
	h, err := r.BlobAt(tree, p)
	if err != nil || h.IsZero() {
		return nil, err
	}
	data, err := r.Blob(h, record.MaxFileSize)
	if err != nil {
		return nil, err
	}
	return r.parse(h, p, dir, data).rec, nil
}

// handleOf is the handle of who made commit h ("" when unknown).
func (r *Repo) handleOf(ctx context.Context, h plumbing.Hash, rl *Rules) string {
	ch, err := r.ReadHead(h)
	if err != nil {
		return ""
	}
	id, _, err := r.identify(rl, h, ch)
	if err != nil {
		return ""
	}
	return id.Handle
}

// fileReencrypted tells whether the sealed file f (listed with hash sum
// before) was only encrypted or re-encrypted in the tree: after lists f,
// or f.age where f was clear, with a new hash, and the blob there is an
// age file with exactly that hash. A hash listed that the blob does not
// have (a ciphertext swapped in) is no re-encryption.
func (r *Repo) fileReencrypted(tree plumbing.Hash, f, sum string, after *record.Record) (bool, error) {
	if after == nil || sum == "" {
		return false, nil
	}
	to := f
	if !crypt.IsEncryptedPath(f) {
		to = f + crypt.FileExt
	}
	want := ""
	for _, e := range rules.Listed(after) {
		if e.Path == to {
			want = e.SHA256
		}
	}
	if want == "" || want == sum {
		return false, nil
	}
	ent, ok, err := r.Lookup(tree, to)
	if err != nil || !ok || (ent.Mode != filemode.Regular && ent.Mode != filemode.Executable) {
		return false, err
	}
	data, err := r.Blob(ent.Hash, maxAttachment)
	if err != nil {
		return false, err
	}
	if attach.SumBytes(data) != want {
		return false, nil
	}
	_, err = crypt.FileStanzas(data)
	return err == nil, nil
}

// actorOf names who made commit h, as the other violations do.
func (r *Repo) actorOf(ctx context.Context, h plumbing.Hash) string {
	rl, err := r.rulesBefore(ctx, h)
	if err != nil {
		return ""
	}
	ch, err := r.ReadHead(h)
	if err != nil {
		return ""
	}
	id, _, err := r.identify(rl, h, ch)
	if err != nil {
		return ""
	}
	return id.Short()
}

// usedFiles maps each file a record lists or names to its listed SHA-256
// ("" when only named).
func usedFiles(rec *record.Record) map[string]string {
	files := map[string]string{}
	for _, e := range rules.Listed(rec) {
		files[e.Path] = e.SHA256
	}
	for _, n := range rules.NamedAttachments(rec) {
		if _, ok := files[n.Path]; !ok {
			files[n.Path] = ""
		}
	}
	return files
}

// recordsUsing adds to paths every record file under the records folder
// dir of a root tree whose record lists or names one of files.
func (r *Repo) recordsUsing(ctx context.Context, root plumbing.Hash, dir string, files map[string]bool, paths map[string]bool) error {
	top, ok, err := r.Lookup(root, strings.TrimSuffix(dir, "/"))
	if err != nil || !ok || !top.IsDir() {
		return err
	}
	var walk func(tree plumbing.Hash, prefix string) error
	walk = func(tree plumbing.Hash, prefix string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		es, err := r.Entries(tree)
		if err != nil {
			return err
		}
		for _, e := range es {
			p := prefix + "/" + string(e.Name)
			switch {
			case e.IsDir():
				if err := walk(e.Hash, p); err != nil {
					return err
				}
			case e.IsFile() && strings.HasSuffix(p, ".yaml"):
				data, err := r.Blob(e.Hash, record.MaxFileSize)
				if err != nil {
					return err
				}
				rec := r.parse(e.Hash, p, dir, data).rec
				if rec == nil {
					continue
				}
				for f := range usedFiles(rec) {
					if files[f] {
						paths[p] = true
						break
					}
				}
			}
		}
		return nil
	}
	return walk(top.Hash, strings.TrimSuffix(dir, "/"))
}
