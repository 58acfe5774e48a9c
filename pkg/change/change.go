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
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/internal/heap"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// Errors the CLI maps to exit statuses.
var (
	// ErrRepository: the repository cannot be used (not git, detached HEAD,
	// merge in progress, read-only).
	ErrRepository = i18n.NewError("repository cannot be changed")
	// ErrUsage: the command was given something that cannot be (an id of
	// the wrong shape, a record that does not exist).
	ErrUsage = errors.New("usage")
	// ErrBusy: another opsbook holds the lock.
	ErrBusy = gitstore.ErrBusy
)

// Refused is a change the rules do not allow. Diagnostics, when present,
// are the validation errors the change would introduce.
type Refused struct {
	// Reason is the refusal in English (for -o json); Text is the same in
	// the reader's language.
	Reason      string
	Text        string
	Rule        string
	Diagnostics []diag.Diagnostic
	// Invalid is set when the refusal is for invalid values (schema), as
	// opposed to the department's rules.
	Invalid bool
	// Places are where the refusal's reasons are, one per reason, when it
	// has no Diagnostics (the workflow's refusals of one record's change):
	// the command names each by file, line, column, field and rule.
	Places []Place
}

// Place is where a refusal's reason is: the record's file, the line and
// column of the field at fault, the field ("" for the record as a whole)
// and the rule; Record and Message (English, for -o json) are the
// record's id and that reason alone.
type Place struct {
	Path         string
	Line, Column int
	Field        string
	Rule         string
	Record       string
	Message      string
}

// inFiles names each file a refusal is about as a place of its own, at
// its first line (a file as a whole: uncommitted changes); r for chaining.
func (r *Refused) inFiles(paths []string) *Refused {
	for _, p := range paths {
		r.Places = append(r.Places, Place{Path: p, Line: 1, Column: 1, Rule: r.Rule, Message: strings.TrimPrefix(r.Reason, "refused: ")})
	}
	return r
}

// Human is the reason in the reader's language.
func (r *Refused) Human() string {
	if r.Text != "" {
		return r.Text
	}
	return r.Reason
}

// refused makes a refusal from a catalog format.
//
// i18n:format 1
func refused(rule, format string, args ...any) *Refused {
	en, text := i18n.Both(format, args...)
	return &Refused{Rule: rule, Reason: en, Text: text}
}

func (r *Refused) Error() string {
	if len(r.Diagnostics) == 0 {
		return r.Human()
	}
	var b strings.Builder
	b.WriteString(r.Human())
	for _, d := range r.Diagnostics {
		b.WriteString("\n  " + d.String())
	}
	return b.String()
}

// Session is an opened, locked repository with a known actor.
type Session struct {
	// LeftAtClose, when set, is given to every rules run of the session
	// (rules.Context.LeftAtClose).
	LeftAtClose func(prj *record.Record) ([]string, bool)
	Repo        *repo.Repo
	Git         *gitstore.Repo
	Actor       workflow.Actor
	Person      *record.Record
	Name        string
	Email       string
	// Now is the moment stamped into records (acknowledged_at, dates).
	Now    time.Time
	Commit bool
	// Progress, when set, is told how far a change of several records has
	// got in a step (what: "reading", "judging"), or trying many moves
	// ("trying", TryMoves), from one goroutine.
	Progress func(what string, done, total int)
	env      workflow.Env
	unlock   func()
	paused   []byte // what Pause saw, until Resume
	before   []diag.Diagnostic
	// haveBefore: before holds the department's findings (computed on
	// the first change judged whole).
	haveBefore bool
	// near is set while the session reads the department through its
	// index (see lazy.go); ctx is the session's, for reading later.
	near *near
	ctx  context.Context
	// preview: a session that only asks (Preview); Apply refuses.
	preview bool
	// part: a preview opened on part of the department (PreviewPart),
	// which reads the rest as a session opened near does
	part bool
	// partWhole: a part preview that read the whole department (Whole)
	partWhole bool
	// files remembers what the attachments are, for a preview's many
	// checks: nothing writes them meanwhile.
	files *fileMemo
	// Horizon, when set, collects when the rules' answers given as of Now
	// may change by the passing of time alone (rules.Horizon): a preview's
	// answers kept for later (the inbox's memo) hold until then.
	Horizon *rules.Horizon
	// stanzas remembers the recipients of the ciphertexts the rules
	// read: a preview's runs over the whole department read them once.
	stanzas *crypt.StanzaMemo
	// The actor's identity for encrypted fields, read on first use.
	ident *identity
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
	// NoIndex reads the whole department without the index or the cache
	// (--no-cache), and judges every change on all of it.
	NoIndex bool
	// Query is a session that writes nothing (move ID listing the moves
	// open): a moment before the last commit is no refusal there, as it
	// is for a write (commit-date), only a question about that moment.
	Query bool
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
		return nil, i18n.Errorf("%w: %v", ErrRepository, err)
	}
	g, err := gitstore.Open(root)
	if err != nil {
		return nil, i18n.Errorf("%w: %v", ErrRepository, err)
	}
	unlock, err := lockAndRecover(ctx, g, o.Wait, o.Notes)
	if err != nil {
		return nil, err
	}
	g.WaitGitLock(ctx)
	if err := g.CheckState(); err != nil {
		unlock()
		return nil, i18n.Errorf("%w: %v", ErrRepository, err)
	}
	notes := o.Notes
	if o.Query {
		notes = nil
	}
	if err := checkNow(g, now, notes); err != nil && !o.Query {
		unlock()
		return nil, err
	}
	s := &Session{Git: g, Now: now, unlock: unlock, ctx: context.WithoutCancel(ctx)}
	ok := false
	defer func() {
		if !ok {
			unlock()
		}
	}()
	if !o.NoIndex {
		if s.Repo, s.near, err = openNear(ctx, root); err != nil {
			return nil, i18n.Errorf("%w: %v", ErrRepository, err)
		}
	}
	if s.Repo == nil {
		if s.Repo, err = repo.LoadWith(ctx, root, repo.Options{NoCache: o.NoIndex}); err != nil {
			return nil, i18n.Errorf("%w: %v", ErrRepository, err)
		}
	}
	s.Commit = !noCommit && s.Repo.Policy.Commit
	if s.Name, s.Email, err = g.Identity(); err != nil {
		return nil, refused(workflow.RuleActorUnknown, "who are you? %v (set user.email in git config to an address in your people record)", err)
	}
	if ps := PeopleByEmail(s.Repo.Set, s.Email); len(ps) > 1 {
		ids := make([]string, len(ps))
		for i, p := range ps {
			ids[i] = p.ID
		}
		return nil, refused(workflow.RuleActorUnknown, "your git author email %s is registered to several people (%s): a change by it is nobody's (verify names it actor-unknown); the director or leadership corrects their emails", s.Email, strings.Join(ids, ", "))
	}
	s.Person = PersonByEmail(s.Repo.Set, s.Email)
	if s.Person == nil {
		return nil, refused(workflow.RuleActorUnknown, "unknown person: no one in %s/people has the email %s (your git author email: GIT_AUTHOR_EMAIL or user.email); an unknown person may change nothing", s.Repo.Policy.Records, s.Email)
	}
	s.Actor = workflow.ActorOf(s.Person)
	if !s.Actor.Active {
		return nil, refused(workflow.RuleActorInactive, "%s is not active: an inactive person may change nothing", s.Actor.Handle)
	}
	s.env = workflow.Env{Policy: s.Repo.Policy, People: workflow.NewPeople(s.Repo.Set.OfKind(record.Person)),
		Now: now, Records: s.Repo.Set}
	if s.near != nil {
		s.env.Records = lazyRecords{s}
	}
	ok = true
	return s, nil
}

