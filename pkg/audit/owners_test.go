package audit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
)

func TestOwnerRoles(t *testing.T) {
	for k, want := range map[record.Kind]string{
		record.Expense:  "[manager director leadership]",
		record.Person:   "[director leadership]",
		record.Budget:   "[director leadership]",
		record.Customer: "[manager director]",
	} {
		if got := fmt.Sprint(OwnerRoles(k)); got != want {
			t.Errorf("OwnerRoles(%s) = %s, want %s", k, got, want)
		}
	}
}

func TestAllowedSignersAndCodeowners(t *testing.T) {
	parse := func(p, src string) *record.Record {
		r, ds := record.Parse(p, []byte(src))
		if r == nil {
			t.Fatal(ds)
		}
		return r
	}
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEP5hRt5nZJTuwbjPlIzklZcwgaNO0/uj5hUw7sxCwon li.wei@laptop"
	recs := []*record.Record{
		parse("records/people/li.wei.yaml", person("li.wei", "specialist", "zhang.min", "", "  - "+key+"\n  - 0123456789ABCDEF0123456789ABCDEF01234567\n")),
		parse("records/people/zhang.min.yaml", person("zhang.min", "manager", "", "zm", "")),
	}
	rl := NewRules(config.Default(), recs)
	as := AllowedSigners(rl)
	if !strings.Contains(as, "\nli.wei@example.com namespaces=\"git\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEP5hRt5nZJTuwbjPlIzklZcwgaNO0/uj5hUw7sxCwon\n") ||
		!strings.Contains(as, "# (and 1 OpenPGP key: import it into gpg instead)") || strings.Contains(as, "zhang.min@") {
		t.Errorf("allowed signers:\n%s", as)
	}
	co := Codeowners(rl)
	for _, s := range []string{"\n/records/expenses/ @zm\n", "# nobody active with a forge handle holds director, leadership\n/records/people/ \n", "#   li.wei (specialist)\n"} {
		if !strings.Contains(co, s) {
			t.Errorf("CODEOWNERS does not hold %q:\n%s", s, co)
		}
	}
	// policy_changes: leadership: the policy's owners are leadership alone
	pol := config.Default()
	pol.PolicyChanges = "leadership"
	recs = append(recs, parse("records/people/huang.yaml", person("huang", "leadership", "", "hj", "")), parse("records/people/wang.yaml", person("wang", "director", "", "wf", "")))
	co = Codeowners(NewRules(pol, recs))
	for _, s := range []string{"\n/.opsbook.yaml @hj\n", "\n/records/people/ @wf @hj\n"} {
		if !strings.Contains(co, s) {
			t.Errorf("CODEOWNERS under policy_changes: leadership does not hold %q:\n%s", s, co)
		}
	}
}
