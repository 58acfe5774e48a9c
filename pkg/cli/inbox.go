package cli

import (
	"context"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/inbox"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/spf13/cobra"
)

type inboxOpts struct {
	*global
	forHandle string
	html      string
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
	return cmd
}

func runInbox(ctx context.Context, o *inboxOpts) error {
	format, err := o.format(render.Text, render.JSON, render.YAML)
	if err != nil {
		return err
	}
	now, r, err := o.load(ctx)
	if err != nil {
		return err
	}
	gs, err := gitstore.Open(r.Root)
	if err != nil {
		return usage(err)
	}
	_, email, err := gs.Identity()
	if err != nil {
		return refused(i18n.Errorf(msgInboxWho, err))
	}
	you := change.PersonByEmail(r.Set, email)
	if you == nil {
		return refused(i18n.Errorf(msgInboxUnknown, r.Policy.Records, email))
	}
	subject := you
	if o.forHandle != "" {
		if err := inbox.MayView(r.Set, you.ID, o.forHandle); err != nil {
			return refused(err)
		}
		subject = r.Set.Get(o.forHandle)
	}
	if subject == nil || subject.Kind != record.Person {
		return usageErr(msgInboxNoPerson, o.forHandle)
	}
	// Only the errors of the person's own records are listed; a move
	// judged on the whole department takes the department's errors then.
	findings := r.ErrorsOf(now, inbox.Owned(r.Set, subject.ID))
	preview := change.Preview(r, gs, subject, now, nil)
	defer o.manyProgress(preview)()
	box, err := inbox.Build(inbox.Input{Set: r.Set, Policy: r.Policy, Now: now, Person: subject.ID, Findings: findings, Try: preview.TryMovesText})
	if err != nil {
		return usage(err)
	}
	page := box.Page(now)
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
	return render.WritePageWidth(o.io.Out, page, o.io.OutTTY, o.colors(), o.io.Width)
}
