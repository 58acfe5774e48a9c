package cli

import (
	"os"
	"testing"
	"time"
)

// The OPSBOOK_* variables the policy takes (currency, check interval)
// and those it warns of (a rule's key, an unknown name) change what a
// full pass answers: a stored summary or inbox made without them is not
// given with them, nor one made with them without.
func TestMemoEnvironment(t *testing.T) {
	dirs, _ := gitDepts(t)
	dir := dirs["sample"]
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	envs := []map[string]string{
		{"OPSBOOK_CHECK_INTERVAL_DAYS": "3"},
		{"OPSBOOK_CURRENCY": "USD"},
		{"OPSBOOK_SLA_HOURS": "1"},
		{"OPSBOOK_NO_SUCH_KEY": "1"},
		{"OPSBOOK_CHECK_INTERVAL_DAYS": "3", "OPSBOOK_CURRENCY": "USD"},
		{},
	}
	for _, args := range [][]string{{"-o", "json"}, nil} {
		for _, cmd := range []func(string, time.Time, ...string) string{summaryAt, inboxAt} {
			cmd(dir, now, args...) // a memo made without the variables
			for _, env := range envs {
				for k, v := range env {
					t.Setenv(k, v)
				}
				first, again := cmd(dir, now, args...), cmd(dir, now, args...)
				want := cmd(dir, now, append(args, "--no-cache")...)
				if first != want || again != want {
					t.Errorf("with %v: the stored answer is not the full pass's:\n%s\n%s", env, lineDiff(first, want), lineDiff(again, want))
				}
				for k := range env {
					os.Unsetenv(k) // (t.Setenv puts back what was there)
				}
			}
		}
	}
}
