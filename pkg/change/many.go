package change

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/progress"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// Changes of several records at once (`opsbook approve ID ID…`, `set
// --where`) go through the same door as one record's: every record's move
// or edit is judged, by the workflow and by the rules, against the
// department as it is with ALL of them made (three claims that together
// overspend a budget line are refused, each of them alone would pass; the
// parts of a split expense approved together must be within the
// approver's limit as a whole), and then written in one commit, or not at
// all. A refusal lists every record refused, with its field and rule.

// Batch is a change of several records being built: the edits of every
// record, the commit message listing them, and the refusals found while
// building it (a record with no such move from its state), which are
// listed with the rest when the batch is judged.
type Batch struct {
	Edits []Edit
	Msg   Message
	// Refused are the records the change cannot even be built for.
	Refused []diag.Diagnostic
	// Selected is how many records the command was given.
	Selected int
}

// Moves builds the batch that moves every record: by verb (each record's
// move of that name from its own state, so one verb can move records of
// several kinds) or, with verb "", to state to. Activating a plan that
// supersedes another brings that plan's move along, as for one record.
func (s *Session) Moves(recs []*record.Record, verb, to, note string) (*Batch, error) {
	b := &Batch{Selected: len(recs)}
	action := verb
	if action == "" {
		action = "move to " + to
	}
	b.Msg = Message{Action: action, Note: note}
	var done atomic.Int64
	defer s.tick(true, "reading", &done, len(recs))()
	for _, rec := range recs {
		done.Add(1)
		target := to
		if verb != "" {
			m, err := workflow.MoveByVerb(rec, verb, s.env)
			if err != nil {
				b.refuse(rec, err)
				continue
			}
			target = m.To
		} else if t := workflow.ForPolicy(rec.Kind, s.Repo.Policy); t == nil || !t.IsState(target) || rec.Status() == target {
			// no such state, or already there: no move to judge
			b.refuse(rec, workflow.CheckMove(s.Actor, rec, target, s.env))
			continue
		}
		edits, err := MoveEdits(s, rec, target, note)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rec.ID, err)
		}
		b.Edits = append(b.Edits, edits...)
		b.Msg.Many = append(b.Msg.Many, Line{Kind: rec.Kind, ID: rec.ID, From: rec.Status(), To: target})
		for _, e := range edits[1:] { // a superseded plan
			b.Msg.Many = append(b.Msg.Many, Line{Kind: e.Before.Kind, ID: e.Before.ID, From: e.Before.Status(), To: "superseded"})
		}
	}
	return b, b.twice()
}

// Sets builds the batch that applies the same assignments and removals to
// every record.
func (s *Session) Sets(recs []*record.Record, sets []Assignment, unsets []string, action, note string) (*Batch, error) {
	b := &Batch{Msg: Message{Action: action, Note: note}, Selected: len(recs)}
	var done atomic.Int64
	defer s.tick(true, "reading", &done, len(recs))()
	for _, rec := range recs {
		done.Add(1)
		src, err := record.ReadFile(s.Repo.Root, rec.Path)
		if err != nil {
			return nil, err
		}
		data, err := ApplyAssignments(src, sets, unsets, false)
		if err != nil {
			if r, ok := err.(*Refused); ok {
				return nil, r.At(rec)
			}
			return nil, fmt.Errorf("%w: %s: %v", ErrUsage, rec.ID, err)
		}
		b.Edits = append(b.Edits, Edit{Path: rec.Path, Before: rec, Data: data})
		b.Msg.Many = append(b.Msg.Many, Line{Kind: rec.Kind, ID: rec.ID, From: rec.Status(), To: rec.Status()})
	}
	return b, b.twice()
}

// refuse notes a record the batch has no change for.
func (b *Batch) refuse(rec *record.Record, err error) {
	if err == nil {
		return
	}
	d := diag.Diagnostic{Path: rec.Path, Line: 1, Column: 1, Severity: diag.Error, Rule: workflow.RuleMoveIllegal, Record: rec.ID, Message: err.Error()}
	if r, ok := err.(*workflow.Refusal); ok {
		d.Rule, d.Field, d.Message, d.Text = r.Rule, r.Field, r.Message, r.Error()
		d.Line, d.Column = rec.Pos(r.Field)
	}
	b.Refused = append(b.Refused, d)
}

// twice refuses a batch that would write one file twice (two plans
// activated together that supersede the same plan).
func (b *Batch) twice() error {
	by := map[string]string{}
	for _, e := range b.Edits {
		if prev, ok := by[e.Path]; ok {
			return i18n.Errorf("%w: %s would be changed twice in one commit (%s); make these changes one at a time", ErrUsage, e.Path, prev)
		}
		by[e.Path] = e.Path
	}
	return nil
}