// ClockSkew is how far a change's moment may lie before HEAD's commit:
// clocks of different machines disagree a little. verify allows the same
// (its commit-date rule).
const ClockSkew = time.Hour

// realClock is this machine's clock (not --now): what tells a commit
// dated in the future. Tests set it.
var realClock = time.Now

// checkNow refuses a change dated (--now, OPSBOOK_NOW, or a clock set
// back) more than ClockSkew before the commit it follows: a change is made
// after the ones before it, and the stamps it writes (acknowledged_at,
// resolved_at, ...) would erase an SLA breach. verify names such a commit
// (commit-date); a write refuses it before writing anything.
//
// A HEAD dated more than ClockSkew after this machine's clock is dated in
// the future: verify names it (commit-date) and judges the commits after
// it by the history before it, so a write does the same, comparing its
// moment with the latest commit under HEAD that is not dated in the
// future, and says so on notes. Otherwise one commit dated ahead would
// refuse every write after it.
func checkNow(g *gitstore.Repo, now time.Time, notes io.Writer) error {
	if now.IsZero() {
		return nil
	}
	clock := realClock()
	// A clock set back since git last wrote the repository would take
	// the commits made since for commits dated ahead: the time is at
	// least what the clock showed then.
	if w := g.WrittenAt(); w.Sub(clock) > ClockSkew {
		if notes != nil {
			fmt.Fprintln(notes, "opsbook: "+i18n.Sprintf("this machine's clock (%s) reads before git last wrote this repository (%s): it was set back since; set it right", clock.Format(time.RFC3339), w.In(clock.Location()).Format(time.RFC3339)))
		}
		clock = w.In(clock.Location())
	}
	last, head, err := g.HeadTimeBefore(clock.Add(ClockSkew))
	if err != nil {
		return nil // no commit yet (or unreadable: CheckState says why)
	}
	if !last.Equal(head) && notes != nil {
		fmt.Fprintln(notes, "opsbook: "+i18n.Sprintf("HEAD is dated %s, in the future of this machine's clock (%s): verify names such a commit (commit-date); this change is judged after the latest commit not dated in the future (%s). If this machine's clock is behind, set it right first", head.Format(time.RFC3339), clock.Format(time.RFC3339), dateOrNone(last)))
	}
	if last.Sub(now) > ClockSkew {
		return refused("commit-date", "refused: this change is dated %s, before the last commit (%s): a change is made after the ones before it, and its stamps would be set back (--now or OPSBOOK_NOW, or this machine's clock); nothing was changed", now.Format(time.RFC3339), last.Format(time.RFC3339))
	}
	return nil
}

// dateOrNone is t in RFC 3339, or a word for none.
func dateOrNone(t time.Time) string {
	if t.IsZero() {
		return i18n.T("none")
	}
	return t.Format(time.RFC3339)
}

// Preview is a session that only asks what the workflow and the rules
// would say of a change by person as of now, without the lock and without
// writing: Apply refuses on it. findings are the repository's validation
// findings as of now (r.Validate(now)), against which a change judged on
// the whole department has its new errors told apart; nil: found when
// first needed. A read-only command (the inbox) uses it to try moves the
// way a write would check them.
func Preview(r *repo.Repo, g *gitstore.Repo, person *record.Record, now time.Time, findings []diag.Diagnostic) *Session {
	return PreviewIndexed(r, g, person, now, findings, nil)
}

// PreviewIndexed is Preview with the department's index at hand: x holds
// exactly the record files r read, with the content r read (their
// fingerprints are one: repo.Repo.Fingerprint), so the moves are judged
// on it rather than on an index made again of every record. x nil is
// Preview.
func PreviewIndexed(r *repo.Repo, g *gitstore.Repo, person *record.Record, now time.Time, findings []diag.Diagnostic, x *index.Index) *Session {
	s := &Session{Repo: r, Git: g, Person: person, Now: now, preview: true, before: findings, haveBefore: findings != nil, files: newFileMemo(r.Root), ctx: context.Background()}
	if person != nil {
		s.Actor = workflow.ActorOf(person)
		s.Name = person.Title()
	}
	s.env = workflow.Env{Policy: r.Policy, People: workflow.NewPeople(r.Set.OfKind(record.Person)), Now: now, Records: r.Set}
	// The moves are judged on their neighbourhoods, as a write's are, from
	// an index of the records at hand: trying every move of a busy inbox
	// against the whole department costs a pass over it per move.
	s.near = nearOfSet(r, x)
	return s
}

