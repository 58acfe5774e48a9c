package workflow

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
)

func expense(t *testing.T, status, claimant, amount string) *record.Record {
	t.Helper()
	return parse(t, `kind: expense
id: EXP-2026-0193
title: 推廣物料印刷
status: `+status+`
claimant: `+claimant+`
date: 2026-09-14
category: marketing
amount: `+amount+`
`)
}

func TestCheckMoveMessages(t *testing.T) {
	own := parse(t, "kind: expense\nid: EXP-2026-0031\nstatus: submitted\nclaimant: zhang.min\namount: 300\n")
	paid := parse(t, "kind: expense\nid: EXP-2026-0002\nstatus: paid\nclaimant: li.wei\namount: 300\n")
	cases := []struct {
		name  string
		actor Actor
		rec   *record.Record
		to    string
		rule  string
		msg   string
	}{
		{"over the manager limit", manager, expense(t, "submitted", "li.wei", "12000.00"), "approved", RuleApprovalLimit,
			"zhang.min (manager) may not approve EXP-2026-0193: 12,000.00 is over the manager limit of 5,000.00; a director or leadership must approve it"},
		{"own claim", manager, own, "approved", RuleFourEyes,
			"zhang.min may not approve EXP-2026-0031: it is their own claim (four eyes)"},
		{"final", finance, paid, "approved", RuleFinalState,
			"expense EXP-2026-0002 is paid, a final state: it cannot change"},
		{"not in the table", specialist, expense(t, "draft", "li.wei", "10"), "approved", RuleMoveIllegal,
			"no move from draft to approved for an expense; from draft: submitted"},
		{"wrong role", specialist, expense(t, "submitted", "zhao.lei", "10"), "approved", RuleMoveRole,
			"li.wei (specialist) may not approve EXP-2026-0193: only a manager, a director or leadership may"},
		{"not the claimant", manager, expense(t, "draft", "li.wei", "10"), "submitted", RuleMoveRole,
			"zhang.min (manager) may not submit EXP-2026-0193: only the claimant (li.wei) may"},
		{"unknown state", manager, expense(t, "submitted", "li.wei", "10"), "aproved", RuleMoveIllegal,
			`"aproved" is not a state of an expense (states: draft, submitted, approved, returned, rejected, paid)`},
		{"same state", manager, expense(t, "submitted", "li.wei", "10"), "submitted", RuleMoveIllegal,
			"expense EXP-2026-0193 is already submitted"},
		{"bad status", manager, expense(t, "pending", "li.wei", "10"), "approved", RuleMoveIllegal,
			`expense EXP-2026-0193 is in "pending", which is not a state of an expense`},
		{"no status", manager, parse(t, "kind: expense\nid: EXP-2026-0001\nclaimant: li.wei\n"), "submitted", RuleMoveIllegal,
			"expense EXP-2026-0001 has no status: an expense starts in draft"},
		{"no workflow", manager, parse(t, "kind: customer\nid: CUS-0007\nname: 青禾\n"), "closed", RuleMoveIllegal,
			"CUS-0007 is a customer, and customer records have no workflow"},
		{"unknown actor", unknown, expense(t, "submitted", "li.wei", "10"), "approved", RuleActorUnknown,
			"an actor who is not in the people registry may not change EXP-2026-0193"},
		{"inactive actor", retired, expense(t, "submitted", "li.wei", "10"), "approved", RuleActorInactive,
			"old.hand is inactive and may not change EXP-2026-0193"},
		{"party unset", specialist, parse(t, "kind: complaint\nid: CMP-2026-0042\nstatus: received\ntype: complaint\n"), "acknowledged", RuleMoveRole,
			"li.wei (specialist) may not acknowledge CMP-2026-0042: only the assignee (none is set), a manager or a director may"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckMove(c.actor, c.rec, c.to, Env{})
			expect(t, err, c.rule, c.msg)
			if r := err.(*Refusal); r.ID != c.rec.ID || r.Path != c.rec.Path {
				t.Errorf("refusal names %s at %s", r.ID, r.Path)
			}
		})
	}
	if err := CheckMove(manager, nil, "approved", Env{}); ruleOf(t, err) != RuleMoveIllegal {
		t.Errorf("nil record: %v", err)
	}
}

