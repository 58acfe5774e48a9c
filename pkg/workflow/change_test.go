package workflow

import (
	"errors"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
)

func appraisal(t *testing.T, status, employee, appraiser string) *record.Record {
	t.Helper()
	return parse(t, `kind: appraisal
id: APR-2026-0011
title: 上半年考核
status: `+status+`
employee: `+employee+`
appraiser: `+appraiser+`
period: 2026-H1
indicators:
  - name: 簽約
    weight: 100
    score: 90
`)
}

func TestCheckCreate(t *testing.T) {
	env := Env{People: people}
	cases := []struct {
		name  string
		actor Actor
		rec   *record.Record
		rule  string
		msg   string
	}{
		{"project by the director", director, project(t, "proposed", ""), "", ""},
		{"project by a manager", manager, project(t, "proposed", ""), RuleCreateRole, "zhang.min (manager) may not create PRJ-2026-0003: projects are created by a director"},
		{"project by leadership", leadership, project(t, "proposed", ""), RuleCreateRole, ""},
		{"project born approved", director, project(t, "approved", ""), RuleCreateState,
			"project PRJ-2026-0003 must be created in proposed, not approved: appearing in a later state is a move nobody may make"},
		{"plan by a manager", manager, plan(t, "PLN-2026-0004", "draft", ""), "", ""},
		{"plan by the director", director, plan(t, "PLN-2026-0004", "draft", ""), RuleCreateRole, "plans are created by a manager"},
		{"plan for another author", manager2, plan(t, "PLN-2026-0004", "draft", ""), RuleCreateRole, "its author is zhang.min, and a plan is created by its author"},
		{"plan born active", manager, plan(t, "PLN-2026-0004", "active", ""), RuleCreateState, ""},
		{"complaint by a specialist", specialist, complaint(t, "received", "complaint", ""), "", ""},
		{"complaint by finance", finance, complaint(t, "received", "inquiry", ""), "", ""},
		{"complaint born resolved", specialist, complaint(t, "resolved", "complaint", ""), RuleCreateState, ""},
		{"customer by anyone", finance, parse(t, "kind: customer\nid: CUS-0007\nname: 青禾\n"), "", ""},
		{"budget by the director", director, parse(t, "kind: budget\nid: BUD-2026\nstatus: draft\n"), "", ""},
		{"budget by a manager", manager, parse(t, "kind: budget\nid: BUD-2026\nstatus: draft\n"), "", ""},
		{"budget by a specialist", specialist, parse(t, "kind: budget\nid: BUD-2026\nstatus: draft\n"), RuleCreateRole, "budgets are created by a manager or a director"},
		{"budget born approved", leadership, parse(t, "kind: budget\nid: BUD-2026\nstatus: approved\n"), RuleCreateState, ""},
		{"expense by its claimant", specialist, expense(t, "draft", "li.wei", "10"), "", ""},
		{"expense for someone else", director, expense(t, "draft", "li.wei", "10"), RuleCreateRole,
			"wang.fang (director) may not create EXP-2026-0193: its claimant is li.wei, and an expense is created by its claimant"},
		{"expense born approved", specialist, expense(t, "approved", "li.wei", "10"), RuleCreateState, "not approved"},
		{"expense without status", specialist, parse(t, "kind: expense\nid: EXP-2026-0001\nclaimant: li.wei\n"), RuleCreateState, "not (none)"},
		{"appraisal by the manager", manager, appraisal(t, "draft", "li.wei", "zhang.min"), "", ""},
		{"appraisal by the director", director, appraisal(t, "draft", "zhao.lei", "wang.fang"), "", ""},
		{"appraisal by someone else than its appraiser", manager2, appraisal(t, "draft", "li.wei", "zhang.min"), RuleCreateRole,
			"its appraiser is zhang.min, and an appraisal is created by its appraiser"},
		{"appraisal by another manager", manager2, appraisal(t, "draft", "li.wei", "chen.jie"), RuleAppraiser,
			"APR-2026-0011: chen.jie may not appraise li.wei, who reports to zhang.min: the appraiser is the employee's manager (reports_to) or a director"},
		{"self-appraisal", manager, appraisal(t, "draft", "zhang.min", "zhang.min"), RuleFourEyes,
			"the appraiser and the employee are both zhang.min: nobody appraises themselves (four eyes)"},
		{"director self-appraisal", director, appraisal(t, "draft", "wang.fang", "wang.fang"), RuleFourEyes, ""},
		{"employee unknown", manager, appraisal(t, "draft", "nobody.here", "zhang.min"), RuleAppraiser, "employee nobody.here is not in the people registry"},
		{"appraisal born reviewed", manager, appraisal(t, "reviewed", "li.wei", "zhang.min"), RuleCreateState, ""},
		{"person by the director", director, parse(t, "kind: person\nid: new.hire\nname: 新人\nrole: specialist\n"), "", ""},
		{"person by leadership", leadership, parse(t, "kind: person\nid: new.hire\nname: 新人\nrole: specialist\n"), "", ""},
		{"person by a manager", manager, parse(t, "kind: person\nid: new.hire\nname: 新人\nrole: specialist\n"), RulePeoplePolicy,
			"zhang.min (manager) may not create person new.hire: people are changed only by a director or leadership"},
		{"unknown actor", unknown, complaint(t, "received", "complaint", ""), RuleActorUnknown, ""},
		{"inactive actor", retired, project(t, "proposed", ""), RuleActorInactive, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, CheckCreate(c.actor, c.rec, env), c.rule, c.msg)
		})
	}
	// Without the registry, only the director's appraisals can be judged.
	expect(t, CheckCreate(manager, appraisal(t, "draft", "li.wei", "zhang.min"), Env{}), RuleAppraiser, "not in the people registry")
	expect(t, CheckCreate(director, appraisal(t, "draft", "li.wei", "wang.fang"), Env{}), "", "")
}

