package gitstore

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// A commit by opsbook changes four things that no file system changes at
// once: objects, the work-tree files, the branch and the index. It goes
// in an order where each crash leaves a state the next opsbook can finish or
// undo, and writes down beforehand what it is about to do:
//
//  1. blobs, trees and the commit object are stored (unreachable until the
//     branch moves: a crash here leaves garbage for `git gc`, nothing else);
//  2. git's index.lock and the branch's lock are taken (see held.go);
//  3. the journal, .git/opsbook/journal.json, is written atomically: the
//     branch's old and new commit, and for each path its old and new blob;
//  4. the work-tree files are replaced (atomically, one by one);
//  5. the new index is written into index.lock and synced;
//  6. the branch lock is renamed over the branch: the change is committed;
//  7. index.lock is renamed over the index;
//  8. the journal is removed.
//
// Recovery reads the branch: still at the old commit, the change is undone
// (files whose content is the new blob get the old one back, the locks are
// released); at the new commit, it is finished (files and index entries get
// the new blobs). Between 6 and 7, plain git sees index.lock and refuses to
// commit, so it cannot commit the old index over the change. A write
// without a commit (--no-commit) journals its files the same way and is
// undone.

// Finding codes, stable identifiers for doctor and validate.
const (
	CodeInterrupted  = "interrupted-change"
	CodeGitLock      = "git-lock"
	CodeLeftoverTemp = "leftover-temp"
	CodeStagedRevert = "staged-revert"
	CodeStaleLock    = "stale-lock"
	CodeForeignLock  = "foreign-lock"
	CodeGitBusy      = "git-busy"
)

// Finding is one thing recovery found, and whether it was repaired.
type Finding struct {
	Code    string `json:"code"`
	Path    string `json:"path"`
	Message string `json:"message"` // English, for -o json
	// Text is Message in the reader's language.
	Text     string `json:"-"`
	Repaired bool   `json:"repaired"`
}

// Human is the finding's message in the reader's language.
func (f Finding) Human() string {
	if f.Text != "" {
		return f.Text
	}
	return f.Message
}

// finding makes a finding from a catalog format.
//
// i18n:format 2
func finding(code, path, format string, args ...any) Finding {
	msg, text := i18n.Both(format, args...)
	return Finding{Code: code, Path: path, Message: msg, Text: text}
}

// ErrInterrupted is returned by Commit and WriteFiles while an interrupted
// change waits for recovery.
var ErrInterrupted = i18n.NewError("an interrupted change has not been recovered")

// StepHook, when set (by tests only), is called at each step of a commit
// (and at "lock", when a lock file opsbook makes has come to exist)
// with the step's name, so that a test can stop the process there.
var StepHook func(step string)

func step(name string) {
	if StepHook != nil {
		StepHook(name)
	}
}

type journal struct {
	Version int           `json:"version"`
	Owner   Owner         `json:"owner"`
	What    string        `json:"what"`
	Branch  string        `json:"branch,omitempty"`
	OldHead string        `json:"old_head,omitempty"`
	NewHead string        `json:"new_head,omitempty"`
	Files   []journalFile `json:"files"`
}

type journalFile struct {
	Path    string `json:"path"`
	Old     string `json:"old,omitempty"` // blob before; empty: absent
	OldMode uint32 `json:"old_mode,omitempty"`
	New     string `json:"new,omitempty"` // blob after; empty: removed
	NewMode uint32 `json:"new_mode,omitempty"`
	// Worktree: opsbook writes the work-tree file (false: the caller had
	// written it before the commit, and recovery leaves it alone).
	Worktree bool `json:"worktree"`
}

func (r *Repo) journalPath() string {
	return filepath.Join(r.gitDir, "opsbook", "journal.json")
}

func (r *Repo) writeJournal(j *journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(r.journalPath()), 0o755); err != nil {
		return i18n.Errorf("writing the journal: %w", err)
	}
	return WriteFileAtomic(r.journalPath(), append(data, '\n'), 0o644)
}

func (r *Repo) readJournal() (*journal, error) {
	data, err := os.ReadFile(r.journalPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, i18n.Errorf("reading the journal: %w", err)
	}
	j := &journal{}
	if err := json.Unmarshal(data, j); err != nil {
		return nil, i18n.Errorf("reading the journal %s: %w", r.journalPath(), err)
	}
	return j, nil
}

