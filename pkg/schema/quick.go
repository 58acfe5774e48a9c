package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/opsbook/opsbook/pkg/record"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The quick check answers "is this record valid?" for the keywords the
// embedded schemas use, straight over the plain values and without
// allocating, about ten times faster than the validator. It answers yes only
// when the validator would accept the record; for no, or whenever it is not
// sure (a keyword it does not know, a number it cannot compare exactly), the
// caller runs the validator, which also writes the messages. Records are
// nearly always valid, so this is the route almost every record takes.
// TestQuickAgrees compares the two on generated and mutated records.

type verdict uint8

const (
	unsure verdict = iota
	yes
	no
)

// Type bits.
const (
	tObject = 1 << iota
	tArray
	tString
	tNumber
	tInteger
	tBoolean
	tNull
)

type qnode struct {
	unknown  bool // uses a keyword the quick check does not handle
	types    uint8
	ref      *qnode
	props    map[string]*qnode
	required []string
	noExtra  bool   // additionalProperties: false
	extra    *qnode // additionalProperties: schema
	items    *qnode
	minItems int
	minProps int
	unique   bool
	enum     []any
	hasConst bool
	konst    any
	pattern  *regexp.Regexp
	format   func(any) bool
	min      string // decimal literals; "" when absent
	max      string
	exclMin  string
	minLen   int
	anyOf    []*qnode
	oneOf    []*qnode
}

// quickBuilder turns the schema documents (as compile saw them) into
// quick nodes, resolving $refs across files.
type quickBuilder struct {
	docs  func(file string) (any, bool) // a schema document by file name
	nodes map[string]*qnode
	fmts  map[string]func(any) bool
}

func newQuickBuilder(docs func(file string) (any, bool)) *quickBuilder {
	fmts := map[string]func(any) bool{
		"money":        func(v any) bool { return moneyFormat(v, false) },
		"signed-money": func(v any) bool { return moneyFormat(v, true) },
	}
	for k, f := range jsonschema.Formats {
		if _, ok := fmts[k]; !ok {
			fmts[k] = f
		}
	}
	return &quickBuilder{docs: docs, nodes: map[string]*qnode{}, fmts: fmts}
}

// root returns the quick node of a whole file.
func (b *quickBuilder) root(file string) *qnode { return b.at(file, "") }

// at returns the node at a JSON pointer in file, building it once.
func (b *quickBuilder) at(file, ptr string) *qnode {
	key := file + "#" + ptr
	if n, ok := b.nodes[key]; ok {
		return n
	}
	n := &qnode{}
	b.nodes[key] = n // before building: references may loop back
	v, ok := b.docs(file)
	if ok {
		v, ok = pointer(v, ptr)
	}
	m, isMap := v.(map[string]any)
	if !ok || !isMap {
		n.unknown = true
		return n
	}
	b.fill(n, file, ptr, m)
	return n
}