// PreviewPart is PreviewIndexed on part of the department: r's Set holds
// the people, the budgets and some records read in full (full: those
// records), x is the index of the whole department, refreshed, whose
// entries the records read hold. Moves are judged on their
// neighbourhoods, read from the files as a write reads them; a move
// judged on the whole department reads it then. (The moves are tried one
// after the other: the records read are shared.)
func PreviewPart(r *repo.Repo, g *gitstore.Repo, person *record.Record, now time.Time, x *index.Index, full []*record.Record) *Session {
	s := &Session{Repo: r, Git: g, Person: person, Now: now, preview: true, part: true, files: newFileMemo(r.Root), ctx: context.Background()}
	if person != nil {
		s.Actor = workflow.ActorOf(person)
		s.Name = person.Title()
	}
	read := make(map[string]*record.Record, len(full))
	for _, rec := range full {
		read[rec.Path] = rec
	}
	r2 := *r
	r2.Set = record.NewSet(full)
	s.Repo = &r2
	s.near = &near{x: x, read: read}
	s.env = workflow.Env{Policy: r.Policy, People: workflow.NewPeople(r.Set.OfKind(record.Person)), Now: now, Records: lazyRecords{s}}
	return s
}

// Needs tries moving rec to state to (nothing is written) and returns
// every reason the change would be refused: the workflow's, then each
// error the rules would find in the records it leaves behind (a state's
// needs, the budget). None: the move may be made now. english is for
// -o json, text the same in the reader's language.
func (s *Session) Needs(rec *record.Record, to string) (english, text []string) {
	err := s.tryMoves([]*record.Record{rec}, []string{to})[0]
	if err == nil {
		return nil, nil
	}
	return Unmet(err), UnmetText(err)
}

// TryMoves is Needs for many moves (recs[i] to tos[i]), each judged as if
// it were the only one. On a session that judges near (a preview), each
// move the rules judge on a small neighbourhood is tried alone, which
// costs what its neighbourhood does. The others (a person's, a budget's,
// a plan's, whose neighbourhood is every counted plan of its years, one
// with hundreds of records around it: about a pass over the department
// each) are tried together first; when the rules object to records moved here, the
// others are tried without them and those alone; otherwise the group is
// tried in halves, down to each move alone. A move is found ready in a
// group the rules accept, and what a refused move needs is what the rules
// say of it alone.
// (A group is accepted only when it adds no error and takes none away:
// two moves that each alone add an error may take it away together, two
// active plans of one project both completed, so a group that changes the
// errors at all is tried in parts.)
func (s *Session) TryMoves(recs []*record.Record, tos []string) [][]string {
	out := make([][]string, len(recs))
	for i, err := range s.tryMoves(recs, tos) {
		if err != nil {
			out[i] = Unmet(err)
		}
	}
	return out
}

// TryMovesText is TryMoves with each refusal also in the reader's
// language (text), for a page beside -o json.
func (s *Session) TryMovesText(recs []*record.Record, tos []string) (english, text [][]string) {
	english, text = make([][]string, len(recs)), make([][]string, len(recs))
	for i, err := range s.tryMoves(recs, tos) {
		if err != nil {
			english[i], text[i] = Unmet(err), UnmetText(err)
		}
	}
	return english, text
}

