package workflow

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
)

// domain is the department's move tables (README, workflows) transcribed apart from the code:
// "from>to" → who may make the move (roles, and "@field" for the person a
// field names).
type domainKind struct {
	initial string
	final   []string
	moves   map[string]string
}

var projectOpen = []string{"proposed", "feasibility", "approved", "planning", "executing", "closing"}

var domain = map[record.Kind]domainKind{
	record.Project: {"proposed", []string{"cancelled", "closed", "rejected"}, projectMoves()},
	record.Plan: {"draft", []string{"completed", "rejected", "superseded"}, map[string]string{
		"draft>in_review":             "@author",
		"in_review>reviewed":          "director",
		"in_review>changes_requested": "director",
		"changes_requested>draft":     "@author",
		"reviewed>approved":           "leadership",
		"reviewed>changes_requested":  "leadership",
		"reviewed>rejected":           "leadership",
		"approved>active":             "manager director",
		"active>completed":            "manager director",
		"active>superseded":           "manager director",
	}},
	record.Complaint: {"received", []string{"closed"}, map[string]string{
		"received>acknowledged":      "@assignee manager director",
		"acknowledged>investigating": "@assignee manager",
		"investigating>resolved":     "@assignee manager",
		"acknowledged>resolved":      "@assignee manager", // inquiries
		"resolved>closed":            "manager director",
		"resolved>reopened":          "manager director",
		"closed>reopened":            "manager director",
		"reopened>investigating":     "@assignee manager",
	}},
	record.Appraisal: {"draft", []string{"closed"}, map[string]string{
		"draft>submitted":       "@appraiser",
		"submitted>reviewed":    "director",
		"reviewed>draft":        "director",
		"reviewed>acknowledged": "@employee",
		"reviewed>closed":       "director", // once the employee has left
		"acknowledged>closed":   "manager director",
	}},
	record.Budget: {"draft", []string{"closed"}, map[string]string{
		"draft>approved":  "leadership",
		"approved>closed": "director",
	}},
	record.Expense: {"draft", []string{"paid", "rejected"}, map[string]string{
		"draft>submitted":    "@claimant",
		"submitted>approved": "manager director leadership",
		"submitted>rejected": "manager director leadership",
		"submitted>returned": "manager director leadership",
		"returned>draft":     "@claimant",
		"approved>paid":      "finance",
	}},
}

func projectMoves() map[string]string {
	m := map[string]string{
		"proposed>feasibility": "director",
		"feasibility>approved": "leadership",
		"feasibility>rejected": "leadership",
		"approved>planning":    "manager director",
		"planning>executing":   "manager director",
		"executing>closing":    "manager",
		"closing>closed":       "director",
		"on_hold>cancelled":    "director leadership",
	}
	for _, s := range projectOpen {
		m[s+">on_hold"] = "director leadership"
		m["on_hold>"+s] = "director leadership" // to hold.from only
		m[s+">cancelled"] = "director leadership"
	}
	return m
}

var partyFields = []string{"claimant", "author", "assignee", "appraiser", "employee"}

