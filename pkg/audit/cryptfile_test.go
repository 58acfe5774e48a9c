package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/record"
)

const fileCryptPolicy = `encrypt:
  violation:
    fields: [facts]
    readers: [director, person]
    attachments: [confidential]
`

// cryptPeople writes the registry with pkg/crypt's test keys (made for the
// tests only) for the director and li.wei.
func (tr *testRepo) cryptPeople() map[string][]crypt.Key {
	tr.t.Helper()
	tr.people(fileCryptPolicy)
	keys := map[string][]crypt.Key{}
	for _, p := range [][2]string{{"wang.fang", "director"}, {"li.wei", "specialist"}, {"sun.li", "specialist"}} {
		b, err := os.ReadFile(filepath.Join("..", "crypt", "testdata", "keys", p[0]+".pub"))
		if err != nil {
			tr.t.Fatal(err)
		}
		reports := map[string]string{"li.wei": "zhang.min", "sun.li": "chen.hao"}[p[0]]
		text := person(p[0], p[1], reports, "", "  - "+strings.TrimSpace(string(b))+"\n")
		tr.write("records/people/"+p[0]+".yaml", text)
		rec, _ := record.Parse("records/people/"+p[0]+".yaml", []byte(text))
		keys[p[0]] = crypt.PersonKeys(rec)
	}
	return keys
}

const vioPath = "records/violations/2026/VIO-2026-0001.yaml"

func violationWith(path, sum string) string {
	return `kind: violation
id: VIO-2026-0001
title: 客戶名單外發
status: closed
classification: confidential
attachments:
  - path: ` + path + `
    sha256: "` + sum + `"
person: li.wei
reporter: zhang.min
reported_on: 2026-02-25
date: 2026-02-20
rule: §7.1.1
facts: f
evidence:
  - ` + path + `
severity: grave
investigator: wang.fang
decision:
  date: 2026-03-10
  by: wang.fang
  sanction: warning
  reason: r
closed_on: 2026-03-15
`
}

