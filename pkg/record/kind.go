package record

import (
	"fmt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"path"
	"strings"
)

// Kind names a kind of record.
type Kind string

const (
	Person    Kind = "person"
	Customer  Kind = "customer"
	Project   Kind = "project"
	Plan      Kind = "plan"
	Complaint Kind = "complaint"
	Appraisal Kind = "appraisal"
	Budget    Kind = "budget"
	Expense   Kind = "expense"

	TrainingPlan Kind = "training-plan"
	Training     Kind = "training"
	Violation    Kind = "violation"

	Meeting Kind = "meeting"
	Task    Kind = "task"
	// StatusReport is a manager's (or the director's) report upward.
	StatusReport Kind = "status-report"
	// OpsPlan is the year's operations plan (OPP-YYYY).
	OpsPlan Kind = "ops-plan"
	// Analysis is a data-analysis report with recommendations (§4).
	Analysis Kind = "analysis"
)

// KindInfo says where a kind lives and how its ids look.
type KindInfo struct {
	Kind   Kind
	Dir    string // folder under the records root
	Plural string
	Prefix string // id prefix; empty for people
	Yearly bool   // files sit in a year folder
	// TitleField is "name" for people and customers, "title" otherwise.
	TitleField string
	// YearOnly: the id is the prefix and a year (BUD-2026, TRP-2026), one
	// record per year, directly in the kind's folder.
	YearOnly bool
}

// Kinds lists every kind in the order reports show them.
var Kinds = []KindInfo{
	{Person, "people", "people", "", false, "name", false},
	{Customer, "customers", "customers", "CUS", false, "name", false},
	{Project, "projects", "projects", "PRJ", true, "title", false},
	{Plan, "plans", "plans", "PLN", true, "title", false},
	{Complaint, "complaints", "complaints", "CMP", true, "title", false},
	{Appraisal, "appraisals", "appraisals", "APR", true, "title", false},
	{Budget, "budgets", "budgets", "BUD", false, "title", true},
	{Expense, "expenses", "expenses", "EXP", true, "title", false},
	{TrainingPlan, "training-plans", "training-plans", "TRP", false, "title", true},
	{Training, "trainings", "trainings", "TRN", true, "title", false},
	{Violation, "violations", "violations", "VIO", true, "title", false},
	{Meeting, "meetings", "meetings", "MTG", true, "title", false},
	{Task, "tasks", "tasks", "TSK", true, "title", false},
	{StatusReport, "status-reports", "status-reports", "RPT", true, "title", false},
	{OpsPlan, "ops-plans", "ops-plans", "OPP", false, "title", true},
	{Analysis, "analyses", "analyses", "ANA", true, "title", false},
}

// Info returns the KindInfo of k.
func Info(k Kind) KindInfo {
	for _, ki := range Kinds {
		if ki.Kind == k {
			return ki
		}
	}
	return KindInfo{}
}

