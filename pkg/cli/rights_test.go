package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's edit rights are what `opsbook rights` prints.
func TestReadmeShowsTheRights(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(sampleDir(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"expense", "project", "plan", "appraisal", "complaint", "budget", "customer", "person", "training-plan", "training", "violation"} {
		out, errs, code := run(t, false, false, "rights", k, "-o", "markdown")
		if code != 0 {
			t.Fatalf("rights %s: exit %d: %s", k, code, errs)
		}
		if i := strings.Index(out, "| FROM |"); i >= 0 {
			out = out[:i]
		}
		if want := strings.TrimRight(out, "\n") + "\n"; !strings.Contains(string(readme), want) {
			t.Errorf("README.md lacks the rights of %s as `opsbook rights %s -o markdown` prints them:\n%s", k, k, want)
		}
	}
}

func TestRightsCommand(t *testing.T) {
	out, _, code := run(t, false, false, "rights", "expenses")
	if code != 0 || !strings.Contains(out, "claimant\tsealed\tevery\tnobody\tsealed-field\t") ||
		!strings.Contains(out, "submitted\tapproved\tapprove\ta manager, a director or leadership\tclaimant\t") {
		t.Fatalf("rights expenses (exit %d):\n%s", code, out)
	}
	out, _, code = run(t, false, false, "rights", "complaint", "-o", "json")
	var v struct {
		Kind   string `json:"kind"`
		Fields []struct {
			Field, Mode, Rule string
			States            []string
		} `json:"fields"`
		Moves []struct{ From, To, Verb string } `json:"moves"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 {
		t.Fatalf("json: %v (exit %d)\n%s", err, code, out)
	}
	found := false
	for _, f := range v.Fields {
		if f.Field == "acknowledged_at" && f.Mode == "stamp" && f.Rule == "stamp" && len(f.States) == 1 && f.States[0] == "acknowledged" {
			found = true
		}
	}
	if v.Kind != "complaint" || !found || len(v.Moves) == 0 {
		t.Errorf("complaint rights: %+v", v)
	}
	if _, errs, code := run(t, false, false, "rights", "nope"); code != ExitUsage || errs == "" {
		t.Errorf("unknown kind: exit %d %q", code, errs)
	}
}