// edit parses before, applies text replacements to get after, and checks.
func edit(t *testing.T, a Actor, before string, repl ...string) error {
	t.Helper()
	after := strings.NewReplacer(repl...).Replace(before)
	if after == before {
		t.Fatalf("replacements %q change nothing", repl)
	}
	return CheckEdit(a, parse(t, before), parse(t, after), Env{People: people})
}

const paidExpense = `kind: expense
id: EXP-2026-0002
title: 差旅
status: paid
claimant: li.wei
amount: 1280.50
note: 上海
`

const approvedExpense = `kind: expense
id: EXP-2026-0193
title: 印刷
status: approved
claimant: li.wei
amount: 1280.50
items:
  - description: 單頁
    amount: 980.50
  - description: 易拉寶
    amount: 300.00
`

const openComplaint = `kind: complaint
id: CMP-2026-0042
title: 破損
status: investigating
type: complaint
assignee: li.wei
summary: 三箱破損
`

const budget = `kind: budget
id: BUD-2026
title: 預算
status: approved
year: 2026
lines:
  - category: marketing
    amount: 600000.00
amendments:
  - date: 2026-09-01
    category: marketing
    amount: 50000.00
    reason: 追加
`

const heldProject = `kind: project
id: PRJ-2026-0003
title: 推廣
status: on_hold
hold:
  from: planning
  reason: 凍結
`

const person = `kind: person
id: li.wei
name: 李偉
role: specialist
reports_to: zhang.min
emails: [li.wei@example.com]
`

