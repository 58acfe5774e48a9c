package change

import (
	"bytes"
	"strings"
	"testing"
	"text/template"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/templates"
)

func names(fs []Field) string {
	var n []string
	for _, f := range fs {
		n = append(n, f.Name)
	}
	return strings.Join(n, ",")
}

func TestMustGiveIsWhatTheSchemaRequiresAndTheTemplateLeavesEmpty(t *testing.T) {
	for k, want := range map[record.Kind]string{
		record.Expense: "title,category,amount",
		record.Person:  "name,role,emails",
	} {
		got, err := MustGive(k)
		if err != nil || names(got) != want {
			t.Errorf("%s: %q, %v; want %q", k, names(got), err, want)
		}
		for _, f := range got {
			if f.Description == "" {
				t.Errorf("%s.%s has no description", k, f.Name)
			}
		}
	}
	for _, ki := range record.Kinds {
		if _, err := MustGive(ki.Kind); err != nil {
			t.Errorf("%s: %v", ki.Kind, err)
		}
	}
	data := []byte("kind: expense\nid: EXP-2026-0001\ntitle: x\nstatus: draft\namount: 1.00\n")
	if got := names(Missing(record.Expense, data)); got != "category" {
		t.Errorf("missing: %q", got)
	}
}

// TestMustGiveOneOf: a field the schema asks for as one of several (a
// complaint's customer or contact, an appraisal's period or project) is
// named with those that may stand in for it, and any one given is enough.
func TestMustGiveOneOf(t *testing.T) {
	for k, want := range map[record.Kind]string{
		record.Complaint: "customer|contact",
		record.Appraisal: "period|project",
	} {
		fs, err := MustGive(k)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range fs {
			found = found || strings.Join(f.Names(), "|") == want
		}
		if !found {
			t.Errorf("%s: %q lacks %s", k, names(fs), want)
		}
	}
	base := "kind: complaint\nid: CMP-2026-0001\ntitle: x\nstatus: received\ntype: complaint\nchannel: phone\ncategory: delivery\nseverity: high\nsummary: late\nreceived_at: 2026-01-01T00:00:00Z\n"
	if got := names(Missing(record.Complaint, []byte(base))); got != "customer" {
		t.Errorf("neither given: %q", got)
	}
	for _, extra := range []string{"customer: CUS-0001\n", "contact: {phone: \"0223456789\"}\n"} {
		if got := names(Missing(record.Complaint, []byte(base+extra))); got != "" {
			t.Errorf("with %q: %q missing", extra, got)
		}
	}
}

// TestMissingListGiven: a required list given with --set is given (a
// budget's lines), while the template's skeleton of one (an operations
// plan's objectives with empty texts) is not.
func TestMissingListGiven(t *testing.T) {
	budget := "kind: budget\nid: BUD-2026\ntitle: x\nstatus: draft\nyear: 2026\nlines:\n  - {category: travel, amount: 10.00}\n"
	if got := names(Missing(record.Budget, []byte(budget))); got != "" {
		t.Errorf("budget with lines: %q missing", got)
	}
	tmpl, err := template.ParseFS(templates.FS, "ops-plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, map[string]any{"ID": "OPP-2026", "Year": 2026}); err != nil {
		t.Fatal(err)
	}
	data := strings.Replace(b.String(), `title: ""`, "title: x", 1)
	if got := names(Missing(record.OpsPlan, []byte(data))); got != "objectives,envelope" {
		t.Errorf("the template's skeleton: %q missing", got)
	}
}
