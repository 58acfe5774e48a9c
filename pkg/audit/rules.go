package audit

import (
	"regexp"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
	"golang.org/x/crypto/ssh"
)

// Rules are the policy and the people registry as one revision holds them:
// what a commit made on top of that revision is judged by.
type Rules struct {
	Policy *config.Policy
	// Dir is the records folder and PolicyPath the policy file, as paths
	// in the git tree (prefixed when the records repository is a folder of
	// a larger git repository).
	Dir, PolicyPath string
	People          workflow.People
	// Persons are the registry's people by handle, with their identities.
	Persons map[string]*Person
	emails  map[string][]string // lower-case email → handles
	sshKeys map[string][]string // SHA256 fingerprint → handles
}

// Person is one person's git identities from the registry.
type Person struct {
	Handle string
	Name   string // the record's name, as git log would show an author
	Emails []string
	// SSH holds the parsed SSH public keys; PGPArmored the OpenPGP public
	// keys registered whole; PGPFingerprints those registered only by
	// fingerprint (upper-case hex, no spaces), which cannot be checked
	// offline.
	SSH             []ssh.PublicKey
	SSHLines        []string
	PGPArmored      []string
	PGPFingerprints []string
	Forge           string
	Active          bool
	Role            workflow.Role
}

type rulesKey struct{ policy, people plumbing.Hash }

// rulesAt reads the rules a root tree holds: .opsbook.yaml (defaults where
// absent or invalid, no environment overrides) and every person file in
// the records folder's people/.
func (r *Repo) rulesAt(tree plumbing.Hash) (*Rules, error) {
	pb, err := r.BlobAt(tree, r.Prefix()+config.FileName)
	if err != nil {
		return nil, err
	}
	pol, err := r.policy(pb)
	if err != nil {
		return nil, err
	}
	dir, _, err := r.Lookup(tree, r.Prefix()+pol.Records+"/people")
	if err != nil {
		return nil, err
	}
	if !dir.IsDir() {
		dir.Hash = plumbing.ZeroHash
	}
	key := rulesKey{pb, dir.Hash}
	if rl, ok := r.rules[key]; ok {
		return rl, nil
	}
	entries, err := r.Entries(dir.Hash)
	if err != nil {
		return nil, err
	}
	var recs []*record.Record
	for _, e := range entries {
		name := string(e.Name)
		if !e.IsFile() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		rec, err := r.person(e.Hash, r.Prefix()+pol.Records+"/people/"+name)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			recs = append(recs, rec)
		}
	}
	rl := r.newRules(pol, recs)
	r.rules[key] = rl
	return rl, nil
}

// rejections are the forbidden changes of one person file or the policy
// met so far, by the content each left (bad): two branches may each hold
// one, and each stays without effect wherever a tree holds it.
type rejections map[plumbing.Hash]rejected

// rejected is a change to a person file or the policy that verify found
// forbidden: wherever a tree holds its content (bad), the registry keeps
// what the file held before (prev; zero: no such file). forbidden holds
// the values the forbidden commits made that the content holds (keyed by
// leaf path; see keptForbidden).
type rejected struct {
	bad, prev plumbing.Hash
	forbidden map[string]forbiddenValue
	by        plumbing.Hash // the last forbidden commit
}

// forbiddenValue is a value a forbidden commit gave a person file's field
// (absent: the commit removed the field), and the commit.
type forbiddenValue struct {
	leaf   leaf
	absent bool
	commit plumbing.Hash
}

// rulesWithout are the rules a tree holds, less the forbidden changes still
// in it: a role someone granted themselves is not theirs to use.
func (r *Repo) rulesWithout(tree plumbing.Hash, rej map[string]rejections) (*Rules, error) {
	subs := map[string]plumbing.Hash{}
	for p, rs := range rej {
		b, err := r.BlobAt(tree, p)
		if err != nil {
			return nil, err
		}
		if rf, ok := rs[b]; ok {
			subs[p] = rf.prev
		}
	}
	if len(subs) == 0 {
		return r.rulesAt(tree)
	}
	pb, err := r.BlobAt(tree, r.Prefix()+config.FileName)
	if err != nil {
		return nil, err
	}
	if b, ok := subs[r.Prefix()+config.FileName]; ok {
		pb = b
	}
	pol, err := r.policy(pb)
	if err != nil {
		return nil, err
	}
	people := r.Prefix() + pol.Records + "/people/"
	dir, _, err := r.Lookup(tree, strings.TrimSuffix(people, "/"))
	if err != nil {
		return nil, err
	}
	if !dir.IsDir() {
		dir.Hash = plumbing.ZeroHash
	}
	entries, err := r.Entries(dir.Hash)
	if err != nil {
		return nil, err
	}
	files := map[string]plumbing.Hash{}
	for _, e := range entries {
		if name := string(e.Name); e.IsFile() && strings.HasSuffix(name, ".yaml") {
			files[people+name] = e.Hash
		}
	}
	for p, b := range subs {
		if strings.HasPrefix(p, people) && strings.HasSuffix(p, ".yaml") {
			if b.IsZero() {
				delete(files, p)
			} else {
				files[p] = b
			}
		}
	}
	var recs []*record.Record
	for p, b := range files {
		rec, err := r.person(b, p)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			recs = append(recs, rec)
		}
	}
	return r.newRules(pol, recs), nil
}

// newRules are rules read from this repository's trees.
func (r *Repo) newRules(pol *config.Policy, persons []*record.Record) *Rules {
	rl := newRules(pol, persons)
	rl.Dir, rl.PolicyPath = r.Prefix()+pol.Records, r.Prefix()+config.FileName
	return rl
}

