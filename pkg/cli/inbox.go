package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"time"

	"github.com/opsbook/opsbook/pkg/audit"
	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/inbox"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/spf13/cobra"
)

type inboxOpts struct {
	*global
	forHandle string
	html      string
	wide      bool
}

// inboxLong is the longer help of inbox, keyed in the help catalog.
const inboxLong = `Inbox lists what waits on you (the person whose email is your git
user.email), most urgent first:

  1. complaints assigned to you past their SLA (the customer waits);
  2. work past its deadline, longest past first: tasks, plan tasks, meeting
     action items, revisits, progress checks, your status report;
  3. complaints assigned to you whose SLA clock runs, nearest deadline first
     (the director also sees the open complaints assigned to nobody
     or to someone who has left; a complaint a specialist resolved waits
     on the manager they report to, who closes it);
  4. moves others wait on you to make (claims to approve within your limit,
     plans to review, appraisals to acknowledge, minutes to publish, ...),
     those the rules would accept now first, then those that need
     something first (a claim over the budget, a field the state needs);
  5. work due within the next 7 days, nearest first;
  6. your own records returned to you, on hold, or breaking a rule.

Which moves wait on whom is the workflow's table: the same roles, approval
limits and four-eyes checks as the moves themselves; each move is tried
against the rules as a write would be (nothing is written), so a claim that
would overspend the budget is never offered as approvable. Each line ends
with the command that acts on it.

Someone with people reporting to them (the director: everyone but
leadership) also sees their team's overdue work in a second section.
--for HANDLE shows another person's inbox: a manager may look at the people
who report to them (through reports_to), the director and leadership at
anyone, everyone else only at themselves.

Output (-o): text, json, yaml. --html FILE also writes the inbox as a
self-contained page ("-" for standard output).`

