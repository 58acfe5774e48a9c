package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// The README's edit rights are what `opsbook rights` prints.
func TestReadmeShowsTheRights(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(sampleDir(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"expense", "project", "plan", "appraisal", "complaint", "budget", "customer", "person", "training-plan", "training", "violation", "meeting", "task", "status-report", "ops-plan", "analysis"} {
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

// On a terminal, rights fits its width: the tables and the lines under
// them (a state's hint) alike; piped, a hint is one whole line.
func TestRightsFitsTheTerminal(t *testing.T) {
	for _, kind := range []string{"meeting", "expense", "plan"} {
		out, errs, code := runStreams(t, sampleDir(), true, 60, "--lang", "zh-Hant", "rights", kind)
		if code != 0 {
			t.Fatalf("rights %s: exit %d: %s", kind, code, errs)
		}
		for _, l := range strings.Split(out, "\n") {
			if w := runewidth.StringWidth(l); w > 60 {
				t.Errorf("rights %s at 60: a line is %d wide: %s", kind, w, l)
			}
		}
	}
	out, _, _ := runStreams(t, sampleDir(), false, 0, "--lang", "zh-Hant", "rights", "meeting")
	if !strings.Contains(out, "\n已發布：已發布的會議紀錄封存；只有行動項的狀態與完成日可改（更正寫入下次會議紀錄）\n") {
		t.Errorf("piped, the hint is not whole:\n%s", out)
	}
}
