package audit

import (
	"testing"

	"github.com/opsbook/opsbook/pkg/attach"
)

func withReceipt(id, status, claimant, amount, content string) string {
	rel := "attachments/" + id + "/r.txt"
	return expense(id, status, claimant, amount) + "receipt: " + rel + "\nattachments:\n  - path: " + rel + "\n    sha256: \"" + attach.SumBytes([]byte(content)) + "\"\n"
}

func TestVerifySealedAttachments(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), withReceipt("EXP-2026-0003", "approved", "sun.li", "420.00", "r3"))
	tr.write("attachments/EXP-2026-0003/r.txt", "r3")
	tr.write(expensePath("EXP-2026-0004"), withReceipt("EXP-2026-0004", "draft", "sun.li", "88.00", "r4"))
	tr.write("attachments/EXP-2026-0004/r.txt", "r4")
	tr.write(expensePath("EXP-2026-0005"), withReceipt("EXP-2026-0005", "paid", "li.wei", "50.00", "r5"))
	tr.write("attachments/EXP-2026-0005/r.txt", "r5")
	// A paid claim whose receipt sits in another folder (a renumbered
	// claim's old folder, or a shared file).
	tr.write(expensePath("EXP-2026-0006"), expense("EXP-2026-0006", "paid", "li.wei", "60.00")+"attachments:\n  - path: attachments/EXP-2026-0099/r.txt\n    sha256: \""+attach.SumBytes([]byte("r6"))+"\"\n")
	tr.write("attachments/EXP-2026-0099/r.txt", "r6")
	imp := tr.commit("wang.fang", "import")

	// A paid claim's receipt replaced, by the director.
	tr.write("attachments/EXP-2026-0005/r.txt", "another receipt")
	replaced := tr.commit("wang.fang", "better scan")
	// An approved claim's receipt deleted.
	tr.git("rm", "-q", "attachments/EXP-2026-0003/r.txt")
	deleted := tr.commit("sun.li", "tidy")
	// A draft's receipt may change; a new file beside a sealed one is no
	// change to what was sealed.
	tr.write("attachments/EXP-2026-0004/r.txt", "rescanned")
	tr.write("attachments/EXP-2026-0005/extra.txt", "x")
	tr.commit("sun.li", "rescan")
	// The file in the other folder replaced.
	tr.write("attachments/EXP-2026-0099/r.txt", "not r6")
	elsewhere := tr.commit("li.wei", "fix")
	// A side branch swaps the paid receipt back and forth: the swap and the
	// merge that brings it are both named.
	tr.git("checkout", "-q", "-b", "side")
	tr.write("attachments/EXP-2026-0005/r.txt", "third version")
	side := tr.commit("li.wei", "swap")
	tr.git("checkout", "-q", "main")
	merge := tr.merge("wang.fang", "side")

	wantViolations(t, tr.verify(imp+"..main"),
		short(replaced)+" attachment-sealed EXP-2026-0005",
		short(deleted)+" attachment-sealed EXP-2026-0003",
		short(elsewhere)+" attachment-sealed EXP-2026-0006",
		short(side)+" attachment-sealed EXP-2026-0005",
		short(merge)+" attachment-sealed EXP-2026-0005",
	)
}

// TestVerifySealingHashes: the commit that approves a claim must carry
// the receipt the claim lists. An approver who swaps the file in the same
// commit (with plain git, where validate never ran) is named; an honest
// approval with the listed file is not.
func TestVerifySealingHashes(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0007"), withReceipt("EXP-2026-0007", "submitted", "li.wei", "70.00", "r7"))
	tr.write("attachments/EXP-2026-0007/r.txt", "r7")
	tr.write(expensePath("EXP-2026-0008"), withReceipt("EXP-2026-0008", "submitted", "li.wei", "80.00", "r8"))
	tr.write("attachments/EXP-2026-0008/r.txt", "r8")
	tr.write(expensePath("EXP-2026-0009"), withReceipt("EXP-2026-0009", "submitted", "li.wei", "90.00", "r9"))
	imp := tr.commit("wang.fang", "import")

	tr.edit(expensePath("EXP-2026-0007"), "status: submitted", "status: approved")
	tr.write("attachments/EXP-2026-0007/r.txt", "a bigger receipt")
	swapped := tr.commit("zhang.min", "expense EXP-2026-0007: approve")
	tr.edit(expensePath("EXP-2026-0008"), "status: submitted", "status: approved")
	tr.commit("zhang.min", "expense EXP-2026-0008: approve")
	tr.edit(expensePath("EXP-2026-0009"), "status: submitted", "status: approved")
	missing := tr.commit("zhang.min", "expense EXP-2026-0009: approve")

	wantViolations(t, tr.verify(imp+"..main"),
		short(swapped)+" attachment-hash EXP-2026-0007",
		short(missing)+" attachment-hash EXP-2026-0009",
	)
}
