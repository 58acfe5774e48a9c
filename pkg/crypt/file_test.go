package crypt

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"filippo.io/age/armor"
)

const filePolicy = `encrypt:
  violation:
    fields: [facts]
    readers: [director, person]
    attachments: [confidential]
  customer:
    readers: [director, manager]
    attachments: true
`

func TestEncryptsAttachmentsByClassification(t *testing.T) {
	pol := policy(t, filePolicy)
	vio := func(class string) string {
		return "kind: violation\nid: VIO-2026-0001\ntitle: t\nstatus: reported\nclassification: " + class + "\nperson: li.wei\n"
	}
	if !EncryptsAttachments(pol, parse(t, "records/violations/2026/VIO-2026-0001.yaml", vio("confidential"))) {
		t.Error("a confidential violation's attachments are not encrypted")
	}
	if EncryptsAttachments(pol, parse(t, "records/violations/2026/VIO-2026-0001.yaml", vio("internal"))) {
		t.Error("an internal violation's attachments are encrypted, the policy says confidential only")
	}
	// customer: attachments only (no fields), every classification.
	cus := parse(t, "records/customers/CUS-0001.yaml", "kind: customer\nid: CUS-0001\nname: n\nclassification: internal\n")
	if !EncryptsAttachments(pol, cus) || len(pol.Encrypted("customer")) != 0 {
		t.Errorf("customer: attachments %v, fields %v", EncryptsAttachments(pol, cus), pol.Encrypted("customer"))
	}
	apr := parse(t, "records/appraisals/2026/APR-2026-0001.yaml", "kind: appraisal\nid: APR-2026-0001\n")
	if EncryptsAttachments(pol, apr) {
		t.Error("a kind the policy does not name encrypts its attachments")
	}
}

func TestEncryptedFileRoundTripAndStanzas(t *testing.T) {
	dir, mgr, spec := person(t, "wang.fang", "director"), person(t, "zhang.min", "manager"), person(t, "li.wei", "specialist")
	readers := []Reader{{Handle: "wang.fang", Keys: PersonKeys(dir)}, {Handle: "zhang.min", Keys: PersonKeys(mgr)}}
	clear := []byte("%PDF-1.4\x00\xff binary contract \n")
	ct, err := EncryptFile(clear, Recipients(readers))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("binary contract")) || bytes.HasPrefix(ct, []byte("-----BEGIN")) {
		t.Fatalf("not a binary ciphertext: %q", ct[:40])
	}
	st, err := FileStanzas(ct[:min(len(ct), HeaderMax)])
	if err != nil || len(st) != 2 {
		t.Fatalf("stanzas %v %v", st, err)
	}
	if m := Missing(st, readers); len(m) != 0 || NeedsRekey(st, readers) {
		t.Errorf("written for its readers, yet missing %v / needs rekey", m)
	}
	// A reader added: missing, needs rekey; a reader removed: extra.
	more := append(readers, Reader{Handle: "li.wei", Keys: PersonKeys(spec)})
	if m := Missing(st, more); len(m) != 1 || m[0].Handle != "li.wei" || !NeedsRekey(st, more) {
		t.Errorf("li.wei added: missing %v", m)
	}
	if Extra(st, readers[:1]) != 1 || !NeedsRekey(st, readers[:1]) {
		t.Error("zhang.min removed: no extra stanza")
	}
	for _, h := range []string{"wang.fang", "zhang.min"} {
		got, err := identity(t, h).OpenFile(ct)
		if err != nil || !bytes.Equal(got, clear) {
			t.Errorf("%s: %q %v", h, got, err)
		}
	}
	if _, err := identity(t, "li.wei").OpenFile(ct); !errors.Is(err, ErrNotReader) {
		t.Errorf("a non-reader: %v, want ErrNotReader", err)
	}
	var none *Identity
	if _, err := none.OpenFile(ct); !errors.Is(err, ErrNotReader) {
		t.Errorf("no identity: %v", err)
	}
	// A flipped byte in the payload is refused, not given altered.
	bad := bytes.Clone(ct)
	bad[len(bad)-3] ^= 1
	if _, err := identity(t, "wang.fang").OpenFile(bad); err == nil || errors.Is(err, ErrNotReader) {
		t.Errorf("altered ciphertext opened: %v", err)
	}
}

func TestFileStanzasRefusesClearFiles(t *testing.T) {
	for _, data := range [][]byte{
		[]byte("IT 報告：筆記本遺失\n"), // a clear file renamed .age
		{},
		[]byte("age-encryption.org/v1\n-> X25519 abc\n"), // a header cut short
	} {
		if _, err := FileStanzas(data); err == nil {
			t.Errorf("%q read as an age file", data)
		}
		if _, err := identity(t, "wang.fang").OpenFile(data); err == nil || errors.Is(err, ErrNotReader) {
			t.Errorf("%q: %v, want not an age file", data, err)
		}
	}
	if !strings.Contains(errString(FileStanzas([]byte("plain")))+"", "not an age file") {
		t.Error("the error does not say what is wrong")
	}
}

func errString(_ []Stanza, err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A file encrypted by hand with age -a (armored) is read as age reads it.
func TestArmoredFileIsRead(t *testing.T) {
	keys := PersonKeys(person(t, "wang.fang", "director"))
	ct, err := EncryptFile([]byte("hello"), keys)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := armor.NewWriter(&b)
	w.Write(ct)
	w.Close()
	if st, err := FileStanzas(b.Bytes()); err != nil || len(st) != 1 {
		t.Fatalf("armored: %v %v", st, err)
	}
	got, err := identity(t, "wang.fang").OpenFile(b.Bytes())
	if err != nil || string(got) != "hello" {
		t.Fatalf("armored: %q %v", got, err)
	}
}