func TestApprovalLimits(t *testing.T) {
	custom := config.Default()
	custom.ApprovalLimits = map[string]money.Amount{"manager": money.MustParse("1000")}
	cases := []struct {
		name   string
		actor  Actor
		amount string
		policy *config.Policy
		rule   string
		msg    string
	}{
		{"manager at the limit", manager, "5000.00", nil, "", ""},
		{"manager a cent over", manager, "5000.01", nil, RuleApprovalLimit, "5,000.01 is over the manager limit of 5,000.00; a director or leadership must approve it"},
		{"manager far over", manager, "60000", nil, RuleApprovalLimit, "over the manager limit of 5,000.00; leadership must approve it"},
		{"director at the limit", director, "50000", nil, "", ""},
		{"director over", director, "50000.01", nil, RuleApprovalLimit, "wang.fang (director) may not approve EXP-2026-0193: 50,000.01 is over the director limit of 50,000.00; leadership must approve it"},
		{"leadership any amount", leadership, "9999999.99", nil, "", ""},
		{"policy limit", manager, "1200", custom, RuleApprovalLimit, "over the manager limit of 1,000.00; a director or leadership"},
		{"policy limit kept", manager, "1000", custom, "", ""},
		{"limit missing from policy falls back to default", director, "50000", custom, "", ""},
		{"limit missing from policy, over default", director, "50001", custom, RuleApprovalLimit, "limit of 50,000.00"},
		{"amount not an amount", manager, "lots", nil, RuleApprovalLimit, "its amount is missing or not a plain decimal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := expense(t, "submitted", "li.wei", c.amount)
			expect(t, CheckMove(c.actor, rec, "approved", Env{Policy: c.policy}), c.rule, c.msg)
		})
	}
	// Rejecting and returning have no limit.
	big := expense(t, "submitted", "li.wei", "12000")
	for _, to := range []string{"rejected", "returned"} {
		expect(t, CheckMove(manager, big, to, Env{}), "", "")
	}
}

func TestFourEyes(t *testing.T) {
	for _, a := range []Actor{manager, director, leadership} {
		rec := expense(t, "submitted", a.Handle, "100")
		for _, to := range []string{"approved", "rejected", "returned"} {
			expect(t, CheckMove(a, rec, to, Env{}), RuleFourEyes, a.Handle+" may not ")
		}
	}
	// The claimant still submits and revises their own claim.
	expect(t, CheckMove(manager, expense(t, "draft", "zhang.min", "100"), "submitted", Env{}), "", "")
	expect(t, CheckMove(manager, expense(t, "returned", "zhang.min", "100"), "draft", Env{}), "", "")
	// A specialist's claim: their manager approves.
	expect(t, CheckMove(manager, expense(t, "submitted", "li.wei", "100"), "approved", Env{}), "", "")
}

func complaint(t *testing.T, status, typ, assignee string) *record.Record {
	t.Helper()
	text := "kind: complaint\nid: CMP-2026-0042\ntitle: 包裝破損\nstatus: " + status + "\ntype: " + typ + "\n"
	if assignee != "" {
		text += "assignee: " + assignee + "\n"
	}
	return parse(t, text)
}

