package query

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/schema"
)

// Query is a compiled --where expression.
//
// Grammar (keywords are case-insensitive; "not" binds tighter than "and",
// which binds tighter than "or"):
//
//	expr       = and { "or" and }
//	and        = unary { "and" unary }
//	unary      = "not" unary | "(" expr ")" | condition
//	condition  = FIELD [ OP value | ["not"] "in" "(" value { "," value } ")"
//	                   | ["not"] "contains" value ]
//	OP         = "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~"
//	value      = WORD | 'quoted' | "quoted"
//
// A FIELD alone tests that it is present and, for true/false fields, true.
type Query struct {
	src  string
	root node
}

// Parse compiles an expression over the fields of a kind. An empty
// expression matches every record. Errors are *Error, with the position of
// the offending text.
func Parse(src string, fields *Fields) (*Query, error) {
	q := &Query{src: src}
	if strings.TrimSpace(src) == "" {
		return q, nil
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks, fields: fields}
	root, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected(t, "and, or, or the end of the expression")
	}
	q.root = root
	return q, nil
}

// String returns the expression as written.
func (q *Query) String() string { return q.src }

// Match reports whether a row satisfies the query.
func (q *Query) Match(row *Row) bool {
	if q == nil || q.root == nil {
		return true
	}
	return q.root.eval(row)
}

// Filter keeps the rows that match.
func (q *Query) Filter(rows []*Row) []*Row {
	// Rows are independent (each keeps its own derived values): a long
	// list is judged on all cores.
	keep := make([]bool, len(rows))
	par.For(len(rows), 2048, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			keep[i] = q.Match(rows[i])
		}
	})
	var out []*Row
	for i, r := range rows {
		if keep[i] {
			out = append(out, r)
		}
	}
	return out
}

type parser struct {
	src    string
	toks   []token
	i      int
	fields *Fields
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// errorAt is a mistake at t, said in the reader's language.
//
// i18n:format 1
func (p *parser) errorAt(t token, format string, args ...any) *Error {
	return errAt(p.src, t.pos, t.end, format, args...)
}

// unexpected says what was expected at t (want, formatted with args, in the
// reader's language) and what was found.
//
// i18n:format 1
func (p *parser) unexpected(t token, want string, args ...any) *Error {
	want = i18n.Sprintf(want, args...)
	switch {
	case t.kind == tRParen:
		return p.errorAt(t, "unexpected ) with no ( to close")
	case t.kind == tComma:
		return p.errorAt(t, "unexpected comma (lists go in parentheses after in; numbers are written without thousands separators)")
	case t.kind == tWord && !t.isKeyword():
		return p.errorAt(t, "expected %s, found %q (quote text that holds spaces: 'like this')", want, t.text)
	}
	return p.errorAt(t, "expected %s, found %s", want, t.describe())
}

func (p *parser) expr() (node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.peek().keyword("or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orNode{l, r}
	}
	return l, nil
}

func (p *parser) and() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.peek().keyword("and") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andNode{l, r}
	}
	return l, nil
}

func (p *parser) unary() (node, error) {
	t := p.peek()
	switch {
	case t.keyword("not"):
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notNode{x}, nil
	case t.kind == tLParen:
		p.next()
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		switch c := p.peek(); c.kind {
		case tRParen:
			p.next()
			return x, nil
		case tEOF:
			return nil, p.errorAt(t, "unclosed parenthesis: this ( has no )")
		default:
			return nil, p.unexpected(c, "and, or, or )")
		}
	case t.kind == tWord && !t.isKeyword():
		return p.condition()
	case t.kind == tEOF:
		return nil, p.errorAt(t, "expected a condition, found the end of the expression")
	case t.kind == tString:
		return nil, p.errorAt(t, "expected a field name, found the quoted value %s (a condition is FIELD OP VALUE)", t.describe())
	case t.kind == tOp:
		return nil, p.errorAt(t, "expected a field name before %s (a condition is FIELD OP VALUE)", t.text)
	}
	return nil, p.unexpected(t, "a field name")
}

