package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"go.yaml.in/yaml/v3"
)

// Limits on a record file. Records are small; anything past these is a
// mistake or an attack, and is refused before it costs memory or time.
const (
	MaxFileSize = 1 << 20
	MaxDepth    = 32
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// Parse reads one record file. Path is the file's path relative to the
// repository root, used in diagnostics. The record is nil when the file
// cannot be read as a record at all; otherwise it is returned together with
// the problems found in its text.
func Parse(path string, data []byte) (*Record, []diag.Diagnostic) {
	p := &parser{path: path}
	rec := p.parse(data)
	return rec, p.diags
}

// ParseLean is Parse for reading many records: the record keeps its plain
// values and the file's text but not the node tree (Root and Doc are nil;
// Tree, Node, KeyNode and Pos parse the text again when first asked). Files
// of the common shape skip the YAML library altogether (see fastValues).
func ParseLean(path string, data []byte) (*Record, []diag.Diagnostic) {
	p := &parser{path: path, lean: true}
	rec := p.parse(data)
	return rec, p.diags
}

type parser struct {
	path    string
	lean    bool
	diags   []diag.Diagnostic
	dropped map[string]bool
}

// add reports a diagnostic at line:col.
//
// i18n:format 3
func (p *parser) add(line, col int, rule, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	msg, text := i18n.Both(format, args...)
	p.diags = append(p.diags, diag.Diagnostic{
		Path: p.path, Line: line, Column: col, Severity: diag.Error,
		Rule: rule, Message: msg, Text: text,
	})
}

var conflictRE = regexp.MustCompile(`^(<{7}|={7}|>{7}|\|{7})( |$)`)

func (p *parser) parse(data []byte) *Record {
	if len(data) > MaxFileSize {
		p.add(1, 1, "file-size", "file is larger than the %d byte (1 MiB) limit for a record", MaxFileSize)
		return nil
	}
	if !p.checkEncoding(data) {
		return nil
	}
	data = bytes.TrimPrefix(data, bom)
	if len(bytes.TrimSpace(data)) == 0 {
		p.add(1, 1, "yaml-empty", "file is empty: a record needs at least kind and id")
		return nil
	}
	if !cleanText(data) && !p.checkText(data) {
		return nil
	}
	var src string
	if p.lean {
		src = string(data)
		if vals, ok := fastValues(src); ok {
			return newRecord(p.path, vals, nil, &lazyTree{src: src, fast: true})
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.add(1, 1, "yaml-empty", "file holds no YAML document")
			return nil
		}
		line, msg := yamlError(err)
		if !p.syntaxHints(data, line, msg) {
			// the parser's own words, in the reader's language where the
			// terms have them (group yaml)
			p.add(line, 1, "yaml-syntax", "YAML syntax error: %s", i18n.Word{Group: "yaml", Key: msg})
		}
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		p.add(extra.Line-1, 1, "yaml-multiple-documents", "file holds more than one YAML document: a record is exactly one")
		return nil
	case !errors.Is(err, io.EOF):
		line, msg := yamlError(err)
		p.add(line, 1, "yaml-multiple-documents", "file holds more than one YAML document (%s)", msg)
		return nil
	}
	if len(doc.Content) == 0 {
		p.add(1, 1, "yaml-empty", "file holds no YAML content")
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		if p.syntaxHints(data, root.Line, "") {
			return nil
		}
		p.add(root.Line, root.Column, "yaml-structure", "a record is a mapping of fields (kind: ..., id: ...), not a %s", nodeKindName(root))
		return nil
	}
	val, _ := p.value(root, 0, "")
	data2, _ := val.(Map)
	if data2 == nil {
		data2 = Map{}
	}
	if p.lean {
		return newRecord(p.path, data2, p.dropped, &lazyTree{src: src})
	}
	rec := newRecord(p.path, data2, p.dropped, nil)
	rec.Doc, rec.Root = &doc, root
	return rec
}

func newRecord(path string, data Map, dropped map[string]bool, lazy *lazyTree) *Record {
	rec := &Record{Path: path, Data: data, Dropped: dropped, lazy: lazy}
	id, _ := data.Get("id")
	kind, _ := data.Get("kind")
	rec.ID = Text(id)
	if k, err := ParseKind(Text(kind)); err == nil {
		rec.Kind = k
	}
	return rec
}

// cleanText is checkText's quick answer for the usual file: UTF-8 text
// without control characters, carriage returns or lines that could be
// merge-conflict markers. When it says no, checkText looks closer.
func cleanText(data []byte) bool {
	ascii := true
	for i, c := range data {
		switch {
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7F:
			return false
		case c == '\n' && i+1 < len(data):
			switch data[i+1] {
			case '<', '=', '>', '|':
				return false
			}
		case c >= 0x80:
			ascii = false
			if c == 0xC2 && i+1 < len(data) && data[i+1] < 0xA0 {
				return false // C1 controls
			}
			if c == 0xE2 && i+2 < len(data) && isBidi(data[i+1], data[i+2]) {
				return false // U+202A..U+202E, U+2066..U+2069
			}
		}
	}
	if len(data) > 0 {
		switch data[0] {
		case '<', '=', '>', '|':
			return false
		}
	}
	return ascii || utf8.Valid(data)
}

// checkText finds problems a YAML parser would misreport: merge-conflict
// markers, invalid UTF-8 and control characters.
func (p *parser) checkText(data []byte) bool {
	ok := true
	line := 1
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		var l []byte
		if end < 0 {
			l, data = data, nil
		} else {
			l, data = data[:end], data[end+1:]
		}
		if conflictRE.Match(l) {
			p.add(line, 1, "file-conflict", "merge-conflict marker %q: resolve the conflict and remove the markers", string(l[:7]))
			ok = false
		}
		col := 1
		for i := 0; i < len(l); {
			r, size := utf8.DecodeRune(l[i:])
			switch {
			case r == utf8.RuneError && size <= 1:
				p.add(line, col, "file-encoding", "invalid UTF-8 byte 0x%02X: records are UTF-8 text", l[i])
				ok = false
			case r == '\r' && i == len(l)-1:
				// CRLF line ending: accepted
			case (r < 0x20 && r != '\t') || r == 0x7F || (r >= 0x80 && r < 0xA0):
				p.add(line, col, "file-encoding", "control character U+%04X is not allowed in a record", r)
				ok = false
			case bidiControl(r):
				p.add(line, col, "file-encoding", msgBidi, r)
				ok = false
			}
			i += size
			col++
		}
		line++
	}
	return ok
}