func (r *Repo) policy(blob plumbing.Hash) (*config.Policy, error) {
	if p, ok := r.policies[blob]; ok {
		return p, nil
	}
	var data []byte
	if !blob.IsZero() {
		var err error
		if data, err = r.Blob(blob, record.MaxFileSize); err != nil {
			return nil, err
		}
	}
	p, _ := config.FromBytes(data)
	r.policies[blob] = p
	return p, nil
}

// person parses a person file; the handle is the file's name. A file is
// someone only as the department's own reading of the people folder
// (record.CheckPlace) takes it: named after a well-formed handle and
// stating that handle as its id. people/.boss.yaml (a hidden file, which
// list, validate and every write skip without a word) or people/boss.yaml
// saying id: li.wei is nobody: no commit that made it was judged as a
// person's change (the rules read it as no record), so a registry that
// counted it would let whoever wrote it in a plain commit act as a manager
// from the next pull request on. It returns nil for such a file.
func (r *Repo) person(blob plumbing.Hash, path string) (*record.Record, error) {
	if rec, ok := r.persons[blob]; ok && (rec == nil || rec.Path == path) {
		return rec, nil
	}
	data, err := r.Blob(blob, record.MaxFileSize)
	if err != nil {
		return nil, err
	}
	// Without its node tree (re-parsed only if a position is asked): a
	// history reads every version of every person file.
	rec, _ := record.ParseLean(path, data)
	if rec != nil {
		base := path[strings.LastIndexByte(path, '/')+1:]
		handle := strings.TrimSuffix(base, ".yaml")
		if !record.ValidID(record.Person, handle) || rec.ID != handle {
			rec = nil
		} else {
			rec.Kind = record.Person
		}
	}
	r.persons[blob] = rec
	return rec, nil
}

var fingerprintRE = regexp.MustCompile(`^(?:[0-9A-F]{16}|[0-9A-F]{40}|[0-9A-F]{64})$`)

// NewRules builds rules from a policy and person records (the handle is
// each record's ID).
func NewRules(pol *config.Policy, persons []*record.Record) *Rules {
	return newRules(pol, persons)
}

func newRules(pol *config.Policy, persons []*record.Record) *Rules {
	rl := &Rules{Policy: pol, Dir: pol.Records, PolicyPath: config.FileName, People: workflow.People{}, Persons: map[string]*Person{},
		emails: map[string][]string{}, sshKeys: map[string][]string{}}
	sort.Slice(persons, func(i, j int) bool { return persons[i].ID < persons[j].ID })
	for _, rec := range persons {
		a := workflow.ActorOf(rec)
		a.Handle = rec.ID
		rl.People[rec.ID] = a
		p := &Person{Handle: rec.ID, Name: rec.Str("name"), Forge: rec.Str("forge"), Active: a.Active, Role: a.Role}
		for _, e := range rec.Strings("emails") {
			e = strings.TrimSpace(e)
			p.Emails = append(p.Emails, e)
			k := strings.ToLower(e)
			rl.emails[k] = appendOnce(rl.emails[k], rec.ID)
		}
		for _, k := range rec.Strings("keys") {
			k = strings.TrimSpace(k)
			switch {
			case strings.Contains(k, "BEGIN PGP PUBLIC KEY BLOCK"):
				p.PGPArmored = append(p.PGPArmored, k)
			case fingerprintRE.MatchString(strings.ToUpper(strings.Join(strings.Fields(k), ""))):
				p.PGPFingerprints = append(p.PGPFingerprints, strings.ToUpper(strings.Join(strings.Fields(k), "")))
			default:
				pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k))
				if err != nil {
					continue // validate's business; an unreadable key verifies nothing
				}
				p.SSH = append(p.SSH, pub)
				p.SSHLines = append(p.SSHLines, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))))
				fp := ssh.FingerprintSHA256(pub)
				rl.sshKeys[fp] = appendOnce(rl.sshKeys[fp], rec.ID)
			}
		}
		rl.Persons[rec.ID] = p
	}
	return rl
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// byEmail finds the one person an email belongs to ("" when nobody, or
// when two people claim it, which validate reports).
func (rl *Rules) byEmail(email string) string {
	hs := rl.emails[strings.ToLower(strings.TrimSpace(email))]
	if len(hs) != 1 {
		return ""
	}
	return hs[0]
}

// actor is the workflow's view of a handle (the zero Actor, unknown, for
// "").
func (rl *Rules) actor(handle string) workflow.Actor {
	if handle == "" {
		return workflow.Actor{}
	}
	return rl.People[handle]
}

// PolicyAt is the policy committed at a revision (the defaults where it
// has none), without environment overrides.
func (r *Repo) PolicyAt(rev string) (*config.Policy, error) {
	h, err := r.Resolve(rev)
	if err != nil {
		return nil, err
	}
	t, err := r.TreeOf(h)
	if err != nil {
		return nil, err
	}
	b, err := r.BlobAt(t, r.Prefix()+config.FileName)
	if err != nil {
		return nil, err
	}
	return r.policy(b)
}

// PersonAt reports whether handle names a person in the people records
// committed at a revision.
func (r *Repo) PersonAt(rev, handle string) (bool, error) {
	h, err := r.Resolve(rev)
	if err != nil {
		return false, err
	}
	t, err := r.TreeOf(h)
	if err != nil {
		return false, err
	}
	rl, err := r.rulesAt(t)
	if err != nil {
		return false, err
	}
	_, ok := rl.People[handle]
	return ok, nil
}
