package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// Encrypted attachments are judged from the files, without any key: a
// clear file listed where the policy encrypts, a clear file renamed .age,
// a reader without a stanza, a stanza of no reader.
func TestEncryptedAttachmentRules(t *testing.T) {
	pol, ds := config.FromBytes([]byte("encrypt:\n  violation:\n    fields: [facts]\n    readers: [director, person]\n    attachments: [confidential]\n"))
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	root := t.TempDir()
	var recs []*record.Record
	people := map[string]*record.Record{}
	for _, p := range []struct{ h, role string }{{"wang.fang", "director"}, {"li.wei", "specialist"}, {"sun.li", "specialist"}} {
		text := "kind: person\nid: " + p.h + "\nname: " + p.h + "\nrole: " + p.role + "\nemails: [" + p.h + "@example.com]\nkeys:\n  - " + pub(t, p.h) + "\n"
		r, ds := record.Parse("records/people/"+p.h+".yaml", []byte(text))
		if r == nil || len(ds) > 0 {
			t.Fatal(ds)
		}
		people[p.h] = r
		recs = append(recs, r)
	}
	keys := func(hs ...string) []crypt.Key {
		var out []crypt.Key
		for _, h := range hs {
			out = append(out, crypt.PersonKeys(people[h])...)
		}
		return out
	}
	file := func(id, name string, data []byte) string {
		rel := "attachments/" + id + "/" + name
		if err := os.MkdirAll(filepath.Join(root, "attachments", id), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		return "attachments:\n  - path: " + rel + "\n    sha256: \"" + attach.SumBytes(data) + "\"\n"
	}
	enc := func(hs ...string) []byte {
		ct, err := crypt.EncryptFile([]byte("mail log"), keys(hs...))
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	vio := func(id, class, list string) {
		text := "kind: violation\nid: " + id + "\ntitle: t\nstatus: reported\nclassification: " + class + "\nperson: li.wei\n" + list
		r, ds := record.Parse("records/violations/2026/"+id+".yaml", []byte(text))
		if r == nil || len(ds) > 0 {
			t.Fatalf("%s: %v", id, ds)
		}
		recs = append(recs, r)
	}
	vio("VIO-2026-0001", "confidential", file("VIO-2026-0001", "log.txt.age", enc("wang.fang", "li.wei")))
	vio("VIO-2026-0002", "confidential", file("VIO-2026-0002", "log.txt", []byte("mail log")))
	vio("VIO-2026-0003", "confidential", file("VIO-2026-0003", "log.txt.age", []byte("mail log, renamed")))
	vio("VIO-2026-0004", "confidential", file("VIO-2026-0004", "log.txt.age", enc("wang.fang")))
	vio("VIO-2026-0005", "confidential", file("VIO-2026-0005", "log.txt.age", enc("wang.fang", "li.wei", "sun.li")))
	vio("VIO-2026-0006", "internal", file("VIO-2026-0006", "log.txt", []byte("mail log"))) // not encrypted by the policy
	out := rules.Check(&rules.Context{Set: record.NewSet(recs), Policy: pol, Root: root, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	got := map[string][]string{}
	for _, d := range out {
		switch d.Rule {
		case "attachment-plaintext", "ciphertext", "recipients", "recipients-extra", "attachment-hash", "attachment-missing":
			got[d.Record] = append(got[d.Record], d.Rule+":"+string(d.Severity))
			if d.Line == 0 || !strings.HasPrefix(d.Path, "records/violations/") {
				t.Errorf("%s: no file and line: %+v", d.Rule, d)
			}
		}
	}
	want := map[string]string{
		"VIO-2026-0001": "",
		"VIO-2026-0002": "attachment-plaintext:error",
		"VIO-2026-0003": "ciphertext:error",
		"VIO-2026-0004": "recipients:error",
		"VIO-2026-0005": "recipients-extra:warning",
		"VIO-2026-0006": "",
	}
	for id, w := range want {
		if g := strings.Join(got[id], ","); g != w {
			t.Errorf("%s: got %q, want %q", id, g, w)
		}
	}
	for _, d := range out {
		if d.Rule == "attachment-plaintext" && !strings.Contains(d.Message, "opsbook encrypt VIO-2026-0002") {
			t.Errorf("the fix is not named: %s", d.Message)
		}
		if d.Rule == "recipients" && !strings.Contains(d.Message, "li.wei (person)") {
			t.Errorf("the reader is not named: %s", d.Message)
		}
	}
	// A file about to be written (Pending, not on disk) is judged by its
	// bytes.
	ct := enc("wang.fang")
	vio("VIO-2026-0007", "confidential", "attachments:\n  - path: attachments/VIO-2026-0007/log.txt.age\n    sha256: \""+attach.SumBytes(ct)+"\"\n")
	pending := map[string][]byte{"attachments/VIO-2026-0007/log.txt.age": ct}
	out = rules.Check(&rules.Context{Set: record.NewSet(recs), Policy: pol, Root: root, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), Pending: pending})
	found := ""
	for _, d := range out {
		if d.Record == "VIO-2026-0007" {
			found += d.Rule + " "
		}
	}
	if found != "recipients " {
		t.Errorf("a pending file: got %q, want recipients", found)
	}
}