func (r *Repo) removeJournal() error {
	err := os.Remove(r.journalPath())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return syncDir(filepath.Dir(r.journalPath()))
}

// pending refuses to start a change while a crash waits for recovery.
func (r *Repo) pending() error {
	if _, err := os.Lstat(r.journalPath()); err == nil {
		return i18n.Errorf("%w (%s exists); run `opsbook doctor`", ErrInterrupted, r.journalPath())
	}
	if es, _ := os.ReadDir(r.heldDir()); len(es) > 0 {
		return i18n.Errorf("%w (git lock files of an interrupted opsbook in %s); run `opsbook doctor`", ErrInterrupted, r.heldDir())
	}
	return nil
}

// Pending says, without changing anything, whether an interrupted change
// waits for recovery, and what it was.
func (r *Repo) Pending() (what string, ok bool) {
	j, err := r.readJournal()
	if err != nil {
		return i18n.T("unreadable journal"), true
	}
	if j == nil {
		return "", false
	}
	return j.What, true
}

// Recover finds what an interrupted opsbook left behind and, with fix,
// repairs it: an interrupted change (finished when its branch had moved,
// undone otherwise), git lock files opsbook made, temporary files of atomic
// writes in the journal's folders and in dirs (relative to the root), and
// index entries that stage the revert of HEAD's change (the index a crash
// between branch and index left behind). The caller holds the opsbook lock.
func (r *Repo) Recover(dirs []string, fix bool) ([]Finding, error) {
	var out []Finding
	j, err := r.readJournal()
	if err != nil {
		out = append(out, Finding{Code: CodeInterrupted, Path: r.rel(r.journalPath()), Message: i18n.EnglishOf(err), Text: err.Error()})
	}
	if j != nil {
		fs, err := r.settle(j, fix)
		if err != nil {
			return out, err
		}
		out = append(out, fs...)
		for _, f := range j.Files {
			dirs = append(dirs, filepath.ToSlash(filepath.Dir(filepath.FromSlash(f.Path))))
		}
	} else {
		out = append(out, r.heldLeftovers(fix)...)
	}
	out = append(out, r.leftoverTemps(dirs, fix)...)
	sr, err := r.stagedReverts(fix)
	if err != nil {
		return out, err
	}
	return append(out, sr...), nil
}

// settle finishes or undoes the journal's change.
func (r *Repo) settle(j *journal, fix bool) ([]Finding, error) {
	forward := false
	if j.NewHead != "" {
		cur := ""
		switch ref, err := r.repo.Storer.Reference(plumbing.ReferenceName(j.Branch)); {
		case errors.Is(err, plumbing.ErrReferenceNotFound):
		case err != nil:
			return nil, i18n.Errorf("reading %s: %w", j.Branch, err)
		default:
			cur = ref.Hash().String()
		}
		switch cur {
		case j.NewHead:
			forward = true
		case j.OldHead:
		default:
			return []Finding{finding(CodeInterrupted, r.rel(r.journalPath()),
				"interrupted change (%s): branch %s is now at %s, neither before (%s) nor after (%s) it; compare the files with `git status` and remove %s by hand", j.What, plumbing.ReferenceName(j.Branch).Short(), short12(cur), short12(j.OldHead), short12(j.NewHead), r.journalPath())}, nil
		}
	}
	var f Finding
	jp := r.rel(r.journalPath())
	switch {
	case forward && fix:
		f = finding(CodeInterrupted, jp, "interrupted change (%s) was committed as %s: finished its files and index", j.What, short12(j.NewHead))
	case forward:
		f = finding(CodeInterrupted, jp, "interrupted change (%s) was committed as %s; to finish its files and index", j.What, short12(j.NewHead))
	case fix:
		f = finding(CodeInterrupted, jp, "interrupted change (%s) was not committed: undone", j.What)
	default:
		f = finding(CodeInterrupted, jp, "interrupted change (%s) was not committed; to undo", j.What)
	}
	if !fix {
		return []Finding{f}, nil
	}
	out := r.heldLeftovers(true)
	var problems, texts []string
	target := map[string]fileState{}
	for _, jf := range j.Files {
		want := fileState{hash: jf.Old, mode: filemode.FileMode(jf.OldMode)}
		other := jf.New
		if forward {
			want = fileState{hash: jf.New, mode: filemode.FileMode(jf.NewMode)}
			other = jf.Old
		}
		target[jf.Path] = want
		if !jf.Worktree {
			continue
		}
		if err := r.putWorkFile(jf.Path, want, other); err != nil {
			problems, texts = append(problems, i18n.EnglishOf(err)), append(texts, err.Error())
		}
	}
	if j.NewHead != "" {
		if err := r.setIndexEntries(target); err != nil {
			problems, texts = append(problems, i18n.EnglishOf(err)), append(texts, err.Error())
		}
	}
	if len(problems) > 0 {
		f.Message += "; but: " + strings.Join(problems, "; ")
		f.Text = i18n.Sprintf("%s; but: %s", f.Human(), strings.Join(texts, i18n.T("; ")))
		return append(out, f), nil
	}
	if err := r.removeJournal(); err != nil {
		return nil, err
	}
	f.Repaired = true
	return append(out, f), nil
}

