package change

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/rules"

	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// RuleEncrypted refuses a change to an encrypted field by someone who
// cannot read it.
const RuleEncrypted = "encrypted"

// Identity returns the actor's identity for encrypted fields (nil when none
// is at hand: ~/.ssh/id_ed25519, ~/.ssh/id_rsa or OPSBOOK_IDENTITY), read
// once.
func (s *Session) Identity() (*crypt.Identity, error) {
	if s.ident == nil {
		s.ident = &identity{}
	}
	i := s.ident
	i.once.Do(func() {
		i.id, i.err = crypt.LoadIdentity(crypt.Ask)
		if errors.Is(i.err, crypt.ErrNoIdentity) {
			i.id, i.err = nil, nil
		}
	})
	return i.id, i.err
}

// identity is a session's identity for encrypted fields, read once by
// whichever of the session's workers (tryMoves) asks first.
type identity struct {
	once sync.Once
	id   *crypt.Identity
	err  error
}

// Sealer encrypts what the session writes into encrypted fields.
func (s *Session) Sealer() (*crypt.Sealer, error) {
	id, err := s.Identity()
	if err != nil {
		return nil, err
	}
	return &crypt.Sealer{Policy: s.Repo.Policy, People: crypt.NewPeople(s.Repo.Set.OfKind(record.Person)), ID: id}, nil
}

// seal puts every value the edits write into an encrypted field in
// ciphertext (see crypt.Sealer.Seal): plain text never reaches a file the
// policy encrypts, an unchanged value keeps its ciphertext, and a value the
// actor cannot read cannot be changed (refused).
func (s *Session) seal(edits []Edit) ([]Edit, error) {
	var sealer *crypt.Sealer
	out := make([]Edit, len(edits))
	for i, e := range edits {
		out[i] = e
		if e.File || e.Data == nil {
			continue
		}
		if len(s.Repo.Policy.Encrypt) == 0 && !bytesHaveMarker(e.Data) {
			continue
		}
		if b := e.Before; b != nil && !bytesHaveMarker(e.Data) && len(crypt.Ciphertexts(b)) == 0 {
			// a record of a kind the policy does not encrypt, holding no
			// ciphertext: nothing to seal (a record keeps its kind)
			if _, ok := s.Repo.Policy.Encrypt[b.Kind]; !ok {
				continue
			}
		}
		if sealer == nil {
			var err error
			if sealer, err = s.Sealer(); err != nil {
				return nil, err
			}
		}
		data, err := sealer.Seal(e.Before, e.Path, e.Data)
		var nr *crypt.NotReaderError
		if errors.As(err, &nr) {
			return nil, s.NotReader(e.Before, nr.Field)
		}
		if err != nil {
			return nil, &Refused{Rule: RuleEncrypted, Reason: i18n.Sprintf("refused: %v; nothing was changed", err)}
		}
		out[i].Data = data
		files, err := s.sealFiles(e.Before, &out[i])
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

// sealFiles encrypts the clear files of a record that the write itself
// makes one whose attachments the policy encrypts (its classification
// raised to one the policy names), as `opsbook encrypt` would, in the
// same commit: the write is not refused for files it did not put there,
// and the record leaves it as the policy wants it. A record that was one
// already is left to `opsbook encrypt` (its clear files were pushed past
// opsbook, and validate names them).
//
// A write that changes who reads a record (a new assignee, investigator,
// another classification) re-encrypts each of its .age files that a new
// reader has no stanza in, when the writer can read it, as it does the
// record's encrypted fields; otherwise the rules refuse the write
// (recipients) and someone who can read the file makes it.
func (s *Session) sealFiles(before *record.Record, e *Edit) ([]Edit, error) {
	// lean, and the editor made only for a record whose files may
	// change: the inbox seals every move it tries
	after, _ := record.ParseLean(e.Path, e.Data)
	if after == nil || before == nil || !crypt.EncryptsAttachments(s.Repo.Policy, after) {
		return nil, nil
	}
	people := crypt.NewPeople(s.Repo.Set.OfKind(record.Person))
	readers := crypt.Readers(s.Repo.Policy, people, after)
	newly := !crypt.EncryptsAttachments(s.Repo.Policy, before)
	if !newly && sameReaders(readers, crypt.Readers(s.Repo.Policy, people, before)) {
		return nil, nil
	}
	ed, err := record.NewEditor(e.Data)
	if err != nil {
		return nil, nil
	}
	var files []Edit
	if newly {
		files, err = encryptAttachments(s, ed, after, readers, crypt.Recipients(readers), nil, false)
	} else {
		files, err = s.refreshFiles(ed, after, readers)
	}
	if err != nil || len(files) == 0 {
		return nil, err
	}
	if e.Data, err = ed.Bytes(); err != nil {
		return nil, err
	}
	return files, nil
}

// refreshFiles re-encrypts for readers each .age file of rec that lacks a
// reader's stanza and that the writer can open; a file with another hash
// than listed, or one the writer cannot open, is left for the rules to
// name.
func (s *Session) refreshFiles(ed *record.Editor, rec *record.Record, readers []crypt.Reader) ([]Edit, error) {
	ident, err := s.Identity()
	if err != nil {
		return nil, err
	}
	var files []Edit
	for _, e := range rules.Listed(rec) {
		if !crypt.IsEncryptedPath(e.Path) || attach.CheckPath(e.Path) != nil {
			continue
		}
		data, err := attach.Read(s.Repo.Root, e.Path, crypt.MaxFile)
		if err != nil || attach.SumBytes(data) != strings.ToLower(e.SHA256) {
			continue
		}
		st, err := crypt.FileStanzas(data)
		if err != nil || len(crypt.Missing(st, readers)) == 0 {
			continue
		}
		clear, err := ident.OpenFile(data)
		if err != nil {
			continue
		}
		ct, err := crypt.EncryptFile(clear, crypt.Recipients(readers))
		if err != nil {
			return nil, &Refused{Rule: RuleEncrypted, Reason: i18n.Sprintf("refused: cannot encrypt attachment %s of %s: %v; nothing was changed", e.Path, rec.ID, err)}
		}
		if err := ed.Set(attach.Field+"."+strconv.Itoa(e.Index)+".sha256", hashNode(attach.SumBytes(ct)), false); err != nil {
			return nil, err
		}
		files = append(files, Edit{Path: e.Path, Data: ct, File: true})
	}
	return files, nil
}

func sameReaders(a, b []crypt.Reader) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Handle != b[i].Handle {
			return false
		}
	}
	return true
}

