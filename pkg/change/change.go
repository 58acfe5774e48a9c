// Package change is the one door every change to the records goes through:
// the workflow decides whether the actor may make it, the rules judge the
// records it leaves behind, the files are written atomically, and one commit
// holds exactly the files changed. When anything refuses, the repository is
// left as it was found.
package change

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// Errors the CLI maps to exit statuses.
var (
	// ErrRepository: the repository cannot be used (not git, detached HEAD,
	// merge in progress, read-only).
	ErrRepository = errors.New("repository cannot be changed")
	// ErrUsage: the command was given something that cannot be (an id of
	// the wrong shape, a record that does not exist).
	ErrUsage = errors.New("usage")
	// ErrBusy: another opsbook holds the lock.
	ErrBusy = gitstore.ErrBusy
)

// Refused is a change the rules do not allow. Diagnostics, when present,
// are the validation errors the change would introduce.
type Refused struct {
	Reason      string
	Rule        string
	Diagnostics []diag.Diagnostic
	// Invalid is set when the refusal is for invalid values (schema), as
	// opposed to the department's rules.
	Invalid bool
}

func (r *Refused) Error() string {
	if len(r.Diagnostics) == 0 {
		return r.Reason
	}
	var b strings.Builder
	b.WriteString(r.Reason)
	for _, d := range r.Diagnostics {
		b.WriteString("\n  " + d.String())
	}
	return b.String()
}

// Session is an opened, locked repository with a known actor.
type Session struct {
	Repo   *repo.Repo
	Git    *gitstore.Repo
	Actor  workflow.Actor
	Person *record.Record
	Name   string
	Email  string
	// Now is the moment stamped into records (acknowledged_at, dates).
	Now    time.Time
	Commit bool
	env    workflow.Env
	unlock func()
	before []diag.Diagnostic
	// The actor's identity for encrypted fields, read on first use.
	idRead bool
	id     *crypt.Identity
	idErr  error
}

// Options are how Open opens a session.
type Options struct {
	// NoCommit leaves changes in the work tree.
	NoCommit bool
	// Now is the moment stamped into records.
	Now time.Time
	// Wait is how long to wait for another opsbook's lock (0: fail at once).
	Wait time.Duration
	// Notes receives what Open did by itself (a stale lock taken over, an
	// interrupted change finished or undone); nil discards them.
	Notes io.Writer
}

// DefaultWait is how long a write waits for another opsbook by default.
const DefaultWait = 10 * time.Second

// Open finds the repository from dir, checks that git can take a commit,
// takes the lock (waiting DefaultWait), recovers what an interrupted opsbook
// left behind, loads the records and resolves the actor from the git
// identity. noCommit leaves changes in the work tree.
func Open(ctx context.Context, dir string, noCommit bool, now time.Time) (*Session, error) {
	return OpenWith(ctx, dir, Options{NoCommit: noCommit, Now: now, Wait: DefaultWait})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dir string, o Options) (*Session, error) {
	noCommit, now := o.NoCommit, o.Now
	root, err := config.FindRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRepository, err)
	}
	g, err := gitstore.Open(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRepository, err)
	}
	unlock, err := lockAndRecover(ctx, g, o.Wait, o.Notes)
	if err != nil {
		return nil, err
	}
	g.WaitGitLock(ctx)
	if err := g.CheckState(); err != nil {
		unlock()
		return nil, fmt.Errorf("%w: %v", ErrRepository, err)
	}
	s := &Session{Git: g, Now: now, unlock: unlock}
	ok := false
	defer func() {
		if !ok {
			unlock()
		}
	}()
	if s.Repo, err = repo.Load(ctx, root); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRepository, err)
	}
	s.Commit = !noCommit && s.Repo.Policy.Commit
	if s.Name, s.Email, err = g.Identity(); err != nil {
		return nil, &Refused{Rule: workflow.RuleActorUnknown, Reason: fmt.Sprintf("who are you? %v (set user.email in git config to an address in your people record)", err)}
	}
	s.Person = PersonByEmail(s.Repo.Set, s.Email)
	if s.Person == nil {
		return nil, &Refused{Rule: workflow.RuleActorUnknown, Reason: fmt.Sprintf("unknown person: no one in %s/people has the email %s (your git author email: GIT_AUTHOR_EMAIL or user.email); an unknown person may change nothing", s.Repo.Policy.Records, s.Email)}
	}
	s.Actor = workflow.ActorOf(s.Person)
	if !s.Actor.Active {
		return nil, &Refused{Rule: workflow.RuleActorInactive, Reason: fmt.Sprintf("%s is not active: an inactive person may change nothing", s.Actor.Handle)}
	}
	s.env = workflow.Env{Policy: s.Repo.Policy, People: workflow.NewPeople(s.Repo.Set.OfKind(record.Person)),
		Now: now, Records: s.Repo.Set}
	s.before = s.Repo.Validate(now)
	ok = true
	return s, nil
}