// schemaStates reads a kind's status enum from its JSON Schema.
func schemaStates(t *testing.T, k record.Kind) []string {
	t.Helper()
	raw, err := schema.Raw(string(k))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties struct {
			Status struct {
				Enum []string `json:"enum"`
			} `json:"status"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Properties.Status.Enum
}

func reviewPolicy() *config.Policy {
	p := config.Default()
	p.ExpenseReview = "director"
	return p
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestTablesMatchSchemaAndDomain(t *testing.T) {
	for _, ki := range record.Kinds {
		tab := For(ki.Kind)
		want, has := domain[ki.Kind]
		if !has {
			if tab != nil {
				t.Errorf("%s has a table but no workflow in the transcription", ki.Kind)
			}
			continue
		}
		if tab == nil {
			t.Fatalf("no table for %s", ki.Kind)
		}
		if tab.Kind != ki.Kind {
			t.Errorf("table for %s says kind %s", ki.Kind, tab.Kind)
		}
		// the schema holds every state any policy's table has
		if got, w := strings.Join(sorted(ForPolicy(ki.Kind, reviewPolicy()).States), ","), strings.Join(sorted(schemaStates(t, ki.Kind)), ","); got != w {
			t.Errorf("%s states %s, schema enum %s", ki.Kind, got, w)
		}
		if tab.Initial != want.initial {
			t.Errorf("%s initial %s, want %s", ki.Kind, tab.Initial, want.initial)
		}
		if got := strings.Join(sorted(tab.Final), ","); got != strings.Join(want.final, ",") {
			t.Errorf("%s final %s, want %s", ki.Kind, got, strings.Join(want.final, ","))
		}
		seen := map[string]bool{}
		for _, m := range tab.Moves {
			key := m.From + ">" + m.To
			if seen[key] {
				t.Errorf("%s: move %s twice", ki.Kind, key)
			}
			seen[key] = true
			if !tab.IsState(m.From) || !tab.IsState(m.To) {
				t.Errorf("%s: move %s names an unknown state", ki.Kind, key)
			}
			if m.Verb == "" {
				t.Errorf("%s: move %s has no verb", ki.Kind, key)
			}
		}
		if len(seen) != len(want.moves) {
			t.Errorf("%s: %d moves, the transcription has %d", ki.Kind, len(seen), len(want.moves))
		}
	}
}

// A verb names one move from a state (resume excepted: its target is the
// record's hold.from).
func TestVerbsUniquePerState(t *testing.T) {
	for k, tab := range tables {
		for _, s := range tab.States {
			verbs := map[string]string{}
			for _, m := range tab.From(s) {
				if prev, dup := verbs[m.Verb]; dup && m.Verb != "resume" {
					t.Errorf("%s: from %s, verb %s makes both %s and %s", k, s, m.Verb, prev, m.To)
				}
				verbs[m.Verb] = m.To
			}
		}
	}
	vs := Verbs()
	if !sort.StringsAreSorted(vs) {
		t.Errorf("Verbs not sorted: %v", vs)
	}
	for _, v := range []string{"submit", "approve", "reject", "return", "pay", "close", "reopen", "ack", "resolve", "review", "activate", "supersede", "start", "hold", "resume", "cancel"} {
		if !contains(vs, v) {
			t.Errorf("Verbs lacks %s: %v", v, vs)
		}
	}
}

// TestEveryMoveEveryRole tries every pair of states of every kind with an
// actor of every role, and with a role-less actor named in each party
// field, against the transcription above. The records meet
// every guard (a small amount, an inquiry, hold.from set to the target, an
// activating revision), so only the tables decide.
func TestEveryMoveEveryRole(t *testing.T) {
	for k, spec := range domain {
		tab := For(k)
		id := record.FormatID(k, 2026, 1)
		activating := build(t, record.Plan, "PLN-2026-0009", map[string]string{"status": "active", "supersedes": id})
		env := Env{Activating: activating, People: people}
		for _, from := range tab.States {
			for _, to := range tab.States {
				if from == to {
					continue
				}
				who, legal := spec.moves[from+">"+to]
				fields := map[string]string{"status": from, "amount": "100.00", "type": "inquiry"}
				for _, f := range partyFields {
					fields[f] = "some.one"
				}
				if from == "on_hold" {
					fields["hold.from"] = to
				}
				name := fmt.Sprintf("%s %s>%s", k, from, to)
				for _, role := range Roles {
					a := Actor{Handle: "r." + string(role), Role: role, Active: true}
					err := CheckMove(a, build(t, k, id, fields), to, env)
					checkOutcome(t, name+" by "+string(role), err, legal, legal && strings.Contains(" "+who+" ", " "+string(role)+" "))
				}
				for _, f := range partyFields {
					pf := map[string]string{}
					for key, v := range fields {
						pf[key] = v
					}
					pf[f] = "p.arty"
					a := Actor{Handle: "p.arty", Active: true}
					err := CheckMove(a, build(t, k, id, pf), to, env)
					checkOutcome(t, name+" by the "+f, err, legal, legal && strings.Contains(" "+who+" ", " @"+f+" "))
				}
			}
		}
	}
}

func checkOutcome(t *testing.T, name string, err error, legal, want bool) {
	t.Helper()
	rule := ruleOf(t, err)
	switch {
	case want && rule != "":
		t.Errorf("%s: refused (%s), the transcription allows it", name, err)
	case !want && rule == "":
		t.Errorf("%s: allowed, the transcription does not", name)
	case !legal && rule != RuleMoveIllegal && rule != RuleFinalState:
		t.Errorf("%s: rule %s, want move-illegal or final-state (%v)", name, rule, err)
	case legal && !want && rule != RuleMoveRole:
		t.Errorf("%s: rule %s, want move-role (%v)", name, rule, err)
	}
}

func TestCreatedBy(t *testing.T) {
	cases := []struct {
		kind  record.Kind
		roles []Role
		any   bool
		party string
	}{
		{record.Project, []Role{Director}, false, ""},
		{record.Plan, []Role{Manager}, false, "author"},
		{record.Complaint, nil, true, ""},
		{record.Customer, nil, true, ""},
		{record.Appraisal, nil, true, "appraiser"},
		{record.Budget, []Role{Manager, Director}, false, ""},
		{record.Expense, nil, true, "claimant"},
		{record.Person, []Role{Director, Leadership}, false, ""},
	}
	for _, c := range cases {
		got := CreatedBy(c.kind)
		if fmt.Sprint(got.Roles) != fmt.Sprint(c.roles) || got.Anyone != c.any || got.Party != c.party {
			t.Errorf("CreatedBy(%s) = %+v", c.kind, got)
		}
	}
	if For(record.Person) != nil || For(record.Customer) != nil {
		t.Error("people and customers have no workflow")
	}
}

func TestTableQueries(t *testing.T) {
	tab := For(record.Complaint)
	if !tab.IsFinal("closed") || tab.IsFinal("resolved") || tab.IsFinal("nonsense") {
		t.Error("IsFinal")
	}
	if !tab.IsOpen("reopened") || tab.IsOpen("closed") || tab.IsOpen("nonsense") {
		t.Error("IsOpen")
	}
	if m, ok := tab.Find("closed", "reopened"); !ok || m.Verb != "reopen" {
		t.Errorf("Find closed>reopened = %+v %v", m, ok)
	}
	if _, ok := tab.Find("closed", "investigating"); ok {
		t.Error("Find closed>investigating found a move")
	}
	if got := english(targets(tab.From("acknowledged"))); got != "investigating, resolved" {
		t.Errorf("From(acknowledged) = %s", got)
	}
	if !For(record.Project).IsOpen("on_hold") {
		t.Error("on_hold is open")
	}
}

// TestCloseReviewedAppraisal: a reviewed appraisal waits on its employee's
// acknowledgement; once they have left the department (or the people hold
// no such person), the director closes it as it stands, and no one else.
func TestCloseReviewedAppraisal(t *testing.T) {
	rec := build(t, record.Appraisal, "APR-2026-0001", map[string]string{"status": "reviewed", "employee": "li.wei", "appraiser": "zhang.min"})
	director := Actor{Handle: "wang.fang", Role: Director, Active: true}
	manager := Actor{Handle: "zhang.min", Role: Manager, Active: true}
	for _, tc := range []struct {
		name   string
		people People
		actor  Actor
		rule   string
	}{
		{"the employee still here", People{"li.wei": {Handle: "li.wei", Role: Specialist, Active: true}}, director, RuleEmployeeActive},
		{"the employee has left", People{"li.wei": {Handle: "li.wei", Role: Specialist}}, director, ""},
		{"no such employee", People{}, director, ""},
		{"a manager, the employee has left", People{"li.wei": {Handle: "li.wei", Role: Specialist}}, manager, RuleMoveRole},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckMove(tc.actor, rec, "closed", Env{People: tc.people})
			if got := ruleOf(t, err); got != tc.rule {
				t.Fatalf("rule %q, want %q (%v)", got, tc.rule, err)
			}
		})
	}
}
