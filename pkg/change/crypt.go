package change

import (
	"bytes"
	"errors"

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
	if !s.idRead {
		s.idRead = true
		s.id, s.idErr = crypt.LoadIdentity(crypt.Ask)
		if errors.Is(s.idErr, crypt.ErrNoIdentity) {
			s.id, s.idErr = nil, nil
		}
	}
	return s.id, s.idErr
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
		if sealer == nil {
			var err error
			if sealer, err = s.Sealer(); err != nil {
				return nil, err
			}
		}
		data, err := sealer.Seal(e.Before, e.Path, e.Data)
		var nr *crypt.NotReaderError
		if errors.As(err, &nr) {
			return nil, NotReader(nr.ID, nr.Field)
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
func (s *Session) sealFiles(before *record.Record, e *Edit) ([]Edit, error) {
	after, _ := record.Parse(e.Path, e.Data)
	if after == nil || before == nil || !crypt.EncryptsAttachments(s.Repo.Policy, after) || crypt.EncryptsAttachments(s.Repo.Policy, before) {
		return nil, nil
	}
	ed, err := record.NewEditor(e.Data)
	if err != nil {
		return nil, nil
	}
	readers := crypt.Readers(s.Repo.Policy, crypt.NewPeople(s.Repo.Set.OfKind(record.Person)), after)
	files, err := encryptAttachments(s, ed, after, readers, crypt.Recipients(readers), nil, false)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	if e.Data, err = ed.Bytes(); err != nil {
		return nil, err
	}
	return files, nil
}

// NotReader refuses a change to an encrypted field the actor cannot read.
func NotReader(id, field string) *Refused {
	return &Refused{Rule: RuleEncrypted, Reason: i18n.Sprintf("refused: %s of %s is encrypted and you cannot read it (you are not among its readers, or your key is not at hand: OPSBOOK_IDENTITY, ~/.ssh/id_ed25519); you may not change it", field, id)}
}

func bytesHaveMarker(b []byte) bool { return bytes.Contains(b, []byte(crypt.Marker)) }
