package i18n

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Both formats a message twice: in English, for -o json and whatever else
// scripts read, and in the reader's language, for people. A diagnostic or
// refusal keeps both, so that its JSON never depends on the language.
// Word and Phrase arguments are formatted in each language in turn.
func Both(format string, args ...any) (english, local string) {
	english = fmt.Sprintf(format, inEnglish(args)...)
	if Current() == English {
		return english, english
	}
	return english, tidy(fmt.Sprintf(T(format), args...))
}

// closeThenSpace is a closing full-width bracket, a space and a Chinese
// character: the space a catalog format leaves after an argument (an
// actor, zhou.jie（經理）) that ends in a bracket of its own.
var closeThenSpace = regexp.MustCompile(`([）」』]) (\p{Han})`)

// tidy takes out the spaces Chinese does not write after a closing
// full-width bracket: zhou.jie（經理） 不得 → zhou.jie（經理）不得.
func tidy(s string) string {
	if !strings.Contains(s, "） ") && !strings.Contains(s, "」 ") && !strings.Contains(s, "』 ") {
		return s
	}
	return closeThenSpace.ReplaceAllString(s, "$1$2")
}

// inEnglish is args with every Word and Phrase in English.
func inEnglish(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case Word:
			out[i] = a.Key
			if a.Say != "" {
				out[i] = a.Say
			}
		case Glossed:
			out[i] = strconv.Quote(a.Key)
		case Field:
			out[i] = string(a)
		case Phrase:
			format := a.format
			if a.one != "" {
				format = pluralForm(englishLocalizer(), a.n, a.one, a.format)
			}
			out[i] = fmt.Sprintf(format, inEnglish(a.args)...)
		case Joined:
			out[i] = Joined{inEnglish([]any{a.sep})[0], inEnglish(a.items)}
		case *Error:
			out[i] = a.English()
		case *translated:
			out[i] = a.English()
		default:
			out[i] = a
		}
	}
	return out
}

// Word is a term handed to a message as an argument: a kind, a state or a
// role as the record files spell it. It prints as its term in the reader's
// language; Both prints its key in the English text.
type Word struct {
	Group string // "kind", "state", "role", …
	Key   string
	// Say is the word in English when it is not the key ("training plan"
	// for the kind training-plan).
	Say string
}

// String is the word in the reader's language.
func (w Word) String() string {
	if t := Term(w.Group, w.Key); t != w.Key || w.Say == "" {
		return t
	}
	return w.Say
}

// Phrase is a part of a message that depends on the case ("resolved after",
// "open for"): a catalog format and its arguments, formatted in each
// language when the message is.
type Phrase struct {
	format string
	args   []any
	// one is, for a phrase about a count (PluralP), the English for a
	// count of one; format is then the other form, the catalog's key.
	one string
	n   int
}

// P makes a phrase of a catalog format and its arguments.
func P(format string, args ...any) Phrase { return Phrase{format: format, args: args} }

// PluralP makes a phrase about n things, as Plural words a message: one
// and other are the English forms, other the catalog's key. Handed to
// Both, it takes English's form in the English text ("sum of its 1
// item") and the reader's language's in the other.
func PluralP(n int, one, other string, args ...any) Phrase {
	return Phrase{format: other, args: args, one: one, n: n}
}

// String is the phrase in the reader's language.
func (p Phrase) String() string {
	if p.one != "" {
		return Plural(p.n, p.one, p.format, p.args...)
	}
	return fmt.Sprintf(T(p.format), p.args...)
}

// Joined is a list of words, phrases or plain values printed with a
// separator, each item in the language of the message it is part of.
type Joined struct {
	sep   any
	items []any
}

// Join makes a list of items printed with sep between them. sep is a plain
// string ("; ") or a Phrase (P(" or ")) for a word that needs translating.
func Join(sep any, items ...any) Joined { return Joined{sep, items} }

// String is the list in the reader's language. A separator that is a
// Chinese word set off by spaces (" 或 ") loses the space on a side where
// the item is Chinese too, as Chinese is written: 專員或經理, but
// "customer" 或 "contact".
func (j Joined) String() string {
	parts := make([]string, len(j.items))
	for i, it := range j.items {
		parts[i] = fmt.Sprint(it)
	}
	sep := fmt.Sprint(j.sep)
	core := strings.TrimSpace(sep)
	if r, _ := utf8.DecodeRuneInString(core); core == sep || !wide(r) {
		return strings.Join(parts, sep)
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(parts[i-1])
			next, _ := utf8.DecodeRuneInString(p)
			s := sep
			if wide(prev) {
				s = strings.TrimLeft(s, " ")
			}
			if wide(next) {
				s = strings.TrimRight(s, " ")
			}
			b.WriteString(s)
		}
		b.WriteString(p)
	}
	return b.String()
}

