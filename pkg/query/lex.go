package query

import (
	"github.com/opsbook/opsbook/pkg/i18n"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind int

const (
	tEOF    tokenKind = iota
	tWord             // a bare word: a field, a keyword or a literal
	tString           // a quoted literal
	tOp               // = != < <= > >= ~ !~
	tLParen
	tRParen
	tComma
)

// token is one lexeme. Pos and End are byte offsets into the expression, so
// errors can point at the exact text.
type token struct {
	kind     tokenKind
	text     string // the word, the operator, or a string's unquoted value
	pos, end int
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return i18n.T("the end of the expression")
	case tString:
		return "'" + t.text + "'"
	}
	return t.text
}

// keyword reports whether a bare word is the given keyword (keywords are
// case-insensitive: AND and and are the same).
func (t token) keyword(k string) bool {
	return t.kind == tWord && strings.EqualFold(t.text, k)
}

var keywords = []string{"and", "or", "not", "in", "contains"}

func (t token) isKeyword() bool {
	for _, k := range keywords {
		if t.keyword(k) {
			return true
		}
	}
	return false
}

// operators maps every spelling the lexer accepts to its operator, and
// misspellings people bring from other languages to a hint.
var operators = map[string]string{
	"=": "=", "==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "~": "~", "!~": "!~",
}

var operatorHints = map[string]string{
	"<>": "!=", "=<": "<=", "=>": ">=", "=~": "~", "&&": "and", "&": "and", "||": "or", "|": "or", "!": "not",
}

// isOpChar is a character that forms operators; a run of them is one
// operator token.
func isOpChar(r rune) bool { return strings.ContainsRune("=!<>~&|", r) }

// isWordEnd ends a bare word.
func isWordEnd(r rune) bool {
	return unicode.IsSpace(r) || isOpChar(r) || strings.ContainsRune("(),'\"", r)
}

// lex splits an expression into tokens. Bare words run until white space,
// an operator character, a parenthesis, a comma or a quote, so dates
// (2026-03-01), instants (2026-03-01T09:00:00+08:00), durations (48h),
// handles (li.wei) and Chinese text need no quotes.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			toks = append(toks, token{tLParen, "(", i, i + 1})
			i++
		case r == ')':
			toks = append(toks, token{tRParen, ")", i, i + 1})
			i++
		case r == ',':
			toks = append(toks, token{tComma, ",", i, i + 1})
			i++
		case r == '\'' || r == '"':
			t, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = t.end
		case isOpChar(r):
			j := i
			for j < len(src) && isOpChar(rune(src[j])) {
				j++
			}
			op := src[i:j]
			canon, ok := operators[op]
			if !ok {
				if h, ok := operatorHints[op]; ok {
					return nil, errAt(src, i, j, "unknown operator %s (did you mean %s?)", quote(op), quote(h))
				}
				return nil, errAt(src, i, j, "unknown operator %s (operators: = != < <= > >= ~ !~ in contains, joined by and, or, not)", quote(op))
			}
			toks = append(toks, token{tOp, canon, i, j})
			i = j
		default:
			j := i
			for j < len(src) {
				r, size := utf8.DecodeRuneInString(src[j:])
				if isWordEnd(r) {
					break
				}
				j += size
			}
			toks = append(toks, token{tWord, src[i:j], i, j})
			i = j
		}
	}
	toks = append(toks, token{tEOF, "", len(src), len(src)})
	return toks, nil
}

// lexString reads a quoted literal starting at src[start]. A backslash
// escapes the quote or itself; nothing else is special, so regular
// expressions keep their backslashes.
func lexString(src string, start int) (token, error) {
	q := src[start]
	var b strings.Builder
	for i := start + 1; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && (src[i+1] == q || src[i+1] == '\\'):
			b.WriteByte(src[i+1])
			i++
		case c == q:
			return token{tString, b.String(), start, i + 1}, nil
		default:
			b.WriteByte(c)
		}
	}
	return token{}, errAt(src, start, start+1, "unclosed quote: no closing %c for this one", q)
}

func quote(s string) string { return "\"" + s + "\"" }