func (p *parser) condition() (node, error) {
	ft := p.next()
	f, err := p.fields.Resolve(ft.text)
	if err != nil {
		return nil, errText(p.src, ft.pos, ft.end, err.Error())
	}
	op := p.peek()
	negate := false
	if op.keyword("not") {
		if nt := p.toks[p.i+1]; nt.keyword("in") || nt.keyword("contains") {
			p.next()
			negate = true
			op = p.peek()
		}
	}
	switch {
	case op.kind == tOp:
		p.next()
		lit, err := p.value(op)
		if err != nil {
			return nil, err
		}
		n := &cmpNode{field: f, op: op.text, lits: []*literal{lit}}
		if rest, ok := strings.CutPrefix(n.op, "!"); ok {
			n.negate, n.op = true, rest // != and !~
		}
		return n, p.check(n, op)
	case op.keyword("in"):
		p.next()
		lits, err := p.list(op)
		if err != nil {
			return nil, err
		}
		n := &cmpNode{field: f, op: "in", lits: lits, negate: negate}
		return n, p.check(n, op)
	case op.keyword("contains"):
		p.next()
		lit, err := p.value(op)
		if err != nil {
			return nil, err
		}
		n := &cmpNode{field: f, op: "contains", lits: []*literal{lit}, negate: negate}
		return n, p.check(n, op)
	case op.kind == tEOF || op.kind == tRParen || op.keyword("and") || op.keyword("or"):
		return testNode{f}, nil
	}
	return nil, p.unexpected(op, "an operator after %s (= != < <= > >= ~ !~ in contains)", ft.text)
}

// value reads the literal after an operator.
func (p *parser) value(op token) (*literal, error) {
	t := p.peek()
	switch {
	case t.kind == tString || (t.kind == tWord && !t.isKeyword()):
		p.next()
		return newLiteral(t), nil
	case t.kind == tLParen:
		return nil, p.errorAt(t, "a list of values follows in, not %s: FIELD in (a, b)", op.text)
	case t.kind == tEOF:
		return nil, p.errorAt(t, "expected a value after %s, found the end of the expression", op.text)
	case t.kind == tWord:
		return nil, p.errorAt(t, "expected a value after %s, found the keyword %s (quote it to mean the word: '%s')", op.text, t.text, t.text)
	}
	return nil, p.unexpected(t, "a value after %s", op.text)
}

// list reads "(a, b, c)" after in.
func (p *parser) list(op token) ([]*literal, error) {
	open := p.peek()
	if open.kind != tLParen {
		return nil, p.errorAt(open, "in needs a list in parentheses, like: status in (submitted, approved)")
	}
	p.next()
	var lits []*literal
	for {
		t := p.peek()
		if t.kind == tRParen && len(lits) == 0 {
			return nil, p.errorAt(t, "empty list: in needs at least one value")
		}
		if t.kind == tEOF {
			return nil, p.errorAt(open, "unclosed parenthesis: this ( has no )")
		}
		lit, err := p.value(op)
		if err != nil {
			return nil, err
		}
		lits = append(lits, lit)
		switch c := p.next(); c.kind {
		case tComma:
		case tRParen:
			return lits, nil
		case tEOF:
			return nil, p.errorAt(open, "unclosed parenthesis: this ( has no )")
		default:
			return nil, p.errorAt(c, "expected , or ) in the list, found %s", c.describe())
		}
	}
}