// Close releases the lock.
func (s *Session) Close() {
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
}

// Env is the workflow environment of the session.
func (s *Session) Env() workflow.Env { return s.env }

// PersonByEmail finds the person whose emails hold email (case-insensitive).
func PersonByEmail(set *record.Set, email string) *record.Record {
	for _, p := range set.OfKind(record.Person) {
		for _, e := range p.Strings("emails") {
			if strings.EqualFold(e, email) {
				return p
			}
		}
	}
	return nil
}

// Edit is one file the change writes: new content for Path, or nil Data to
// remove it. Before is the record as it was (nil for a new file). File
// marks an attachment (written and committed, never parsed as a record).
type Edit struct {
	Path   string
	Before *record.Record
	Data   []byte
	File   bool
}

// Message is what the commit says.
type Message struct {
	Kind   record.Kind
	ID     string
	Action string
	Note   string
	// Mechanical marks a change that only rewrites ids (renumber): the
	// workflow is not asked, the rules still are.
	Mechanical bool
}

func (m Message) subject() string { return fmt.Sprintf("%s %s: %s", m.Kind, m.ID, m.Action) }

func (m Message) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n", m.Kind, m.ID, m.Action)
	if n := strings.TrimSpace(m.Note); n != "" {
		b.WriteString("\n" + n + "\n")
	}
	fmt.Fprintf(&b, "\nOpsbook-Record: %s\nOpsbook-Action: %s\n", m.ID, m.Action)
	return b.String()
}

// Result is what a change did.
type Result struct {
	Paths  []string
	Commit string // empty with --no-commit
	// Unchanged: the files already say this; nothing was written.
	Unchanged bool
}

// Parse turns an edit's content into a record for checking, with the
// problems of its text and schema.
func (s *Session) Parse(e Edit) (*record.Record, []diag.Diagnostic) {
	rec, ds := record.Parse(e.Path, e.Data)
	if rec == nil {
		return nil, ds
	}
	ds = append(ds, record.CheckPlace(rec, s.Repo.Policy.Records)...)
	ds = append(ds, s.Repo.Schemas.Validate(rec)...)
	return rec, ds
}

// Check decides whether the edits may be made, without writing anything.
func (s *Session) Check(edits []Edit, msg Message) error {
	edits, err := s.seal(edits)
	if err != nil {
		return err
	}
	after := make([]*record.Record, len(edits))
	var invalid []diag.Diagnostic
	var changes []workflow.Change
	pending := map[string][]byte{}
	for _, e := range edits {
		if e.File {
			pending[e.Path] = e.Data
		}
	}
	for i, e := range edits {
		if e.File {
			continue
		}
		if e.Data == nil {
			changes = append(changes, workflow.Change{Before: e.Before})
			continue
		}
		rec, ds := s.Parse(e)
		for _, d := range ds {
			if d.Severity == diag.Error {
				invalid = append(invalid, d)
			}
		}
		if rec == nil {
			continue
		}
		after[i] = rec
		changes = append(changes, workflow.Change{Before: e.Before, After: rec})
	}
	if len(invalid) > 0 {
		return &Refused{Reason: fmt.Sprintf("refused: %s %s would not be valid; nothing was changed", msg.Kind, msg.ID), Rule: "validate", Diagnostics: diag.Sort(invalid), Invalid: true}
	}
	env := s.env
	env.Records = overlay{s.Repo.Set, changes}
	if rs := workflow.CheckChanges(s.Actor, changes, env); len(rs) > 0 && !msg.Mechanical {
		var reasons []string
		for _, r := range rs {
			reasons = append(reasons, r.Message)
		}
		return &Refused{Reason: "refused: " + strings.Join(reasons, "; "), Rule: rs[0].Rule}
	}
	for i, e := range edits {
		if err := s.checkNDA(e.Before, after[i]); err != nil {
			return err
		}
		if err := s.checkSealed(e.Before, after[i], pending); err != nil {
			return err
		}
	}
	return s.checkRules(edits, after, pending)
}

