package query

import (
	"strings"
	"unicode/utf8"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
)

// Error is a mistake in an expression, a sort key or a column list, with the
// place it was found so it can be shown with a caret under it.
type Error struct {
	Expr string
	// Pos and End are the byte offsets of the offending text; End == Pos at
	// the end of the expression.
	Pos, End int
	Msg      string
}

// errAt is a mistake at pos..end, said in the reader's language.
//
// i18n:format 3
func errAt(expr string, pos, end int, format string, args ...any) *Error {
	return errText(expr, pos, end, i18n.Sprintf(format, args...))
}

// errText is a mistake at pos..end whose text is already in the reader's
// language (a field's resolution error).
func errText(expr string, pos, end int, text string) *Error {
	return &Error{Expr: expr, Pos: pos, End: end, Msg: text}
}

// Column is the 1-based position of the offending text, counted in
// characters (a Chinese character is one).
func (e *Error) Column() int { return utf8.RuneCountInString(e.Expr[:e.Pos]) + 1 }

func (e *Error) Error() string { return i18n.Sprintf("column %d: %s", e.Column(), e.Msg) }

// Caret returns the expression and, under it, carets marking the offending
// text, each line indented by indent. Widths are display widths, so the
// carets line up under Chinese text too.
func (e *Error) Caret(indent string) string {
	flat := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, e.Expr)
	lead := cells.Width(flat[:e.Pos])
	width := max(1, cells.Width(flat[e.Pos:e.End]))
	return indent + flat + "\n" + indent + strings.Repeat(" ", lead) + strings.Repeat("^", width)
}
