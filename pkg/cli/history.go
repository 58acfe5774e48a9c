package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

type historyOpts struct {
	*global
	id string
}

// historyLong is the longer help of history, keyed in the help catalog.
const historyLong = `History shows every commit that changed one record, oldest first: the
date, the commit, the actor (the person whose registered email made the
commit, with their role at the time; under require_signatures, the person
whose registered key signed it; the raw author when nobody is registered),
the move (submitted → approved) and the fields that changed
(amount: 980.50 → 1280.50).

Everything is derived from the record's files at each commit and its parent;
commit messages and trailers are never trusted. A renumbered record is
followed to its old id, and at a merge the branch's own commits are shown.

The first run indexes the history in .git/opsbook/ (only new commits are
read after that). A shallow clone is refused, and so is a partial one
(git clone --filter) that lacks earlier versions of the files: fetch the
full history.

Output (-o): text, json.`

func newHistoryCmd(g *global) *cobra.Command {
	o := &historyOpts{global: g}
	return &cobra.Command{
		Use:   "history <ID>",
		Short: i18n.T("The life of one record, from git alone"),
		Long:  i18n.T(historyLong),
		Example: `  opsbook history EXP-2026-0025
  opsbook history li.wei -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			return runHistory(cmd.Context(), o)
		},
	}
}

type eventJSON struct {
	Commit         string              `json:"commit"`
	Date           string              `json:"date"`
	Authored       string              `json:"authored"`
	Actor          audit.Identity      `json:"actor"`
	Record         string              `json:"record"`
	Kind           string              `json:"kind"`
	Path           string              `json:"path"`
	Action         string              `json:"action"`
	From           string              `json:"from"`
	To             string              `json:"to"`
	RenumberedFrom string              `json:"renumbered_from,omitempty"`
	RenumberedTo   string              `json:"renumbered_to,omitempty"`
	Fields         []audit.FieldChange `json:"fields"`
	Merge          bool                `json:"merge"`
	Subject        string              `json:"subject"`
}

func eventsJSON(evs []audit.Event) []eventJSON {
	out := make([]eventJSON, 0, len(evs))
	for _, e := range evs {
		fs := e.Fields
		if fs == nil {
			fs = []audit.FieldChange{}
		}
		out = append(out, eventJSON{
			Commit: e.Commit.String(), Date: e.Date.Format(time.RFC3339), Authored: e.Authored.Format(time.RFC3339), Actor: e.Actor,
			Record: e.Record, Kind: string(e.Kind), Path: e.Path, Action: e.Action,
			From: e.From, To: e.To, RenumberedFrom: e.RenumberedFrom, RenumberedTo: e.RenumberedTo, Fields: fs,
			Merge: e.Merge, Subject: e.Subject,
		})
	}
	return out
}

func runHistory(ctx context.Context, o *historyOpts) error {
	format, err := o.format(render.Text, render.JSON)
	if err != nil {
		return err
	}
	r, err := o.openAudit()
	if err != nil {
		return err
	}
	defer r.Close()
	evs, err := r.History(ctx, o.id)
	if err != nil {
		if errors.Is(err, audit.ErrNoRecord) {
			return usage(err)
		}
		return &ExitError{ExitUsage, i18n.Errorf("reading the history of %s: %w", o.id, err)}
	}
	if root, err := config.FindRoot(o.dir); err == nil {
		hideEncrypted(root, evs)
	}
	if format == render.JSON {
		return render.WriteJSON(o.io.Out, struct {
			ID     string      `json:"id"`
			Events []eventJSON `json:"events"`
		}{o.id, eventsJSON(evs)})
	}
	return writeEvents(o.io.Out, evs, false, o.colors(), o.textWidth())
}

// openAudit opens the git repository of the records repository for
// reading its history, without loading the work tree's records.
func (g *global) openAudit() (*audit.Repo, error) {
	root, err := config.FindRoot(g.dir)
	if err != nil {
		return nil, usage(err)
	}
	r, err := audit.Open(root)
	if err != nil {
		var sh *audit.ShallowError
		if errors.As(err, &sh) || errors.Is(err, audit.ErrNoRepository) {
			return nil, usage(err)
		}
		return nil, &ExitError{ExitUsage, i18n.Errorf("reading git: %w", err)}
	}
	if g.io.ErrTTY && g.output != "json" {
		// A first run over a long history builds the commit index.
		p := render.NewProgress(g.io.Err, i18n.T("indexing commits"))
		r.IndexProgress = func(done, total int) {
			p.Update(done, total)
			if done >= total {
				p.Done()
			}
		}
	}
	return r, nil
}

// writeEvents writes events as lines of date, commit, [record,] actor and
// move, each changed field indented below. With width > 0 (a terminal's)
// every line fits it: the actor, the least telling column (a raw git
// identity can be 80 cells), is cut first, down to minActor, ending in "…";
// a move still too wide wraps under its column, and the fields wrap below
// their line. Width 0 (piped) writes every line whole, as scripts expect.
func writeEvents(w io.Writer, evs []audit.Event, withRecord bool, c render.Colors, width int) error {
	actorW, recW, moveW := 0, 0, 0
	moves := make([]string, len(evs))
	for i, e := range evs {
		actorW = max(actorW, cells.Width(e.Actor.Text()))
		recW = max(recW, len(e.Record))
		moves[i] = e.MoveText()
		if e.Merge {
			moves[i] += i18n.T(" [merge]")
		}
		moveW = max(moveW, cells.Width(moves[i]))
	}
	lead := 16 + 2 + 8 + 2 // date, commit
	if withRecord {
		lead += recW + 2
	}
	if width > 0 && lead+actorW+2+moveW > width {
		actorW = min(actorW, max(minActor, width-lead-2-moveW), max(4, width-lead-2))
	}
	moveAt := lead + actorW + 2
	// the fields go under the move while there is room for them there,
	// else a little indented under the line
	fieldAt := moveAt
	if width > 0 && width-fieldAt < minFieldRoom {
		fieldAt = 4
	}
	indent := strings.Repeat(" ", fieldAt)
	var b strings.Builder
	for i, e := range evs {
		b.WriteString(e.Date.Format("2006-01-02 15:04"))
		b.WriteString("  " + c.Yellow(e.Commit.String()[:8]))
		if withRecord {
			b.WriteString("  " + render.Pad(e.Record, recW))
		}
		actor := e.Actor.Text()
		if cells.Width(actor) > actorW {
			actor = render.Truncate(actor, actorW)
		}
		indent := indent
		if width > 0 && moveAt+cells.Width(moves[i]) > width {
			// no room beside the actor: the move goes below, whole if
			// it can be
			b.WriteString("  " + c.Cyan(actor) + "\n")
			for _, l := range render.Wrap(moves[i], max(minMove, width-4)) {
				b.WriteString("    " + c.Bold(l) + "\n")
			}
			indent = "    "
		} else {
			b.WriteString("  " + c.Cyan(render.Pad(actor, actorW)) + "  " + c.Bold(moves[i]) + "\n")
		}
		// The date shown is the commit's (verify judges it); an author
		// date more than an hour away from it (set by hand, or kept
		// through a rebase) is told below, never shown in its place.
		if d := e.Authored.Sub(e.Date); !e.Authored.IsZero() && (d > authoredSkew || d < -authoredSkew) {
			b.WriteString(indent + i18n.Sprintf("authored %s (the date above is the commit's)", e.Authored.Format("2006-01-02 15:04")) + "\n")
		}
		for _, f := range e.Fields {
			line := fmt.Sprintf("%s: %s → %s", f.Field, shortValue(f.Before, width), shortValue(f.After, width))
			room := 0
			if width > 0 {
				room = max(minMove, width-len(indent)-2)
			}
			for j, l := range render.Wrap(line, room) {
				if j == 0 {
					// the first line has the continuation's two cells too
					b.WriteString(indent + l + "\n")
					continue
				}
				b.WriteString(indent + "  " + l + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// authoredSkew is how far an event's author date may lie from its commit
// date before writeEvents tells it (clocks of different machines).
const authoredSkew = time.Hour

// The narrowest writeEvents cuts an actor to, wraps a move or a field to,
// and the room a field needs beside the actor to stay under the move.
const (
	minActor     = 12
	minMove      = 10
	minFieldRoom = 40
)

// textWidth is the width text is fitted to: the terminal's when standard
// output is one; 0 (no limit) when piped, so that scripts read every line
// whole, as list's tab-separated rows are.
func (g *global) textWidth() int {
	if g.io.OutTTY {
		return g.io.Width
	}
	return 0
}

// shortValue is a changed field's value on one line: on a terminal (width
// > 0) its first 60 columns, so that a long text does not fill the feed;
// piped, whole, as scripts read every line.
func shortValue(v *string, width int) string {
	if v == nil {
		return i18n.T("(none)")
	}
	s := strings.Join(strings.Fields(*v), " ")
	if width <= 0 {
		return s
	}
	return render.Truncate(s, 60)
}

// showHistory gives show a record's last moves from git, newest first. A
// records folder that is not in git has no history to show (nil).
func showHistory(ctx context.Context, root string, rec *record.Record, limit int) ([]query.HistoryEntry, error) {
	r, err := audit.Open(root)
	if errors.Is(err, audit.ErrNoRepository) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	evs, err := r.History(ctx, rec.ID)
	if errors.Is(err, audit.ErrNoRecord) {
		return []query.HistoryEntry{}, nil // not committed yet
	}
	if err != nil {
		return nil, err
	}
	out := []query.HistoryEntry{}
	for i := len(evs) - 1; i >= 0 && len(out) < limit; i-- {
		e := evs[i]
		h := query.HistoryEntry{Commit: e.Commit.String(), At: e.Date.Format(time.RFC3339),
			Actor: e.Actor.Handle, Action: actionVerb(e), From: e.From, To: e.To}
		if h.Actor == "" {
			h.Actor = e.Actor.Email
		}
		for _, f := range e.Fields {
			h.Fields = append(h.Fields, f.Field)
		}
		out = append(out, h)
	}
	return out, nil
}

// actionVerb names an event as the CLI's verbs do: create, submit,
// approve, edit, delete, renumber.
func actionVerb(e audit.Event) string {
	switch e.Action {
	case audit.ActionCreated:
		return "create"
	case audit.ActionEdited:
		return "edit"
	case audit.ActionDeleted:
		return "delete"
	case audit.ActionRenumbered, audit.ActionRenumberedAway:
		return "renumber"
	case audit.ActionMoved:
		if t := workflow.For(e.Kind); t != nil {
			if m, ok := t.Find(e.From, e.To); ok {
				return m.Verb
			}
		}
		return "move"
	}
	return e.Action
}

// hideEncrypted replaces, in the events' field changes, every value of a
// field the policy encrypts in its kind (and every age ciphertext) by
// ‹encrypted›: history and log show that such a field changed, never its
// value, not even the clear value an older commit held before the field
// was encrypted (that value is in git's objects for anyone with a clone,
// which the README says; opsbook does not put it on the screen).
func hideEncrypted(root string, evs []audit.Event) {
	pol, _, err := config.Load(root)
	if err != nil {
		pol = nil
	}
	hidden := func(kind record.Kind, field string) bool {
		for _, f := range pol.Encrypted(kind) {
			if field == f || strings.HasPrefix(field, f+".") {
				return true
			}
		}
		return false
	}
	mark := func(v *string, hide bool) *string {
		if v == nil || !hide && !crypt.IsCiphertext(*v) {
			return v
		}
		m := crypt.Marker
		return &m
	}
	for i := range evs {
		for j, f := range evs[i].Fields {
			hide := hidden(evs[i].Kind, f.Field)
			evs[i].Fields[j].Before = mark(f.Before, hide)
			evs[i].Fields[j].After = mark(f.After, hide)
		}
	}
}
