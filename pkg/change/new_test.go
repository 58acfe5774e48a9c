package change

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/record"
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
