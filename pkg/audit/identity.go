package audit

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// Identity is who made a commit, as the audit sees it: the person, when the
// registry knows them, and always the commit's raw author.
type Identity struct {
	Handle string        `json:"handle,omitempty"`
	Role   workflow.Role `json:"role,omitempty"`
	Name   string        `json:"name"`
	Email  string        `json:"email"`
	// Signature is "" when the policy does not require signatures, "good"
	// when the signature verified and named Handle, and otherwise the rule
	// code of what is wrong with it.
	Signature string `json:"signature,omitempty"`
}

// String names the actor: "li.wei (specialist)", or the raw identity
// "Li Wei <li.wei@example.com>" when the registry does not know them.
func (i Identity) String() string {
	switch {
	case i.Handle != "" && i.Role != "":
		return i.Handle + " (" + string(i.Role) + ")"
	case i.Handle != "":
		return i.Handle
	}
	return fmt.Sprintf("%s <%s>", i.Name, i.Email)
}

// Text is String in the reader's language: the role as the glossary words
// it ("li.wei（專員）").
func (i Identity) Text() string {
	if i.Handle != "" && i.Role != "" {
		return i18n.Sprintf("%s (%s)", i.Handle, i18n.Term("role", string(i.Role)))
	}
	return i.String()
}

// Short is the handle, or the raw identity.
func (i Identity) Short() string {
	if i.Handle != "" {
		return i.Handle
	}
	return fmt.Sprintf("%s <%s>", i.Name, i.Email)
}

// problem is something wrong with who made a commit, found before any
// record is judged. A fatal problem leaves no actor to judge by.
type problem struct {
	rule, message string
	text          string // message in the reader's language
	fatal         bool
}

// identify finds a commit's actor under rl: by the author's email, or,
// when rl's policy requires signatures, by the registered key that signed
// it (the commit object is then read in full).
func (r *Repo) identify(rl *Rules, h plumbing.Hash, ch gitobj.CommitHead) (Identity, *problem, error) {
	id := Identity{Name: ch.Name, Email: ch.Email}
	byEmail := rl.byEmail(ch.Email)
	if !rl.Policy.RequireSignatures {
		id.Handle, id.Role = byEmail, rl.People[byEmail].Role
		return id, nil, nil
	}
	c, err := r.Commit(h)
	if err != nil {
		return id, nil, err
	}
	sig := rl.checkSignature(c)
	if sig.rule != "" {
		id.Signature = sig.rule
		return id, &problem{rule: sig.rule, message: sig.message, text: sig.text, fatal: true}, nil
	}
	id.Handle, id.Role, id.Signature = sig.handle, rl.People[sig.handle].Role, "good"
	if byEmail != "" && byEmail != sig.handle {
		msg, text := i18n.Both("commit is signed by %s's key but authored as %s <%s>, who is %s: the change is judged as %s's, and the author line misleads the record",
			sig.handle, ch.Name, ch.Email, byEmail, sig.handle)
		return id, &problem{rule: RuleSignatureAuthor, message: msg, text: text}, nil
	}
	return id, nil, nil
}