// tryMoves is TryMoves's refusals: nil where a move may be made.
func (s *Session) tryMoves(recs []*record.Record, tos []string) []error {
	out := make([]error, len(recs))
	edits := make([][]Edit, len(recs))
	built := make([]bool, len(recs))
	// A preview holds every record already, and nothing it reads changes
	// while it asks: its moves are built and tried alone on every core,
	// each worker on its own copy of the session (what a move may change
	// of it, going whole for a status report's figures, stays the
	// worker's). What the copies share is safe to: the identity read
	// once, the records read, the memos (attachments, recipients, budget
	// lines). Another session reads records as it goes: one at a time.
	shared := s.preview && s.near != nil && !s.part
	each := func(n int, f func(w *Session, k int)) {
		if !shared {
			for k := 0; k < n; k++ {
				f(s, k)
			}
			return
		}
		if s.ident == nil {
			s.ident = &identity{}
		}
		if s.stanzas == nil {
			s.stanzas = &crypt.StanzaMemo{}
		}
		par.For(n, 2, func(lo, hi int) {
			w := *s
			for k := lo; k < hi; k++ {
				f(&w, k)
			}
		})
	}
	each(len(recs), func(w *Session, i int) {
		if err := workflow.CheckMove(w.Actor, recs[i], tos[i], w.env); err != nil {
			out[i] = err
			return
		}
		e, err := MoveEdits(w, recs[i], tos[i], "")
		if err != nil {
			out[i] = err
			return
		}
		edits[i], built[i] = e, true
	})
	var todo []int
	for i := range recs {
		if built[i] {
			todo = append(todo, i)
		}
	}
	// done counts the moves whose answer is known ("trying" on Progress)
	var done atomic.Int64
	stop := s.tick(len(todo) > 1, "trying", &done, len(todo))
	defer stop()
	msgOf := func(i int) Message {
		return Message{Kind: recs[i].Kind, ID: recs[i].ID, Action: "move to " + tos[i]}
	}
	// A move judged on its neighbourhood is tried alone: its answer is
	// its own by definition, and costs what its neighbourhood does (a
	// group's is the union of its moves', and a refused group is tried
	// again in parts). The moves judged on the whole department or on a
	// large neighbourhood (nearOnlyMost; a plan's) are left for the
	// groups below, which share one judgement.
	if s.near != nil && len(todo) > 1 {
		alone := make([]error, len(todo))
		each(len(todo), func(w *Session, k int) {
			i := todo[k]
			if alone[k] = w.checkAs(edits[i], msgOf(i), false, judging{nearOnly: true}); alone[k] != errWhole {
				done.Add(1)
			}
		})
		var whole []int
		for k, i := range todo {
			if alone[k] == errWhole {
				whole = append(whole, i)
				continue
			}
			out[i] = alone[k]
		}
		todo = whole
	}
	var try func(group []int)
	try = func(group []int) {
		if len(group) == 0 {
			return
		}
		msg := msgOf(group[0])
		if len(group) == 1 {
			if err := s.Check(edits[group[0]], msg); err != nil {
				out[group[0]] = err
			}
			done.Add(1)
			return
		}
		var all []Edit
		paths := map[string]bool{}
		overlap := false
		for _, i := range group {
			for _, e := range edits[i] {
				overlap = overlap || paths[e.Path]
				paths[e.Path] = true
				all = append(all, e)
			}
		}
		if overlap {
			try(group[:len(group)/2])
			try(group[len(group)/2:])
			return
		}
		err := s.checkAs(all, msg, false, judging{exact: true})
		if err == nil {
			done.Add(int64(len(group)))
			return
		}
		// The rules name the records they object to: when every one of
		// them is moved here and the other moves pass without them, only
		// those are tried alone.
		if blamed := blame(err, group, edits); len(blamed) > 0 && len(blamed) < len(group) {
			var rest, alone []int
			for _, i := range group {
				if blamed[i] {
					alone = append(alone, i)
				} else {
					rest = append(rest, i)
				}
			}
			var restEdits []Edit
			for _, i := range rest {
				restEdits = append(restEdits, edits[i]...)
			}
			if s.checkAs(restEdits, msg, false, judging{exact: true}) == nil {
				done.Add(int64(len(rest)))
				for _, i := range alone {
					try([]int{i})
				}
				return
			}
		}
		try(group[:len(group)/2])
		try(group[len(group)/2:])
	}
	// A move the rules fault on its own record, judged with nothing
	// around it, is most likely refused: tried alone first, it does not
	// make the group's pass over every record refuse and be made again
	// without it. (A guess, which only orders the tries: each answer is
	// still the whole check's.)
	var rest []int
	for _, i := range todo {
		if len(todo) > 1 && s.faultsItself(edits[i]) {
			try([]int{i})
			continue
		}
		rest = append(rest, i)
	}
	try(rest)
	return out
}

// faultsItself guesses whether the rules would refuse a move for its own
// record: the errors of that record alone (with the people), as the move
// leaves it, that it has not as it is.
func (s *Session) faultsItself(edits []Edit) bool {
	if len(edits) == 0 || edits[0].Before == nil || edits[0].File || edits[0].Data == nil {
		return false
	}
	before := edits[0].Before
	after, _ := record.ParseLean(before.Path, edits[0].Data)
	if after == nil {
		return false
	}
	people := s.Repo.Set.OfKind(record.Person)
	errorsOf := func(rec *record.Record) []diag.Diagnostic {
		set := record.NewSet(append([]*record.Record{rec}, people...))
		// no horizon, and the attachments looked at as validate does
		// (not remembered as read): a guess leaves no trace on what a
		// kept answer depends on
		return rules.Check(&rules.Context{Set: set, Policy: s.Repo.Policy, Root: s.Repo.Root, Now: s.Now, Errors: true, Unplaced: true,
			Stanzas: s.stanzas,
			Stat: func(rel string) attach.State {
				if !insideRepo(rel) {
					return attach.Missing
				}
				return attach.Stat(s.Repo.Root, rel)
			},
			Only: func(r *record.Record) bool { return r == rec },
			Keep: func(path, _ string, sev diag.Severity) bool { return sev == diag.Error && path == rec.Path }})
	}
	return len(addedErrors(errorsOf(before), errorsOf(after))) > 0
}

// blame finds the moves of group whose records the rules' refusal names,
// and nothing when it names a record no move of group writes (or is not
// the rules' refusal at all).
func blame(err error, group []int, edits [][]Edit) map[int]bool {
	var ref *Refused
	if !errors.As(err, &ref) || len(ref.Diagnostics) == 0 {
		return nil
	}
	byPath := map[string]int{}
	for _, i := range group {
		for _, e := range edits[i] {
			byPath[e.Path] = i
		}
	}
	out := map[int]bool{}
	for _, d := range ref.Diagnostics {
		i, ok := byPath[d.Path]
		if !ok {
			return nil
		}
		out[i] = true
	}
	return out
}

// Unmet lists why a check refused a change: each diagnostic's message, or
// the reason itself when it has none.
func Unmet(err error) []string {
	var ref *Refused
	if errors.As(err, &ref) && len(ref.Diagnostics) > 0 {
		var out []string
		for _, d := range ref.Diagnostics {
			out = append(out, d.Message)
		}
		return out
	}
	var wr *workflow.Refusal
	if errors.As(err, &wr) {
		return []string{wr.Message}
	}
	if errors.As(err, &ref) {
		return []string{ref.Reason}
	}
	return []string{strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0])}
}

// UnmetText is Unmet in the reader's language.
func UnmetText(err error) []string {
	var ref *Refused
	if errors.As(err, &ref) && len(ref.Diagnostics) > 0 {
		var out []string
		for _, d := range ref.Diagnostics {
			out = append(out, d.Human())
		}
		return out
	}
	return []string{strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0])}
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

// PersonByEmail finds the one person whose emails hold email, compared as
// verify compares them (spaces trimmed, lower case); nil when nobody or
// several people do: verify knows no actor by an email two people claim
// (actor-unknown), so neither does a write.
func PersonByEmail(set *record.Set, email string) *record.Record {
	if ps := PeopleByEmail(set, email); len(ps) == 1 {
		return ps[0]
	}
	return nil
}

