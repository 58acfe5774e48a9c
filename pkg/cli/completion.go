package cli

import (
	"context"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/inbox"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

// Shell completion (cobra's `opsbook completion bash|zsh|fish|powershell`)
// offers what each argument can be: kinds, ids of the records a command can
// act on (for a verb, those in a state the verb leaves and that the git
// identity may move), the states a record can move to (those open to you), field names for set, and people's handles (for inbox --for,
// those whose inbox you may see). The records are
// read as every command reads them (the cache makes it quick); an unreadable
// repository offers nothing rather than an error.

func addCompletions(g *global, root *cobra.Command) {
	kinds := func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return kindList(), cobra.ShellCompDirectiveNoFileComp
	}
	anyID := func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return g.completeIDs(cmd.Context(), func(*repo.Repo, *record.Record) bool { return true }), cobra.ShellCompDirectiveNoFileComp
	}
	verbs := map[string]bool{}
	for _, v := range workflow.Verbs() {
		verbs[v] = true
	}
	for _, c := range root.Commands() {
		switch name := c.Name(); {
		case name == "list" || name == "new":
			c.ValidArgsFunction = kinds
		case name == "schema":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
				out, d := kinds(cmd, args, s)
				if len(args) == 0 {
					out = append(out, "common", "policy")
				}
				return out, d
			}
		case name == "show" || name == "edit" || name == "history" || name == "renumber":
			c.ValidArgsFunction = anyID
		case name == "attachment":
			// The record, then the names of the files it lists.
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
				if len(args) == 0 {
					return anyID(cmd, args, s)
				}
				if len(args) > 1 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				r, err := g.open(cmd.Context())
				if err != nil {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				rec, err := r.Find(args[0])
				if err != nil {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				var out []string
				for _, e := range rules.Listed(rec) {
					out = append(out, path.Base(e.Path))
				}
				return out, cobra.ShellCompDirectiveNoFileComp
			}
		case name == "set":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
				if len(args) == 0 {
					return anyID(cmd, args, s)
				}
				return g.completeFields(cmd.Context(), args[0]), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
			}
		case name == "assign":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
				switch len(args) {
				case 0:
					return g.completeIDs(cmd.Context(), func(_ *repo.Repo, r *record.Record) bool { return r.Kind == record.Complaint }), cobra.ShellCompDirectiveNoFileComp
				case 1:
					// the people a complaint may be assigned to, as the
					// rule assign and validate share names them
					return g.completeHandles(cmd.Context(), assigneeRoles()...), cobra.ShellCompDirectiveNoFileComp
				}
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
		case name == "move":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
				switch len(args) {
				case 0:
					return g.completeIDs(cmd.Context(), func(rp *repo.Repo, r *record.Record) bool { return workflow.ForPolicy(r.Kind, rp.Policy) != nil }), cobra.ShellCompDirectiveNoFileComp
				case 1:
					return g.completeStates(cmd.Context(), args[0]), cobra.ShellCompDirectiveNoFileComp
				}
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
		case verbs[name]:
			verb := name
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
				// a verb takes several ids: each further one is offered
				// among those not given yet
				given := map[string]bool{}
				for _, a := range args {
					given[a] = true
				}
				var you *completionActor
				return g.completeIDs(cmd.Context(), func(rp *repo.Repo, r *record.Record) bool {
					if given[r.ID] {
						return false
					}
					if you == nil {
						you = g.completionActor(rp)
					}
					m, err := workflow.MoveByVerb(r, verb, you.env)
					return err == nil && you.may(r, m.To)
				}), cobra.ShellCompDirectiveNoFileComp
			}
		case name == "inbox":
			_ = c.RegisterFlagCompletionFunc("for", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
				return g.completeViewable(cmd.Context()), cobra.ShellCompDirectiveNoFileComp
			})
		case name == "log":
			_ = c.RegisterFlagCompletionFunc("kind", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return kindList(), cobra.ShellCompDirectiveNoFileComp
			})
			_ = c.RegisterFlagCompletionFunc("actor", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
				return g.completeHandles(cmd.Context()), cobra.ShellCompDirectiveNoFileComp
			})
		}
	}
}

func kindList() []string {
	var out []string
	for _, ki := range record.Kinds {
		out = append(out, string(ki.Kind))
	}
	return out
}

// completionRepo reads the records for a completion, quietly.
func (g *global) completionRepo(ctx context.Context) *repo.Repo {
	if ctx == nil {
		ctx = context.Background()
	}
	r, err := repo.OpenWith(ctx, g.dir, repo.Options{RecordsOnly: true, NoCache: g.noCache})
	if err != nil {
		return nil
	}
	return r
}

// completionRecord reads the records and finds id among them, quietly
// (nil when either fails).
func (g *global) completionRecord(ctx context.Context, id string) (*repo.Repo, *record.Record) {
	r := g.completionRepo(ctx)
	if r == nil {
		return nil, nil
	}
	rec, err := r.Find(id)
	if err != nil {
		return nil, nil
	}
	return r, rec
}

