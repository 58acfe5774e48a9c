package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// AllowedSigners writes git's allowed-signers file (gpg.ssh.allowedSignersFile)
// from the registry: every SSH key of every person, once for each of their
// emails, in namespace "git", so that `git log --show-signature` trusts
// exactly the keys opsbook verify does. OpenPGP keys are not for this file;
// they are listed in comments.
func AllowedSigners(rl *Rules) string {
	var b strings.Builder
	b.WriteString("# git allowed signers, written by `opsbook allowed-signers` from the people records.\n")
	b.WriteString("# Use it with: git config gpg.ssh.allowedSignersFile PATH\n")
	for _, h := range sortedHandles(rl.Persons) {
		p := rl.Persons[h]
		if len(p.SSHLines) == 0 && len(p.PGPArmored) == 0 && len(p.PGPFingerprints) == 0 {
			continue
		}
		fmt.Fprintf(&b, "# %s (%s)", h, orRole(p.Role))
		if !p.Active {
			b.WriteString(", inactive: their past signatures stay good")
		}
		b.WriteString("\n")
		for _, key := range p.SSHLines {
			for _, e := range p.Emails {
				fmt.Fprintf(&b, "%s namespaces=\"git\" %s\n", e, key)
			}
		}
		if n := len(p.PGPArmored) + len(p.PGPFingerprints); n > 0 {
			keys, them := "keys", "them"
			if n == 1 {
				keys, them = "key", "it"
			}
			fmt.Fprintf(&b, "# (and %d OpenPGP %s: import %s into gpg instead)\n", n, keys, them)
		}
	}
	return b.String()
}

func orRole(r workflow.Role) string {
	if r == "" {
		return "no role"
	}
	return string(r)
}

// ownerOrder lists owners from the first reviewer up.
var ownerOrder = []workflow.Role{workflow.Manager, workflow.Director, workflow.Leadership, workflow.Specialist, workflow.Finance}

// OwnerRoles are the roles that review a kind's records in a pull request:
// every role that makes a move of its workflow, finance aside (it pays
// what others approved), or, when only named parties make its moves, the
// roles that create its records. People are owned by the director and leadership,
// who alone change them; customers, which have no workflow, by managers
// and the director.
func OwnerRoles(k record.Kind) []workflow.Role {
	set := map[workflow.Role]bool{}
	switch t := workflow.For(k); {
	case k == record.Person:
		set[workflow.Director], set[workflow.Leadership] = true, true
	case t == nil:
		set[workflow.Manager], set[workflow.Director] = true, true
	default:
		for _, m := range t.Moves {
			for _, r := range m.Roles {
				set[r] = r != workflow.Finance
			}
		}
		// A kind whose moves are its parties' alone (a status report: its
		// author and addressee) is reviewed by the roles that create it.
		if len(set) == 0 {
			for _, r := range t.Create.Roles {
				set[r] = r != workflow.Finance
			}
		}
	}
	var out []workflow.Role
	for _, r := range ownerOrder {
		if set[r] {
			out = append(out, r)
		}
	}
	return out
}

// Codeowners writes a CODEOWNERS file (GitHub and GitLab read the same
// syntax) from the registry: each kind's record folder is owned by the
// forge handles of the active people whose roles review it; people, the
// policy, CODEOWNERS itself and the CI configuration by the director and
// leadership; a record's attachments folder like the kind's records. People without a forge handle are listed in a comment.
func Codeowners(rl *Rules) string {
	owners := func(roles []workflow.Role) string {
		var hs []string
		for _, r := range roles {
			for _, h := range sortedHandles(rl.Persons) {
				p := rl.Persons[h]
				if p.Active && p.Role == r && p.Forge != "" {
					hs = append(hs, "@"+p.Forge)
				}
			}
		}
		return strings.Join(hs, " ")
	}
	names := func(roles []workflow.Role) string {
		s := make([]string, len(roles))
		for i, r := range roles {
			s[i] = string(r)
		}
		return strings.Join(s, ", ")
	}
	var b strings.Builder
	b.WriteString("# CODEOWNERS, written by `opsbook codeowners` from the people records:\n")
	b.WriteString("# regenerate it whenever people change. Each record folder is owned by the\n")
	b.WriteString("# roles that review its records; people, the policy, this file and CI by the\n")
	b.WriteString("# director and leadership. The last matching pattern wins.\n")
	line := func(pattern string, roles []workflow.Role) {
		o := owners(roles)
		if o == "" {
			fmt.Fprintf(&b, "# nobody active with a forge handle holds %s\n", names(roles))
		}
		fmt.Fprintf(&b, "%s %s\n", pattern, o)
	}
	dir := "/" + strings.Trim(rl.Policy.Records, "/") + "/"
	for _, ki := range record.Kinds {
		if ki.Kind == record.Person {
			continue
		}
		roles := OwnerRoles(ki.Kind)
		fmt.Fprintf(&b, "\n# %s: %s\n", ki.Plural, names(roles))
		line(dir+ki.Dir+"/", roles)
	}
	// Attachments: each record's folder attachments/<ID>/ is owned like
	// the kind's records (matched by the id's prefix), so whoever reviews a
	// claim also reviews its receipts; anything else under attachments/
	// by the director and leadership.
	gov := OwnerRoles(record.Person)
	fmt.Fprintf(&b, "\n# attachments: by the reviewers of the record's kind; others: %s\n", names(gov))
	line("/"+attach.Dir+"/", gov)
	for _, ki := range record.Kinds {
		if ki.Prefix == "" {
			continue
		}
		line("/"+attach.Dir+"/"+ki.Prefix+"-*/", OwnerRoles(ki.Kind))
	}
	fmt.Fprintf(&b, "\n# people, policy, CODEOWNERS and CI: %s\n", names(gov))
	for _, p := range []string{dir + "people/", "/" + config.FileName, "/CODEOWNERS", "/.github/", "/.gitlab/", "/.gitlab-ci.yml", "/docs/CODEOWNERS"} {
		if p == "/"+config.FileName && rl.Policy != nil && rl.Policy.PolicyChanges == "leadership" {
			// policy_changes: leadership: leadership alone changes it
			line(p, []workflow.Role{workflow.Leadership})
			continue
		}
		line(p, gov)
	}
	var missing []string
	for _, h := range sortedHandles(rl.Persons) {
		if p := rl.Persons[h]; p.Active && p.Forge == "" {
			missing = append(missing, fmt.Sprintf("#   %s (%s)", h, orRole(p.Role)))
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		b.WriteString("\n# Without a forge handle (add `forge:` to their person record to have the forge ask them):\n")
		b.WriteString(strings.Join(missing, "\n") + "\n")
	}
	return b.String()
}
