package cli

import (
	"context"
	"slices"
	"time"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
)

// A command whose answer needs the whole department (summary, inbox)
// gives a stored one while it holds (repo.Memo) and otherwise makes it
// with a full pass, which stores it for the next time.

// memoFound is what recallMemo found: the department's fingerprint before
// the pass ("" when there is none to store by), and the memo when it holds.
type memoFound struct {
	fp   string
	root string
	memo *repo.Memo
	// d is the refreshed index fp was taken from (nil when the memo was
	// found on the monitor's word).
	d *repo.Indexed
	// stale is the memo when it holds but for the department, which
	// changed since it was made (its fingerprint is another): the base
	// of an answer made again for what changed.
	stale *repo.Memo
}

// recallMemo fingerprints the department and reads the memo called name;
// found.memo is nil unless it holds at now: the same fingerprint, day and
// window, the attachments it looked at unchanged, and the files whose
// commit state it asked still answering the same.
func (g *global) recallMemo(ctx context.Context, name string, now time.Time) (memoFound, error) {
	if g.noCache {
		return memoFound{}, nil
	}
	f, loaded, ok := g.vouchedMemo(name, now)
	if ok {
		return f, nil
	}
	loadedRoot := f.root
	d, err := repo.OpenIndexed(ctx, g.dir)
	if err != nil {
		return memoFound{}, ctx.Err()
	}
	fp, _ := d.Fingerprint()
	if fp == "" {
		return memoFound{}, nil
	}
	f = memoFound{fp: fp, root: d.Root, d: d}
	m, err := loaded, error(nil)
	if m == nil || d.Root != loadedRoot {
		m, err = repo.LoadMemo(d.Root, name)
	}
	switch {
	case err != nil:
		repo.Trace("%s memo: %v", name, err)
	case !m.Holds(fp, now):
		repo.Trace("%s memo: %s", name, m.Why(fp, now))
		if m.Holds(m.Fingerprint, now) && repo.SameFiles(d.Root, m.Files) && sameCommitState(d.Root, m.Dirty) {
			f.stale = m
		}
	case !repo.SameFiles(d.Root, m.Files):
		repo.Trace("%s memo: an attachment changed", name)
	case !sameCommitState(d.Root, m.Dirty):
		repo.Trace("%s memo: an attachment's commit state changed", name)
	case !sameHistory(d.Root, m.History):
		repo.Trace("%s memo: the history it read changed", name)
	default:
		f.memo = m
	}
	return f, nil
}

// vouchedMemo finds the memo called name without refreshing the index
// when the file-system monitor vouches that no record file changed since
// it was made (repo.Memo.Vouched), and it holds now as a memo found the
// usual way must: the same day and horizon, the same attachments, the
// same commit state.
// The memo read is returned too (nil: none could be read), for the
// caller not to read it again, with the root it was read in (found.root).
func (g *global) vouchedMemo(name string, now time.Time) (memoFound, *repo.Memo, bool) {
	root, err := config.FindRoot(g.dir)
	if err != nil {
		return memoFound{}, nil, false
	}
	pol, _, err := config.Load(root)
	if err != nil {
		return memoFound{}, nil, false
	}
	m, err := repo.LoadMemo(root, name)
	if err != nil {
		return memoFound{}, nil, false
	}
	if !m.Vouched(root, pol) || !m.Holds(m.Fingerprint, now) || !repo.SameFiles(root, m.Files) || !sameCommitState(root, m.Dirty) || !sameHistory(root, m.History) {
		return memoFound{root: root}, m, false
	}
	repo.Trace("%s memo: reused on the monitor's word", name)
	return memoFound{fp: m.Fingerprint, root: root, memo: m}, m, true
}