func TestComplaintMoves(t *testing.T) {
	cases := []struct {
		name  string
		actor Actor
		rec   *record.Record
		to    string
		rule  string
		msg   string
	}{
		{"assignee acknowledges", specialist, complaint(t, "received", "complaint", "li.wei"), "acknowledged", "", ""},
		{"another specialist may not", other, complaint(t, "received", "complaint", "li.wei"), "acknowledged", RuleMoveRole, "only the assignee (li.wei), a manager or a director may"},
		{"director acknowledges", director, complaint(t, "received", "complaint", ""), "acknowledged", "", ""},
		{"director does not investigate", director, complaint(t, "acknowledged", "complaint", "li.wei"), "investigating", RuleMoveRole, "only the assignee (li.wei) or a manager may"},
		{"inquiry resolved from acknowledged", specialist, complaint(t, "acknowledged", "inquiry", "li.wei"), "resolved", "", ""},
		{"complaint not resolved from acknowledged", manager, complaint(t, "acknowledged", "complaint", "li.wei"), "resolved", RuleMoveIllegal,
			"no move from acknowledged to resolved for CMP-2026-0042 of type complaint: only inquiries are resolved straight from acknowledged; a complaint is investigated first"},
		{"complaint resolved after investigating", specialist, complaint(t, "investigating", "complaint", "li.wei"), "resolved", "", ""},
		{"closed is reopened", manager, complaint(t, "closed", "complaint", "li.wei"), "reopened", "", ""},
		{"closed is reopened by the director", director, complaint(t, "closed", "complaint", "li.wei"), "reopened", "", ""},
		{"the assignee does not reopen", specialist, complaint(t, "closed", "complaint", "li.wei"), "reopened", RuleMoveRole, ""},
		{"closed goes nowhere else", manager, complaint(t, "closed", "complaint", "li.wei"), "investigating", RuleMoveIllegal,
			"no move from closed to investigating for a complaint; from closed: reopened"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, CheckMove(c.actor, c.rec, c.to, Env{}), c.rule, c.msg)
		})
	}
}

func project(t *testing.T, status, holdFrom string) *record.Record {
	t.Helper()
	text := "kind: project\nid: PRJ-2026-0003\ntitle: 秋季推廣\nstatus: " + status + "\n"
	if holdFrom != "" {
		text += "hold:\n  from: " + holdFrom + "\n  reason: 預算凍結\n"
	}
	return parse(t, text)
}

func TestProjectHold(t *testing.T) {
	held := project(t, "on_hold", "planning")
	expect(t, CheckMove(director, held, "planning", Env{}), "", "")
	expect(t, CheckMove(leadership, held, "planning", Env{}), "", "")
	expect(t, CheckMove(manager, held, "planning", Env{}), RuleMoveRole, "")
	expect(t, CheckMove(director, held, "executing", Env{}), RuleHoldFrom,
		"project PRJ-2026-0003 was put on hold from planning: it resumes to planning, not executing")
	expect(t, CheckMove(director, project(t, "on_hold", ""), "planning", Env{}), RuleHoldFrom,
		"project PRJ-2026-0003 is on hold without hold.from")
	expect(t, CheckMove(director, held, "cancelled", Env{}), "", "")
	expect(t, CheckMove(director, held, "on_hold", Env{}), RuleMoveIllegal, "already on_hold")
	expect(t, CheckMove(director, held, "closed", Env{}), RuleMoveIllegal, "from on_hold: planning, cancelled")
	for _, s := range []string{"proposed", "feasibility", "approved", "planning", "executing", "closing"} {
		expect(t, CheckMove(leadership, project(t, s, ""), "on_hold", Env{}), "", "")
		expect(t, CheckMove(director, project(t, s, ""), "cancelled", Env{}), "", "")
	}
	for _, s := range []string{"closed", "rejected", "cancelled"} {
		expect(t, CheckMove(director, project(t, s, ""), "on_hold", Env{}), RuleFinalState, "a final state: it cannot change")
	}
}

func plan(t *testing.T, id, status, supersedes string) *record.Record {
	t.Helper()
	text := "kind: plan\nid: " + id + "\ntitle: 秋季方案\nstatus: " + status + "\nproject: PRJ-2026-0003\nauthor: zhang.min\nrevision: 2\n"
	if supersedes != "" {
		text += "supersedes: " + supersedes + "\n"
	}
	return parse(t, text)
}

