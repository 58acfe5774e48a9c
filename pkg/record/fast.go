package record

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
)

// fastValues converts the common shape of a record file straight to plain
// values, without the YAML library's node tree: block mappings and
// sequences, one-line plain and quoted scalars without escapes, and flow
// lists of plain words. It gives up (ok false) on anything else, and on
// anything the full parser would report, so that the caller can take the
// full route: whenever ok is true the values are exactly those that route
// gives, and it would report nothing (FuzzFastValues checks this).
//
// Strings in the result are substrings of src.
func fastValues(src string) (Map, bool) {
	if src == "" || strings.ContainsAny(src, "\t\r") || hasRiskyRune(src) {
		return nil, false
	}
	p := fastParser{src: src}
	// The lines are scratch: their array is kept for the next file rather
	// than left to the collector, one per file.
	lp := p.takeLines()
	defer p.giveLines(lp)
	if !p.split() || len(p.lines) == 0 {
		return nil, false
	}
	first := p.lines[0]
	m, ok := p.mapping(first.indent, 0)
	if !ok || p.i != len(p.lines) {
		return nil, false
	}
	return m, true
}

// hasRiskyRune finds characters the YAML library treats specially or
// refuses: line and paragraph separators, byte-order marks, U+FFFE/U+FFFF,
// and characters outside the Basic Multilingual Plane.
func hasRiskyRune(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0xE2 {
			continue
		}
		switch {
		case c >= 0xF0:
			return true
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			return true
		case c == 0xEF && i+2 < len(s) && ((s[i+1] == 0xBB && s[i+2] == 0xBF) || (s[i+1] == 0xBF && s[i+2] >= 0xBE)):
			return true
		}
	}
	return false
}

var linePool sync.Pool // of *[]fastLine

// takeLines takes a scratch array of lines from the pool for p; giveLines
// gives it back with the same pointer (putting a new one would allocate).
func (p *fastParser) takeLines() *[]fastLine {
	lp, _ := linePool.Get().(*[]fastLine)
	if lp == nil {
		lp = new([]fastLine)
	}
	p.lines = (*lp)[:0]
	return lp
}

func (p *fastParser) giveLines(lp *[]fastLine) {
	if cap(p.lines) <= 4096 {
		*lp = p.lines[:0]
		linePool.Put(lp)
	}
}

type fastLine struct {
	indent int    // leading spaces
	text   string // after the indentation, never empty, never a comment
	no     int    // line number, from 1
}

type fastParser struct {
	src   string
	lines []fastLine
	i     int // next line
	// pos, when set, records where each node sits (see fastPositions).
	pos *posRecorder
	// skim, with pos, walks a file fastValues is known to read without
	// making its values or checking them again (see fastPos): only the
	// shape is followed, for positions.
	skim bool
}

// split keeps the lines that carry content.
func (p *fastParser) split() bool {
	if n := strings.Count(p.src, "\n") + 1; cap(p.lines) < n {
		p.lines = make([]fastLine, 0, n)
	}
	s := p.src
	no := 0
	for len(s) > 0 {
		no++
		var l string
		if j := strings.IndexByte(s, '\n'); j >= 0 {
			l, s = s[:j], s[j+1:]
		} else {
			l, s = s, ""
		}
		ind := 0
		for ind < len(l) && l[ind] == ' ' {
			ind++
		}
		t := l[ind:]
		if t == "" || t[0] == '#' {
			continue
		}
		if ind == 0 && (strings.HasPrefix(t, "---") || strings.HasPrefix(t, "...") || t[0] == '%') {
			return false
		}
		p.lines = append(p.lines, fastLine{ind, t, no})
	}
	return true
}

const fastMaxDepth = MaxDepth - 2

// mapping reads the block mapping whose keys sit at indent.
func (p *fastParser) mapping(indent, depth int) (Map, bool) {
	if depth > fastMaxDepth {
		return nil, false
	}
	// Sized for its keys up front: a slice that grows leaves its first
	// array behind as garbage, and a load makes one per record.
	var m Map
	if !p.skim {
		n := 0
		for _, l := range p.lines[p.i:] {
			if l.indent < indent {
				break
			}
			if l.indent == indent {
				n++
			}
		}
		m = make(Map, 0, n)
	}
	keys := 0
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < indent {
			break
		}
		if l.indent > indent {
			return nil, false // a continuation line or bad indentation
		}
		key, rest, ok := splitKey(l.text)
		if !ok {
			return nil, false
		}
		if !p.skim && m.Has(key) {
			return nil, false
		}
		p.i++
		keys++
		if rest == "" {
			if p.pos != nil {
				p.pos.push(key)
				if p.i < len(p.lines) {
					// A nested block sits at its first line's content.
					next := p.lines[p.i]
					p.pos.node(next.no, next.indent+1, false)
				}
				p.pos.key(l.no, l.indent+1)
			}
			v, ok := p.nested(indent, depth+1)
			if !ok {
				return nil, false
			}
			p.pos.pop()
			if !p.skim {
				m = append(m, Field{key, v})
			}
			continue
		}
		var v any
		isList := false
		switch {
		case p.skim && rest == "|":
			p.skipBlock(indent)
		case p.skim:
			isList = rest[0] == '[' // a flow list: inline read it as one
		case rest == "|":
			v, ok = p.block(indent)
		default:
			v, ok = inline(rest)
			_, isList = v.([]any)
		}
		if !ok {
			return nil, false
		}
		if p.pos != nil {
			p.pos.push(key)
			col := l.indent + len(l.text) - len(rest) + 1
			p.pos.node(l.no, col, !isList)
			p.pos.key(l.no, l.indent+1)
			if isList {
				p.pos.flowItems(l.no, col, rest)
			}
			p.pos.pop()
		}
		if !p.skim {
			m = append(m, Field{key, v})
		}
	}
	return m, keys > 0
}