// PeopleByEmail are the people whose emails hold email, compared as
// verify compares them.
func PeopleByEmail(set *record.Set, email string) []*record.Record {
	key := strings.ToLower(strings.TrimSpace(email))
	var out []*record.Record
	for _, p := range set.OfKind(record.Person) {
		for _, e := range p.Strings("emails") {
			if strings.ToLower(strings.TrimSpace(e)) == key {
				out = append(out, p)
				break
			}
		}
	}
	return out
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
	// Many are the records of a change of several (approve ID ID…,
	// --where), each with its own line in the body and its own
	// Opsbook-Record trailer; Kind and ID are then unused.
	Many []Line
}

// Line is one record of a change of several: its move (From → To) or, for
// an edit, no move.
type Line struct {
	Kind     record.Kind
	ID       string
	From, To string
}

func (l Line) String() string {
	if l.From != l.To {
		return fmt.Sprintf("%s %s: %s → %s", l.Kind, l.ID, l.From, l.To)
	}
	return fmt.Sprintf("%s %s", l.Kind, l.ID)
}

// What names what the change is about in a sentence: "expense
// EXP-2026-0041", or "3 records" for a change of several.
// whatWords is What as a message argument, in each language.
func (m Message) whatWords() any {
	if len(m.Many) == 1 {
		return i18n.P("1 record")
	}
	if len(m.Many) > 0 {
		return i18n.P("%d records", len(m.Many))
	}
	return i18n.Join(" ", i18n.Word{Group: "kind", Key: string(m.Kind)}, m.ID)
}

func (m Message) What() string {
	if len(m.Many) == 1 {
		return "1 record"
	}
	if len(m.Many) > 0 {
		return fmt.Sprintf("%d records", len(m.Many))
	}
	return fmt.Sprintf("%s %s", m.Kind, m.ID)
}

// manyShown is how many ids a subject names before "and N more".
const manyShown = 4

func (m Message) subject() string {
	if len(m.Many) == 0 {
		return fmt.Sprintf("%s %s: %s", m.Kind, m.ID, m.Action)
	}
	kind := m.Many[0].Kind
	var ids []string
	for _, l := range m.Many {
		if l.Kind != kind {
			kind = ""
		}
		if len(ids) < manyShown {
			ids = append(ids, l.ID)
		}
	}
	list := strings.Join(ids, ", ")
	if n := len(m.Many) - len(ids); n > 0 {
		list += fmt.Sprintf(" and %d more", n)
	}
	if kind != "" {
		list = string(kind) + " " + list
	}
	return list + ": " + m.Action
}

// String is the commit message. A change of several records lists each
// record on a line of the body and names each in an Opsbook-Record
// trailer. (Nothing reads the message back to judge it: history and
// verify work the moves out from the files.)
func (m Message) String() string {
	var b strings.Builder
	b.WriteString(m.subject() + "\n")
	if n := strings.TrimSpace(m.Note); n != "" {
		b.WriteString("\n" + n + "\n")
	}
	if len(m.Many) == 0 {
		fmt.Fprintf(&b, "\nOpsbook-Record: %s\nOpsbook-Action: %s\n", m.ID, m.Action)
		return b.String()
	}
	b.WriteString("\n")
	for _, l := range m.Many {
		if l.From == l.To {
			fmt.Fprintf(&b, "%s %s: %s\n", l.Kind, l.ID, m.Action)
			continue
		}
		b.WriteString(l.String() + "\n")
	}
	b.WriteString("\n")
	for _, l := range m.Many {
		fmt.Fprintf(&b, "Opsbook-Record: %s\n", l.ID)
	}
	fmt.Fprintf(&b, "Opsbook-Action: %s\n", m.Action)
	return b.String()
}

// Result is what a change did.
type Result struct {
	Paths  []string
	Commit string // empty with --no-commit
	// Unchanged: the files already say this; nothing was written.
	Unchanged bool
	// Same are the records of a change of several that already said so
	// and were left out of its commit.
	Same []string
}

// Parse turns an edit's content into a record for checking, with the
// problems of its text and schema.
func (s *Session) Parse(e Edit) (*record.Record, []diag.Diagnostic) {
	// lean: the node tree is made again only when a position is asked
	// for (a finding worded); the inbox parses every move it tries
	rec, ds := record.ParseLean(e.Path, e.Data)
	if rec == nil {
		return nil, ds
	}
	ds = append(ds, record.CheckPlace(rec, s.Repo.Policy.Records)...)
	ds = append(ds, s.Repo.Schemas.Validate(rec)...)
	return rec, ds
}

// Check decides whether the edits may be made, without writing anything.
// It stops at the first reason to refuse; a change of several records
// (msg.Many) is judged whole instead, every refusal listed (CheckBatch).
func (s *Session) Check(edits []Edit, msg Message) error {
	return s.check(edits, msg, len(msg.Many) > 0)
}

// check judges the edits; with all, it goes on past the first refusal and
// returns every one, each as a diagnostic naming its record, field and rule.
func (s *Session) check(edits []Edit, msg Message, all bool) error {
	return s.checkAs(edits, msg, all, judging{})
}

// judging is how checkAs judges the rules' side of a change.
type judging struct {
	// nearOnly: a change the rules judge on the whole department is not
	// judged (errWhole).
	nearOnly bool
	// exact: a change the rules accept that takes away an error the
	// department has is not accepted either (errTakesAway).
	exact bool
}

var (
	// errWhole: a check asked to judge near only met a change the rules
	// judge on the whole department.
	errWhole = errors.New("judged on the whole department")
	// errTakesAway: a check asked to judge exactly met a change that
	// adds no error but takes one away.
	errTakesAway = errors.New("takes an error away")
)