// NotReader refuses a change to an encrypted field of rec the actor
// cannot read, saying why: the policy does not make them one of the
// record's readers (whom it names, and who they are today), or it does
// and no key of theirs at hand opens the value. rec nil: the reason is
// not told apart.
func (s *Session) NotReader(rec *record.Record, field string) *Refused {
	if rec == nil {
		return &Refused{Rule: RuleEncrypted, Reason: i18n.Sprintf("refused: %s is encrypted and you cannot read it (you are not among its readers, or your key is not at hand: OPSBOOK_IDENTITY, ~/.ssh/id_ed25519); you may not change it", field)}
	}
	pol := s.Repo.Policy
	readers := crypt.Readers(pol, crypt.NewPeople(s.Repo.Set.OfKind(record.Person)), rec)
	handles := make([]string, len(readers))
	among := false
	for i, r := range readers {
		handles[i] = r.Handle
		among = among || r.Handle == s.Actor.Handle
	}
	var en, text string
	if among {
		en, text = i18n.Both("refused: %s of %s is encrypted, and no key of yours at hand opens it (you, %s, are one of its readers: OPSBOOK_IDENTITY names your key, else ~/.ssh/id_ed25519 or ~/.ssh/id_rsa); you may not change it",
			field, rec.ID, s.Actor.Handle)
	} else {
		en, text = i18n.Both("refused: %s of %s is encrypted for its readers alone, and %s is not one of them: the policy's readers of a %s are %s (encrypt.%s), today %s; you may not change what you cannot read",
			field, rec.ID, s.Actor.Handle, i18n.Word{Group: "kind", Key: string(rec.Kind)}, strings.Join(pol.Encrypt[rec.Kind].ReadersFor(crypt.Classification(pol, rec)), ", "), rec.Kind, strings.Join(handles, ", "))
	}
	return &Refused{Rule: RuleEncrypted, Reason: en, Text: text}
}

func bytesHaveMarker(b []byte) bool { return bytes.Contains(b, []byte(crypt.Marker)) }