func TestSupersede(t *testing.T) {
	old := plan(t, "PLN-2026-0002", "active", "")
	cases := []struct {
		name       string
		actor      Actor
		activating *record.Record
		rule, msg  string
	}{
		{"alone", manager, nil, RuleSupersede, "PLN-2026-0002 may be superseded only as part of activating the revision that names it in supersedes"},
		{"with its revision", manager, plan(t, "PLN-2026-0004", "active", "PLN-2026-0002"), "", ""},
		{"director with its revision", director, plan(t, "PLN-2026-0004", "active", "PLN-2026-0002"), "", ""},
		{"specialist with its revision", specialist, plan(t, "PLN-2026-0004", "active", "PLN-2026-0002"), RuleMoveRole, ""},
		{"with another plan", manager, plan(t, "PLN-2026-0005", "active", "PLN-2026-0001"), RuleSupersede, "PLN-2026-0005 does not supersede PLN-2026-0002 (its supersedes is PLN-2026-0001)"},
		{"with a revision not activated", manager, plan(t, "PLN-2026-0004", "approved", "PLN-2026-0002"), RuleSupersede, "PLN-2026-0004 is not being activated (it is approved)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, CheckMove(c.actor, old, "superseded", Env{Activating: c.activating}), c.rule, c.msg)
		})
	}
}

func TestOptions(t *testing.T) {
	names := func(os []Option) string {
		var out []string
		for _, o := range os {
			s := o.Verb + ">" + o.To
			if !o.Allowed {
				s += "(" + o.Rule + ")"
				if o.Reason == "" {
					t.Errorf("%s closed without a reason", s)
				}
			} else if o.Reason != "" || o.Rule != "" {
				t.Errorf("%s allowed with reason %q", s, o.Reason)
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name  string
		actor Actor
		rec   *record.Record
		env   Env
		want  string
	}{
		{"manager over the limit", manager, expense(t, "submitted", "li.wei", "12000"), Env{},
			"approve>approved(approval-limit) reject>rejected return>returned"},
		{"own claim", manager, expense(t, "submitted", "zhang.min", "100"), Env{},
			"approve>approved(four-eyes) reject>rejected(four-eyes) return>returned(four-eyes)"},
		{"finance pays", finance, expense(t, "approved", "li.wei", "100"), Env{}, "pay>paid"},
		{"paid: nothing", finance, expense(t, "paid", "li.wei", "100"), Env{}, ""},
		{"on hold: resume to hold.from only", director, project(t, "on_hold", "executing"), Env{},
			"resume>executing cancel>cancelled"},
		{"on hold without hold.from", director, project(t, "on_hold", ""), Env{},
			"resume>proposed(hold-from) resume>feasibility(hold-from) resume>approved(hold-from) resume>planning(hold-from) resume>executing(hold-from) resume>closing(hold-from) cancel>cancelled"},
		{"executing, manager", manager, project(t, "executing", ""), Env{},
			"finish>closing hold>on_hold(move-role) cancel>cancelled(move-role)"},
		{"active plan", manager, plan(t, "PLN-2026-0002", "active", ""), Env{},
			"complete>completed supersede>superseded(supersede)"},
		{"acknowledged complaint", specialist, complaint(t, "acknowledged", "complaint", "li.wei"), Env{},
			"investigate>investigating"},
		{"unknown actor", unknown, expense(t, "submitted", "li.wei", "100"), Env{},
			"approve>approved(actor-unknown) reject>rejected(actor-unknown) return>returned(actor-unknown)"},
		{"inactive actor", retired, expense(t, "submitted", "li.wei", "100"), Env{},
			"approve>approved(actor-inactive) reject>rejected(actor-inactive) return>returned(actor-inactive)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := names(Options(c.actor, c.rec, c.env)); got != c.want {
				t.Errorf("Options =\n  %s\nwant\n  %s", got, c.want)
			}
		})
	}
	if os := Options(manager, parse(t, "kind: customer\nid: CUS-0007\nname: 青禾\n"), Env{}); os != nil {
		t.Errorf("customer options = %v", os)
	}
	// The reason is the refusal's message.
	os := Options(manager, expense(t, "submitted", "li.wei", "12000"), Env{})
	if !strings.Contains(os[0].Reason, "12,000.00 is over the manager limit of 5,000.00") {
		t.Errorf("reason = %q", os[0].Reason)
	}
}