func TestCheckEdit(t *testing.T) {
	draftAppraisal := "kind: appraisal\nid: APR-2026-0011\nstatus: draft\nemployee: li.wei\nappraiser: zhang.min\ntitle: 考核\n"
	cases := []struct {
		name   string
		actor  Actor
		before string
		repl   []string
		rule   string
		msg    string
	}{
		{"final record edited", finance, paidExpense, []string{"note: 上海", "note: 北京"}, RuleFinalState,
			"expense EXP-2026-0002 is paid, a final state: it cannot change (changed: note)"},
		{"final record edited in two fields", director, paidExpense, []string{"note: 上海", "", "title: 差旅", "title: 出差"}, RuleFinalState, "(changed: note, title)"},
		{"final record reformatted only", finance, paidExpense, []string{"1280.50", "1280.5"}, "", ""},
		{"final complaint edited", manager, strings.Replace(openComplaint, "investigating", "closed", 1), []string{"三箱", "四箱"}, RuleFinalState, "complaint CMP-2026-0042 is closed"},
		{"open record edited", specialist, openComplaint, []string{"三箱", "四箱"}, "", ""},
		{"specialist reassigns", specialist, openComplaint, []string{"assignee: li.wei", "assignee: zhao.lei"}, RuleAssignRole,
			"li.wei (specialist) may not change assignee of CMP-2026-0042 while it is investigating: only a manager or a director may"},
		{"specialist assigns", specialist, strings.Replace(openComplaint, "assignee: li.wei\n", "", 1), []string{"summary:", "assignee: li.wei\nsummary:"}, RuleAssignRole, ""},
		{"manager reassigns", manager, openComplaint, []string{"assignee: li.wei", "assignee: zhao.lei"}, "", ""},
		{"director reassigns", director, openComplaint, []string{"assignee: li.wei", "assignee: zhao.lei"}, "", ""},
		{"leadership may not assign", leadership, openComplaint, []string{"assignee: li.wei", "assignee: zhao.lei"}, RuleAssignRole, ""},
		{"approved amount changed", manager, approvedExpense, []string{"amount: 1280.50", "amount: 1380.50"}, RuleSealedField,
			"amount of EXP-2026-0193 is sealed once the claim is approved (it changes in draft, returned, by the claimant (li.wei))"},
		{"approved items changed", manager, approvedExpense, []string{"amount: 300.00", "amount: 400.00"}, RuleSealedField, "items.1.amount of EXP-2026-0193 is sealed once the claim is approved"},
		{"approved amount rewritten, same value", manager, approvedExpense, []string{"amount: 300.00", "amount: 300"}, "", ""},
		{"approved note added", specialist, approvedExpense, []string{"claimant: li.wei", "claimant: li.wei\nnote: 補充"}, "", ""},
		{"submitted amount changed", specialist, strings.Replace(approvedExpense, "approved", "submitted", 1), []string{"amount: 1280.50", "amount: 1380.50"}, RuleSealedField,
			"amount of EXP-2026-0193 is sealed once the claim is submitted (it changes in draft, returned, by the claimant (li.wei)); an approver returns it to change it"},
		{"draft amount changed by its claimant", specialist, strings.Replace(approvedExpense, "approved", "draft", 1), []string{"amount: 1280.50", "amount: 1380.50"}, "", ""},
		{"draft amount changed by another", other, strings.Replace(approvedExpense, "approved", "draft", 1), []string{"amount: 1280.50", "amount: 99999.00"}, RuleEditRight,
			"zhao.lei (specialist) may not change amount of EXP-2026-0193 while it is draft: only the claimant (li.wei) may"},
		{"approved category changed by its claimant", specialist, approvedExpense, []string{"claimant: li.wei", "claimant: li.wei\ncategory: office"}, RuleSealedField, "category of EXP-2026-0193 is sealed once the claim is approved"},
		{"claimant changed", specialist, strings.Replace(approvedExpense, "approved", "draft", 1), []string{"claimant: li.wei", "claimant: zhao.lei"}, RuleSealedField,
			"claimant of EXP-2026-0193 is sealed: it never changes after the claim is created (a claim belongs to whoever made it)"},
		{"appraiser made the employee", manager, draftAppraisal, []string{"appraiser: zhang.min", "appraiser: li.wei"}, RuleFourEyes, "both li.wei"},
		{"appraiser made another manager", director, draftAppraisal, []string{"appraiser: zhang.min", "appraiser: chen.jie"}, RuleAppraiser, "chen.jie may not appraise li.wei"},
		{"appraiser made the director", director, draftAppraisal, []string{"appraiser: zhang.min", "appraiser: wang.fang"}, "", ""},
		{"appraisal title edited keeps old problems out", manager, strings.Replace(draftAppraisal, "appraiser: zhang.min", "appraiser: chen.jie", 1), []string{"考核", "年中考核"}, RuleEditRight, "only the appraiser (chen.jie) may"},
		{"appraisal title edited by its appraiser", manager, draftAppraisal, []string{"考核", "年中考核"}, "", ""},
		{"manager amends the budget", manager, budget, []string{"reason: 追加", "reason: 追加推廣"}, RuleBudgetAmendment,
			"zhang.min (manager) may not change amendments.0.reason of BUD-2026 while it is approved: only leadership may"},
		{"director adds an amendment", director, budget, []string{"reason: 追加\n", "reason: 追加\n  - date: 2026-10-01\n    category: office\n    amount: 100\n    reason: 搬遷\n"}, RuleBudgetAmendment, ""},
		{"leadership amends the budget", leadership, budget, []string{"reason: 追加\n", "reason: 追加\n  - date: 2026-10-01\n    category: office\n    amount: 100\n    reason: 搬遷\n"}, "", ""},
		{"approved lines changed", leadership, budget, []string{"amount: 600000.00", "amount: 700000.00"}, RuleSealedField, "lines.0.amount of BUD-2026 is sealed once the budget is approved (it changes in draft, by a manager or a director); leadership changes an approved budget by adding an amendment"},
		{"draft lines changed", manager, strings.Replace(budget, "approved", "draft", 1), []string{"amount: 600000.00", "amount: 700000.00"}, "", ""},
		{"hold.from changed by a manager", manager, heldProject, []string{"from: planning", "from: executing"}, RuleHoldFrom,
			"hold.from of PRJ-2026-0003 is stamped by opsbook (written by the move to on_hold; cleared by the move to proposed, feasibility, approved, planning, executing, closing): nobody writes it by hand"},
		{"hold.from changed by the director", director, heldProject, []string{"from: planning", "from: executing"}, RuleHoldFrom,
			"hold.from of PRJ-2026-0003 is stamped by opsbook"},
		{"hold reason changed by a manager", manager, heldProject, []string{"凍結", "預算凍結"}, RuleEditRight, "only a director or leadership may"},
		{"hold reason changed by the director", director, heldProject, []string{"凍結", "預算凍結"}, "", ""},
		{"person changed by a manager", manager, person, []string{"role: specialist", "role: manager"}, RulePeoplePolicy,
			"zhang.min (manager) may not change person li.wei: people are changed only by a director or leadership"},
		{"person changes themselves", specialist, person, []string{"李偉", "李偉 (Li Wei)"}, RulePeoplePolicy, ""},
		{"person changed by the director", director, person, []string{"role: specialist", "role: manager"}, "", ""},
		{"person changed by leadership", leadership, person, []string{"role: specialist", "role: finance"}, "", ""},
		{"customer edited by anyone", finance, "kind: customer\nid: CUS-0007\nname: 青禾\nsegment: retail\n", []string{"retail", "wholesale"}, "", ""},
		{"inactive actor", retired, openComplaint, []string{"三箱", "四箱"}, RuleActorInactive, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, edit(t, c.actor, c.before, c.repl...), c.rule, c.msg)
		})
	}
	// A kind never changes.
	p := project(t, "proposed", "")
	q := parse(t, "kind: plan\nid: PRJ-2026-0003\nstatus: proposed\n")
	expect(t, CheckEdit(director, p, q, Env{}), RuleSealedField, "changed kind from project to plan")
	// Nothing changed, nothing to refuse, even on a final record.
	paid := parse(t, paidExpense)
	expect(t, CheckEdit(finance, paid, paid, Env{}), "", "")
	// CheckEdit with a nil side is CheckCreate or CheckDelete.
	expect(t, CheckEdit(specialist, nil, expense(t, "draft", "li.wei", "1"), Env{}), "", "")
	expect(t, CheckEdit(specialist, expense(t, "draft", "li.wei", "1"), nil, Env{}), RuleRecordDeleted, "")
	expect(t, CheckEdit(specialist, nil, nil, Env{}), "", "")
}

