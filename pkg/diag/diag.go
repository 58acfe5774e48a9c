// Package diag is the one shape every check reports in: a compiler-style
// diagnostic with a file position, a severity and a stable rule code.
package diag

import (
	"fmt"
	"sort"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// Severity of a diagnostic.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Diagnostic is one finding. Path is relative to the repository root with
// forward slashes; Line and Column are 1-based. Message is English, and
// stays so in -o json whatever the reader's language; Text is the same
// message in the reader's language, for text output.
type Diagnostic struct {
	Path     string   `json:"path"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
	Text     string   `json:"-"`
	Record   string   `json:"record"`
	// Field is the dotted path of the field at fault, where the check that
	// found it names one (a refusal of a change of several records); the
	// position points at it either way.
	Field string `json:"field,omitempty"`
}

// Human is the message in the reader's language: Text, or Message when the
// diagnostic has no translated text.
func (d Diagnostic) Human() string {
	if d.Text != "" {
		return d.Text
	}
	return d.Message
}

// String renders the diagnostic as `path:line:col: severity: message [rule]`
// in the reader's language, as validate's text output does (the rule code
// and the position stay as they are).
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", d.Path, d.Line, d.Column, i18n.Term("severity", string(d.Severity)), d.Human(), d.Rule)
}

// Sort orders diagnostics by path, line, column, rule and message, and drops
// exact duplicates, wherever they were in ds.
func Sort(ds []Diagnostic) []Diagnostic {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Message != b.Message {
			return a.Message < b.Message
		}
		// the rest only so that equal findings are next to each other
		// (and kept once) whatever order they came in
		if a.Severity != b.Severity {
			return a.Severity < b.Severity
		}
		if a.Record != b.Record {
			return a.Record < b.Record
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.Text < b.Text
	})
	out := ds[:0]
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}

// Count returns the number of errors and warnings.
func Count(ds []Diagnostic) (errors, warnings int) {
	for _, d := range ds {
		if d.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return
}