func TestMoveByVerb(t *testing.T) {
	cases := []struct {
		name     string
		rec      *record.Record
		verb, to string
		rule     string
		msg      string
	}{
		{"approve", expense(t, "submitted", "li.wei", "100"), "approve", "approved", "", ""},
		{"return", expense(t, "submitted", "li.wei", "100"), "return", "returned", "", ""},
		{"revise", expense(t, "returned", "li.wei", "100"), "revise", "draft", "", ""},
		{"resume", project(t, "on_hold", "closing"), "resume", "closing", "", ""},
		{"resume without hold.from", project(t, "on_hold", ""), "resume", "", RuleHoldFrom, "on hold without hold.from"},
		{"inquiry resolve", complaint(t, "acknowledged", "inquiry", ""), "resolve", "resolved", "", ""},
		{"complaint resolve from acknowledged says why", complaint(t, "acknowledged", "complaint", ""), "resolve", "", RuleMoveIllegal,
			"only inquiries are resolved straight from acknowledged; a complaint is investigated first"},
		{"reopen a closed complaint", complaint(t, "closed", "complaint", ""), "reopen", "reopened", "", ""},
		{"no such verb here", expense(t, "draft", "li.wei", "100"), "approve", "", RuleMoveIllegal,
			"no approve move from draft for an expense; from draft: submit (submitted)"},
		{"final", expense(t, "paid", "li.wei", "100"), "approve", "", RuleFinalState, "expense EXP-2026-0193 is paid, a final state: it cannot change"},
		{"bad state", expense(t, "pending", "li.wei", "100"), "approve", "", RuleMoveIllegal, `is in "pending"`},
		{"no workflow", parse(t, "kind: customer\nid: CUS-0007\nname: 青禾\n"), "close", "", RuleMoveIllegal, "no workflow"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := MoveByVerb(c.rec, c.verb, Env{})
			expect(t, err, c.rule, c.msg)
			if err == nil && (m.To != c.to || m.From != c.rec.Status()) {
				t.Errorf("move = %s>%s, want %s>%s", m.From, m.To, c.rec.Status(), c.to)
			}
		})
	}
}

func TestActorOfAndPeople(t *testing.T) {
	li := parse(t, "kind: person\nid: li.wei\nname: 李偉\nrole: specialist\nreports_to: zhang.min\nemails: [li.wei@example.com]\n")
	gone := parse(t, "kind: person\nid: old.hand\nname: 老手\nrole: director\nemails: [o@example.com]\nactive: false\n")
	exp := expense(t, "draft", "li.wei", "1")
	if a := ActorOf(li); a != (Actor{Handle: "li.wei", Role: Specialist, Active: true, ReportsTo: "zhang.min"}) {
		t.Errorf("ActorOf = %+v", a)
	}
	if a := ActorOf(gone); a.Active {
		t.Errorf("active: false read as %+v", a)
	}
	p := NewPeople([]*record.Record{li, gone, exp, nil})
	if len(p) != 2 || p["li.wei"].Role != Specialist || p["old.hand"].Active {
		t.Errorf("NewPeople = %+v", p)
	}
	if s := specialist.String(); s != "li.wei (specialist)" {
		t.Errorf("String = %q", s)
	}
	if s := unknown.String(); s != "an unknown actor" {
		t.Errorf("String = %q", s)
	}
}