func TestCheckDeleteAndPolicy(t *testing.T) {
	for _, a := range []Actor{director, leadership, specialist, unknown} {
		expect(t, CheckDelete(a, expense(t, "draft", "li.wei", "1")), RuleRecordDeleted, "may not delete expense EXP-2026-0193: records are never deleted")
	}
	expect(t, CheckDelete(director, parse(t, person)), RuleRecordDeleted, "a person is made inactive")

	expect(t, CheckPolicyChange(director, nil), "", "")
	expect(t, CheckPolicyChange(leadership, nil), "", "")
	expect(t, CheckPolicyChange(manager, nil), RulePeoplePolicy, "zhang.min (manager) may not change the policy (.opsbook.yaml): only a director or leadership may")
	expect(t, CheckPolicyChange(finance, nil), RulePeoplePolicy, "")
	// policy_changes: leadership: leadership alone
	byLeadership := &config.Policy{PolicyChanges: "leadership"}
	expect(t, CheckPolicyChange(leadership, byLeadership), "", "")
	expect(t, CheckPolicyChange(director, byLeadership), RulePeoplePolicy, "under policy_changes: leadership only leadership may")
	expect(t, CheckPolicyChange(manager, byLeadership), RulePeoplePolicy, "")
	expect(t, CheckPolicyChange(director, &config.Policy{PolicyChanges: "director"}), "", "")
	expect(t, CheckPolicyChange(retired, nil), RuleActorInactive, "old.hand is inactive and may not change the policy (.opsbook.yaml)")
	expect(t, CheckPolicyChange(unknown, nil), RuleActorUnknown, "")
	if err := CheckPolicyChange(manager, nil); err.(*Refusal).Path != ".opsbook.yaml" {
		t.Errorf("policy refusal path = %q", err.(*Refusal).Path)
	}
}

