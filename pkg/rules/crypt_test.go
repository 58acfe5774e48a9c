package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
)

// The keys are pkg/crypt's test keys, made for the tests only.
func pub(t *testing.T, handle string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "crypt", "testdata", "keys", handle+".pub"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestEncryptedFieldRules(t *testing.T) {
	pol, ds := config.FromBytes([]byte("encrypt:\n  complaint:\n    fields: [contact]\n    readers: [director, assignee]\n"))
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	person := func(h, role, keys string) string {
		return "kind: person\nid: " + h + "\nname: " + h + "\nrole: " + role + "\nemails: [" + h + "@example.com]\n" + keys
	}
	files := map[string]string{
		"records/people/wang.fang.yaml": person("wang.fang", "director", "keys:\n  - "+pub(t, "wang.fang")+"\n"),
		"records/people/sun.li.yaml":    person("sun.li", "specialist", "keys:\n  - "+pub(t, "sun.li")+"\n"),
		"records/people/li.wei.yaml":    person("li.wei", "specialist", "keys:\n  - "+pub(t, "li.wei")+"\n"),
	}
	var people []*record.Record
	for p, text := range files {
		r, ds := record.Parse(p, []byte(text))
		if r == nil || len(ds) > 0 {
			t.Fatal(ds)
		}
		people = append(people, r)
	}
	keys := func(hs ...string) []crypt.Key {
		var out []crypt.Key
		for _, p := range people {
			for _, h := range hs {
				if p.ID == h {
					out = append(out, crypt.PersonKeys(p)...)
				}
			}
		}
		return out
	}
	block := func(ct string) string {
		return "|\n  " + strings.ReplaceAll(strings.TrimSpace(ct), "\n", "\n  ") + "\n"
	}
	both, _ := crypt.Encrypt("contact", "x", keys("wang.fang", "sun.li"))
	directorOnly, _ := crypt.Encrypt("contact", "x", keys("wang.fang"))
	extra, _ := crypt.Encrypt("contact", "x", keys("wang.fang", "sun.li", "li.wei"))
	inSummary, _ := crypt.Encrypt("summary", "x", keys("wang.fang"))
	complaint := func(id, contact, more string) string {
		return "kind: complaint\nid: " + id + "\ntitle: t\nstatus: received\nassignee: sun.li\ncontact: " + contact + more
	}
	cases := map[string]string{
		"CMP-2026-0001": complaint("CMP-2026-0001", block(both), ""),
		"CMP-2026-0002": complaint("CMP-2026-0002", "{name: 王先生}\n", ""),
		"CMP-2026-0003": complaint("CMP-2026-0003", block(directorOnly), ""),
		"CMP-2026-0004": complaint("CMP-2026-0004", block(extra), ""),
		"CMP-2026-0005": complaint("CMP-2026-0005", block(both), "summary: "+block(inSummary)),
		"CMP-2026-0006": complaint("CMP-2026-0006", "|\n  -----BEGIN AGE ENCRYPTED FILE-----\n  !!!!\n  -----END AGE ENCRYPTED FILE-----\n", ""),
	}
	recs := append([]*record.Record(nil), people...)
	for id, text := range cases {
		r, ds := record.Parse("records/complaints/2026/"+id+".yaml", []byte(text))
		if r == nil || len(ds) > 0 {
			t.Fatalf("%s: %v", id, ds)
		}
		recs = append(recs, r)
	}
	// A reader by role without a key.
	nokey, _ := record.Parse("records/people/zhou.jie.yaml", []byte(person("zhou.jie", "director", "active: false\n")))
	recs = append(recs, nokey)
	out := rules.Check(&rules.Context{Set: record.NewSet(recs), Policy: pol, Root: t.TempDir(), Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), Exists: func(string) bool { return true }})
	got := map[string][]string{}
	for _, d := range out {
		switch d.Rule {
		case "plaintext", "ciphertext", "ciphertext-unexpected", "recipients", "recipients-extra", "reader-key":
			got[d.Record] = append(got[d.Record], d.Rule+":"+string(d.Severity))
		}
	}
	want := map[string]string{
		"CMP-2026-0001": "",
		"CMP-2026-0002": "plaintext:error",
		"CMP-2026-0003": "recipients:error",
		"CMP-2026-0004": "recipients-extra:warning",
		"CMP-2026-0005": "ciphertext-unexpected:error",
		"CMP-2026-0006": "ciphertext:error",
		"zhou.jie":      "", // inactive: no warning
	}
	for id, w := range want {
		if g := strings.Join(got[id], ","); g != w {
			t.Errorf("%s: got %q, want %q", id, g, w)
		}
	}
	for _, d := range out {
		if d.Record == "CMP-2026-0003" && d.Rule == "recipients" && !strings.Contains(d.Message, "sun.li (assignee)") {
			t.Errorf("recipients names whom: %s", d.Message)
		}
		if d.Record == "CMP-2026-0002" && d.Rule == "plaintext" && !strings.Contains(d.Message, "opsbook encrypt CMP-2026-0002") {
			t.Errorf("plaintext names the fix: %s", d.Message)
		}
	}

	// An active reader by role without a key is warned about.
	active, _ := record.Parse("records/people/zhou.jie.yaml", []byte(person("zhou.jie", "director", "")))
	recs[len(recs)-1] = active
	out = rules.Check(&rules.Context{Set: record.NewSet(recs), Policy: pol, Root: t.TempDir(), Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), Exists: func(string) bool { return true }})
	found := false
	for _, d := range out {
		if d.Rule == "reader-key" && d.Record == "zhou.jie" && d.Severity == diag.Warning {
			found = true
		}
	}
	if !found {
		t.Error("no reader-key warning for a director without a key")
	}
	// in Chinese the kind and the role are words, not keys
	i18n.Set(i18n.Chinese)
	defer i18n.Set(i18n.English)
	for _, d := range rules.Check(&rules.Context{Set: record.NewSet(recs), Policy: pol, Root: t.TempDir(), Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), Exists: func(string) bool { return true }}) {
		if d.Rule == "reader-key" && d.Record == "zhou.jie" && !strings.HasPrefix(d.Human(), "zhou.jie 以總監身分讀取投訴") {
			t.Errorf("reader-key in Chinese: %s", d.Human())
		}
	}
}
