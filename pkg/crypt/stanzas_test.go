package crypt

import (
	"fmt"
	"testing"
)

// TestStanzasKept: a memo seeded with another's Kept gives the same
// answers without reading the ciphertexts it was seeded with (Fresh stays
// 0 for them), reads new ones (Fresh counts them), never keeps a broken
// one, and takes nothing from a file of another key or one cut short or
// altered anywhere.
func TestStanzasKept(t *testing.T) {
	a := PersonKeys(person(t, "li.wei", "specialist"))
	b := PersonKeys(person(t, "wang.fang", "director"))
	ct1, err := Encrypt("contact", "0912-345-678", a)
	if err != nil {
		t.Fatal(err)
	}
	ct2, err := Encrypt("contact", "x", append(a, b...))
	if err != nil {
		t.Fatal(err)
	}
	ct3, err := Encrypt("contact", "y", b)
	if err != nil {
		t.Fatal(err)
	}
	broken := "-----BEGIN AGE ENCRYPTED FILE-----\nbroken\n-----END AGE ENCRYPTED FILE-----"
	key := [32]byte{1, 2, 3}
	first := &StanzaMemo{}
	for _, c := range []string{ct1, ct2, broken} {
		first.Of(c)
	}
	if first.Fresh() != 2 {
		t.Errorf("first run: %d fresh, want 2 (the broken one is not counted)", first.Fresh())
	}
	data := first.Kept(key)

	next := &StanzaMemo{}
	if !next.Seed(data, key) {
		t.Fatal("a memo's own file was not taken")
	}
	if len(next.kept) != 2 {
		t.Fatalf("%d answers kept, want 2 (not the broken one)", len(next.kept))
	}
	for _, c := range []string{ct1, ct2, broken, ct3} {
		want, werr := Stanzas(c)
		got, err := next.Of(c)
		if fmt.Sprint(got, err) != fmt.Sprint(want, werr) {
			t.Errorf("seeded: %v %v, want %v %v", got, err, want, werr)
		}
	}
	if next.Fresh() != 1 {
		t.Errorf("seeded run: %d fresh, want 1 (ct3 alone)", next.Fresh())
	}
	// A kept answer is the one given, not one read again: a seeded answer
	// for ct1 that differs is what Of gives (the hash names the text).
	forged := &StanzaMemo{}
	forged.Seed(data, key)
	for h := range forged.kept {
		forged.kept[h] = []Stanza{{Type: "X25519"}, {Type: "X25519"}, {Type: "X25519"}}
	}
	if got, _ := forged.Of(ct1); len(got) != 3 {
		t.Errorf("the seeded answer was not used: %v", got)
	}

	for name, bad := range map[string][]byte{
		"another key": first.Kept([32]byte{9}),
		"cut short":   data[:len(data)-5],
		"altered":     append(append([]byte{}, data[:40]...), append([]byte{data[40] ^ 1}, data[41:]...)...),
		"empty":       nil,
	} {
		m := &StanzaMemo{}
		if m.Seed(bad, key) || m.kept != nil {
			t.Errorf("%s: taken", name)
		}
	}
}