func short12(h string) string {
	if h == "" {
		return "(none)"
	}
	return h[:min(12, len(h))]
}

// fileState is a file as a blob and mode; an empty hash is no file.
type fileState struct {
	hash string
	mode filemode.FileMode
}

// putWorkFile makes the work-tree file at p what want says, when it is
// now either that or other (a file that is neither was changed since by
// someone else and is left alone, with an error).
func (r *Repo) putWorkFile(p string, want fileState, other string) error {
	wf, err := r.readWorkFile(p, true, filemode.Regular)
	if err != nil {
		return err
	}
	cur := ""
	if wf.exists {
		cur = wf.hash.String()
	}
	if cur == want.hash {
		return nil
	}
	if cur != other {
		return i18n.Errorf("%s was changed since (it is neither the content before nor after the change); left alone", p)
	}
	return r.writeWork(p, want)
}

// writeWork writes blob state s to the work tree at p (removes it for none).
func (r *Repo) writeWork(p string, s fileState) error {
	name := filepath.Join(r.root, filepath.FromSlash(p))
	if s.hash == "" {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return i18n.Errorf("removing %s: %w", p, err)
		}
		return nil
	}
	data, err := readBlob(r.repo, plumbing.NewHash(s.hash))
	if err != nil {
		return i18n.Errorf("restoring %s: %w", p, err)
	}
	return writeWorkData(name, data, s.mode)
}

func writeWorkData(name string, data []byte, mode filemode.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	if mode == filemode.Symlink {
		os.Remove(name)
		return os.Symlink(filepath.FromSlash(string(data)), name)
	}
	perm := os.FileMode(0o644)
	if mode == filemode.Executable {
		perm = 0o755
	}
	return WriteFileAtomic(name, data, perm)
}

// setIndexEntries makes the index entries of the paths say the states given
// (no entry for none), with the work tree's stat data when the file there
// has that content.
func (r *Repo) setIndexEntries(states map[string]fileState) error {
	lock, err := r.lockIndex(context.Background())
	if err != nil {
		return err
	}
	defer lock.rollback()
	data, err := r.readGitIndex(r.indexPath())
	switch {
	case errors.Is(err, os.ErrNotExist):
		data = emptyIndex()
	case err != nil:
		return i18n.Errorf("reading the git index: %w", err)
	}
	paths := make(map[string]bool, len(states))
	for p := range states {
		paths[p] = true
	}
	if x, ok := readSplice(data, paths); ok {
		// spliced, as a commit does: the other entries keep their bytes
		// and flags (go-git's decode and encode drops assume-unchanged)
		replaced, kept := map[string]bool{}, map[string]bool{}
		for _, sp := range x.spans {
			p := string(sp.name)
			s, ok := states[p]
			if !ok {
				continue
			}
			if e := x.raw(sp).entry(); e.Stage == 0 && s.hash == e.Hash.String() && s.mode == e.Mode {
				kept[p] = true
			} else {
				replaced[p] = true
			}
		}
		var add []*index.Entry
		for p, s := range states {
			if kept[p] || s.hash == "" {
				continue
			}
			replaced[p] = true
			add = append(add, r.entryForState(p, s))
		}
		if len(replaced) == 0 {
			return nil
		}
		parts, err := x.splice(replaced, add)
		if err != nil {
			return err
		}
		if err := lock.writeRaw(parts...); err != nil {
			return err
		}
		return lock.publish()
	}
	idx, err := r.readIndex(r.indexPath())
	if err != nil {
		return err
	}
	changed := false
	byName := map[string]bool{}
	for p := range states {
		byName[p] = true
	}
	kept := idx.Entries[:0]
	var add []*index.Entry
	for _, e := range idx.Entries {
		s, ok := states[e.Name]
		if !ok {
			kept = append(kept, e)
			continue
		}
		if e.Stage == 0 && s.hash == e.Hash.String() && s.mode == e.Mode {
			kept = append(kept, e)
			delete(byName, e.Name)
			continue
		}
		changed = true
	}
	for p := range byName {
		s := states[p]
		if s.hash == "" {
			continue
		}
		changed = true
		add = append(add, r.entryForState(p, s))
	}
	if !changed {
		return nil
	}
	idx.Entries = append(kept, add...)
	sort.SliceStable(idx.Entries, func(i, j int) bool { return idx.Entries[i].Name < idx.Entries[j].Name })
	return lock.commit(idx)
}