func TestCheckChange(t *testing.T) {
	env := Env{People: people}
	submitted := expense(t, "submitted", "li.wei", "1280.50")
	approved := expense(t, "approved", "li.wei", "1280.50")
	approvedMore := expense(t, "approved", "li.wei", "12000.00")
	cases := []struct {
		name  string
		actor Actor
		ch    Change
		want  string // rules, space-separated
	}{
		{"approve", manager, Change{submitted, approved}, ""},
		{"approve and raise the amount", manager, Change{submitted, approvedMore}, "sealed-field"},
		{"approve over the limit", manager, Change{expense(t, "submitted", "li.wei", "12000.00"), approvedMore}, "approval-limit"},
		{"specialist approves and raises", specialist, Change{submitted, approvedMore}, "move-role sealed-field"},
		{"create", specialist, Change{nil, expense(t, "draft", "li.wei", "1")}, ""},
		{"create approved for another", manager, Change{nil, approved}, "create-state create-role"},
		{"delete", director, Change{submitted, nil}, "record-deleted"},
		{"unknown actor", unknown, Change{submitted, approved}, "actor-unknown"},
		{"unknown actor deletes", unknown, Change{submitted, nil}, "record-deleted"},
		{"nothing", manager, Change{}, ""},
		{"hold records hold.from", director, Change{project(t, "executing", ""), project(t, "on_hold", "executing")}, ""},
		{"hold without hold.from", director, Change{project(t, "executing", ""), project(t, "on_hold", "")}, "hold-from"},
		{"hold with a wrong hold.from", director, Change{project(t, "executing", ""), project(t, "on_hold", "planning")}, "hold-from"},
		{"manager holds", manager, Change{project(t, "executing", ""), project(t, "on_hold", "executing")}, "move-role"},
		{"resume", leadership, Change{project(t, "on_hold", "executing"), project(t, "executing", "")}, ""},
		{"resume keeping hold", leadership, Change{project(t, "on_hold", "executing"), project(t, "executing", "executing")}, "hold-from stamp"},
		{"reopen a closed complaint and reassign", manager,
			Change{complaint(t, "closed", "complaint", "li.wei"), complaint(t, "reopened", "complaint", "zhao.lei")}, ""},
		{"edit a closed complaint without reopening", manager,
			Change{complaint(t, "closed", "complaint", "li.wei"), complaint(t, "closed", "complaint", "zhao.lei")}, "final-state"},
		{"move a paid expense", finance, Change{expense(t, "paid", "li.wei", "1"), expense(t, "approved", "li.wei", "1")}, "final-state"},
		{"supersede alone", manager, Change{plan(t, "PLN-2026-0002", "active", ""), plan(t, "PLN-2026-0002", "superseded", "")}, "supersede"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := CheckChange(c.actor, c.ch, env)
			if got := strings.Join(rules(rs), " "); got != c.want {
				t.Errorf("rules = %q, want %q: %v", got, c.want, rs)
			}
			for _, r := range rs {
				if r.Path == "" || r.ID == "" {
					t.Errorf("refusal without place: %+v", r)
				}
			}
		})
	}
}