// sameCommitState asks again whether each path is committed as it is.
func sameCommitState(root string, was map[string]bool) bool {
	if len(was) == 0 {
		return true
	}
	gs, err := gitstore.Open(root)
	if err != nil {
		return false
	}
	paths := make([]string, 0, len(was))
	for p := range was {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	dirty, err := gs.Dirty(paths)
	if err != nil {
		return false
	}
	now := map[string]bool{}
	for _, p := range dirty {
		now[p] = true
	}
	for _, p := range paths {
		if was[p] != now[p] {
			return false
		}
	}
	return true
}

// sameHistory tells whether what a memo read of the history (h) is what
// it reads now (audit.LeftHolds): HEAD is the same commit, or the answers
// asked again are the same.
func sameHistory(root string, h *repo.HistoryRead) bool {
	_, ok := historyHolds(root, h, nil)
	return ok
}

// historyHolds is sameHistory leaving out the projects skip tells (changed
// since: their answers are not compared), and saying the commit HEAD is
// now ("" when h read nothing).
func historyHolds(root string, h *repo.HistoryRead, skip func(path string) bool) (head string, ok bool) {
	if h == nil || len(h.Left) == 0 {
		return "", true
	}
	answers := make(map[string]audit.Left, len(h.Left))
	for p, a := range h.Left {
		answers[p] = audit.Left(a)
	}
	return audit.LeftHolds(root, h.Head, answers, skip)
}

// historyAgain is what an answer made again from an earlier one read of
// the history: the earlier one's (was), which must read the same now but
// for the projects changed since (changes: judged again), and what asked
// answered since. ok is false when was's answers read otherwise now, or
// HEAD moved while the answer was made again.
func historyAgain(root string, was *repo.HistoryRead, asked *audit.LeftAsked, changes []repo.ClaimChange) (*repo.HistoryRead, bool) {
	changed := map[string]bool{}
	for _, c := range changes {
		for _, e := range []*index.Entry{c.Was, c.Now} {
			if e != nil {
				changed[e.Path] = true
			}
		}
	}
	head, ok := historyHolds(root, was, func(p string) bool { return changed[p] })
	if !ok {
		return nil, false
	}
	hist := historyRead(asked)
	if was == nil || len(was.Left) == 0 {
		return hist, true
	}
	switch {
	case hist == nil:
		hist = &repo.HistoryRead{Head: head, Left: map[string]repo.LeftAnswer{}}
	case hist.Head != head:
		return nil, false
	}
	for p, a := range was.Left {
		if _, again := hist.Left[p]; !changed[p] && !again {
			hist.Left[p] = a
		}
	}
	return hist, true
}

// historyRead is what asked read of the history, for a memo (nil:
// nothing).
func historyRead(asked *audit.LeftAsked) *repo.HistoryRead {
	if asked == nil {
		return nil
	}
	head, answers := asked.Asked()
	if len(answers) == 0 {
		return nil
	}
	h := &repo.HistoryRead{Head: head, Left: make(map[string]repo.LeftAnswer, len(answers))}
	for p, a := range answers {
		h.Left[p] = repo.LeftAnswer(a)
	}
	return h
}

// beforePass runs between a memo's fingerprint and the full pass that
// makes the answer when the memo does not hold: a test's hook to change
// files there.
var beforePass = func() {}

// afterPass runs between the full pass's reading of the department and
// the fingerprint of what it read: a test's hook to change files there.
var afterPass = func() {}

// storeMemo keeps value as the memo called name when the department the
// pass read is the one found fingerprinted before it (found.fp) and the
// attachments the pass looked at (seen) have stat data that vouch for
// their content; the pass started at start, answered as of now, and
// registered its horizon in h. dirty is the commit state it asked
// (repo.Memo.Dirty), hist what it read of the history (repo.Memo.History).
// read is the fingerprint of the department as the
// pass read it (repo.Repo.Fingerprint, "" when it has none): when it is
// found.fp the answer is of that department, whatever changed since, and
// the index need not be refreshed again to know; when it is another, the
// answer is of another department, and is not stored under found.fp even
// if the department is that one again by now (a file changed before the
// pass read it and put back after). Without it, the index is refreshed
// and must still give found.fp. It returns the memo stored, or nil.
func (g *global) storeMemo(ctx context.Context, name string, found memoFound, read string, now, start time.Time, h *rules.Horizon, seen []string, dirty map[string]bool, hist *repo.HistoryRead, value []byte, warning string) *repo.Memo {
	fp := found.fp
	if fp == "" {
		return nil
	}
	if read != "" && read != fp {
		repo.Trace("%s memo: not stored: the pass read another department than the one fingerprinted", name)
		return nil
	}
	d := found.d
	if d == nil || read == "" {
		var err error
		if d, err = repo.OpenIndexed(ctx, g.dir); err != nil {
			return nil
		}
		if after, ok := d.Fingerprint(); !ok || after != fp {
			repo.Trace("%s memo: not stored: the department changed during the pass", name)
			return nil
		}
	} else {
		repo.Trace("%s memo: the pass read the department fingerprinted", name)
	}
	files, ok := repo.SeeFiles(d.Root, seen, start)
	if !ok {
		repo.Trace("%s memo: not stored: an attachment changed too recently", name)
		return nil
	}
	if !sameCommitState(d.Root, dirty) {
		repo.Trace("%s memo: not stored: an attachment's commit state changed during the pass", name)
		return nil
	}
	m := &repo.Memo{Fingerprint: fp, Day: now.Format(time.DateOnly), From: now, Files: files, Dirty: dirty, History: hist, Value: value, Warning: warning}
	if token, listed, ok := d.MonitorMark(); ok {
		// the head in fp (a policy file changed since holds another)
		if head := d.FingerprintHead(); head != "" {
			m.Token, m.Listed, m.Head = token, listed, head
		}
	}
	if at := h.At(); !at.IsZero() {
		m.Until = &at
	}
	if repo.SaveMemo(d.Root, name, m) != nil {
		return nil
	}
	return m
}