// entryForState is the index entry of p for state s, with the work
// tree's stat data when the file there has that content.
func (r *Repo) entryForState(p string, s fileState) *index.Entry {
	e := &index.Entry{Name: p, Hash: plumbing.NewHash(s.hash), Mode: s.mode}
	if wf, err := r.readWorkFile(p, true, s.mode); err == nil && wf.exists && wf.hash == e.Hash {
		e = indexEntryFor(p, wf)
		e.Mode = s.mode
	}
	return e
}

// tempName is the name WriteFileAtomic gives its temporary files.
var tempName = regexp.MustCompile(`^\..+\.tmp-[0-9]+$`)

// leftoverTemps finds (and with fix removes) temporary files of atomic
// writes in dirs, relative to the root, and their subfolders. A file git
// tracks is no leftover, whatever its name: a commit may hold a file named
// like one (.notes.txt.tmp-1), and removing it would change the work tree.
func (r *Repo) leftoverTemps(dirs []string, fix bool) []Finding {
	var found []string
	seen := map[string]bool{}
	for _, d := range dirs {
		top := filepath.Join(r.root, filepath.FromSlash(d))
		if seen[top] {
			continue
		}
		seen[top] = true
		filepath.WalkDir(top, func(p string, e os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if e.IsDir() && p != top && (e.Name() == ".git" || seen[p]) {
				return filepath.SkipDir
			}
			if !e.Type().IsRegular() || !tempName.MatchString(e.Name()) {
				return nil
			}
			if !seen[p] { // a folder of dirs is also walked from the one above it
				seen[p] = true
				found = append(found, p)
			}
			return nil
		})
	}
	if len(found) == 0 {
		return nil
	}
	rels := make(map[string]bool, len(found))
	for _, p := range found {
		rels[r.rel(p)] = true
	}
	tracked := map[string]bool{}
	if es, err := r.indexEntriesOf(r.indexPath(), rels); err == nil {
		for _, e := range es {
			tracked[e.Name] = true
		}
	} else {
		return nil // which of them git tracks is unknown: remove none
	}
	var out []Finding
	for _, p := range found {
		if tracked[r.rel(p)] {
			continue
		}
		f := finding(CodeLeftoverTemp, r.rel(p), "temporary file left by an interrupted write")
		if fix {
			f.Repaired = os.Remove(p) == nil
		}
		out = append(out, f)
	}
	return out
}

// cacheTemp matches the temporary files the caches in .git/opsbook are
// written through: .index.tmp-N, .memo.tmp-N, .counts.tmp-N, NAME.tmp-PID,
// .cache-N, .stanzas-N and commits.idx.N.
var cacheTemp = regexp.MustCompile(`^(.*\.tmp-[0-9]+|\.(cache|stanzas)-[0-9]+|commits\.idx\.[0-9]+)$`)

