package audit

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// RuleMailmap names a commit that makes git show one person's commits as
// another's (see mailmaps).
const RuleMailmap = "mailmap"

// mailmapFile is git's committed mailmap, read at the top of the work tree
// by git log, git blame and git shortlog (log.mailmap is on by default).
const mailmapFile = ".mailmap"

// mailmaps names a commit h that adds or changes the repository's .mailmap
// so that git shows a person of the registry as the author of commits
// they did not make, or their own commits as someone else's: an entry
// whose commit email is one person's and whose proper email is not one of
// theirs (li.wei@example.com shown as zhang.min@example.com), whose proper
// email is a person's while its commit email is not one of theirs, or
// whose proper name is another person's name or handle. verify, history
// and log judge and show the commits' own identities, but git log, the
// tool every reviewer reaches for, would show the approval of li.wei's
// claim by li.wei as made by her manager, in every clone. A merge's
// .mailmap that another parent already has is not named again.
func (r *Repo) mailmaps(ctx context.Context, h plumbing.Hash, rulesAt func() (*Rules, error)) ([]Violation, error) {
	nd := r.Indexed(h)
	if nd == nil {
		return nil, fmt.Errorf("commit %s is not indexed", h)
	}
	var out []Violation
	for _, c := range nd.Changes() {
		if c.Path != mailmapFile || c.New.IsZero() || hasBlob(c.Others, c.New) {
			continue
		}
		rl, err := rulesAt()
		if err != nil {
			return nil, err
		}
		data, err := r.Blob(c.New, maxAttributesSize)
		if err != nil {
			return nil, err
		}
		for _, e := range parseMailmap(data) {
			what := rl.mailmapMisleads(e)
			if what == "" {
				continue
			}
			v := Violation{Commit: h.String(), Path: c.Path, Rule: RuleMailmap, Actor: r.actorOf(ctx, h), Line: e.line, Column: 1}
			v.Message, v.Text = i18n.Both("%s makes git log, git blame and git shortlog show the commits of %s as %s's: the authors reviewers read in git would not be those verify judged (opsbook history and log show the commits' own identities); remove the entry (another email of one person belongs in their emails)", c.Path, e.from(), what)
			out = append(out, v)
		}
	}
	return out, nil
}

// mailmapEntry is one line of a .mailmap: commits by commitEmail (and,
// when given, commitName) are shown with properName and properEmail
// where these are given.
type mailmapEntry struct {
	line                    int
	properName, properEmail string
	commitName, commitEmail string
}

func (e mailmapEntry) from() string {
	if e.commitName != "" {
		return e.commitName + " <" + e.commitEmail + ">"
	}
	return "<" + e.commitEmail + ">"
}

// parseMailmap reads a .mailmap as git does: "Proper Name <proper@email>
// Commit Name <commit@email>", each part but the last email optional, and
// "Proper Name <commit@email>"; a line starting with # is a comment.
func parseMailmap(data []byte) []mailmapEntry {
	var out []mailmapEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxAttributesSize)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name1, email1, rest, ok := mailmapPart(line)
		if !ok {
			continue
		}
		e := mailmapEntry{line: n}
		if name2, email2, _, ok := mailmapPart(rest); ok {
			e.properName, e.properEmail = name1, email1
			e.commitName, e.commitEmail = name2, email2
		} else {
			e.properName, e.commitEmail = name1, email1
		}
		if e.commitEmail == "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// mailmapPart splits "Name <email> rest" (Name may be empty).
func mailmapPart(s string) (name, email, rest string, ok bool) {
	open := strings.IndexByte(s, '<')
	if open < 0 {
		return "", "", "", false
	}
	end := strings.IndexByte(s[open:], '>')
	if end < 0 {
		return "", "", "", false
	}
	return strings.TrimSpace(s[:open]), strings.TrimSpace(s[open+1 : open+end]), s[open+end+1:], true
}

// mailmapMisleads says whose identity an entry would show another's
// commits under ("" when it shows each person's commits as their own).
func (rl *Rules) mailmapMisleads(e mailmapEntry) string {
	owner := rl.byEmail(e.commitEmail) // whose commits the entry renames
	if e.properEmail != "" {
		shown := rl.byEmail(e.properEmail)
		switch {
		case owner != "" && shown != owner && !rl.hasEmail(owner, e.properEmail):
			return e.properEmail
		case shown != "" && shown != owner:
			return e.properEmail
		}
	}
	if e.properName != "" {
		name := strings.ToLower(strings.TrimSpace(e.properName))
		for _, h := range sortedHandles(rl.Persons) {
			p := rl.Persons[h]
			if h == owner {
				continue
			}
			if name == strings.ToLower(h) || (p.Name != "" && name == strings.ToLower(strings.TrimSpace(p.Name))) {
				return e.properName
			}
		}
	}
	return ""
}

// hasEmail reports whether email is one of handle's.
func (rl *Rules) hasEmail(handle, email string) bool {
	p := rl.Persons[handle]
	if p == nil {
		return false
	}
	for _, e := range p.Emails {
		if strings.EqualFold(strings.TrimSpace(e), strings.TrimSpace(email)) {
			return true
		}
	}
	return false
}