// CheckBatch judges the batch whole, without writing anything: nil, or a
// *Refused listing every refusal (those found while building it too).
func (s *Session) CheckBatch(b *Batch) error {
	if err := s.policyBroken(); err != nil {
		return err
	}
	err := s.check(b.Edits, b.Msg, true)
	ds := append([]diag.Diagnostic(nil), b.Refused...)
	if ref, ok := err.(*Refused); ok {
		if ref.Invalid {
			return err // invalid values first: they are fixed before anything else is judged
		}
		ds = append(ds, ref.Diagnostics...)
	} else if err != nil {
		return err
	}
	if len(ds) == 0 {
		return nil
	}
	ds = diag.Sort(ds)
	n, ids := refusedRecords(ds)
	r := refused(ds[0].Rule, "refused: %d of the %d records (%s); nothing was changed", n, b.Selected, ids)
	r.Diagnostics = ds
	return r
}

// ApplyBatch judges the batch and, when every record passes, writes it in
// one commit (through Apply, which judges the edits whole once more while
// the lock is held; it is the same lock, so the answer is the same).
// Records whose files already say what the batch would write (a set to the
// value they hold) are left out of the commit and named in Result.Same;
// when all are, nothing is written.
func (s *Session) ApplyBatch(ctx context.Context, b *Batch) (*Result, error) {
	if err := s.policyBroken(); err != nil {
		return nil, err
	}
	if len(b.Refused) > 0 {
		return nil, s.CheckBatch(b) // lists these with every other refusal
	}
	kept := Message{Action: b.Msg.Action, Note: b.Msg.Note}
	var edits []Edit
	same := map[string]bool{}
	for _, e := range b.Edits {
		cur, err := os.ReadFile(filepath.Join(s.Repo.Root, filepath.FromSlash(e.Path)))
		if e.Data != nil && err == nil && bytes.Equal(cur, e.Data) && e.Before != nil {
			same[e.Before.ID] = true
			continue
		}
		edits = append(edits, e)
	}
	var sameIDs []string
	for _, l := range b.Msg.Many {
		if same[l.ID] {
			sameIDs = append(sameIDs, l.ID)
			continue
		}
		kept.Many = append(kept.Many, l)
	}
	if len(edits) == 0 {
		return &Result{Unchanged: true, Same: sameIDs}, nil
	}
	res, err := s.Apply(ctx, edits, kept)
	if res != nil {
		res.Same = sameIDs
	}
	if ref, ok := err.(*Refused); ok && !ref.Invalid && len(ref.Diagnostics) > 0 {
		// say "of the N records" of all that were selected
		n, ids := refusedRecords(ref.Diagnostics)
		ref.Reason, ref.Text = i18n.Both("refused: %d of the %d records (%s); nothing was changed", n, b.Selected, ids)
	}
	return res, err
}

// tick tells the session's Progress, for a change of several records, how
// far step what has got while workers count in done, and the end when
// the returned stop is called.
func (s *Session) tick(many bool, what string, done *atomic.Int64, total int) (stop func()) {
	if !many || s.Progress == nil {
		return func() {}
	}
	report := func(n, total int) { s.Progress(what, n, total) }
	end := progress.Tick(report, done, total)
	return func() {
		end()
		report(int(done.Load()), total)
	}
}

// refusalDiagnostics turns the workflow's refusals into diagnostics at the
// field each names, in the record as it would be.
func refusalDiagnostics(rs []*workflow.Refusal, changes []workflow.Change) []diag.Diagnostic {
	byPath := map[string]*record.Record{}
	for _, c := range changes {
		if c.After != nil {
			byPath[c.After.Path] = c.After
		} else if c.Before != nil {
			byPath[c.Before.Path] = c.Before
		}
	}
	out := make([]diag.Diagnostic, 0, len(rs))
	for _, r := range rs {
		d := diag.Diagnostic{Path: r.Path, Line: 1, Column: 1, Severity: diag.Error, Rule: r.Rule, Record: r.ID, Field: r.Field, Message: r.Message, Text: r.Error()}
		if rec := byPath[r.Path]; rec != nil && r.Field != "" {
			d.Line, d.Column = rec.Pos(r.Field)
		}
		out = append(out, d)
	}
	return out
}

// refusedRecords says how many records the refusals name, and which.
func refusedRecords(ds []diag.Diagnostic) (int, any) {
	seen := map[string]bool{}
	var ids []string
	for _, d := range ds {
		id := d.Record
		if id == "" {
			id = d.Path
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	// listed with the reader's comma: EXP-2026-0025、EXP-2026-0033; the
	// first ten of many, the rest counted (each refusal follows anyway)
	return len(ids), i18n.Some(ids, refusedNames)
}

// refusedNames is how many records a refusal of many names in its first
// line.
const refusedNames = 10