// skipBlock passes over a literal block string's lines, as block reads
// them from a file fastValues took (skim).
func (p *fastParser) skipBlock(indent int) {
	for p.i < len(p.lines) && p.lines[p.i].indent > indent {
		p.i++
	}
}

// nested reads the block value of a key at indent whose line ends after
// the colon: a mapping or a sequence below it (a sequence may also sit at
// the key's own indentation).
func (p *fastParser) nested(indent, depth int) (any, bool) {
	if p.i >= len(p.lines) {
		return nil, false // null
	}
	l := p.lines[p.i]
	switch {
	case isDash(l.text) && l.indent >= indent:
		return p.sequence(l.indent, depth)
	case l.indent > indent:
		return p.mapping(l.indent, depth)
	}
	return nil, false // null
}

// block reads a literal block string ("key: |", clip chomping) of the one
// shape opsbook writes, an armored age ciphertext: the lines below the key,
// consecutive, all at one indentation deeper than the key, each made only of
// letters, digits, '+', '/', '=', '-' and spaces. Anything else takes the
// full route.
func (p *fastParser) block(indent int) (string, bool) {
	start := p.i
	if start >= len(p.lines) {
		return "", false
	}
	first := p.lines[start]
	if first.indent <= indent || first.no != p.lines[start-1].no+1 {
		return "", false
	}
	var b strings.Builder
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent <= indent {
			break
		}
		if l.indent != first.indent || l.no != first.no+(p.i-start) || !armorLine(l.text) {
			return "", false
		}
		b.WriteString(l.text)
		b.WriteByte('\n')
		p.i++
	}
	if p.i == len(p.lines) && !strings.HasSuffix(p.src, "\n") {
		return "", false // the last line has no line break to keep
	}
	return b.String(), true
}

func armorLine(t string) bool {
	if t == "" || t[len(t)-1] == ' ' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(isLetter(c) || isDigit(c) || c == '+' || c == '/' || c == '=' || c == '-' || c == ' ') {
			return false
		}
	}
	return true
}

func isDash(t string) bool { return t == "-" || strings.HasPrefix(t, "- ") }

// sequence reads the block sequence whose dashes sit at indent.
func (p *fastParser) sequence(indent, depth int) ([]any, bool) {
	if depth > fastMaxDepth {
		return nil, false
	}
	var out []any
	items := 0
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < indent || (l.indent == indent && !isDash(l.text)) {
			break
		}
		if l.indent > indent || l.text == "-" {
			return nil, false
		}
		rest := l.text[2:]
		sp := 0
		for sp < len(rest) && rest[sp] == ' ' {
			sp++
		}
		rest = rest[sp:]
		if rest == "" || rest[0] == '#' || isDash(rest) {
			return nil, false
		}
		col := indent + 2 + sp
		if p.pos != nil {
			p.pos.push(strconv.Itoa(items))
		}
		items++
		if _, _, isKey := splitKey(rest); isKey {
			// "- key: value" opens a mapping at the key's column: read this
			// line as its first entry.
			p.lines[p.i] = fastLine{col, rest, l.no}
			if p.pos != nil {
				p.pos.node(l.no, col+1, false)
			}
			m, ok := p.mapping(col, depth+1)
			if !ok {
				return nil, false
			}
			p.pos.pop()
			if !p.skim {
				out = append(out, m)
			}
			continue
		}
		var v any
		isList := false
		if p.skim {
			isList = rest[0] == '['
		} else {
			var ok bool
			if v, ok = inline(rest); !ok {
				return nil, false
			}
			_, isList = v.([]any)
		}
		if p.pos != nil {
			p.pos.node(l.no, col+1, !isList)
			if isList {
				p.pos.flowItems(l.no, col+1, rest)
			}
			p.pos.pop()
		}
		if !p.skim {
			out = append(out, v)
		}
		p.i++
	}
	if out == nil {
		out = []any{}
	}
	return out, true
}