// GitTemps finds (and with fix removes) the temporary files an opsbook
// killed half-way leaves in the git directory: a loose object it was
// writing (objects/XX/tmp_obj_opsbook_N; git's own tmp_obj_ files are left
// to git) and the file checkWritable makes (opsbook-probe-N). Doctor calls
// it under the lock, which every write stores its objects under.
func (r *Repo) GitTemps(fix bool) []Finding {
	var found []string
	if ps, err := filepath.Glob(filepath.Join(r.gitDir, probePrefix+"*")); err == nil {
		found = append(found, ps...)
	}
	if objs, err := filepath.Glob(filepath.Join(r.commonDir, "objects", "??", objectTempPrefix+"*")); err == nil {
		found = append(found, objs...)
	}
	// the caches' temporary files in .git/opsbook (cache.WriteFile, the
	// commit index, the summary's base): read commands write them without
	// the lock, but one removed under a live writer only costs it the
	// cache it was saving
	for _, d := range []string{filepath.Join(r.gitDir, "opsbook"), filepath.Join(r.commonDir, "opsbook")} {
		es, _ := os.ReadDir(d)
		for _, e := range es {
			if p := filepath.Join(d, e.Name()); e.Type().IsRegular() && cacheTemp.MatchString(e.Name()) && !slices.Contains(found, p) {
				found = append(found, p)
			}
		}
	}
	var out []Finding
	for _, p := range found {
		rel, err := filepath.Rel(r.root, p)
		if err != nil {
			rel = p
		}
		f := finding(CodeLeftoverTemp, filepath.ToSlash(rel), "temporary file left by an interrupted write")
		if fix {
			f.Repaired = os.Remove(p) == nil
		}
		out = append(out, f)
	}
	return out
}

// stagedReverts finds index entries that stage the revert of HEAD's own
// change when HEAD is a commit by opsbook (only the paths that commit
// changed are looked at): the entry holds the
// file as it was before HEAD, while HEAD and the work tree hold the new
// content. A plain `git commit` would silently undo HEAD's change. With fix,
// the entries are set to HEAD's.
func (r *Repo) stagedReverts(fix bool) ([]Finding, error) {
	defer r.closeTrees()
	head, err := r.repo.Head()
	if err != nil {
		return nil, nil // no commits: nothing to revert
	}
	c, err := r.commitObject(head.Hash())
	if err != nil || len(c.ParentHashes) != 1 || !strings.Contains(c.Message, "\nOpsbook-Action: ") {
		return nil, nil
	}
	parent, err := r.commitObject(c.ParentHashes[0])
	if err != nil {
		return nil, nil
	}
	// The two trees are compared as bytes, folder by folder, skipping
	// what they share by hash (go-git's DiffTree decoded both versions of
	// the changed folder whole: 0.2 s a write at 100,000 records, every
	// write after an opsbook commit).
	changes, err := gitobj.DiffTreesWith(r.tree, parent.TreeHash, c.TreeHash, nil)
	if err != nil {
		return nil, nil
	}
	paths := map[string]bool{}
	for _, ch := range changes {
		paths[ch.Path] = true
	}
	entries, err := r.indexEntriesOf(r.indexPath(), paths)
	if err != nil {
		return nil, err
	}
	idx := &index.Index{Entries: entries}
	var out []Finding
	fixes := map[string]fileState{}
	for _, ch := range changes {
		p := ch.Path
		before, after := "", ""
		if !ch.Old.IsZero() {
			before = ch.Old.String()
		}
		if !ch.New.IsZero() {
			after = ch.New.String()
		}
		staged := ""
		for _, e := range indexEntries(idx, p) {
			if e.Stage == 0 {
				staged = e.Hash.String()
			}
		}
		if staged != before || staged == after {
			continue
		}
		_, mode, _, err := r.treeFile(c.TreeHash, p)
		if err != nil {
			continue
		}
		wf, err := r.readWorkFile(p, true, mode)
		if err != nil {
			continue
		}
		work := ""
		if wf.exists {
			work = wf.hash.String()
		}
		if work != after {
			continue
		}
		out = append(out, finding(CodeStagedRevert, p, "the git index stages the revert of %s's change (a plain `git commit` would undo it)", head.Hash().String()[:12]))
		fixes[p] = fileState{hash: after, mode: mode}
	}
	if fix && len(fixes) > 0 {
		err := r.setIndexEntries(fixes)
		for i := range out {
			out[i].Repaired = err == nil
		}
		if err != nil {
			out[0].Message += ": " + i18n.EnglishOf(err)
			out[0].Text = i18n.Sprintf("%s: %v", out[0].Human(), err)
		}
	}
	return out, nil
}