// ParseKind accepts a kind's singular or plural name ("expense", "expenses").
func ParseKind(s string) (Kind, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, ki := range Kinds {
		if s == string(ki.Kind) || s == ki.Plural {
			return ki.Kind, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, ki := range Kinds {
		names[i] = string(ki.Kind)
		// a kind typed as the word the tables show (報銷單): the one meant
		// is named, not taken (commands are typed as the files spell them)
		if w := i18n.TermIn(i18n.Chinese, "kind", string(ki.Kind)); w != string(ki.Kind) && w == s {
			return "", i18n.Errorf("unknown kind %q (did you mean %q?)", s, string(ki.Kind))
		}
	}
	return "", i18n.Errorf("unknown kind %q (kinds: %s)", s, i18n.Commas(names))
}

// idParts splits an id into its shape: a yearly id ("EXP-2026-0001":
// prefix, year, sequence), a customer id ("CUS-0001": prefix, sequence), a
// year-only id ("BUD-2026", "TRP-2026": prefix, year) or a person's handle (lower-case
// letters, digits, dots and hyphens, starting with a letter or digit, no
// ".."). Hand-written rather than regular expressions: the rules ask it of
// every reference of every record.
func idParts(id string) (k Kind, year, seq string, ok bool) {
	if len(id) >= 4 && id[3] == '-' && isUpper3(id[:3]) {
		p, rest := id[:3], id[4:]
		switch p {
		case "CUS":
			if len(rest) >= 4 && allDigits(rest) {
				return Customer, "", rest, true
			}
			return "", "", "", false
		}
		for _, ki := range Kinds {
			if ki.Prefix == p && ki.YearOnly {
				if len(rest) == 4 && allDigits(rest) {
					return ki.Kind, rest, "", true
				}
				return "", "", "", false
			}
			if ki.Prefix == p && ki.Kind != Customer {
				if len(rest) >= 9 && rest[4] == '-' && allDigits(rest[:4]) && allDigits(rest[5:]) {
					return ki.Kind, rest[:4], rest[5:], true
				}
				return "", "", "", false
			}
		}
		return "", "", "", false
	}
	if isHandle(id) {
		return Person, "", "", true
	}
	return "", "", "", false
}

func isUpper3(s string) bool {
	return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z'
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHandle(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '-') && i > 0:
			if c == '.' && s[i-1] == '.' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// KindOfID tells the kind an id names, from its shape: a prefix, or a
// person's handle.
func KindOfID(id string) (Kind, bool) {
	k, _, _, ok := idParts(id)
	return k, ok
}

// ValidID reports whether id is well formed for kind k. Well-formed ids never
// contain a path separator or "..", so they cannot escape the records folder.
func ValidID(k Kind, id string) bool {
	got, ok := KindOfID(id)
	return ok && got == k
}

// IDYear returns the year part of a yearly or year-only id ("2026").
func IDYear(id string) string {
	_, year, _, _ := idParts(id)
	return year
}

// IDSeq returns the sequence number of a yearly or customer id, or -1.
func IDSeq(id string) int {
	_, _, digits, ok := idParts(id)
	if !ok || digits == "" {
		return -1
	}
	n := 0
	for _, c := range digits {
		n = n*10 + int(c-'0')
		if n > 1e9 {
			return -1
		}
	}
	return n
}

// FormatID builds an id of kind k for a year and sequence number.
func FormatID(k Kind, year, seq int) string {
	ki := Info(k)
	switch {
	case ki.Yearly:
		return fmt.Sprintf("%s-%04d-%04d", ki.Prefix, year, seq)
	case k == Customer:
		return fmt.Sprintf("CUS-%04d", seq)
	case ki.YearOnly:
		return fmt.Sprintf("%s-%04d", ki.Prefix, year)
	}
	return ""
}

// IDShape says, in the reader's language, what an id of kind k looks like,
// for a message that refuses one that does not (a person's handle given to
// new --id, the new id of renumber).
func IDShape(k Kind) any {
	ki := Info(k)
	switch {
	case k == Person:
		return i18n.P("a handle of lower-case letters, digits, '.' and '-', e.g. li.wei")
	case ki.Yearly:
		return i18n.P("%s-YYYY-NNNN, e.g. %s", ki.Prefix, FormatID(k, 2026, 1))
	case k == Customer:
		return i18n.P("%s-NNNN, e.g. %s", ki.Prefix, FormatID(k, 0, 1))
	case ki.YearOnly:
		return i18n.P("%s-YYYY, e.g. %s", ki.Prefix, FormatID(k, 2026, 0))
	}
	return ""
}

// RelPath is where a record of kind k with this id lives, relative to the
// records root, with forward slashes.
func RelPath(k Kind, id string) string {
	ki := Info(k)
	if ki.Yearly {
		return path.Join(ki.Dir, IDYear(id), id+".yaml")
	}
	return path.Join(ki.Dir, id+".yaml")
}

// PlaceError explains why a file's place is not one a record can have, in
// English (Error) and in the reader's language (Why).
type PlaceError struct{ Why i18n.Phrase }

func (e *PlaceError) Error() string {
	en, _ := i18n.Texts(e.Why)
	return en
}

// kindWord is a kind as a message argument: a term in the reader's language.
func kindWord(k Kind) i18n.Word { return i18n.Word{Group: "kind", Key: string(k)} }

// placeErr is a PlaceError.
//
// i18n:format 0
func placeErr(format string, args ...any) error { return &PlaceError{i18n.P(format, args...)} }

// Locate derives the kind and id a file's place under the records root
// implies ("expenses/2026/EXP-2026-0193.yaml" → expense, EXP-2026-0193), or
// explains why the place is not one a record can have (a *PlaceError).
func Locate(rel string) (Kind, string, error) {
	parts := strings.Split(rel, "/")
	if len(parts) < 2 {
		return "", "", placeErr("a record file must sit in a kind's folder (people/, expenses/YYYY/, ...)")
	}
	var ki KindInfo
	for _, k := range Kinds {
		if k.Dir == parts[0] {
			ki = k
		}
	}
	if ki.Kind == "" {
		return "", "", placeErr("folder %q is not a kind's folder", parts[0])
	}
	base := parts[len(parts)-1]
	id := strings.TrimSuffix(base, ".yaml")
	if ki.Yearly {
		if len(parts) != 3 {
			return ki.Kind, id, placeErr("%s records sit in a year folder: %s/YYYY/%s", kindWord(ki.Kind), ki.Dir, base)
		}
		if IDYear(id) != "" && parts[1] != IDYear(id) {
			return ki.Kind, id, placeErr("%s sits in year folder %s but its id's year is %s", id, parts[1], IDYear(id))
		}
	} else if len(parts) != 2 {
		return ki.Kind, id, placeErr("%s records sit directly in %s/", kindWord(ki.Kind), ki.Dir)
	}
	if !ValidID(ki.Kind, id) {
		return ki.Kind, id, placeErr("file name %q is not a valid %s id: %s", base, kindWord(ki.Kind), IDShape(ki.Kind))
	}
	return ki.Kind, id, nil
}