func encFile(t *testing.T, clear string, keys ...[]crypt.Key) []byte {
	t.Helper()
	var all []crypt.Key
	for _, k := range keys {
		all = append(all, k...)
	}
	ct, err := crypt.EncryptFile([]byte(clear), all)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func hasRule(rep *Report, rule, id string) bool {
	for _, v := range rep.Violations {
		if v.Rule == rule && v.Record == id {
			return true
		}
	}
	return false
}

// A sealed record's encrypted file may be encrypted again by the director
// (rekey) or turned from clear into .age (encrypt), and verify takes it as
// no change; the same by anyone else, a ciphertext swapped under the listed
// hash, a clear file renamed .age, or another change in the same commit is
// named. Histories are made with plain git, the swap with git commit-tree.
func TestVerifyEncryptedAttachmentsOfSealedRecord(t *testing.T) {
	tr := newTestRepo(t)
	keys := tr.cryptPeople()
	const age = "attachments/VIO-2026-0001/log.txt.age"
	old := encFile(t, "mail log", keys["wang.fang"])
	tr.write(age, string(old))
	tr.write(vioPath, violationWith(age, attach.SumBytes(old)))
	tr.write("attachments/VIO-2026-0002/log.txt", "mail log 2")
	base := tr.commit("wang.fang", "base")

	rekeyed := encFile(t, "mail log", keys["wang.fang"], keys["li.wei"])
	rekey := func(who string, extra func()) *Report {
		t.Helper()
		tr.git("checkout", "-q", "-B", "case-"+who, base)
		tr.write(age, string(rekeyed))
		tr.write(vioPath, violationWith(age, attach.SumBytes(rekeyed)))
		if extra != nil {
			extra()
		}
		tr.commit(who, "VIO-2026-0001: rekey")
		return tr.verify(base + "..HEAD")
	}
	if rep := rekey("wang.fang", nil); len(rep.Violations) != 0 {
		t.Errorf("the director's rekey: %v", violationList(rep))
	}
	if rep := rekey("huang.jianguo", nil); len(rep.Violations) != 0 {
		t.Errorf("leadership's rekey: %v", violationList(rep))
	}
	if rep := rekey("zhang.min", nil); !hasRule(rep, RuleAttachmentSealed, "VIO-2026-0001") {
		t.Errorf("a manager's rekey is not named: %v", violationList(rep))
	}
	if rep := rekey("wang.fang", func() { tr.edit(vioPath, "rule: §7.1.1", "rule: §7.1.2") }); !hasRule(rep, RuleAttachmentSealed, "VIO-2026-0001") {
		t.Errorf("a rekey with another change is not named: %v", violationList(rep))
	}

	// The director swaps the ciphertext under the listed hash, with
	// git commit-tree: the blob no longer has the hash.
	tr.git("checkout", "-q", "-B", "swap", base)
	tr.write(age, string(rekeyed))
	tr.forge("wang.fang", "VIO-2026-0001: rekey", base)
	if rep := tr.verify(base + "..HEAD"); !hasRule(rep, RuleAttachmentSealed, "VIO-2026-0001") {
		t.Errorf("a swapped ciphertext is not named: %v", violationList(rep))
	}

	// The same rekey as a raw commit object (git hash-object -t commit):
	// judged by who it says made it, like any commit.
	raw := func(who string) *Report {
		t.Helper()
		tr.git("checkout", "-q", "-B", "raw-"+who, base)
		tr.write(age, string(rekeyed))
		tr.write(vioPath, violationWith(age, attach.SumBytes(rekeyed)))
		tr.git("add", "-A")
		tree := tr.git("write-tree")
		tr.git("checkout", "-q", base)
		h := tr.hashObject("tree " + tree + "\nparent " + base + "\nauthor " + who + " <" + who + "@example.com> 1772500000 +0800\n" +
			"committer " + who + " <" + who + "@example.com> 1772500000 +0800\n\nVIO-2026-0001: rekey\n")
		return tr.verify(base + ".." + h)
	}
	if rep := raw("wang.fang"); len(rep.Violations) != 0 {
		t.Errorf("the director's raw rekey: %v", violationList(rep))
	}
	if rep := raw("he.jing"); !hasRule(rep, RuleAttachmentSealed, "VIO-2026-0001") {
		t.Errorf("finance's raw rekey is not named: %v", violationList(rep))
	}

	// A clear file renamed .age, with its hash listed: not an age file.
	tr.git("checkout", "-q", "-B", "renamed", base)
	tr.write(age, "mail log, in clear")
	tr.write(vioPath, violationWith(age, attach.SumBytes([]byte("mail log, in clear"))))
	tr.commit("wang.fang", "VIO-2026-0001: rekey")
	if rep := tr.verify(base + "..HEAD"); !hasRule(rep, RuleAttachmentSealed, "VIO-2026-0001") {
		t.Errorf("a clear file as .age is not named: %v", violationList(rep))
	}
}

func TestVerifyEncryptOfSealedClearFile(t *testing.T) {
	tr := newTestRepo(t)
	keys := tr.cryptPeople()
	// Before the policy encrypted attachments: a sealed record with a
	// clear file.
	tr.write(".opsbook.yaml", "encrypt:\n  violation:\n    fields: [facts]\n    readers: [director, person]\n")
	const clear = "attachments/VIO-2026-0001/log.txt"
	tr.write(clear, "mail log")
	tr.write(vioPath, violationWith(clear, attach.SumBytes([]byte("mail log"))))
	tr.commit("wang.fang", "base")
	tr.write(".opsbook.yaml", fileCryptPolicy)
	base := tr.commit("wang.fang", "policy: encrypt violations' attachments")

	ct := encFile(t, "mail log", keys["wang.fang"], keys["li.wei"])
	encrypt := func(who string) *Report {
		t.Helper()
		tr.git("checkout", "-q", "-B", "enc-"+who, base)
		tr.git("rm", "-q", clear)
		tr.write(clear+".age", string(ct))
		tr.write(vioPath, violationWith(clear+".age", attach.SumBytes(ct)))
		tr.commit(who, "VIO-2026-0001: encrypt")
		return tr.verify(base + "..HEAD")
	}
	if rep := encrypt("wang.fang"); len(rep.Violations) != 0 {
		t.Errorf("the director's encrypt: %v", violationList(rep))
	}
	if rep := encrypt("li.wei"); !hasRule(rep, RuleAttachmentSealed, "VIO-2026-0001") {
		t.Errorf("a specialist's encrypt is not named: %v", violationList(rep))
	}
}

// A commit that lists a clear file in a record whose attachments the
// policy encrypts puts the clear file into history.
func TestVerifyNamesClearFileCommitted(t *testing.T) {
	tr := newTestRepo(t)
	tr.cryptPeople()
	open := strings.Replace(violationWith("attachments/VIO-2026-0001/log.txt.age", strings.Repeat("0", 64)), "status: closed", "status: reported", 1)
	open = strings.Replace(open, "attachments:\n  - path: attachments/VIO-2026-0001/log.txt.age\n    sha256: \""+strings.Repeat("0", 64)+"\"\n", "", 1)
	open = strings.Replace(open, "evidence:\n  - attachments/VIO-2026-0001/log.txt.age\n", "", 1)
	tr.write(vioPath, open)
	base := tr.commit("zhang.min", "VIO-2026-0001: new")
	tr.write("attachments/VIO-2026-0001/log.txt", "mail log")
	tr.write(vioPath, strings.Replace(open, "person: li.wei\n", "attachments:\n  - path: attachments/VIO-2026-0001/log.txt\n    sha256: \""+attach.SumBytes([]byte("mail log"))+"\"\nperson: li.wei\n", 1))
	tr.commit("zhang.min", "VIO-2026-0001: attach")
	rep := tr.verify(base + "..HEAD")
	if !hasRule(rep, RuleAttachmentPlaintext, "VIO-2026-0001") {
		t.Errorf("a clear file committed is not named: %v", violationList(rep))
	}
}
