package config

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/schemas"
)

// EncryptRule is one kind's entry of the policy's encrypt section: the
// fields stored as age ciphertext in the files, and who may read them.
type EncryptRule struct {
	// Fields are dotted paths of the kind's fields (contact, outcome.reward).
	Fields []string `json:"fields"`
	// Readers are roles (director, manager, ...) and parties (a field of the
	// record naming a person: assignee, employee, appraiser, ...).
	Readers []string `json:"readers"`
	// ByClass, when it has the record's classification, replaces Readers
	// for the records of that classification.
	ByClass map[string][]string `json:"by_classification,omitempty"`
	// Attachments are the classifications whose records keep their
	// attached files encrypted (<name>.age), for the same readers as the
	// fields; empty: attachments stay in clear.
	Attachments []string `json:"attachments,omitempty"`
}

// EncryptsAttachments reports whether a record of this classification keeps
// its attached files encrypted.
func (e EncryptRule) EncryptsAttachments(class string) bool {
	return slices.Contains(e.Attachments, class)
}

// ReadersFor returns the readers of a record of this classification.
func (e EncryptRule) ReadersFor(class string) []string {
	if r, ok := e.ByClass[class]; ok {
		return r
	}
	return e.Readers
}

// Encrypted returns the kind's encrypted field paths (nil: none).
func (p *Policy) Encrypted(k record.Kind) []string {
	if p == nil {
		return nil
	}
	return p.Encrypt[k].Fields
}

// encryptable lists, per kind, the only fields that may be encrypted: free
// text that no workflow, seal, sum, rule or report computes with. Ids,
// states, amounts, dates, parties, ratings and everything a rule or report
// reads stay in clear, so that a clone without any key (CI) still judges
// every move, seal and amount. A field's presence stays visible (the key is
// in clear), so rules that only ask whether an outcome or an improvement
// plan exists still work on ciphertext.
var encryptable = map[record.Kind][]string{
	record.Customer:  {"contact", "contact.name", "contact.phone", "contact.email", "contact.address", "purchases", "preferences"},
	record.Complaint: {"contact", "contact.name", "contact.phone", "contact.email"},
	record.Appraisal: {"outcome.reward", "outcome.salary_change", "outcome.promotion", "outcome.recognition", "improvement.goals"},
	record.Violation: {"facts", "decision.reason", "dismissal.reason"},
}

// Encryptable returns the fields of a kind the policy may encrypt.
func Encryptable(k record.Kind) []string { return encryptable[k] }

func kindList() i18n.Joined {
	var out []string
	for _, k := range EncryptKinds() {
		out = append(out, string(k))
	}
	return i18n.Commas(out)
}

// kindWord is a kind said as a word: 客戶 in Chinese, customer in English.
func kindWord(k record.Kind) i18n.Word { return i18n.Word{Group: "kind", Key: string(k)} }

// EncryptKinds are the kinds that have encryptable fields, in order.
func EncryptKinds() []record.Kind {
	var out []record.Kind
	for _, ki := range record.Kinds {
		if len(encryptable[ki.Kind]) > 0 {
			out = append(out, ki.Kind)
		}
	}
	return out
}

var (
	partiesMu sync.Mutex
	parties   = map[record.Kind][]string{}
)

// Parties returns the fields of a kind that name one person (a handle), at
// the top level or inside an object: the parties a policy may name as
// readers (assignee, employee, appraiser, improvement.coach, ...). They are
// read from the kind's schema, so a new kind's parties need no table.
func Parties(k record.Kind) []string {
	partiesMu.Lock()
	defer partiesMu.Unlock()
	if out, ok := parties[k]; ok {
		return out
	}
	out := partiesOf(k)
	parties[k] = out
	return out
}

// partiesOf reads a kind's parties from its schema (read only for the kinds
// asked: a policy names parties of two or three).
func partiesOf(k record.Kind) []string {
	if !slices.ContainsFunc(record.Kinds, func(ki record.KindInfo) bool { return ki.Kind == k }) {
		return nil
	}
	data, err := schemas.FS.ReadFile(string(k) + ".json")
	if err != nil {
		return nil
	}
	var doc map[string]any
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(prefix string, props map[string]any, depth int)
	walk = func(prefix string, props map[string]any, depth int) {
		for name, v := range props {
			m, _ := v.(map[string]any)
			if m == nil {
				continue
			}
			if ref, _ := m["$ref"].(string); ref == "common.json#/$defs/handle" {
				out = append(out, prefix+name)
			}
			if sub, ok := m["properties"].(map[string]any); ok && depth == 0 {
				walk(prefix+name+".", sub, depth+1)
			}
		}
	}
	if props, ok := doc["properties"].(map[string]any); ok {
		walk("", props, 0)
	}
	sort.Strings(out)
	return out
}