// completeIDs lists the ids of the records keep accepts, each with its
// title and state as the shell's description.
func (g *global) completeIDs(ctx context.Context, keep func(*repo.Repo, *record.Record) bool) []string {
	r := g.completionRepo(ctx)
	if r == nil {
		return nil
	}
	var out []string
	for _, rec := range r.Set.Records {
		if rec.ID == "" || rec.Kind == "" || !keep(r, rec) {
			continue
		}
		desc := rec.Title()
		if st := rec.Status(); st != "" {
			desc = st + ": " + desc
		}
		out = append(out, rec.ID+"\t"+oneLine(desc))
	}
	sort.Strings(out)
	return out
}

// completeStates lists the states the record can move to from its own.
func (g *global) completeStates(ctx context.Context, id string) []string {
	r, rec := g.completionRecord(ctx, id)
	if rec == nil {
		return nil
	}
	t := workflow.ForPolicy(rec.Kind, r.Policy)
	if t == nil {
		return nil
	}
	you := g.completionActor(r)
	var out []string
	seen := map[string]bool{}
	for _, m := range t.Moves {
		if m.From == rec.Status() && !seen[m.To] && you.may(rec, m.To) {
			seen[m.To] = true
			out = append(out, m.To+"\t"+m.Verb)
		}
	}
	return out
}

// completionActor is who completes (the git identity, as for a write), so
// that a verb or move offers only the moves open to them. When the identity
// names no active person every move is offered: completion helps, and the
// command itself then says who is unknown.
type completionActor struct {
	env   workflow.Env
	actor *workflow.Actor
}

func (g *global) completionActor(r *repo.Repo) *completionActor {
	now, err := g.clock()
	if err != nil {
		now = time.Now()
	}
	c := &completionActor{env: workflow.Env{Policy: r.Policy, People: workflow.NewPeople(r.Set.OfKind(record.Person)), Now: now, Records: r.Set}}
	gs, err := gitstore.Open(r.Root)
	if err != nil {
		return c
	}
	_, email, err := gs.Identity()
	if err != nil {
		return c
	}
	if p := change.PersonByEmail(r.Set, email); p != nil {
		if a := workflow.ActorOf(p); a.Active {
			c.actor = &a
		}
	}
	return c
}

// may says whether the actor may move rec to state to (always, when the
// actor is unknown).
func (c *completionActor) may(rec *record.Record, to string) bool {
	if c.actor == nil {
		return true
	}
	for _, o := range workflow.Options(*c.actor, rec, c.env) {
		if o.To == to {
			return o.Allowed
		}
	}
	return false
}

// completeHandles lists the active people's handles with their names;
// with roles, only those of the people who hold one of them.
func (g *global) completeHandles(ctx context.Context, roles ...string) []string {
	r := g.completionRepo(ctx)
	if r == nil {
		return nil
	}
	var out []string
	for _, p := range r.Set.OfKind(record.Person) {
		if workflow.ActorOf(p).Active && (len(roles) == 0 || slices.Contains(roles, p.Str("role"))) {
			out = append(out, p.ID+"\t"+oneLine(p.Title()))
		}
	}
	sort.Strings(out)
	return out
}

// assigneeRoles are the roles a complaint's assignee may have (rules.Refs).
func assigneeRoles() []string {
	for _, ref := range rules.Refs {
		if ref.Kind == record.Complaint && ref.Path == "assignee" {
			return ref.Roles
		}
	}
	return nil
}

// completeViewable lists the handles whose inbox the git identity may see
// (inbox --for): their own, their people's; the director's and
// leadership's, everyone's. An unknown identity is offered every handle.
func (g *global) completeViewable(ctx context.Context) []string {
	r := g.completionRepo(ctx)
	if r == nil {
		return nil
	}
	you := g.completionActor(r)
	var out []string
	for _, p := range r.Set.OfKind(record.Person) {
		if you.actor != nil && inbox.MayView(r.Set, you.actor.Handle, p.ID) != nil {
			continue
		}
		out = append(out, p.ID+"\t"+oneLine(p.Title()))
	}
	sort.Strings(out)
	return out
}

// completeFields lists FIELD= for the fields of the record's kind.
func (g *global) completeFields(ctx context.Context, id string) []string {
	_, rec := g.completionRecord(ctx, id)
	if rec == nil {
		return nil
	}
	fields, err := query.FieldsOf(rec.Kind)
	if err != nil {
		return nil
	}
	var out []string
	for _, name := range fields.Names() {
		f, err := fields.Resolve(name)
		if err != nil || f.IsDerived() || name == "kind" || name == "id" || name == "path" || name == "status" {
			continue
		}
		if top, _, nested := strings.Cut(name, "."); nested {
			if p, err := fields.Resolve(top); err == nil && p.Type == query.List {
				continue // an element's field needs its index: items.0.amount
			}
		}
		if f.Type == query.List {
			out = append(out, name+"+=")
		}
		out = append(out, name+"=")
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