// Apply checks the edits and, when allowed, writes and commits them.
func (s *Session) Apply(ctx context.Context, edits []Edit, msg Message) (*Result, error) {
	edits, err := s.seal(edits)
	if err != nil {
		return nil, err
	}
	if err := s.Check(edits, msg); err != nil {
		return nil, err
	}
	paths := make([]string, len(edits))
	var recordPaths []string
	same := true
	for i, e := range edits {
		paths[i] = e.Path
		if !e.File {
			recordPaths = append(recordPaths, e.Path)
		}
		cur, err := os.ReadFile(filepath.Join(s.Repo.Root, filepath.FromSlash(e.Path)))
		same = same && e.Data != nil && err == nil && bytes.Equal(cur, e.Data)
	}
	if same {
		if err := s.uncommittedAttachments(edits, paths); err != nil {
			return nil, err
		}
		return &Result{Paths: paths, Unchanged: true}, nil
	}
	if s.Commit && s.Repo.Policy.RequireSignatures {
		if err := s.checkSigningKey(); err != nil {
			return nil, err
		}
	}
	if s.Commit {
		dirty, err := s.Git.Dirty(recordPaths)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRepository, err)
		}
		if len(dirty) > 0 {
			return nil, &Refused{Rule: "uncommitted", Reason: fmt.Sprintf("refused: %s has uncommitted changes of its own; commit or discard them first (git diff -- %s), or use --no-commit", strings.Join(dirty, ", "), strings.Join(dirty, " "))}
		}
	}
	files := make([]gitstore.FileWrite, len(edits))
	for i, e := range edits {
		files[i] = gitstore.FileWrite{Path: e.Path, Data: e.Data, Remove: e.Data == nil}
	}
	res := &Result{Paths: paths}
	if !s.Commit {
		if err := s.Git.WriteFiles(ctx, msg.subject(), files); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil, fmt.Errorf("stopped by a signal before writing; nothing was changed")
			}
			return nil, fmt.Errorf("writing: %w", err)
		}
		return res, nil
	}
	// The author is the person of the records (their name as registered),
	// with the email git knows them by, at the moment the change stamps
	// (acknowledged_at, actual dates): verify checks stamps against the
	// commit's time.
	who := gitstore.Signature{Name: s.Person.Title(), Email: s.Email, When: s.Now}
	if who.Name == "" {
		who.Name = s.Name
	}
	req := gitstore.CommitRequest{Files: files, Message: msg.String(), Author: who}
	if s.Repo.Policy.RequireSignatures {
		req.Sign = gitstore.SignAlways
	}
	hash, err := s.Git.Commit(ctx, req)
	if err != nil {
		if errors.Is(err, gitstore.ErrNothingToCommit) {
			return res, nil
		}
		if hash == "" && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, fmt.Errorf("stopped by a signal before the commit; nothing was changed")
		}
		return nil, fmt.Errorf("committing: %w", err)
	}
	res.Commit = hash
	if err := s.checkCommitted(hash, edits); err != nil {
		return res, err
	}
	return res, nil
}

// checkRules runs the cross-record rules over the records as they would be
// and refuses errors the change introduces; errors already present
// elsewhere do not block it. Every such refusal is the department's rules
// speaking (exit 3), whichever rule it is: only a value the schema rejects
// (Check's "would not be valid") is Invalid.
func (s *Session) checkRules(edits []Edit, after []*record.Record, pending map[string][]byte) error {
	replaced := map[string]bool{}
	for _, e := range edits {
		if e.File {
			continue
		}
		replaced[e.Path] = true
	}
	var recs []*record.Record
	for _, r := range s.Repo.Set.Records {
		if !replaced[r.Path] {
			recs = append(recs, r)
		}
	}
	for _, r := range after {
		if r != nil {
			recs = append(recs, r)
		}
	}
	set := record.NewSet(recs)
	now := rules.Check(&rules.Context{Set: set, Policy: s.Repo.Policy, Root: s.Repo.Root, Now: s.Now, Pending: pending})
	key := func(d diag.Diagnostic) string {
		return d.Path + "\x00" + d.Rule + "\x00" + d.Record + "\x00" + d.Message
	}
	was := map[string]int{}
	for _, d := range s.before {
		was[key(d)]++
	}
	var added []diag.Diagnostic
	for _, d := range now {
		if d.Severity != diag.Error {
			continue
		}
		if was[key(d)] > 0 {
			was[key(d)]--
			continue
		}
		added = append(added, d)
	}
	if len(added) == 0 {
		return nil
	}
	return &Refused{Reason: i18n.T("refused: the change would break the rules; nothing was changed"), Rule: added[0].Rule, Diagnostics: diag.Sort(added)}
}

// checkSigningKey refuses, under require_signatures, to sign with an SSH key
// that is not registered to the actor: verify would reject the commit (the
// key, not the email, decides who acted).
func (s *Session) checkSigningKey() error {
	pub, ok, err := s.Git.SSHSigningKey()
	if err != nil || !ok {
		return nil // not SSH, or unreadable here: signing itself will say
	}
	for _, k := range s.Person.Strings("keys") {
		if f := strings.Fields(k); len(f) >= 2 && f[0]+" "+f[1] == pub {
			return nil
		}
	}
	return &Refused{Rule: "signature-unknown-key", Reason: fmt.Sprintf("refused: the policy requires signed commits, and your signing key (git user.signingkey) is not one registered to %s in %s/people/%s.yaml: verify would reject the commit", s.Actor.Handle, s.Repo.Policy.Records, s.Actor.Handle)}
}