// setEncrypt reads one kind's encrypt entry.
func (p *Policy) setEncrypt(kind string, v any) error {
	k := record.Kind(kind)
	m, _ := v.(record.Map)
	strs := func(key string) ([]string, bool) {
		x, ok := m.Get(key)
		if !ok {
			return nil, false
		}
		l, _ := x.([]any)
		out := make([]string, 0, len(l))
		for _, y := range l {
			out = append(out, record.Text(y))
		}
		return out, true
	}
	fields, _ := strs("fields")
	readers, _ := strs("readers")
	rule := EncryptRule{Fields: fields, Readers: readers}
	if x, ok := m.Get("attachments"); ok {
		switch t := x.(type) {
		case bool:
			if t {
				rule.Attachments = slices.Clone(Classifications)
			}
		case []any:
			for _, y := range t {
				c := record.Text(y)
				if !slices.Contains(Classifications, c) {
					return badValue("attachments: %q is not a classification (%s); write true for every record of the kind", c, i18n.Commas(Classifications))
				}
				if slices.Contains(rule.Attachments, c) {
					return badValue("attachments: %s is listed twice", c)
				}
				rule.Attachments = append(rule.Attachments, c)
			}
			if len(rule.Attachments) == 0 {
				return badValue("attachments: an empty list encrypts nothing; write false, or leave the key out")
			}
		default:
			return badValue("attachments: %q is neither true, false nor a list of classifications (%s)", record.Text(x), i18n.Commas(Classifications))
		}
	}
	for _, c := range Classifications {
		if l, ok := strs(c); ok {
			if rule.ByClass == nil {
				rule.ByClass = map[string][]string{}
			}
			rule.ByClass[c] = l
		}
	}
	allowed := encryptable[k]
	if len(allowed) == 0 {
		return badValue("%s cannot be encrypted: its fields and files are what workflows, seals, sums and reports read (kinds that may be encrypted: %s)", kindWord(k), kindList())
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if !slices.Contains(allowed, f) {
			return badValue("%s %s cannot be encrypted: ids, states, amounts, dates, parties and every field a workflow, seal, sum, rule or report reads stay in clear; %s fields that may be encrypted: %s", kindWord(k), f, kindWord(k), i18n.Commas(allowed))
		}
		if seen[f] {
			return badValue("%s is listed twice", f)
		}
		for g := range seen {
			if strings.HasPrefix(f, g+".") || strings.HasPrefix(g, f+".") {
				return badValue("%s and %s overlap: encrypt the whole or its parts, not both", g, f)
			}
		}
		seen[f] = true
	}
	if len(fields) == 0 && len(rule.Attachments) == 0 {
		return badValue("names no fields and no attachments: nothing would be encrypted")
	}
	check := func(list []string, what string) error {
		if len(list) == 0 {
			return badValue("%s names no reader: nobody could read the fields", what)
		}
		for _, r := range list {
			if !slices.Contains(Roles, r) && !slices.Contains(Parties(k), r) {
				if len(Parties(k)) == 0 {
					return badValue("%s: %q is not a role (%s), and a %s names no party who could read it", what, r, i18n.Commas(Roles), kindWord(k))
				}
				return badValue("%s: %q is neither a role (%s) nor a party of a %s (%s)", what, r, i18n.Commas(Roles), kindWord(k), i18n.Commas(Parties(k)))
			}
		}
		return nil
	}
	if err := check(readers, "readers"); err != nil {
		return err
	}
	for c, l := range rule.ByClass {
		if err := check(l, c); err != nil {
			return err
		}
	}
	if p.Encrypt == nil {
		p.Encrypt = map[record.Kind]EncryptRule{}
	}
	p.Encrypt[k] = rule
	return nil
}

// EncryptText is the value of the policy key encrypt.KIND as `opsbook
// config` shows it to people: Value's English (what -o json keeps), or in
// Chinese its words in Chinese around the policy's own keys.
func (p *Policy) EncryptText(kind string) string {
	e, ok := p.Encrypt[record.Kind(kind)]
	if !ok || !i18n.IsChinese() {
		return p.encryptValue(kind)
	}
	s := i18n.Sprintf("fields %s; readers %s", strings.Join(e.Fields, ", "), strings.Join(e.Readers, ", "))
	if len(e.Attachments) > 0 {
		s += i18n.Sprintf("; attachments of %s records", strings.Join(e.Attachments, ", "))
	}
	for _, c := range Classifications {
		if l, ok := e.ByClass[c]; ok {
			s += i18n.Sprintf("; readers of %s records: %s", c, strings.Join(l, ", "))
		}
	}
	return s
}

// encryptValue is the text of one kind's encrypt entry for `opsbook config`.
func (p *Policy) encryptValue(kind string) string {
	e, ok := p.Encrypt[record.Kind(kind)]
	if !ok {
		return ""
	}
	s := "fields " + strings.Join(e.Fields, ", ") + "; readers " + strings.Join(e.Readers, ", ")
	if len(e.Attachments) > 0 {
		s += "; attachments of " + strings.Join(e.Attachments, ", ") + " records"
	}
	for _, c := range Classifications {
		if l, ok := e.ByClass[c]; ok {
			s += "; " + c + " " + strings.Join(l, ", ")
		}
	}
	return s
}