func pointer(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		switch t := v.(type) {
		case map[string]any:
			x, ok := t[part]
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func (b *quickBuilder) fill(n *qnode, file, ptr string, m map[string]any) {
	n.minItems, n.minProps, n.minLen = -1, -1, -1
	for k, v := range m {
		switch k {
		case "description", "title", "$schema", "$id", "default", "$defs", "$comment", "examples":
		case "$ref":
			s, _ := v.(string)
			f, p, _ := strings.Cut(s, "#")
			if f == "" {
				f = file
			}
			n.ref = b.at(f, p)
		case "type":
			switch t := v.(type) {
			case string:
				n.types |= typeBit(t)
			case []any:
				for _, x := range t {
					s, _ := x.(string)
					n.types |= typeBit(s)
				}
			}
			if n.types == 0 {
				n.unknown = true
			}
		case "properties":
			props, _ := v.(map[string]any)
			n.props = map[string]*qnode{}
			for name := range props {
				n.props[name] = b.at(file, ptr+"/properties/"+escape(name))
			}
		case "required":
			l, _ := v.([]any)
			for _, x := range l {
				s, _ := x.(string)
				n.required = append(n.required, s)
			}
		case "additionalProperties":
			switch t := v.(type) {
			case bool:
				n.noExtra = !t
			case map[string]any:
				n.extra = b.at(file, ptr+"/additionalProperties")
			default:
				n.unknown = true
			}
		case "items":
			if _, ok := v.(map[string]any); ok {
				n.items = b.at(file, ptr+"/items")
			} else {
				n.unknown = true
			}
		case "minItems", "minProperties", "minLength":
			f, ok := v.(float64)
			if !ok || f != float64(int(f)) {
				n.unknown = true
				continue
			}
			switch k {
			case "minItems":
				n.minItems = int(f)
			case "minProperties":
				n.minProps = int(f)
			default:
				n.minLen = int(f)
			}
		case "uniqueItems":
			n.unique, _ = v.(bool)
		case "enum":
			n.enum, _ = v.([]any)
			if n.enum == nil {
				n.unknown = true
			}
		case "const":
			n.hasConst, n.konst = true, v
		case "pattern":
			s, _ := v.(string)
			re, err := regexp.Compile(s)
			if err != nil {
				n.unknown = true
				continue
			}
			n.pattern = re
		case "format":
			s, _ := v.(string)
			if f, ok := b.fmts[s]; ok {
				n.format = f
			} else {
				n.unknown = true
			}
		case "minimum", "maximum", "exclusiveMinimum":
			f, ok := v.(float64)
			if !ok {
				n.unknown = true
				continue
			}
			lit := strconv.FormatFloat(f, 'f', -1, 64)
			switch k {
			case "minimum":
				n.min = lit
			case "maximum":
				n.max = lit
			default:
				n.exclMin = lit
			}
		case "anyOf", "oneOf":
			l, _ := v.([]any)
			var subs []*qnode
			for i := range l {
				subs = append(subs, b.at(file, fmt.Sprintf("%s/%s/%d", ptr, k, i)))
			}
			if k == "anyOf" {
				n.anyOf = subs
			} else {
				n.oneOf = subs
			}
		default:
			n.unknown = true
		}
	}
}

func typeBit(t string) uint8 {
	switch t {
	case "object":
		return tObject
	case "array":
		return tArray
	case "string":
		return tString
	case "number":
		return tNumber
	case "integer":
		return tInteger
	case "boolean":
		return tBoolean
	case "null":
		return tNull
	}
	return 0
}

// and combines verdicts of conditions that must all hold.
func and(a, b verdict) verdict {
	switch {
	case a == no || b == no:
		return no
	case a == unsure || b == unsure:
		return unsure
	}
	return yes
}

func verdictOf(ok bool) verdict {
	if ok {
		return yes
	}
	return no
}

// check judges a plain value.
// sealed stands, in the data the quick check reads, for a ciphertext in a
// field the policy encrypts (see Set.Validate): the validator's findings
// at or below such a field are dropped, so the field is valid whatever its
// schema. Under an anyOf or oneOf (alt) a branch's answer about the
// record around it may turn on the field: unsure there, for the validator.
type sealed struct{}

func (n *qnode) check(v any, depth int, alt bool) verdict {
	if _, ok := v.(sealed); ok {
		if alt {
			return unsure
		}
		return yes
	}
	if n.unknown || depth > 64 {
		return unsure
	}
	out := yes
	if n.ref != nil {
		if out = n.ref.check(v, depth+1, alt); out == no {
			return no
		}
	}
	if n.types != 0 {
		t, ok := typeOf(v, n.types&tInteger != 0)
		if !ok {
			return unsure
		}
		if n.types&t == 0 {
			return no
		}
	}
	if n.hasConst {
		out = and(out, equal(v, n.konst))
	}
	if n.enum != nil {
		e := no
		for _, x := range n.enum {
			switch equal(v, x) {
			case yes:
				e = yes
			case unsure:
				if e == no {
					e = unsure
				}
			}
			if e == yes {
				break
			}
		}
		out = and(out, e)
	}
	if out == no {
		return no
	}
	switch t := v.(type) {
	case record.Map:
		out = and(out, n.object(t, depth, alt))
	case []any:
		if n.minItems >= 0 && len(t) < n.minItems {
			return no
		}
		if n.unique {
			out = and(out, unique(t))
		}
		if n.items != nil {
			for _, x := range t {
				if out = and(out, n.items.check(x, depth+1, alt)); out == no {
					return no
				}
			}
		}
	case string:
		if n.minLen >= 0 && utf8.RuneCountInString(t) < n.minLen {
			return no
		}
		if n.pattern != nil && !n.pattern.MatchString(t) {
			return no
		}
	case json.Number:
		s := string(t)
		for _, c := range []struct {
			lim  string
			fail func(int) bool
		}{{n.min, func(c int) bool { return c < 0 }}, {n.max, func(c int) bool { return c > 0 }}, {n.exclMin, func(c int) bool { return c <= 0 }}} {
			if c.lim == "" {
				continue
			}
			cmp, ok := compareDecimal(s, c.lim)
			if !ok {
				return unsure
			}
			if c.fail(cmp) {
				return no
			}
		}
	}
	if n.format != nil && !n.format(v) {
		return no
	}
	if n.anyOf != nil {
		a := no
		for _, s := range n.anyOf {
			switch s.check(v, depth+1, true) {
			case yes:
				a = yes
			case unsure:
				if a == no {
					a = unsure
				}
			}
			if a == yes {
				break
			}
		}
		out = and(out, a)
	}
	if n.oneOf != nil {
		matched, sure := 0, true
		for _, s := range n.oneOf {
			switch s.check(v, depth+1, true) {
			case yes:
				matched++
			case unsure:
				sure = false
			}
		}
		if !sure {
			return unsure
		}
		out = and(out, verdictOf(matched == 1))
	}
	return out
}

func (n *qnode) object(m record.Map, depth int, alt bool) verdict {
	if n.minProps >= 0 && len(m) < n.minProps {
		return no
	}
	for _, r := range n.required {
		if !m.Has(r) {
			return no
		}
	}
	out := yes
	for _, f := range m {
		x := f.Value
		p, ok := n.props[f.Key]
		switch {
		case ok:
			out = and(out, p.check(x, depth+1, alt))
		case n.noExtra:
			return no
		case n.extra != nil:
			out = and(out, n.extra.check(x, depth+1, alt))
		}
		if out == no {
			return no
		}
	}
	return out
}

// typeOf gives a value's type bit; a number is an integer when its
// fraction is all zeros (as the validator decides with big.Rat).
func typeOf(v any, wantInteger bool) (uint8, bool) {
	switch t := v.(type) {
	case record.Map:
		return tObject, true
	case []any:
		return tArray, true
	case string:
		return tString, true
	case bool:
		return tBoolean, true
	case nil:
		return tNull, true
	case json.Number:
		if !plainNumber(string(t)) {
			return 0, false
		}
		if wantInteger {
			_, frac, _ := strings.Cut(string(t), ".")
			if strings.Trim(frac, "0") == "" {
				return tNumber | tInteger, true
			}
		}
		return tNumber, true
	}
	return 0, false
}

// equal compares a value to a schema constant (as JSON decoding gave it).
func equal(v, c any) verdict {
	switch ct := c.(type) {
	case string:
		s, ok := v.(string)
		return verdictOf(ok && s == ct)
	case bool:
		b, ok := v.(bool)
		return verdictOf(ok && b == ct)
	case float64:
		n, ok := v.(json.Number)
		if !ok {
			return no
		}
		cmp, ok := compareDecimal(string(n), strconv.FormatFloat(ct, 'f', -1, 64))
		if !ok {
			return unsure
		}
		return verdictOf(cmp == 0)
	}
	return unsure
}

func unique(l []any) verdict {
	seen := make(map[string]bool, len(l))
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return unsure
		}
		if seen[s] {
			return no
		}
		seen[s] = true
	}
	return yes
}

func plainNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	dot := false
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && digits > 0:
			dot = true
		default:
			return false
		}
	}
	return digits > 0 && s[len(s)-1] != '.'
}

// compareDecimal compares two plain decimal literals exactly.
func compareDecimal(a, b string) (int, bool) {
	if !plainNumber(a) || !plainNumber(b) {
		return 0, false
	}
	na, nb := strings.HasPrefix(a, "-"), strings.HasPrefix(b, "-")
	a, b = strings.TrimPrefix(a, "-"), strings.TrimPrefix(b, "-")
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	ai, bi = strings.TrimLeft(ai, "0"), strings.TrimLeft(bi, "0")
	af, bf = strings.TrimRight(af, "0"), strings.TrimRight(bf, "0")
	zeroA, zeroB := ai == "" && af == "", bi == "" && bf == ""
	if zeroA {
		na = false
	}
	if zeroB {
		nb = false
	}
	if na != nb {
		if na {
			return -1, true
		}
		return 1, true
	}
	c := 0
	switch {
	case len(ai) != len(bi):
		c = cmpInt(len(ai), len(bi))
	case ai != bi:
		c = strings.Compare(ai, bi)
	default:
		c = strings.Compare(af, bf)
	}
	if na {
		c = -c
	}
	return c, true
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