func TestCheckChangesSupersede(t *testing.T) {
	oldActive := plan(t, "PLN-2026-0002", "active", "")
	oldSuperseded := plan(t, "PLN-2026-0002", "superseded", "")
	newApproved := plan(t, "PLN-2026-0004", "approved", "PLN-2026-0002")
	newActive := plan(t, "PLN-2026-0004", "active", "PLN-2026-0002")
	otherActive := plan(t, "PLN-2026-0005", "active", "PLN-2026-0001")
	cases := []struct {
		name    string
		actor   Actor
		changes []Change
		want    string
	}{
		{"activate the revision and supersede the old one", manager,
			[]Change{{oldActive, oldSuperseded}, {newApproved, newActive}}, ""},
		{"order does not matter", director,
			[]Change{{newApproved, newActive}, {oldActive, oldSuperseded}}, ""},
		{"supersede alone", manager, []Change{{oldActive, oldSuperseded}}, "supersede"},
		{"activate another plan", manager,
			[]Change{{oldActive, oldSuperseded}, {plan(t, "PLN-2026-0005", "approved", "PLN-2026-0001"), otherActive}}, "supersede"},
		{"revision already active", manager,
			[]Change{{oldActive, oldSuperseded}, {newActive, newActive}}, "supersede"},
		{"specialist does both", specialist,
			[]Change{{oldActive, oldSuperseded}, {newApproved, newActive}}, "move-role move-role"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := CheckChanges(c.actor, c.changes, Env{})
			if got := strings.Join(rules(rs), " "); got != c.want {
				t.Errorf("rules = %q, want %q: %v", got, c.want, rs)
			}
		})
	}
}

func TestNobodyChangesTheirOwnRoleOrStanding(t *testing.T) {
	me := "kind: person\nid: wang.fang\nname: 王芳\nrole: director\nemails: [wang.fang@example.com]\nactive: true\n"
	before := parse(t, me)
	for _, edit := range [][2]string{{"role: director", "role: leadership"}, {"active: true", "active: false"}} {
		after := parse(t, strings.Replace(me, edit[0], edit[1], 1))
		err := CheckEdit(director, before, after, Env{})
		var r *Refusal
		if !errors.As(err, &r) || r.Rule != RuleFourEyes {
			t.Errorf("%s → %s: %v", edit[0], edit[1], err)
		}
	}
	// another field of one's own record is fine
	if err := CheckEdit(director, before, parse(t, strings.Replace(me, "王芳", "王芳 (Wang Fang)", 1)), Env{}); err != nil {
		t.Errorf("own name: %v", err)
	}
}