// checkAs is check, judged as j says: errWhole or errTakesAway once
// everything before the rules has passed (the workflow, sealed fields).
func (s *Session) checkAs(edits []Edit, msg Message, all bool, j judging) error {
	edits, err := s.seal(edits)
	if err != nil {
		return err
	}
	after := make([]*record.Record, len(edits))
	var invalid []diag.Diagnostic
	var changes []workflow.Change
	pending := map[string][]byte{}
	for _, e := range edits {
		if e.File && e.Data != nil { // a file removed is not pending
			pending[e.Path] = e.Data
		}
	}
	parsed := make([][]diag.Diagnostic, len(edits))
	var done atomic.Int64
	stop := s.tick(all, "judging", &done, len(edits))
	par.For(len(edits), 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if e := edits[i]; !e.File && e.Data != nil {
				after[i], parsed[i] = s.Parse(e)
			}
			done.Add(1)
		}
	})
	stop()
	for i, e := range edits {
		if e.File {
			continue
		}
		if e.Data == nil {
			changes = append(changes, workflow.Change{Before: e.Before})
			continue
		}
		for _, d := range parsed[i] {
			if d.Severity == diag.Error {
				invalid = append(invalid, d)
			}
		}
		if after[i] == nil {
			continue
		}
		changes = append(changes, workflow.Change{Before: e.Before, After: after[i]})
	}
	if len(invalid) > 0 {
		var r *Refused
		switch n := len(msg.Many); {
		// a count of records is said apart: Chinese puts no space between
		// 筆紀錄 and what follows
		case n == 1:
			r = refused("validate", "refused: 1 record would not be valid; nothing was changed")
		case n > 1:
			r = refused("validate", "refused: %d records would not be valid; nothing was changed", n)
		default:
			r = refused("validate", "refused: %s would not be valid; nothing was changed", msg.whatWords())
		}
		r.Diagnostics, r.Invalid = diag.Sort(invalid), true
		return r
	}
	env := s.env
	env.Records = overlay{env.Records, changes}
	var refusals []diag.Diagnostic
	if rs := workflow.CheckChanges(s.Actor, changes, env); len(rs) > 0 && !msg.Mechanical {
		if !all {
			var reasons, texts []string
			for _, r := range rs {
				reasons = append(reasons, r.Message)
				texts = append(texts, r.Error())
			}
			var places []Place
			for _, d := range refusalDiagnostics(rs, changes) {
				places = append(places, Place{d.Path, d.Line, d.Column, d.Field, d.Rule, d.Record, d.Message})
			}
			return &Refused{Reason: "refused: " + strings.Join(reasons, "; "), Text: i18n.Sprintf("refused: %s", strings.Join(texts, i18n.T("; "))), Rule: rs[0].Rule, Places: places}
		}
		refusals = append(refusals, refusalDiagnostics(rs, changes)...)
	}
	keep := func(err error, e Edit) error {
		var ref *Refused
		if err == nil || !errors.As(err, &ref) {
			return err
		}
		if !all {
			// one record's refusal names its file, as every refusal does
			if len(ref.Diagnostics) == 0 && len(ref.Places) == 0 && e.Path != "" {
				id := ""
				if e.Before != nil {
					id = e.Before.ID
				}
				ref.Places = []Place{{Path: e.Path, Line: 1, Column: 1, Rule: ref.Rule, Record: id,
					Message: strings.TrimSuffix(strings.TrimPrefix(ref.Reason, "refused: "), "; nothing was changed")}}
			}
			return err
		}
		if len(ref.Diagnostics) > 0 {
			refusals = append(refusals, ref.Diagnostics...)
			return nil
		}
		id := ""
		if after := e.Before; after != nil {
			id = after.ID
		}
		refusals = append(refusals, diag.Diagnostic{Path: e.Path, Line: 1, Column: 1, Severity: diag.Error, Rule: ref.Rule, Record: id,
			Message: strings.TrimSuffix(strings.TrimPrefix(ref.Reason, "refused: "), "; nothing was changed"),
			Text:    strings.TrimSuffix(strings.TrimPrefix(ref.Human(), i18n.T("refused: ")), i18n.T("; nothing was changed"))})
		return nil
	}
	for i, e := range edits {
		if err := keep(s.checkNDA(e.Before, after[i]), e); err != nil {
			return err
		}
		if err := keep(s.checkSealed(e.Before, after[i], pending), e); err != nil {
			return err
		}
		if !msg.Mechanical {
			if err := keep(s.checkDuplicateAppraisal(e.Before, after[i], edits, after), e); err != nil {
				return err
			}
		}
	}
	if err := s.checkRules(edits, after, pending, j); err != nil {
		if err == errWhole || err == errTakesAway || !all {
			return err
		}
		if err := keep(err, Edit{}); err != nil {
			return err
		}
	}
	if len(refusals) == 0 {
		return nil
	}
	refusals = diag.Sort(refusals)
	n, ids := refusedRecords(refusals)
	return &Refused{Reason: i18n.Sprintf("refused: %d of the %d records (%s); nothing was changed", n, len(msg.Many), ids), Rule: refusals[0].Rule, Diagnostics: refusals}
}

