package gitobj

import (
	"errors"
	"github.com/opsbook/opsbook/pkg/i18n"
	"strings"
	"testing"
)

// Commit headers read as git reads them.
func TestParseHead(t *testing.T) {
	const (
		tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
		p1   = "1111111111111111111111111111111111111111"
		p2   = "2222222222222222222222222222222222222222"
		who  = "li.wei <li.wei@example.com> 1780000000 +0800"
	)
	ok := []struct {
		name, raw      string
		parents, stray int
		signed         bool
	}{
		{"root", "tree " + tree + "\nauthor " + who + "\ncommitter " + who + "\n\nmsg\n", 0, 0, false},
		{"merge", "tree " + tree + "\nparent " + p1 + "\nparent " + p2 + "\nauthor " + who + "\ncommitter " + who + "\n\nmsg\n", 2, 0, false},
		{"parent after committer", "tree " + tree + "\nparent " + p1 + "\nauthor " + who + "\ncommitter " + who + "\nparent " + p2 + "\n\nmsg\n", 1, 1, false},
		{"parent after author", "tree " + tree + "\nauthor " + who + "\nparent " + p2 + "\ncommitter " + who + "\n\nmsg\n", 0, 1, false},
		{"parent in a signature", "tree " + tree + "\nparent " + p1 + "\nauthor " + who + "\ncommitter " + who + "\ngpgsig -----BEGIN SSH SIGNATURE-----\n parent " + p2 + "\n -----END SSH SIGNATURE-----\n\nmsg\n", 1, 0, true},
	}
	for _, c := range ok {
		ch, err := ParseHead([]byte(c.raw))
		if err != nil || len(ch.Parents) != c.parents || len(ch.Stray) != c.stray || ch.Signed != c.signed || ch.Email != "li.wei@example.com" || ch.Subject != "msg" {
			t.Errorf("%s: %+v, %v", c.name, ch, err)
		}
	}
	for name, raw := range map[string]string{
		"parent before tree": "parent " + p1 + "\ntree " + tree + "\nauthor " + who + "\ncommitter " + who + "\n\nmsg\n",
		"no author":          "tree " + tree + "\ncommitter " + who + "\n\nmsg\n",
		"two authors":        "tree " + tree + "\nauthor " + who + "\nauthor x <x@example.com> 1 +0000\ncommitter " + who + "\n\nmsg\n",
		"two committers":     "tree " + tree + "\nauthor " + who + "\ncommitter " + who + "\ncommitter " + who + "\n\nmsg\n",
		"bad parent":         "tree " + tree + "\nparent 123\nauthor " + who + "\ncommitter " + who + "\n\nmsg\n",
		"bad tree":           "tree xyz\nauthor " + who + "\ncommitter " + who + "\n\nmsg\n",
		"empty":              "",
	} {
		if _, err := ParseHead([]byte(raw)); !errors.Is(err, ErrBadCommit) {
			t.Errorf("%s: %v", name, err)
		} else if !strings.Contains(err.Error(), "malformed") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A malformed commit is said in the reader's language (verify stops on it
// with this error), and is still ErrBadCommit.
func TestBadCommitInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	raw := "tree " + strings.Repeat("a", 40) + "\nauthor A <a@x> 1 +0000\nauthor B <b@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nx\n"
	_, err := ParseHead([]byte(raw))
	if !errors.Is(err, ErrBadCommit) || err.Error() != "格式不正確的 commit 物件：有兩行 author" {
		t.Errorf("err = %v", err)
	}
}