// Leadership decides the director's own claims, so the director may not
// pick its members: making someone leadership (by a role change or a new
// person), or changing a leadership member's record (their emails and keys
// say who signs as them). Leadership may; other people stay the director's.
func TestOnlyLeadershipChangesLeadership(t *testing.T) {
	zm := "kind: person\nid: zhang.min\nname: 張敏\nrole: manager\nemails: [zhang.min@example.com]\nactive: true\n"
	hj := "kind: person\nid: huang.jianguo\nname: 黃建國\nrole: leadership\nemails: [huang.jianguo@example.com]\nactive: true\n"
	for _, c := range []struct {
		name          string
		a             Actor
		before, after string // before "": created
		want, field   string
	}{
		{"director makes a manager leadership", director, zm, strings.Replace(zm, "role: manager", "role: leadership", 1), RuleFourEyes, "role"},
		{"director creates a leadership member", director, "", hj, RuleFourEyes, "role"},
		{"director rewrites a leadership member's email", director, hj, strings.Replace(hj, "huang.jianguo@example.com", "wang.fang+hj@example.com", 1), RuleFourEyes, "emails"},
		{"director demotes leadership", director, hj, strings.Replace(hj, "role: leadership", "role: manager", 1), RuleFourEyes, "role"},
		{"leadership makes a manager leadership", leadership, zm, strings.Replace(zm, "role: manager", "role: leadership", 1), "", ""},
		{"leadership creates a member", leadership, "", hj, "", ""},
		{"director changes a manager", director, zm, strings.Replace(zm, "role: manager", "role: specialist", 1), "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := Env{People: People{"sun.hua": leadership, "wang.fang": director}}
			var err error
			if c.before == "" {
				err = CheckCreate(c.a, parse(t, c.after), env)
			} else {
				err = CheckEdit(c.a, parse(t, c.before), parse(t, c.after), env)
			}
			var r *Refusal
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (!errors.As(err, &r) || r.Rule != c.want || r.Field != c.field):
				t.Errorf("got %v (%+v), want %s at %s", err, r, c.want, c.field)
			}
		})
	}
	// A department without active leadership: the director adds the first.
	if err := CheckCreate(director, parse(t, hj), Env{People: People{"wang.fang": director}}); err != nil {
		t.Errorf("first leadership member: %v", err)
	}
}

// TestAssigneeInactive: a complaint or a task is never handed to someone
// who has left, whichever way the assignee is written (assign, set, new);
// one whose assignee left afterwards may change otherwise.
func TestAssigneeInactive(t *testing.T) {
	gone := Actor{Handle: "wu.qiang", Role: Specialist, Active: false, ReportsTo: "zhang.min"}
	ps := People{}
	for h, a := range people {
		ps[h] = a
	}
	ps[gone.Handle] = gone
	env := Env{People: ps}
	cmp := complaint(t, "received", "complaint", "li.wei")
	expect(t, CheckEdit(manager, cmp, complaint(t, "received", "complaint", "wu.qiang"), env), RuleAssigneeInactive, "may not go to wu.qiang, who is not active")
	expect(t, CheckCreate(manager, complaint(t, "received", "complaint", "wu.qiang"), env), RuleAssigneeInactive, "who is not active")
	expect(t, CheckEdit(manager, cmp, complaint(t, "received", "complaint", "zhao.lei"), env), "", "")
	// assigned before wu.qiang left: other fields still change
	left := complaint(t, "received", "complaint", "wu.qiang")
	expect(t, CheckEdit(manager, left, complaint(t, "received", "inquiry", "wu.qiang"), env), "", "")
	task := parse(t, `kind: task
id: TSK-2026-0001
title: t
status: open
assigned_by: zhang.min
assignee: wu.qiang
due: 2026-12-20
`)
	expect(t, CheckCreate(manager, task, env), RuleAssigneeInactive, "task TSK-2026-0001 may not go to wu.qiang")
}