// Apply checks the edits and, when allowed, writes and commits them: one
// commit, whether the edits are one record's or (msg.Many) several's.
func (s *Session) Apply(ctx context.Context, edits []Edit, msg Message) (*Result, error) {
	if err := s.policyBroken(); err != nil {
		return nil, err
	}
	if s.preview {
		return nil, i18n.Errorf("%w: a preview session does not write", ErrRepository)
	}
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
		// The records' own state and the registry's, asked at once (each
		// question reads the whole git index).
		own := map[string]bool{}
		for _, p := range recordPaths {
			own[p] = true
		}
		reg := s.registryPaths(own)
		dirty, err := s.Git.Dirty(append(append([]string(nil), recordPaths...), reg...))
		if err != nil {
			return nil, i18n.Errorf("%w: %v", ErrRepository, err)
		}
		var mine, others []string
		for _, p := range dirty {
			if own[p] {
				mine = append(mine, p)
			} else {
				others = append(others, p)
			}
		}
		if len(mine) > 0 {
			if err := s.refuseLeftOut(mine); err != nil {
				return nil, err
			}
			return nil, refused("uncommitted", "refused: %s has uncommitted changes of its own; commit or discard them first (git diff -- %s), or use --no-commit", strings.Join(mine, ", "), strings.Join(mine, " ")).inFiles(mine)
		}
		if err := registryCommitted(others); err != nil {
			return nil, err
		}
	}
	files := make([]gitstore.FileWrite, len(edits))
	for i, e := range edits {
		files[i] = gitstore.FileWrite{Path: e.Path, Data: e.Data, Remove: e.Data == nil}
	}
	res := &Result{Paths: paths}
	if !s.Commit {
		// not committed, but written where git no longer looks: the
		// record the commit holds there would be replaced unseen (git
		// status shows nothing), and by the next `git commit -a` after
		// the flag is cleared
		if err := s.refuseLeftOut(recordPaths); err != nil {
			return nil, err
		}
		if err := s.Git.WriteFiles(ctx, msg.subject(), files); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil, i18n.Errorf("stopped by a signal before writing; nothing was changed")
			}
			return nil, i18n.Errorf("writing: %w", err)
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
			return nil, i18n.Errorf("stopped by a signal before the commit; nothing was changed")
		}
		return nil, i18n.Errorf("committing: %w", err)
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
func (s *Session) checkRules(edits []Edit, after []*record.Record, pending map[string][]byte, j judging) error {
	var added []diag.Diagnostic
	judged, takes := false, false
	if s.near != nil {
		added, takes, judged = s.judgeNear(edits, after, pending, j.nearOnly)
	}
	if !judged && j.nearOnly {
		return errWhole
	}
	if !judged {
		// (A preview holds the whole department already, and keeps its
		// index for the next move.)
		if !s.preview || s.part {
			if err := s.Whole(); err != nil {
				return i18n.Errorf("%w: %v", ErrRepository, err)
			}
		}
		added, takes = s.judgeWhole(edits, after, pending, j.exact)
	}
	if len(added) == 0 {
		if takes && j.exact {
			return errTakesAway
		}
		return nil
	}
	r := refused(added[0].Rule, "refused: the change would break the rules; nothing was changed")
	r.Diagnostics = diag.Sort(added)
	return r
}

// judgeWhole runs the rules over the whole department as the change
// leaves it and returns the errors it adds to the department's findings,
// and whether it takes any away.
// Only errors are compared, so both runs skip the checks across records
// that can only warn (rules.Context.Errors).
func (s *Session) judgeWhole(edits []Edit, after []*record.Record, pending map[string][]byte, exact bool) ([]diag.Diagnostic, bool) {
	// The department stays while each run makes as much again in garbage
	// (a set of every record, their findings): collected sooner, the
	// peak stays near the department's own size.
	defer heap.SetPercent(heap.SetPercent(gcPercentWhole))
	if !s.haveBefore {
		rc := s.rulesOn(&rules.Context{Set: s.Repo.Set, Policy: s.Repo.Policy, Root: s.Repo.Root, Now: s.Now, Errors: true, Keep: errorsOnly, Unplaced: true})
		s.before, s.haveBefore = rules.Check(rc), true
	}
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
	// unplaced: only the errors added are shown, and placed
	rc := s.rulesOn(&rules.Context{Set: set, Policy: s.Repo.Policy, Root: s.Repo.Root, Now: s.Now, Pending: pending, Errors: true, Keep: errorsOnly, Unplaced: true})
	now := rules.Check(rc)
	added := addedErrors(s.before, now)
	if len(added) > 0 {
		at := make(map[string]*record.Record, len(set.Records))
		for _, r := range set.Records {
			at[r.Path] = r
		}
		for i := range added {
			if rec := at[added[i].Path]; rec != nil {
				rules.Place(&added[i], rec)
			}
		}
	}
	return added, len(added) == 0 && exact && len(addedErrors(now, s.before)) > 0
}

// gcPercentWhole is the GOGC while a change is judged on the whole
// department.
var gcPercentWhole = 50

// errorsOnly keeps the errors of a rules run, which are all a change is
// judged by (warnings are neither worded nor placed).
func errorsOnly(_, _ string, sev diag.Severity) bool { return sev == diag.Error }

// addedErrors are the errors of now not among was: each diagnostic of was
// (by path, rule, record and message) accounts for one of now.
func addedErrors(was, now []diag.Diagnostic) []diag.Diagnostic {
	// a key of the strings as they are: a group's finding (plan-budget on
	// every plan of a year's line) names the whole group, on each of its
	// records, and a key joined into one string copied the message once a
	// record (40 KB for each of 3,000 plans at 100,000 records: 245 MB)
	type errKey struct{ path, rule, record, message string }
	key := func(d diag.Diagnostic) errKey { return errKey{d.Path, d.Rule, d.Record, d.Message} }
	count := make(map[errKey]int, len(was))
	for _, d := range was {
		count[key(d)]++
	}
	var added []diag.Diagnostic
	for _, d := range now {
		if d.Severity != diag.Error {
			continue
		}
		if count[key(d)] > 0 {
			count[key(d)]--
			continue
		}
		added = append(added, d)
	}
	return added
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
	return refused("signature-unknown-key", "refused: the policy requires signed commits, and your signing key (git user.signingkey) is not one registered to %s in %s/people/%s.yaml: verify would reject the commit", s.Actor.Handle, s.Repo.Policy.Records, s.Actor.Handle)
}

