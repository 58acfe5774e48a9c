package audit

import (
	"strings"
	"testing"
)

// A record the parser reads only by leaving something out (a second key of
// the same name, a merge key, a tag) is not judged by opsbook's reading of
// it: another YAML reader takes the last key, so an approved claim's
// amount could change for everyone but opsbook. The commit is named
// record-unreadable; the commit that repairs the file is judged as an edit
// of what opsbook read, no false creation.
func TestVerifyYAMLLeftOut(t *testing.T) {
	for _, c := range []struct{ name, old, new string }{
		{"duplicate key", "amount: 1280.50\n", "amount: 1280.50\namount: 99999.00\n"},
		{"quoted duplicate key", "amount: 1280.50\n", "amount: 1280.50\n\"amount\": 99999.00\n"},
		{"merge key", "category: travel\n", "category: travel\n<<: {amount: 1.00}\n"},
		{"tagged value", "category: travel\n", "category: travel\nnote: !!str paid twice\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := honest(t)
			base := tr.git("rev-parse", "HEAD")
			tr.edit(expensePath("EXP-2026-0001"), c.old, c.new)
			bad := tr.commit("li.wei", "touch up")
			want := short(bad) + " record-unreadable EXP-2026-0001"
			wantViolations(t, tr.verify(base+"..HEAD"), want)
			wantViolations(t, tr.verify(""), want)
			// Putting the file back as it was is no change of a field.
			tr.edit(expensePath("EXP-2026-0001"), c.new, c.old)
			tr.commit("li.wei", "as it was")
			wantViolations(t, tr.verify(bad+"..HEAD"))
			if got := tr.git("show", "HEAD:"+expensePath("EXP-2026-0001")); strings.Contains(got, "99999") {
				t.Fatal("the file was not put back")
			}
		})
	}
}