// splitKey splits "key: rest" or "key:" with a simple key. rest has no
// leading spaces and no trailing comment.
func splitKey(t string) (key, rest string, ok bool) {
	if t == "" || !(isLetter(t[0]) || t[0] == '_') {
		return "", "", false
	}
	j := 1
	for j < len(t) && (isLetter(t[j]) || isDigit(t[j]) || t[j] == '_' || t[j] == '-') {
		j++
	}
	if j >= len(t) || t[j] != ':' || (j+1 < len(t) && t[j+1] != ' ') {
		return "", "", false
	}
	key = t[:j]
	switch key {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return "", "", false
	}
	rest = strings.TrimLeft(t[j+1:], " ")
	if rest != "" && rest[0] == '#' {
		rest = ""
	}
	return key, rest, true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// inline reads a value written on the key's (or dash's) line.
func inline(s string) (any, bool) {
	switch s[0] {
	case '"', '\'':
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return nil, false
		}
		v := s[1 : 1+end]
		if strings.IndexByte(v, '\\') >= 0 && s[0] == '"' {
			return nil, false
		}
		if !onlyComment(s[2+end:]) {
			return nil, false // '' escapes, text after the quote
		}
		return v, true
	case '[':
		end := strings.IndexByte(s, ']')
		if end < 0 || !onlyComment(s[end+1:]) {
			return nil, false
		}
		return flowList(s[1:end])
	}
	v := stripComment(s)
	if strings.Contains(v, ": ") || strings.HasSuffix(v, ":") {
		return nil, false
	}
	return plain(v)
}

// onlyComment reports whether rest, after a closed value, is blank or a
// comment.
func onlyComment(rest string) bool {
	if rest == "" {
		return true
	}
	t := strings.TrimLeft(rest, " ")
	return t == "" || (t[0] == '#' && len(t) < len(rest))
}

// stripComment cuts a plain scalar at " #" and trims trailing spaces.
func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ")
}

func flowList(s string) (any, bool) {
	if strings.ContainsAny(s, "[]{}:#\"'") {
		return nil, false
	}
	out := make([]any, 0, strings.Count(s, ",")+1)
	if strings.TrimLeft(s, " ") == "" {
		return out, true
	}
	for len(s) > 0 {
		var item string
		if j := strings.IndexByte(s, ','); j >= 0 {
			item, s = s[:j], s[j+1:]
			if s == "" || strings.TrimLeft(s, " ") == "" {
				return nil, false // a trailing comma
			}
		} else {
			item, s = s, ""
		}
		item = strings.Trim(item, " ")
		if item == "" {
			return nil, false
		}
		v, ok := plain(item)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// plain resolves a plain scalar the way the YAML library does, for the
// values records hold: text, plain decimal numbers, true and false.
// Anything the full route treats specially (null, other booleans, other
// number forms, anchors, tags, aliases, block scalars) gives up.
func plain(v string) (any, bool) {
	if v == "" {
		return nil, false
	}
	switch c := v[0]; c {
	case '-', '+':
		if len(v) > 1 && v[1] == ' ' {
			return nil, false
		}
		return number(v)
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return number(v)
	case '.', '&', '*', '!', '|', '>', '%', '@', '`', '?', ':', ',', '[', ']', '{', '}', '#', '~', '<', '=', '"', '\'':
		return nil, false
	case 't', 'f':
		switch v {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	case 'T', 'F', 'n', 'N':
		switch v {
		case "True", "TRUE", "False", "FALSE", "null", "Null", "NULL":
			return nil, false
		}
	}
	return v, true
}

// number takes a plain decimal as a json.Number; gives up on what the YAML
// library might read as another kind of number; anything else is text
// (dates, times, "2026-H1", phone numbers).
func number(v string) (any, bool) {
	if plainDecimal(v) {
		return json.Number(v), true
	}
	if numberish(v) {
		return nil, false
	}
	return v, true
}

// plainDecimal matches -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most maxDigits
// integer digits.
func plainDecimal(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	start := i
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	digits := i - start
	if digits == 0 || digits > maxDigits || (digits > 1 && v[start] == '0') {
		return false
	}
	if i == len(v) {
		return true
	}
	if v[i] != '.' {
		return false
	}
	i++
	fs := i
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	return i > fs && i == len(v)
}

// numberish over-approximates what the YAML library may resolve as an int
// or a float: a sign, then only hex digits, '_', '.', radix letters, and
// signs right after an exponent mark.
func numberish(v string) bool {
	if v != "" && (v[0] == '+' || v[0] == '-') {
		v = v[1:]
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isDigit(c), c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', c == '_', c == '.', c == 'x', c == 'X', c == 'o', c == 'O':
		case (c == '+' || c == '-') && i > 0 && (v[i-1] == 'e' || v[i-1] == 'E'):
		default:
			return false
		}
	}
	return true
}