// rulesOn fills in what every rules run of the session shares: the
// horizon, the ciphertexts' recipients read, and a preview's attachment
// look-ups (remembered, and told by
// SeenFiles). Paths outside the repository are missing, as for validate.
func (s *Session) rulesOn(c *rules.Context) *rules.Context {
	c.Horizon = s.Horizon
	c.LeftAtClose = s.LeftAtClose
	if s.stanzas == nil {
		s.stanzas = &crypt.StanzaMemo{}
	}
	c.Stanzas = s.stanzas
	if s.files != nil {
		c.Stat, c.Sum, c.Head = s.files.stat, s.files.sum, s.files.head
	} else {
		c.Stat = func(rel string) attach.State {
			if !insideRepo(rel) {
				return attach.Missing
			}
			return attach.Stat(s.Repo.Root, rel)
		}
	}
	return c
}

// SeenFiles returns what a preview's answers read besides the records and
// the policy: the attachment paths whose state or content it looked at,
// sorted, and for the paths whose commit state it asked (Git.Dirty), the
// answer (true: not committed as it is). An answer kept for later holds
// while these do.
func (s *Session) SeenFiles() (paths []string, dirty map[string]bool) {
	dirty = map[string]bool{}
	if s.files == nil {
		return nil, dirty
	}
	seen := map[string]bool{}
	for _, m := range []*sync.Map{&s.files.stats, &s.files.sums, &s.files.heads} {
		m.Range(func(k, _ any) bool { seen[k.(string)] = true; return true })
	}
	s.files.dirty.Range(func(k, v any) bool { dirty[k.(string)] = v.(bool); return true })
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths, dirty
}

// fileMemo answers the rules' questions about attachments once per path.
type fileMemo struct {
	root  string
	stats sync.Map   // path → attach.State
	sums  sync.Map   // path → memoSum
	heads sync.Map   // path → memoHead
	dirty sync.Map   // path → bool: not committed as it is
	git   sync.Mutex // held while git is asked (dirty)
}

type memoSum struct {
	sum string
	err error
}

type memoHead struct {
	data []byte
	err  error
}

func newFileMemo(root string) *fileMemo { return &fileMemo{root: root} }

func (m *fileMemo) stat(rel string) attach.State {
	if v, ok := m.stats.Load(rel); ok {
		return v.(attach.State)
	}
	st := attach.Missing
	if insideRepo(rel) {
		st = attach.Stat(m.root, rel)
	}
	m.stats.Store(rel, st)
	return st
}

func (m *fileMemo) sum(rel string) (string, error) {
	if v, ok := m.sums.Load(rel); ok {
		ms := v.(memoSum)
		return ms.sum, ms.err
	}
	sum, err := attach.Sum(m.root, rel)
	m.sums.Store(rel, memoSum{sum, err})
	return sum, err
}

func (m *fileMemo) head(rel string) ([]byte, error) {
	if v, ok := m.heads.Load(rel); ok {
		mh := v.(memoHead)
		return mh.data, mh.err
	}
	data, err := attach.Head(m.root, rel, crypt.HeaderMax)
	m.heads.Store(rel, memoHead{data, err})
	return data, err
}

// policyBroken refuses a write while the policy file has errors: the
// defaults stand for its bad keys (for a syntax error, for the whole
// file), so a department's lower approval limits, require_nda,
// require_signatures or expense_review would be lost without a word, and
// verify would judge the commit by the same broken file. The director or
// leadership mends the policy (with git) first.
func (s *Session) policyBroken() error {
	var bad []diag.Diagnostic
	for _, d := range s.Repo.Diags {
		if d.Path == config.FileName && d.Severity == diag.Error {
			bad = append(bad, d)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	r := refused("policy", "refused: the policy %s has errors, so the department's rules are not known (its defaults would stand for them); the director or leadership mends it first (opsbook validate %s); nothing was changed", config.FileName, config.FileName)
	r.Diagnostics = bad
	return r
}

// registryPaths are the paths of the people registry and the policy,
// but those a commit itself changes (changing): a commit is refused while
// one of them has uncommitted changes (a person file edited, added or not
// yet committed, a changed .opsbook.yaml; see registryCommitted).
func (s *Session) registryPaths(changing map[string]bool) []string {
	paths := []string{config.FileName}
	for _, p := range s.Repo.Set.OfKind(record.Person) {
		if !changing[p.Path] {
			paths = append(paths, p.Path)
		}
	}
	return paths
}

// registryCommitted refuses a commit while the people registry or the
// policy has uncommitted changes (dirty, of registryPaths). The actor and
// their rights were found in the files as they are, but verify and CI
// judge the commit by the people and policy committed before it: a role
// granted in the work tree would make a commit that verify names.
func registryCommitted(dirty []string) error {
	if len(dirty) == 0 {
		return nil
	}
	return refused("uncommitted", "refused: %s has uncommitted changes: the people and the policy this change was judged by are not those committed, which verify judges the commit by; commit them (the director or leadership) or discard them first (git diff -- %s)", strings.Join(dirty, ", "), strings.Join(dirty, " ")).inFiles(dirty)
}

// refuseLeftOut refuses a write on paths the git index marks
// skip-worktree that are not in the work tree (gitstore.LeftOut): left out
// by a sparse checkout or by hand, while the commit holds them, a write
// there would replace what is committed (`new` giving a record's id
// again, which it does not see).
func (s *Session) refuseLeftOut(paths []string) error {
	out, err := s.Git.LeftOut(paths)
	if err != nil {
		return i18n.Errorf("%w: %v", ErrRepository, err)
	}
	if len(out) == 0 {
		return nil
	}
	return refused("uncommitted", "refused: %s is left out of this work tree (git marks it skip-worktree: a sparse checkout, or `git update-index --skip-worktree`) while the commit holds it: writing it would replace what is committed; `git update-index --no-skip-worktree -- %s && git checkout -- %s` puts it back",
		strings.Join(out, ", "), strings.Join(out, " "), strings.Join(out, " ")).inFiles(out)
}