// TestEmployeeInactive: nobody is appraised after leaving (they could
// never acknowledge it), created so or with the employee changed to them;
// an appraisal of someone who left afterwards may change otherwise.
func TestEmployeeInactive(t *testing.T) {
	gone := Actor{Handle: "wu.qiang", Role: Specialist, Active: false, ReportsTo: "zhang.min"}
	ps := People{}
	for h, a := range people {
		ps[h] = a
	}
	ps[gone.Handle] = gone
	env := Env{People: ps}
	expect(t, CheckCreate(manager, appraisal(t, "draft", "wu.qiang", "zhang.min"), env), RuleEmployeeInactive, "appraisal APR-2026-0011 may not appraise wu.qiang, who is not active")
	expect(t, CheckEdit(manager, appraisal(t, "draft", "li.wei", "zhang.min"), appraisal(t, "draft", "wu.qiang", "zhang.min"), env), RuleEmployeeInactive, "who is not active")
	expect(t, CheckCreate(manager, appraisal(t, "draft", "li.wei", "zhang.min"), env), "", "")
	left := appraisal(t, "draft", "wu.qiang", "zhang.min")
	changed := parse(t, strings.Replace(appraisalText("wu.qiang"), "上半年考核", "上半年", 1))
	expect(t, CheckEdit(manager, left, changed, env), "", "")
}

func appraisalText(employee string) string {
	return "kind: appraisal\nid: APR-2026-0011\ntitle: 上半年考核\nstatus: draft\nemployee: " + employee + "\nappraiser: zhang.min\nperiod: 2026-H1\nindicators:\n  - name: 簽約\n    weight: 100\n    score: 90\n"
}

// TestClosureLeft: the move to closed stamps closure.left with the team
// members who had left (old.hand, not active), by the registry as the
// change leaves it; nobody writes it by hand, before or after.
func TestClosureLeft(t *testing.T) {
	prj := func(status, left string) *record.Record {
		text := "kind: project\nid: PRJ-2026-0003\ntitle: 秋季推廣\nstatus: " + status + "\nteam: [li.wei, old.hand]\n"
		if left != "" {
			text += "closure:\n  summary: done\n  left: " + left + "\n"
		}
		return parse(t, text)
	}
	back := People{}
	for h, a := range people {
		back[h] = a
	}
	returned := retired
	returned.Active = true
	back[retired.Handle] = returned
	cases := []struct {
		name string
		ch   Change
		env  Env
		want string
	}{
		{"close naming who had left", Change{prj("closing", ""), prj("closed", "[old.hand]")}, Env{People: people}, ""},
		{"close without naming them", Change{prj("closing", ""), prj("closed", "")}, Env{People: people}, "stamp"},
		{"close naming someone still here", Change{prj("closing", ""), prj("closed", "[old.hand, li.wei]")}, Env{People: people}, "stamp"},
		{"close when nobody had left", Change{prj("closing", ""), prj("closed", "")}, Env{People: back}, ""},
		{"close naming a returned member", Change{prj("closing", ""), prj("closed", "[old.hand]")}, Env{People: back}, "stamp"},
		// the registry the change leaves (verify's commit) over the rules'
		{"close by the commit's registry", Change{prj("closing", ""), prj("closed", "[old.hand]")},
			Env{People: back, Records: record.NewSet([]*record.Record{parse(t, "kind: person\nid: old.hand\nname: Old\nrole: director\nactive: false\n")})}, ""},
		{"written by hand while closing", Change{prj("closing", ""), prj("closing", "[old.hand]")}, Env{People: people}, "stamp"},
		{"written by hand once closed", Change{prj("closed", "[old.hand]"), prj("closed", "[li.wei]")}, Env{People: people}, "final-state"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := CheckChange(director, c.ch, c.env)
			if got := strings.Join(rules(rs), " "); got != c.want {
				t.Errorf("rules = %q, want %q: %v", got, c.want, rs)
			}
		})
	}
	expect(t, CheckCreate(director, prj("proposed", "[old.hand]"), Env{People: people}), RuleStamp, "closure.left of PRJ-2026-0003 is stamped by opsbook")
}