// check refuses comparisons that can never be true: a date against text, an
// ordering of true/false, contains on a number, a bad regular expression.
func (p *parser) check(n *cmpNode, op token) error {
	f := n.field
	if f.Type == Object {
		return p.errorAt(op, "%s is a group of fields: compare one of them (%s)", f.Name, strings.Join(p.children(f), ", "))
	}
	t := f.scalar()
	if t == Object {
		return p.errorAt(op, "%s is a list of groups of fields: compare one of their fields (%s)", f.Name, strings.Join(p.children(f), ", "))
	}
	switch n.op {
	case "~":
		re, err := regexp.Compile(n.lits[0].raw)
		if err != nil {
			msg := err.Error()
			var se *syntax.Error
			if errors.As(err, &se) {
				msg = fmt.Sprintf("%s: %s", se.Code, se.Expr)
			}
			return p.errorAt(n.lits[0].tok, "bad regular expression: %s", msg)
		}
		n.re = re
		return nil
	case "contains":
		if f.Type != List && t != Text && t != Any {
			return p.errorAt(op, "contains needs text or a list; %q is a %s (use = or in)", f.Name, t.Word())
		}
	case "<", "<=", ">", ">=":
		if t == Bool {
			return p.errorAt(op, "%q is true/false: it can be tested with = or != only", f.Name)
		}
	}
	for _, l := range n.lits {
		if err := p.checkLiteral(f, t, l); err != nil {
			return err
		}
		if n.op == "=" || n.op == "in" {
			if err := p.checkWord(f, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkWord refuses a value that a field of listed values never holds: a
// state typed as its Chinese word (status = 已提交, where the files say
// submitted) or misspelt, which would select nothing and say nothing.
func (p *parser) checkWord(f Field, l *literal) error {
	group := schema.EnumGroup(f.Name)
	if f.derived != nil || slices.Contains(f.Enum, l.raw) {
		return nil
	}
	meant := ""
	if group != "" {
		for _, v := range f.Enum {
			if t := i18n.TermIn(i18n.Chinese, group, v); t != v && t == strings.TrimSpace(l.raw) {
				meant = v
				break
			}
		}
	}
	if meant == "" && len(f.Enum) > 0 {
		meant = schema.Suggest(l.raw, f.Enum)
	}
	if len(f.Enum) == 0 {
		// the policy's categories and segments: any word may be one, but
		// not the Chinese word of one
		if group != "category" && group != "segment" {
			return nil
		}
		if k, ok := i18n.KeyOfTerm(group, l.raw); ok && k != l.raw {
			meant = k
		}
		if meant == "" {
			return nil
		}
		return p.errorAt(l.tok, "%s holds the values as the files spell them: %q is the word for %q (write %s)", f.Name, l.raw, meant, meant)
	}
	values := make([]any, len(f.Enum))
	for i, v := range f.Enum {
		values[i] = v
		if group != "" {
			values[i] = i18n.Glossed{Group: group, Key: v}
		}
	}
	if meant != "" {
		return p.errorAt(l.tok, "%s has no value %q (did you mean %q?); its values are %s", f.Name, l.raw, meant, i18n.Join(i18n.P(", "), values...))
	}
	return p.errorAt(l.tok, "%s has no value %q; its values are %s", f.Name, l.raw, i18n.Join(i18n.P(", "), values...))
}

func (p *parser) checkLiteral(f Field, t Type, l *literal) error {
	// want is in the reader's language.
	bad := func(want string) error {
		return p.errorAt(l.tok, "comparing %s field %q to %s %q: write %s", t.Word(), f.Name, l.shape(), l.raw, want)
	}
	switch t {
	case Number, Money:
		if !l.isNum {
			return bad(i18n.T("a number like 1000 or 0.30"))
		}
	case Date:
		if !l.isDate && !l.isInst {
			if dateRE.MatchString(l.raw) {
				return p.errorAt(l.tok, "%s is not a real date", l.raw)
			}
			return bad(i18n.T("a date as YYYY-MM-DD"))
		}
	case Instant:
		if !l.isDate && !l.isInst {
			if dateRE.MatchString(l.raw) {
				return p.errorAt(l.tok, "%s is not a real date", l.raw)
			}
			if instantRE.MatchString(l.raw) {
				return p.errorAt(l.tok, "%s is not an instant: write RFC 3339 with an offset, like 2026-03-01T09:00:00+08:00", l.raw)
			}
			return bad(i18n.T("an instant (RFC 3339, like 2026-03-01T09:00:00+08:00) or a date"))
		}
	case Duration:
		if !l.isDur {
			return bad(i18n.T("a duration like 48h, 3d, 90m or 1d12h"))
		}
	case Bool:
		if !l.isBool {
			return bad(i18n.T("true or false"))
		}
	}
	return nil
}

// children lists a group's fields, for a hint.
func (p *parser) children(f Field) []string {
	prefix := strings.Join(canonical(f.parts), ".") + "."
	var out []string
	for _, n := range p.fields.Names() {
		if rest, ok := strings.CutPrefix(n, prefix); ok && !strings.Contains(rest, ".") {
			out = append(out, n)
		}
	}
	return out
}

func canonical(parts []string) []string {
	var out []string
	for i, p := range parts {
		if i > 0 && isIndex(p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Fields returns the fields the expression reads, in the order written
// (a field read twice is listed twice).
func (q *Query) Fields() []Field {
	var out []Field
	var walk func(n node)
	walk = func(n node) {
		switch t := n.(type) {
		case andNode:
			walk(t.l)
			walk(t.r)
		case orNode:
			walk(t.l)
			walk(t.r)
		case notNode:
			walk(t.x)
		case testNode:
			out = append(out, t.field)
		case *cmpNode:
			out = append(out, t.field)
		}
	}
	if q.root != nil {
		walk(q.root)
	}
	return out
}
