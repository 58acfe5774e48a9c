package crypt

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
)

// Stanzas kept between runs.
//
// The rules read the recipient stanzas of every ciphertext of the
// department on every full pass (25,000 at 100,000 records: about 0.1 s of
// CPU, each header alone decoded; a fifth of decoding each whole), though a ciphertext's stanzas are a function of its text alone. A
// StanzaMemo can therefore start from the answers of an earlier run
// (Seed) and give its own to the next (Kept): each well-formed
// ciphertext's stanzas under the SHA-256 of its text. A ciphertext asked
// about is looked up by that hash first; one not found, or not
// well-formed, is read as Stanzas reads it. The file is the caller's to
// keep (pkg/repo keeps it beside the parse cache); key names the build
// that wrote it, so a build reading stanzas otherwise never takes another
// build's answers, and a file cut short or altered fails its checksum
// and is not taken.

const stanzaMagic = "opsbook stanzas 1\n"

// Seed takes the answers kept in data (Kept's), written under key; false
// when data is not such a file (another key, cut short, altered), which
// then seeds nothing. Call it before the memo is used.
func (m *StanzaMemo) Seed(data []byte, key [32]byte) bool {
	n := len(data) - sha256.Size
	if n < len(stanzaMagic)+len(key) || sha256.Sum256(data[:n]) != [32]byte(data[n:]) {
		return false
	}
	body, ok := bytes.CutPrefix(data[:n], []byte(stanzaMagic))
	if !ok || !bytes.Equal(body[:len(key)], key[:]) {
		return false
	}
	body = body[len(key):]
	kept := map[[32]byte][]Stanza{}
	str := func() (string, bool) {
		l, k := binary.Uvarint(body)
		if k <= 0 || uint64(len(body)-k) < l {
			return "", false
		}
		s := string(body[k : k+int(l)])
		body = body[k+int(l):]
		return s, true
	}
	for len(body) > 0 {
		if len(body) < sha256.Size {
			return false
		}
		h := [32]byte(body[:sha256.Size])
		body = body[sha256.Size:]
		c, k := binary.Uvarint(body)
		if k <= 0 || c > uint64(len(body)) {
			return false
		}
		body = body[k:]
		st := make([]Stanza, 0, c)
		for range c {
			typ, ok1 := str()
			tag, ok2 := str()
			if !ok1 || !ok2 {
				return false
			}
			st = append(st, Stanza{Type: typ, Tag: tag})
		}
		kept[h] = st
	}
	m.kept = kept
	return true
}

// Fresh is how many well-formed ciphertexts the memo read that it was not
// seeded with: when none, the file it was seeded from still holds every
// answer it gave.
func (m *StanzaMemo) Fresh() int { return int(m.fresh.Load()) }

// Kept is the file of the answers the memo gave for well-formed
// ciphertexts (those asked about in this run, not every one it was seeded
// with: a ciphertext no longer in the department is dropped), under key.
func (m *StanzaMemo) Kept(key [32]byte) []byte {
	b := append([]byte(stanzaMagic), key[:]...)
	m.m.Range(func(k, v any) bool {
		a := v.(stanzaAnswer)
		if a.err != nil {
			return true
		}
		h := sha256.Sum256([]byte(k.(string)))
		b = append(b, h[:]...)
		b = binary.AppendUvarint(b, uint64(len(a.st)))
		for _, s := range a.st {
			b = binary.AppendUvarint(b, uint64(len(s.Type)))
			b = append(b, s.Type...)
			b = binary.AppendUvarint(b, uint64(len(s.Tag)))
			b = append(b, s.Tag...)
		}
		return true
	})
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}
