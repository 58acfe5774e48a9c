package audit

import (
	"strings"
	"testing"
)

// A twin spelled in other letter case passes validate and the record
// rules on Linux, and hides the real file on a case-insensitive checkout.
func TestVerifyPathCase(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	tr.write("attachments/EXP-2026-0003/r.txt", "r3")
	imp := tr.commit("wang.fang", "import")

	forged := expense("EXP-2026-0003", "approved", "sun.li", "4200.00")
	tr.write("records/expenses/2026/EXP-2026-0003.YAML", forged)
	ext := tr.commit("sun.li", "extension in capitals")
	tr.write("records/Expenses/2026/EXP-2026-0003.yaml", forged)
	folder := tr.commit("sun.li", "folder in capitals")
	tr.write("attachments/EXP-2026-0003/R.txt", "another receipt")
	receipt := tr.commit("sun.li", "receipt in capitals")
	tr.write(".OPSBOOK.yaml", "approval_limits: {manager: 99999.00}\n")
	policy := tr.commit("sun.li", "policy in capitals")
	// Names that differ in more than case are no twins: a new claim and a
	// second receipt pass.
	tr.write(expensePath("EXP-2026-0004"), expense("EXP-2026-0004", "draft", "sun.li", "88.00"))
	tr.write("attachments/EXP-2026-0004/r2.txt", "r4")
	tr.commit("sun.li", "new claim")
	// Beside an old folder twin, a file twin of its own is still named.
	tr.write("records/expenses/2026/EXP-2026-0004.Yaml", expense("EXP-2026-0004", "paid", "sun.li", "88.00"))
	twice := tr.commit("sun.li", "file twin")

	wantViolations(t, tr.verify(imp+"..main"),
		short(ext)+" path-case EXP-2026-0003",
		short(folder)+" path-case EXP-2026-0003",
		short(receipt)+" path-case EXP-2026-0003",
		short(policy)+" path-case ",
		short(twice)+" path-case EXP-2026-0004",
	)
}

// TestVerifyPathNormalisation: a twin written in the other Unicode
// normalisation is named for that, not for a difference of letter case it
// does not have; a twin in letter case is still named for its case.
func TestVerifyPathNormalisation(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "approved", "sun.li", "420.00"))
	tr.write("attachments/EXP-2026-0003/caf\u00e9.txt", "r3")
	imp := tr.commit("wang.fang", "import")
	tr.write("attachments/EXP-2026-0003/cafe\u0301.txt", "another receipt")
	nfd := tr.commit("sun.li", "decomposed twin")
	tr.write("attachments/EXP-2026-0003/CAF\u00c9.txt", "a third")
	upper := tr.commit("sun.li", "upper-case twin")
	rep := tr.verify(imp + "..main")
	wantViolations(t, rep, short(nfd)+" path-case EXP-2026-0003", short(upper)+" path-case EXP-2026-0003")
	for _, v := range rep.Violations {
		norm := strings.Contains(v.Message, "only in Unicode normalisation")
		if strings.HasPrefix(v.Commit, short(nfd)) != norm || strings.Contains(v.Message, "letter case") == norm {
			t.Errorf("%s: %s", v.Commit[:7], v.Message)
		}
	}
}