func newInboxCmd(g *global) *cobra.Command {
	o := &inboxOpts{global: g}
	cmd := &cobra.Command{
		Use:   "inbox [--for HANDLE]",
		Short: i18n.T("What waits on you, most urgent first, each with the command that acts on it"),
		Long:  i18n.T(inboxLong),
		Example: `  opsbook inbox
  opsbook inbox --for li.wei
  opsbook inbox -o json
  opsbook inbox --html inbox.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInbox(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.forHandle, "for", "", i18n.T("the inbox of `HANDLE` (one of your people; the director and leadership: anyone)"))
	cmd.Flags().StringVar(&o.html, "html", "", i18n.T("also write a self-contained HTML page to `FILE` (- for standard output)"))
	cmd.Flags().BoolVar(&o.wide, "wide", false, i18n.T(wideHelp))
	return cmd
}

func runInbox(ctx context.Context, o *inboxOpts) error {
	format, err := o.format(render.Text, render.JSON, render.YAML)
	if err != nil {
		return err
	}
	now, err := o.clock()
	if err != nil {
		return err
	}
	box, err := o.inbox(ctx, now)
	if err != nil {
		return err
	}
	// another's inbox says "waiting on li.wei", not "waiting on you"
	page := box.PageFor(now, o.forHandle != "")
	if o.html != "" {
		if err := o.writeHTMLTo(o.html, page, now, "inbox --for "+box.Person); err != nil {
			return err
		}
		if o.output == "" {
			return nil
		}
	}
	switch format {
	case render.JSON:
		return render.WriteJSON(o.io.Out, box)
	case render.YAML:
		return render.WriteYAML(o.io.Out, box)
	}
	narrowed := false
	if o.io.OutTTY && o.io.Width > 0 && !o.wide {
		page, narrowed = page.Narrowed(o.io.Width)
	}
	if err := render.WritePageWidth(o.io.Out, page, o.io.OutTTY, o.colors(), o.io.Width); err != nil {
		return err
	}
	if narrowed {
		// as list, report and summary say it: the record column was left
		// out (every command names its record)
		fmt.Fprintln(o.io.Err, render.WrapLines(i18n.Sprintf(msgReportNarrow, o.io.Width), o.io.Width))
	}
	return nil
}

// inboxesReused counts the inboxes given from a memo, for the tests.
var inboxesReused int

// inboxMemo names the memo of the inbox that viewer (by git email) asks
// for (forHandle: another person's), as of now's time zone, read with
// the identity at hand (a tried move may re-encrypt a field). The zone is
// named by its name and offset at now and at the end of the inbox's
// window (inbox.HorizonDays on), which Build takes as a date there: two zones
// alike now may not be a week on (America/Denver leaves MST in March,
// America/Phoenix does not). Deadlines further off are placed by now's
// zone again when a kept inbox is given (inbox.Kept).
func inboxMemo(email, forHandle string, now time.Time) string {
	zone, offset := now.Zone()
	wzone, woffset := now.AddDate(0, 0, inbox.HorizonDays).Zone()
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%s %d\x00%s %d\x00%s", email, forHandle, zone, offset, wzone, woffset, crypt.IdentityKey()))
	return "inbox-" + hex.EncodeToString(h[:12])
}

// inbox returns the inbox asked for as of now: the stored one when it
// holds (recallMemo: the same department, attachments and commit state,
// the same day, and a moment before any item or tried move could change
// by time alone), or one made from the whole department, then stored.
func (o *inboxOpts) inbox(ctx context.Context, now time.Time) (*inbox.Inbox, error) {
	var memo string
	var found memoFound
	if !o.noCache {
		gs, err := openGit(o.dir)
		if err == nil {
			if _, email, err := gs.Identity(); err == nil {
				memo = inboxMemo(email, o.forHandle, now)
				if found, err = o.recallMemo(ctx, memo, now); err != nil {
					return nil, err
				}
			}
		}
	}
	if found.memo != nil {
		if box, err := inbox.Kept(found.memo.Value, now); err == nil {
			o.warnKept(found.memo)
			o.warnInterrupted(found.root)
			inboxesReused++
			repo.Trace("%s memo: reused", memo)
			return box, nil
		}
	}
	start := time.Now()
	if box := o.inboxAgain(ctx, memo, found, now, start); box != nil {
		return box, nil
	}
	beforePass()
	r, err := o.openListed(ctx, found)
	if err != nil {
		return nil, err
	}
	// what the pass reads of the history, kept with its answer
	asked := audit.NewLeftAsked(r.Root)
	r.LeftAtClose = asked.Ask
	gs, err := gitstore.Open(r.Root)
	if err != nil {
		return nil, usage(err)
	}
	_, email, err := gs.Identity()
	if err != nil {
		return nil, refused(i18n.Errorf(msgInboxWho, err))
	}
	you := change.PersonByEmail(r.Set, email)
	if you == nil {
		return nil, refused(i18n.Errorf(msgInboxUnknown, r.Policy.Records, email))
	}
	subject := you
	if o.forHandle != "" {
		if p := r.Set.Get(o.forHandle); p == nil || p.Kind != record.Person {
			return nil, usageErr(msgInboxNoPerson, o.forHandle) // a mistyped handle: exit 2, not a refusal
		}
		if err := inbox.MayView(r.Set, you.ID, o.forHandle); err != nil {
			return nil, refused(err)
		}
		subject = r.Set.Get(o.forHandle)
	}
	if subject == nil || subject.Kind != record.Person {
		return nil, usageErr(msgInboxNoPerson, o.forHandle)
	}
	// Only the errors of the person's own records are listed; a move
	// judged on the whole department takes the department's errors then.
	h := &rules.Horizon{}
	findings, seen := r.ErrorsOfSeen(now, inbox.Owned(r.Set, subject.ID), h)
	afterPass()
	preview := change.PreviewIndexed(r, gs, subject, now, nil, indexOfRead(found, r))
	preview.Horizon = h
	preview.LeftAtClose = r.LeftAtClose // as a write's session reads the history
	stop := o.manyProgress(preview)
	box, err := inbox.Build(inbox.Input{Set: r.Set, Policy: r.Policy, Now: now, Person: subject.ID, Findings: findings, Try: preview.TryMovesText, Horizon: h})
	stop()
	if err != nil {
		return nil, usage(err)
	}
	if memo != "" && memo == inboxMemo(email, o.forHandle, now) {
		tried, dirty := preview.SeenFiles()
		if v, err := box.Keep(); err == nil {
			read, _ := r.Fingerprint()
			if o.storeMemo(ctx, memo, found, read, now, start, h, append(seen, tried...), dirty, historyRead(asked), v, unreadableWarning(r)) != nil && read == found.fp {
				saveInboxBase(found, memo)
			}
		}
	}
	return box, nil
}

// inboxBasePath is where the index the memo of an inbox was made from is
// kept (repo.SaveIndexBase), the base of an inbox made again.
func inboxBasePath(root, memo string) string {
	return filepath.Join(cache.Dir(root), "memo-"+memo+".index")
}

// saveInboxBase keeps the refreshed index of found beside the inbox memo
// just stored for it.
func saveInboxBase(found memoFound, memo string) {
	if found.d == nil || found.root == "" {
		return
	}
	if err := repo.SaveIndexBase(inboxBasePath(found.root, memo), found.d); err != nil {
		repo.Trace("%s memo: base not kept: %v", memo, err)
	}
}

// inboxesAgain counts the inboxes made again for what changed, for the
// tests.
var inboxesAgain int

// inboxAgain makes the inbox again from the last one kept (found.stale,
// made of the department its base index holds) for the records that
// changed since (repo.Rejudge): the items of the records whose items can
// have moved are made again, on those records and what they read; the
// others are the last inbox's. Nil when it cannot be made so (see
// repo.Rejudge): the full pass answers.
func (o *inboxOpts) inboxAgain(ctx context.Context, memo string, found memoFound, now, start time.Time) *inbox.Inbox {
	m := found.stale
	if m == nil || found.d == nil || memo == "" {
		return nil
	}
	base, err := inbox.Kept(m.Value, now)
	if err != nil {
		return nil
	}
	// the claims whose moves were tried: an approval is weighed against
	// its budget line (a claim's own errors, budget-overspend among them,
	// are Rejudge's to find)
	var claims []string
	for _, it := range base.Items {
		if it.Kind == string(record.Expense) && it.Source == inbox.SourceMove {
			claims = append(claims, it.Record)
		}
	}
	d := found.d
	asked := audit.NewLeftAsked(found.root) // as the full pass's (openWith)
	d.LeftAtClose = asked.Ask
	rj, why := repo.Rejudge(d, inboxBasePath(found.root, memo), m.Fingerprint, claims)
	if rj == nil {
		repo.Trace("%s memo: not made again: %s", memo, why)
		return nil
	}
	// the last inbox's items of the records not made again hold what it
	// read of the history then: it must read the same now
	if _, ok := historyAgain(found.root, m.History, nil, rj.Changes); !ok {
		repo.Trace("%s memo: not made again: the history it read changed", memo)
		return nil
	}
	r := rj.Repo
	gs, err := gitstore.Open(r.Root)
	if err != nil {
		return nil
	}
	_, email, err := gs.Identity()
	if err != nil {
		return nil
	}
	subject := change.PersonByEmail(r.Set, email)
	if subject == nil {
		return nil
	}
	if o.forHandle != "" {
		p := r.Set.Get(o.forHandle)
		if p == nil || p.Kind != record.Person || inbox.MayView(r.Set, subject.ID, o.forHandle) != nil {
			return nil // the full pass says why
		}
		subject = p
	}
	h := &rules.Horizon{}
	if m.Until != nil {
		(&rules.Context{Now: now, Horizon: h}).Until(*m.Until)
	}
	findings, seen := r.ErrorsOfSeen(now, rj.OwnedBy(subject.ID), h)
	preview := change.PreviewPart(r, gs, subject, now, d.Index, rj.Full)
	preview.Horizon = h
	preview.LeftAtClose = d.LeftAtClose
	part := &inbox.Part{IDs: rj.IDs, Authors: rj.Authors, AnyReport: rj.AnyReport}
	stop := o.manyProgress(preview)
	box, err := inbox.Build(inbox.Input{Set: r.Set, Policy: r.Policy, Now: now, Person: subject.ID, Findings: findings, Try: preview.TryMovesText, Horizon: h, Part: part})
	stop()
	if err != nil {
		return nil
	}
	box = inbox.Merge(base, box, part)
	o.warnInterrupted(found.root)
	repo.Trace("%s memo: made again: %d files changed, %d records' items made again", memo, len(rj.Changes), len(rj.IDs))
	inboxesAgain++
	tried, dirty := preview.SeenFiles()
	for p, v := range m.Dirty {
		if _, ok := dirty[p]; !ok {
			dirty[p] = v
		}
	}
	for _, f := range m.Files {
		seen = append(seen, f.Path)
	}
	read := found.fp
	if preview.ReadChanged() {
		read = "" // a file changed while it was read: the index tells again
	}
	hist, ok := historyAgain(found.root, m.History, asked, rj.Changes)
	if v, err := box.Keep(); err == nil && ok && memo == inboxMemo(email, o.forHandle, now) {
		if o.storeMemo(ctx, memo, found, read, now, start, h, append(seen, tried...), dirty, hist, v, "") != nil && read != "" {
			saveInboxBase(found, memo)
		}
	}
	return box
}

// indexOfRead is the refreshed index the memo was looked for with when it
// stands for the records r read (their fingerprints are one), else nil: a
// file changed in between, and the index would judge moves on what it
// held before.
func indexOfRead(found memoFound, r *repo.Repo) *index.Index {
	read, ok := r.Fingerprint()
	if found.d == nil || !ok || read != found.fp {
		return nil
	}
	return found.d.Index
}

// openGit opens the git repository of the department dir is in (a folder
// below its root included).
func openGit(dir string) (*gitstore.Repo, error) {
	root, err := config.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	return gitstore.Open(root)
}