// controlIn finds a control character in a value (a terminal's escape
// sequences begin with one) other than a tab or a line break, which are
// text.
func controlIn(s string) (rune, bool) {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7F || (r >= 0x80 && r < 0xA0) || bidiControl(r) {
			return r, true
		}
	}
	return 0, false
}

// msgBidi refuses a bidirectional override or isolate: it reorders how the
// text around it is shown, so that a reviewer reading the diff, and the
// reader of list or show, see other text than the file holds.
const msgBidi = "bidirectional control character U+%04X is not allowed in a record (it reorders how the text is shown: what is read is not what the file holds)"

// bidiControl reports the embeddings, overrides and isolates
// (U+202A..U+202E, U+2066..U+2069).
func bidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// isBidi reports whether the UTF-8 continuation bytes b1 b2 after 0xE2
// encode a bidiControl.
func isBidi(b1, b2 byte) bool {
	return (b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlError(err error) (int, string) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		if parserError(m[2]) {
			n++ // the parser's marks count lines from 0 (its scanner's are made to count from 1)
		}
		return n, m[2]
	}
	return 1, strings.TrimPrefix(msg, "yaml: ")
}

// parserError reports whether a YAML error is the parser's rather than the
// scanner's: yaml.v3 names the parser's line counting from 0.
func parserError(msg string) bool {
	for _, p := range []string{"did not find expected", "found undefined tag handle", "found duplicate %", "found incompatible YAML document"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func nodeKindName(n *yaml.Node) i18n.Phrase {
	switch n.Kind {
	case yaml.SequenceNode:
		return i18n.P("list")
	case yaml.ScalarNode:
		return i18n.P("single value")
	case yaml.AliasNode:
		return i18n.P("alias")
	}
	return i18n.P("mapping")
}

var plainNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// maxDigits keeps integers within what every consumer (JSON, spreadsheets)
// holds exactly.
const maxDigits = 15

// value converts a node to a plain value, reporting the constructs records
// do not allow. ok is false when the node must be left out.
func (p *parser) value(n *yaml.Node, depth int, path string) (any, bool) {
	if depth > MaxDepth {
		p.add(n.Line, n.Column, "yaml-depth", "nesting deeper than %d levels", MaxDepth)
		return nil, false
	}
	if n.Anchor != "" {
		p.add(n.Line, n.Column, "yaml-alias", "anchor &%s: records are plain data, write the value out", n.Anchor)
	}
	if n.Style&yaml.TaggedStyle != 0 {
		p.add(n.Line, n.Column, "yaml-tag", "explicit tag %s: records are plain data without tags", n.Tag)
		return nil, false
	}
	switch n.Kind {
	case yaml.AliasNode:
		p.add(n.Line, n.Column, "yaml-alias", "alias *%s: records are plain data, write the value out", n.Value)
		return nil, false
	case yaml.MappingNode:
		m := make(Map, 0, len(n.Content)/2)
		seen := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				p.add(k.Line, k.Column, "yaml-alias", "merge key <<: records are plain data, write the fields out")
				continue
			}
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Style&yaml.TaggedStyle != 0 {
				what := nodeKindName(k)
				if k.Kind == yaml.ScalarNode {
					switch k.Tag {
					case "!!int", "!!float":
						what = i18n.P("number")
					case "!!bool":
						what = i18n.P("boolean")
					case "!!null":
						what = i18n.P("null")
					case "!!timestamp":
						what = i18n.P("date")
					default:
						what = i18n.P("tagged value")
					}
				}
				p.add(k.Line, k.Column, "yaml-key", "key %q is a %s: field names are text (quote it)", k.Value, what)
				continue
			}
			if prev, dup := seen[k.Value]; dup {
				p.add(k.Line, k.Column, "yaml-duplicate-key", "duplicate key %q (first at line %d): a field is written once", k.Value, prev.Line)
				continue
			}
			seen[k.Value] = k
			child := k.Value
			if path != "" {
				child = path + "." + k.Value
			}
			if val, ok := p.value(v, depth+1, child); ok {
				m = append(m, Field{k.Value, val})
			} else {
				if p.dropped == nil {
					p.dropped = map[string]bool{}
				}
				p.dropped[child] = true
			}
		}
		return m, true
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			if val, ok := p.value(c, depth+1, path+"."+strconv.Itoa(i)); ok {
				l = append(l, val)
			}
		}
		return l, true
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			p.add(n.Line, n.Column, "yaml-null", "empty (null) value: write a value or leave the field out")
			return nil, false
		case "!!int", "!!float":
			if !plainNumberRE.MatchString(n.Value) {
				p.add(n.Line, n.Column, "yaml-number", "number %q is not a plain decimal (write digits with an optional fraction, like 1280.50; quote it if it is text)", n.Value)
				return nil, false
			}
			intPart, _, _ := strings.Cut(strings.TrimPrefix(n.Value, "-"), ".")
			if len(intPart) > maxDigits {
				p.add(n.Line, n.Column, "yaml-number", "number %s has more than %d integer digits", n.Value, maxDigits)
				return nil, false
			}
			return json.Number(n.Value), true
		case "!!bool":
			if n.Value != "true" && n.Value != "false" {
				p.add(n.Line, n.Column, "yaml-bool", "boolean %q: write true or false", n.Value)
			}
			return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
		case "!!binary":
			p.add(n.Line, n.Column, "yaml-tag", "binary value: records are plain text")
			return nil, false
		}
		if n.Style&yaml.DoubleQuotedStyle != 0 {
			if r, bad := controlIn(n.Value); bad {
				// written as an escape ("\e[2J"): checkText saw none typed raw
				p.add(n.Line, n.Column, "file-encoding", "control character U+%04X (written as an escape) is not allowed in a record", r)
				return nil, false
			}
		}
		return n.Value, true
	}
	return nil, false
}