// Commas is a list of plain values (ids, handles, field keys) joined with
// the reader's comma: "a, b" in English, a、b in Chinese. Handed to Both,
// the English text keeps ", ".
func Commas(items []string) Joined {
	anys := make([]any, len(items))
	for i, it := range items {
		anys[i] = it
	}
	return Join(P(", "), anys...)
}

// Some is Commas of at most n records' ids, then how many more there are:
// "a, b, c and 7 more records" (a、b、c（另有 7 筆）). A finding or a
// refusal about a group of records names a few of them, not the whole
// group in every message (a group of a thousand copies of one receipt
// would otherwise print a thousand ids on each of its thousand records).
func Some(ids []string, n int) any {
	if len(ids) <= n {
		return Commas(ids)
	}
	return P("%s and %d more records", Commas(ids[:n]), len(ids)-n)
}

// JoinStrings is Join of texts already in the reader's language, as a
// string: JoinStrings(P(" or "), roles) is 總監或公司高層.
func JoinStrings(sep any, items []string) string {
	anys := make([]any, len(items))
	for i, it := range items {
		anys[i] = it
	}
	return Join(sep, anys...).String()
}

// wide reports whether r is a CJK character or full-width punctuation,
// which Chinese writes without spaces around it.
func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// Texts is one value (a Word, Phrase, Joined list or plain value) in
// English and in the reader's language.
func Texts(v any) (english, local string) {
	return fmt.Sprint(inEnglish([]any{v})[0]), fmt.Sprint(v)
}

// Error is an error whose message is in both languages: Error gives the
// reader's language, English the English; as an argument of Both (%v) it
// is formatted in each.
type Error struct{ p Phrase }

// NewError makes an Error from a catalog format.
func NewError(format string, args ...any) error { return &Error{P(format, args...)} }

func (e *Error) Error() string { return e.p.String() }

// English is the error's message in English.
func (e *Error) English() string { return fmt.Sprintf(e.p.format, inEnglish(e.p.args)...) }

// Glossed is a value as the files spell it, quoted, with its term in the
// reader's language beside it when the glossary has one: "travel"（差旅）
// in Chinese, "travel" in English. A list of allowed values is given so,
// for the reader to see which word to type.
type Glossed struct{ Group, Key string }

// String is the value in the reader's language.
func (g Glossed) String() string {
	q := strconv.Quote(g.Key)
	if t := Term(g.Group, g.Key); t != g.Key {
		return q + "（" + t + "）"
	}
	return q
}

// Field is a record's field path said in words: updates.0.by is
// 更新 1·記錄人 in Chinese (each key as the glossary's field word, a list
// index counted from 1), updates.0.by as it is in English and wherever no
// key of it has a word.
type Field string

// String is the field in the reader's language.
func (f Field) String() string {
	if Current() == English {
		return string(f)
	}
	if t := Term("field", string(f)); t != string(f) {
		return t
	}
	var b strings.Builder
	translated := false
	parts := strings.Split(string(f), ".")
	for i, s := range parts {
		if n, err := strconv.Atoi(s); err == nil {
			fmt.Fprintf(&b, " %d", n+1)
			continue
		}
		if i > 0 {
			b.WriteString("·")
		}
		t := itemTerm(parts, i)
		translated = translated || t != s
		b.WriteString(t)
	}
	if !translated {
		return string(f)
	}
	return b.String()
}

// itemTerm is the word of the key parts[i]. A key of a list's item is
// first looked up with its list's key (indicators.name: an indicator's
// 名稱, where a person's name is 姓名), then alone.
func itemTerm(parts []string, i int) string {
	s := parts[i]
	if i >= 2 {
		if _, err := strconv.Atoi(parts[i-1]); err == nil {
			q := parts[i-2] + "." + s
			if t := Term("field", q); t != q {
				return t
			}
		}
	}
	return Term("field", s)
}

// translated is an error of Errorf: its message in the reader's language,
// made when the error was, and its format and arguments for its English.
type translated struct {
	local  error
	format string
	args   []any
}

func (e *translated) Error() string { return e.local.Error() }

// Unwrap gives the errors format wrapped (%w), as fmt.Errorf's error does.
func (e *translated) Unwrap() []error {
	switch u := e.local.(type) {
	case interface{ Unwrap() error }:
		if w := u.Unwrap(); w != nil {
			return []error{w}
		}
	case interface{ Unwrap() []error }:
		return u.Unwrap()
	}
	return nil
}

// English is the error's message in English: its wrapped errors made by
// Errorf or NewError in English too, any other as its Error says.
func (e *translated) English() string {
	return fmt.Sprintf(strings.ReplaceAll(e.format, "%w", "%v"), inEnglish(e.args)...)
}

// EnglishOf is err's message in English when Errorf or NewError made it,
// else its Error: what -o json prints of an error, whoever reads it.
func EnglishOf(err error) string {
	switch e := err.(type) {
	case *translated:
		return e.English()
	case *Error:
		return e.English()
	}
	return err.Error()
}
