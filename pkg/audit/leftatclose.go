package audit

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// LeftAtClose is rules.Context.LeftAtClose for the git repository whose
// work tree holds root: who of a closed project's team had left when it
// was closed, for a project closed before the move stamped closure.left.
// It reads the people registry of the commit that closed the project, as
// verify judges the stamp: the members that registry holds inactive. The
// commit that closed it is found back from HEAD's version of the file:
// the commit that made that version, and, while the version before it was
// closed too, the one that made that version, down to the move to closed
// (or the commit that brought the project closed, such as an import).
//
// The repository is opened and its history read once, on the first
// question (one pass over the commit index for every project file made);
// each answer is remembered, and it is safe for concurrent use (the rules
// run on all cores). Without a repository, or when HEAD does not hold the
// project closed, the answer is not known. The commit index in
// .git/opsbook/ is read as history and log read it: the answer spares a
// returning member a refusal of opsbook's own writes and validate's error;
// verify never asks it.
func LeftAtClose(root string) func(prj *record.Record) ([]string, bool) {
	return NewLeftAsked(root).Ask
}

// LeftAsked answers LeftAtClose (Ask) and keeps what it answered (Asked):
// an answer made with it read that much of the history, and holds while
// those answers do (LeftHolds).
type LeftAsked struct {
	root    string
	mu      sync.Mutex
	f       *closeFinder
	answers map[string]Left
}

// Left is LeftAtClose's answer for a project: who had left (Left) when
// Known.
type Left struct {
	Left  []string `json:"left,omitempty"`
	Known bool     `json:"known"`
}

// NewLeftAsked is a LeftAsked of the repository whose work tree holds
// root.
func NewLeftAsked(root string) *LeftAsked {
	return &LeftAsked{root: root, answers: map[string]Left{}}
}

// Ask is LeftAtClose's question.
func (l *LeftAsked) Ask(prj *record.Record) ([]string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a, asked := l.answers[prj.Path]; asked {
		return a.Left, a.Known
	}
	if l.f == nil {
		l.f = newCloseFinder(context.Background(), l.root)
	}
	left, ok := l.f.leftAtClose(prj)
	l.answers[prj.Path] = Left{left, ok}
	return left, ok
}

// Asked returns what Ask answered, by project path (nil: nothing asked),
// and the commit HEAD was when the history was read ("" for none: no
// repository, no commit).
func (l *LeftAsked) Asked() (head string, answers map[string]Left) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.answers) == 0 {
		return "", nil
	}
	answers = make(map[string]Left, len(l.answers))
	for p, a := range l.answers {
		answers[p] = a
	}
	return l.f.head, answers
}

// LeftHolds tells whether LeftAtClose answers now, for the projects of
// answers (by path, read from the work tree), what it answered when HEAD
// was head: at once when HEAD is still head (the history below a commit
// is the commit's), else by asking again (a history rewritten, amended,
// reset; a commit made since). skip leaves out the paths whose answers
// are not to be compared (projects changed since). It returns the commit
// HEAD is now.
func LeftHolds(root, head string, answers map[string]Left, skip func(path string) bool) (now string, holds bool) {
	now = headOf(root)
	if now == head {
		return now, true
	}
	l := NewLeftAsked(root)
	for p, was := range answers {
		if skip != nil && skip(p) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			return now, false
		}
		prj, _ := record.ParseLean(p, data)
		if prj == nil {
			return now, false
		}
		left, ok := l.Ask(prj)
		if ok != was.Known || !slices.Equal(left, was.Left) {
			return now, false
		}
	}
	if l.f != nil && l.f.head != now {
		return now, false // HEAD moved while the answers were asked again
	}
	return now, true
}

// headOf is the commit HEAD is in the repository whose work tree holds
// root ("" for none).
func headOf(root string) string {
	r, err := Open(root)
	if err != nil {
		return ""
	}
	defer r.Close()
	h, err := r.Resolve("HEAD")
	if err != nil {
		return ""
	}
	return h.String()
}

// closeFinder finds the commits that closed projects.
type closeFinder struct {
	r    *Repo  // nil: no history to read
	head string // the commit HEAD was ("" for none)
	tree plumbing.Hash
	// made holds, for each version of a project file (path and blob),
	// the commit that made it and the version before.
	made map[pathBlob]madeBy
}

type pathBlob struct {
	path string
	blob plumbing.Hash
}

type madeBy struct {
	commit plumbing.Hash
	before plumbing.Hash
}

func newCloseFinder(ctx context.Context, root string) *closeFinder {
	f := &closeFinder{made: map[pathBlob]madeBy{}}
	r, err := Open(root)
	if err != nil {
		return f
	}
	head, err := r.Resolve("HEAD")
	if err == nil {
		f.head = head.String()
		err = r.EnsureIndexed(ctx, head)
	}
	var rl *Rules
	if err == nil {
		f.tree = r.Indexed(head).Tree
		rl, err = r.rulesAt(f.tree)
	}
	if err != nil {
		r.Close()
		return f
	}
	folder := rl.Dir + "/" + record.Info(record.Project).Plural + "/"
	for _, h := range r.ancestors(head) {
		nd := r.Indexed(h)
		for _, c := range nd.Changes() {
			if c.New.IsZero() || !strings.HasPrefix(c.Path, folder) || fromOther(c.New, c.Others) {
				continue // a merge's version brought from another side is made there
			}
			k := pathBlob{c.Path, c.New}
			if m, ok := f.made[k]; !ok || r.TimeOf(h) > r.TimeOf(m.commit) {
				f.made[k] = madeBy{h, c.Old}
			}
		}
	}
	f.r = r
	return f
}

func fromOther(b plumbing.Hash, others []plumbing.Hash) bool {
	for _, o := range others {
		if o == b {
			return true
		}
	}
	return false
}

// leftAtClose answers LeftAtClose for one project.
func (f *closeFinder) leftAtClose(prj *record.Record) ([]string, bool) {
	if f.r == nil {
		return nil, false
	}
	path := f.r.Prefix() + prj.Path
	b, err := f.r.BlobAt(f.tree, path)
	if err != nil || b.IsZero() || f.status(b, path) != "closed" {
		return nil, false
	}
	var at plumbing.Hash
	for range 1000 { // a version made again later cannot loop for long
		m, ok := f.made[pathBlob{path, b}]
		if !ok {
			return nil, false
		}
		if m.before.IsZero() || f.status(m.before, path) != "closed" {
			at = m.commit
			break
		}
		b = m.before
	}
	if at.IsZero() {
		return nil, false
	}
	t, err := f.r.TreeOf(at)
	if err != nil {
		return nil, false
	}
	rl, err := f.r.rulesAt(t)
	if err != nil {
		return nil, false
	}
	return workflow.LeftTeam(prj, rl.People), true
}

// status is the state of the record in blob b.
func (f *closeFinder) status(b plumbing.Hash, path string) string {
	data, err := f.r.Blob(b, record.MaxFileSize)
	if err != nil {
		return ""
	}
	rec, _ := record.ParseLean(path, data)
	if rec == nil {
		return ""
	}
	return rec.Status()
}
