package gitstore

import (
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// Signature is who made a commit, and when.
type Signature struct {
	Name  string
	Email string
	When  time.Time // the zero time means now
}

// SignMode says whether Commit signs.
type SignMode int

const (
	// SignAsConfigured signs when git's commit.gpgsign is true.
	SignAsConfigured SignMode = iota
	// SignAlways signs whatever commit.gpgsign says (for require_signatures),
	// with the key and format git's configuration names.
	SignAlways
	// SignNever does not sign.
	SignNever
)

// CommitRequest is one commit of the files a command changed.
type CommitRequest struct {
	// Paths are files the caller has already written, relative to the root
	// with forward slashes. Each file's content is read from the work tree;
	// a path missing from the work tree is removed from the commit's tree.
	Paths []string
	// Files are files Commit writes itself, to the work tree and the commit
	// together: after a crash, recovery finds them either as before or as
	// committed (see journal.go). A path may not be in both lists.
	Files []FileWrite
	// Message is the full commit message (subject, body, trailers).
	Message string
	// Author of the change; Committer defaults to Author.
	Author, Committer Signature
	Sign              SignMode
}

// FileWrite is the new content of one file (any bytes), or its removal.
type FileWrite struct {
	Path   string
	Data   []byte
	Remove bool
}

// Commit makes one commit on the current branch holding HEAD's tree (or an
// empty tree on a branch with no commits yet) plus exactly req.Paths as they
// are in the work tree and req.Files as given, which it writes to the work
// tree. Whatever else is staged stays staged and uncommitted and other
// work-tree changes are left alone; the index entries of the paths are
// updated so that `git status` shows them clean. It refuses, like
// CheckState, a detached HEAD, a merge or rebase in progress, unmerged
// paths and a held index.lock, and an interrupted change not yet recovered
// (ErrInterrupted). When nothing differs from HEAD it returns
// ErrNothingToCommit and changes nothing.
//
// The steps are journaled (see journal.go): a crash at any point leaves a
// state Recover finishes or undoes. A cancelled ctx stops the commit before
// the branch moves, and the files are then put back.
//
// It signs when req.Sign or git's commit.gpgsign asks for it; see the package
// documentation for what is supported.
//
// If the branch was updated but the index could not be written, Commit
// returns the new commit's hash together with the error.
func (r *Repo) Commit(ctx context.Context, req CommitRequest) (string, error) {
	defer r.closeTrees()
	var all []string
	all = append(all, req.Paths...)
	writes := map[string]*FileWrite{}
	for i := range req.Files {
		f := &req.Files[i]
		if err := checkPath(f.Path); err != nil {
			return "", err
		}
		if writes[f.Path] != nil || slices.Contains(req.Paths, f.Path) {
			return "", i18n.Errorf("committing: %s given twice", f.Path)
		}
		writes[f.Path] = f
		all = append(all, f.Path)
	}
	paths, err := cleanPaths(all)
	if err != nil {
		return "", err
	}
	if len(paths) == 0 {
		return "", i18n.Errorf("committing: no paths given")
	}
	msg := strings.TrimRight(req.Message, " \t\r\n")
	if strings.TrimSpace(msg) == "" {
		return "", i18n.Errorf("committing: empty commit message")
	}
	msg += "\n"
	subject, _, _ := strings.Cut(msg, "\n")
	author, committer, err := signatures(req.Author, req.Committer)
	if err != nil {
		return "", err
	}

	if err := r.checkMarkers(); err != nil {
		return "", err
	}
	if err := r.pending(); err != nil {
		return "", err
	}
	branch, err := r.currentBranch()
	if err != nil {
		return "", err
	}
	cfg, err := r.config()
	if err != nil {
		return "", err
	}
	trustMode, err := cfg.getBool("core.filemode", true)
	if err != nil {
		return "", err
	}
	level, err := looseLevel(cfg)
	if err != nil {
		return "", err
	}
	signer, err := r.signerFor(cfg, req.Sign, committer)
	if err != nil {
		return "", err
	}

	lock, err := r.lockIndex(ctx)
	if err != nil {
		return "", err
	}
	defer lock.rollback()
	// The index is spliced (see splicedIndex) when it can be, else
	// decoded and encoded whole with go-git.
	sp, idx, err := r.readIndexForCommit(paths)
	if err != nil {
		return "", err
	}

	parent := plumbing.ZeroHash
	var baseTree plumbing.Hash // zero: no commits yet
	switch ref, err := r.repo.Storer.Reference(branch); {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return "", i18n.Errorf("reading %s: %w", branch, err)
	default:
		parent = ref.Hash()
		c, err := r.commitObject(parent)
		if err != nil {
			return "", i18n.Errorf("reading %s commit %s: %w", branch.Short(), parent, err)
		}
		baseTree = c.TreeHash
	}

	// Store each file's blob (and, for files Commit writes, the blob of what
	// the work tree holds now, to put it back), and note the index entry.
	changes := make(map[string]treeChange, len(paths))
	states := make(map[string]fileState, len(paths))
	j := &journal{Version: 1, Owner: self(), What: subject, Branch: branch.String()}
	var written []plumbing.Hash // objects stored, made durable before the branch moves
	if !parent.IsZero() {
		j.OldHead = parent.String()
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		headHash, headMode, inHead, err := r.treeFile(baseTree, p)
		if err != nil {
			return "", err
		}
		prev := headMode
		for _, e := range indexEntries(idx, p) {
			if !e.IntentToAdd {
				prev = e.Mode
			}
		}
		wf, err := r.readWorkFile(p, trustMode, prev)
		if err != nil {
			return "", err
		}
		jf := journalFile{Path: p}
		if w := writes[p]; w != nil {
			jf.Worktree = true
			if wf.exists {
				if err := r.storeBlob(wf, level); err != nil {
					return "", i18n.Errorf("storing %s: %w", p, err)
				}
				written = append(written, wf.hash)
				jf.Old, jf.OldMode = wf.hash.String(), uint32(wf.mode)
			}
			wf = workFile{}
			if !w.Remove {
				wf = workFile{exists: true, data: w.Data, mode: filemode.Regular}
				if prev == filemode.Executable {
					wf.mode = prev
				}
				wf.hash = plumbing.ComputeHash(plumbing.BlobObject, w.Data)
			}
		} else if inHead {
			jf.Old, jf.OldMode = headHash.String(), uint32(headMode)
		}
		if !wf.exists {
			states[p] = fileState{}
			if inHead {
				changes[p] = treeChange{remove: true}
			}
			j.Files = append(j.Files, jf)
			continue
		}
		if err := r.storeBlob(wf, level); err != nil {
			return "", i18n.Errorf("storing %s: %w", p, err)
		}
		written = append(written, wf.hash)
		jf.New, jf.NewMode = wf.hash.String(), uint32(wf.mode)
		j.Files = append(j.Files, jf)
		states[p] = fileState{hash: jf.New, mode: wf.mode}
		if !inHead || headHash != wf.hash || headMode != wf.mode {
			changes[p] = treeChange{hash: wf.hash, mode: wf.mode}
		}
	}
	if len(changes) == 0 {
		return "", i18n.Errorf("committing %s: %w (the files are as in HEAD)", strings.Join(paths, ", "), ErrNothingToCommit)
	}

	tb := &treeBuilder{r: r, level: level}
	treeHash, err := tb.build(baseTree, "", changes)
	if err != nil {
		return "", err
	}
	if treeHash.IsZero() {
		if treeHash, err = tb.write(nil); err != nil { // everything removed: the empty tree
			return "", err
		}
	}
	if treeHash == baseTree {
		return "", i18n.Errorf("committing %s: %w", strings.Join(paths, ", "), ErrNothingToCommit)
	}

	commit := &object.Commit{
		Author:    object.Signature{Name: author.Name, Email: author.Email, When: author.When},
		Committer: object.Signature{Name: committer.Name, Email: committer.Email, When: committer.When},
		Message:   msg,
		TreeHash:  treeHash,
	}
	if !parent.IsZero() {
		commit.ParentHashes = []plumbing.Hash{parent}
	}
	if signer != nil {
		payload := &plumbing.MemoryObject{}
		if err := commit.EncodeWithoutSignature(payload); err != nil {
			return "", i18n.Errorf("encoding the commit: %w", err)
		}
		rd, _ := payload.Reader()
		data, err := io.ReadAll(rd)
		if err != nil {
			return "", i18n.Errorf("encoding the commit: %w", err)
		}
		sig, err := signer.sign(ctx, data)
		if err != nil {
			return "", err
		}
		commit.PGPSignature = string(sig)
	}
	obj := &plumbing.MemoryObject{}
	if err := commit.Encode(obj); err != nil {
		return "", i18n.Errorf("encoding the commit: %w", err)
	}
	rd, _ := obj.Reader()
	data, err := io.ReadAll(rd)
	if err != nil {
		return "", i18n.Errorf("encoding the commit: %w", err)
	}
	hash, _, err := r.writeObject(plumbing.CommitObject, data, level)
	if err != nil {
		return "", i18n.Errorf("storing the commit: %w", err)
	}
	written = append(append(written, tb.written...), hash)
	if err := r.syncObjects(written); err != nil {
		return "", err
	}
	step("objects")
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ref, err := r.lockRef(ctx, branch, parent)
	if err != nil {
		return "", err
	}
	defer ref.rollback()
	if err := ref.set(hash); err != nil {
		return "", i18n.Errorf("updating %s: %w", branch.Short(), err)
	}
	step("locks")

	j.NewHead = hash.String()
	if err := r.writeJournal(j); err != nil {
		return "", err
	}
	step("journal")
	// From here until the branch moves, a failure puts the files back.
	undo := func(cause error) error {
		if err := r.undoFiles(j); err != nil {
			return i18n.Errorf("%w; and putting the files back failed (the next opsbook command retries): %v", cause, err)
		}
		if err := r.removeJournal(); err != nil {
			return i18n.Errorf("%w; and removing the journal failed: %v", cause, err)
		}
		return cause
	}
	if err := r.writeFiles(j, writes); err != nil {
		return "", undo(err)
	}

	var add []*index.Entry
	for _, p := range paths {
		s := states[p]
		if s.hash == "" {
			continue
		}
		wf, err := r.readWorkFile(p, trustMode, s.mode)
		if err != nil {
			return "", undo(err)
		}
		e := indexEntryFor(p, wf)
		e.Hash, e.Mode = plumbing.NewHash(s.hash), s.mode
		add = append(add, e)
	}
	if sp != nil {
		replaced := make(map[string]bool, len(states))
		for p := range states {
			replaced[p] = true
		}
		parts, err := sp.splice(replaced, add)
		if err == nil {
			err = lock.writeRaw(parts...)
		}
		if err != nil {
			return "", undo(err)
		}
	} else {
		kept := idx.Entries[:0]
		for _, e := range idx.Entries {
			if _, ok := states[e.Name]; !ok {
				kept = append(kept, e)
			}
		}
		idx.Entries = append(kept, add...)
		sort.SliceStable(idx.Entries, func(i, j int) bool { return idx.Entries[i].Name < idx.Entries[j].Name })
		if idx.Version == 0 {
			idx.Version = 2
		}
		if err := lock.write(idx); err != nil {
			return "", undo(err)
		}
	}
	step("index-written")
	if err := ctx.Err(); err != nil {
		return "", undo(err)
	}
	if err := ref.publish(); err != nil {
		return "", undo(i18n.Errorf("updating %s: %w", branch.Short(), err))
	}
	step("ref")

	// The branch has moved: from here on, failures are reported with the
	// hash, and the journal stays for the next opsbook to finish.
	if err := lock.publish(); err != nil {
		return hash.String(), i18n.Errorf("made commit %s but could not update the index; the next opsbook command (or `opsbook doctor`) finishes it: %w", hash.String()[:12], err)
	}
	step("index")
	what := "commit"
	if parent.IsZero() {
		what = "commit (initial)"
	}
	r.appendReflogs(cfg, branch, parent, hash, committer, what+": "+subject)
	if err := r.removeJournal(); err != nil {
		return hash.String(), i18n.Errorf("made commit %s but could not remove the journal: %w", hash.String()[:12], err)
	}
	step("done")
	return hash.String(), nil
}

// WriteFiles writes files to the work tree without committing, all or
// nothing: journaled like Commit, and undone by recovery after a crash.
func (r *Repo) WriteFiles(ctx context.Context, what string, files []FileWrite) error {
	if err := r.pending(); err != nil {
		return err
	}
	// The blobs stored here only put the files back after a crash: a git
	// configuration that cannot be read does not stop the write (it stops
	// a commit), their level is then git's default.
	level := zlib.BestSpeed
	if cfg, err := r.config(); err == nil {
		if l, err := looseLevel(cfg); err == nil {
			level = l
		}
	}
	j := &journal{Version: 1, Owner: self(), What: what}
	writes := map[string]*FileWrite{}
	for i := range files {
		f := &files[i]
		if err := checkPath(f.Path); err != nil {
			return err
		}
		wf, err := r.readWorkFile(f.Path, true, filemode.Regular)
		if err != nil {
			return err
		}
		jf := journalFile{Path: f.Path, Worktree: true}
		if wf.exists {
			if err := r.storeBlob(wf, level); err != nil {
				return i18n.Errorf("storing %s: %w", f.Path, err)
			}
			jf.Old, jf.OldMode = wf.hash.String(), uint32(wf.mode)
		}
		if !f.Remove {
			nf := workFile{exists: true, data: f.Data, mode: filemode.Regular, hash: plumbing.ComputeHash(plumbing.BlobObject, f.Data)}
			if wf.mode == filemode.Executable {
				nf.mode = wf.mode
			}
			if err := r.storeBlob(nf, level); err != nil {
				return i18n.Errorf("storing %s: %w", f.Path, err)
			}
			jf.New, jf.NewMode = nf.hash.String(), uint32(nf.mode)
		}
		writes[f.Path] = f
		j.Files = append(j.Files, jf)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.writeJournal(j); err != nil {
		return err
	}
	step("journal")
	if err := r.writeFiles(j, writes); err != nil {
		if uerr := r.undoFiles(j); uerr != nil {
			return i18n.Errorf("%w; and putting the files back failed (the next opsbook command retries): %v", err, uerr)
		}
		r.removeJournal()
		return err
	}
	step("files")
	return r.removeJournal()
}

// writeFiles writes the journal's work-tree files: new and changed files
// first, removals last (so a rename has its new file before the old goes).
func (r *Repo) writeFiles(j *journal, writes map[string]*FileWrite) error {
	order := slices.Clone(j.Files)
	sort.SliceStable(order, func(a, b int) bool { return order[a].New != "" && order[b].New == "" })
	for i, jf := range order {
		w := writes[jf.Path]
		if w == nil {
			continue
		}
		name := filepath.Join(r.root, filepath.FromSlash(jf.Path))
		if w.Remove {
			if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
				return i18n.Errorf("removing %s: %w", jf.Path, err)
			}
		} else if err := writeWorkData(name, w.Data, filemode.FileMode(jf.NewMode)); err != nil {
			return i18n.Errorf("writing %s: %w", jf.Path, err)
		}
		step(fmt.Sprintf("file-%d", i+1))
	}
	return nil
}

// undoFiles puts the journal's work-tree files back as they were.
func (r *Repo) undoFiles(j *journal) error {
	var errs []error
	for _, jf := range j.Files {
		if !jf.Worktree {
			continue
		}
		if err := r.putWorkFile(jf.Path, fileState{hash: jf.Old, mode: filemode.FileMode(jf.OldMode)}, jf.New); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func signatures(author, committer Signature) (Signature, Signature, error) {
	if author.When.IsZero() {
		author.When = time.Now()
	}
	if committer.Name == "" && committer.Email == "" {
		committer = Signature{Name: author.Name, Email: author.Email, When: committer.When}
	}
	if committer.When.IsZero() {
		committer.When = author.When
	}
	for _, s := range []struct {
		role i18n.Phrase
		sig  Signature
	}{{roleAuthor, author}, {roleCommitter, committer}} {
		if strings.TrimSpace(s.sig.Email) == "" {
			return author, committer, i18n.Errorf("committing: the %s has no email", s.role)
		}
		if strings.TrimSpace(s.sig.Name) == "" {
			return author, committer, i18n.Errorf("committing: the %s has no name", s.role)
		}
		if err := checkIdent(s.sig.Name, s.sig.Email); err != nil {
			return author, committer, i18n.Errorf("committing: %s: %w", s.role, err)
		}
	}
	return author, committer, nil
}

// checkMarkers refuses a merge, rebase, am, cherry-pick, revert or bisect
// in progress.
func (r *Repo) checkMarkers() error {
	type marker struct {
		name      string
		what, fix i18n.Phrase
	}
	for _, m := range []marker{
		{"MERGE_HEAD", i18n.P("a merge is in progress"), i18n.P("finish it with `git commit` or abort it with `git merge --abort`")},
		{"rebase-merge", i18n.P("a rebase is in progress"), i18n.P("finish it with `git rebase --continue` or abort it with `git rebase --abort`")},
		{"rebase-apply/applying", i18n.P("`git am` is in progress"), i18n.P("finish it with `git am --continue` or abort it with `git am --abort`")},
		{"rebase-apply", i18n.P("a rebase is in progress"), i18n.P("finish it with `git rebase --continue` or abort it with `git rebase --abort`")},
		{"CHERRY_PICK_HEAD", i18n.P("a cherry-pick is in progress"), i18n.P("finish it with `git cherry-pick --continue` or abort it with `git cherry-pick --abort`")},
		{"REVERT_HEAD", i18n.P("a revert is in progress"), i18n.P("finish it with `git revert --continue` or abort it with `git revert --abort`")},
		{"BISECT_LOG", i18n.P("a bisect is in progress"), i18n.P("end it with `git bisect reset`")},
	} {
		if _, err := os.Lstat(filepath.Join(r.gitDir, m.name)); err == nil {
			return i18n.Errorf("%w: %s; %s, then run opsbook again", ErrState, m.what, m.fix)
		}
	}
	return nil
}

func (r *Repo) indexPath() string { return filepath.Join(r.gitDir, "index") }

func (r *Repo) storeBlob(wf workFile, level int) error {
	h, _, err := r.writeObject(plumbing.BlobObject, wf.data, level)
	if err == nil && h != wf.hash {
		err = i18n.Errorf("its content hashes to %s, not %s", h, wf.hash)
	}
	return err
}

// syncObjects makes the loose objects just stored durable: each file, then
// each folder that holds one, then the objects folder. go-git writes
// them with a rename but no fsync, so without this a power cut after the
// branch moved could leave it naming an object that never reached the
// disk. An object found in a pack (stored before) has no loose file.
func (r *Repo) syncObjects(hashes []plumbing.Hash) error {
	objects := filepath.Join(r.commonDir, "objects")
	dirs := map[string]bool{}
	for _, h := range hashes {
		s := h.String()
		dir := filepath.Join(objects, s[:2])
		f, err := os.Open(filepath.Join(dir, s[2:]))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return i18n.Errorf("making object %s durable: %w", s, err)
		}
		err = syncFile(f)
		f.Close()
		if err != nil {
			return i18n.Errorf("making object %s durable: %w", s, err)
		}
		dirs[dir] = true
	}
	if len(dirs) == 0 {
		return nil
	}
	dirs[objects] = true
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return i18n.Errorf("making %s durable: %w", d, err)
		}
	}
	return nil
}

// syncFile is (*os.File).Sync; tests count what it is given.
var syncFile = func(f *os.File) error { return f.Sync() }

// cleanPaths checks each path and drops repeats, keeping the order.
func cleanPaths(paths []string) ([]string, error) {
	seen := make(map[string]bool, len(paths))
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// treeChange is the new state of one file in a tree.
type treeChange struct {
	remove bool
	hash   plumbing.Hash
	mode   filemode.FileMode
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
