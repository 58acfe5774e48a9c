package crypt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
)

// Encrypted attachments. A record whose policy encrypts its attachments
// (encrypt.KIND.attachments) keeps each attached file as <name>.age: a
// binary age file, age's own format (what `age -e` writes and `age -d`
// reads), to the same readers as the record's fields. The record lists the
// .age path and the SHA-256 of the ciphertext, so a clone without any key
// still checks every file's hash, seals it, and reads from its header
// whom it was written for (FileStanzas). Binary, not armored: a file is
// not a YAML value, and armor would make every file a third larger in
// every clone for ever, for nothing a reader of the work tree needs.
//
// The clear bytes inside are the file itself, with nothing added, so a
// reader can also open it with the age tool and their key. What binds a
// ciphertext to its record is the SHA-256 the record lists, as for any
// attachment: a ciphertext copied from another record's folder is another
// hash, and opens only for someone who could read it there.

// FileExt ends the name of every encrypted attachment.
const FileExt = ".age"

// MaxFile bounds the clear bytes of an encrypted attachment (attach
// accepts files up to 50 MiB).
const MaxFile = 64 << 20

// HeaderMax is how much of a file FileStanzas needs at most: an age header
// with a few hundred recipients.
const HeaderMax = 64 << 10

// EncryptsAttachments reports whether the policy keeps rec's attached files
// encrypted (its kind's encrypt.attachments names its classification).
func EncryptsAttachments(pol *config.Policy, rec *record.Record) bool {
	if pol == nil || rec == nil {
		return false
	}
	rule, ok := pol.Encrypt[rec.Kind]
	return ok && rule.EncryptsAttachments(Classification(pol, rec))
}

// IsEncryptedPath reports whether an attachment path names an encrypted
// file.
func IsEncryptedPath(rel string) bool { return strings.HasSuffix(rel, FileExt) }

// EncryptFile encrypts the bytes of a file for the keys, as a binary age
// file.
func EncryptFile(data []byte, keys []Key) ([]byte, error) {
	if len(keys) == 0 {
		return nil, errors.New("no reader has a key to encrypt to")
	}
	rs := make([]age.Recipient, len(keys))
	for i, k := range keys {
		rs[i] = k.Recipient
	}
	var b bytes.Buffer
	w, err := age.Encrypt(&b, rs...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// fileReader reads an age file as age itself does: binary, or armored
// (someone who encrypted a file by hand with age -a).
func fileReader(data []byte) io.Reader {
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte(armorBegin)) {
		return armor.NewReader(bytes.NewReader(data))
	}
	return bytes.NewReader(data)
}

// FileStanzas reads the recipient stanzas of an age file from its first
// bytes (HeaderMax are enough), without any key. An error says it is not
// an age file: a clear file named .age, or a damaged one.
func FileStanzas(head []byte) ([]Stanza, error) {
	rec := &stanzaRecorder{}
	_, err := age.Decrypt(fileReader(head), rec)
	if !errors.Is(err, errHeaderRead) {
		if err == nil {
			err = errors.New("no recipient")
		}
		return nil, fmt.Errorf("not an age file: %v", strings.TrimPrefix(err.Error(), "failed to read header: "))
	}
	out := make([]Stanza, 0, len(rec.got))
	for _, s := range rec.got {
		st := Stanza{Type: s.Type}
		if (s.Type == "ssh-ed25519" || s.Type == "ssh-rsa") && len(s.Args) > 0 {
			st.Tag = s.Args[0]
		}
		out = append(out, st)
	}
	return out, nil
}

// OpenFile decrypts an encrypted attachment. ErrNotReader: the identity is
// not among its recipients; any other error says the file is damaged,
// altered or not an age file.
func (id *Identity) OpenFile(data []byte) ([]byte, error) {
	if _, err := FileStanzas(data); err != nil {
		return nil, err
	}
	if id == nil || len(id.ids) == 0 {
		return nil, ErrNotReader
	}
	return open(fileReader(data), id.ids, MaxFile, fmt.Errorf("its clear bytes are over %d MiB", MaxFile>>20))
}

// NeedsRekey reports whether a file's stanzas differ from what its readers
// need: a reader without a stanza, a stanza of no current reader, or
// another number of X25519 stanzas than the readers' age keys.
func NeedsRekey(stanzas []Stanza, readers []Reader) bool {
	if len(Missing(stanzas, readers)) > 0 || Extra(stanzas, readers) > 0 {
		return true
	}
	x := 0
	for _, s := range stanzas {
		if s.Type == "X25519" {
			x++
		}
	}
	want := 0
	for _, k := range Recipients(readers) {
		if k.Type == "X25519" {
			want++
		}
	}
	return x != want
}
