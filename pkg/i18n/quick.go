package i18n

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// quickCatalog reads a catalog file written in the shapes the catalogs
// use, three to four times faster than yaml.v3 (whose parse took about
// 15 ms of every command in Chinese): comment and blank lines, and mappings
// of keys to text, where a key or a value is a double-quoted string on its
// line, a plain word or phrase, or a literal block (|-), and a key without a
// value opens a nested mapping (flattened with dots, as flatten does).
//
// It answers only what yaml.v3 answers: ok is false for anything outside
// those shapes or in doubt (a tab, a multi-line plain or quoted scalar, an
// escape it does not know, a plain word YAML would read as a number, a bool
// or null, an anchor, a flow collection, a repeated key, ...), and the
// caller then reads the file with yaml.v3, which also writes the error of a
// broken file. TestQuickCatalogAgrees and FuzzQuickCatalog hold it to that.
func quickCatalog(data []byte) (map[string]string, bool) {
	if !quickRunes(data) {
		return nil, false
	}
	lines := strings.Split(string(data), "\n")
	q := quickReader{lines: lines, out: make(map[string]string, len(lines)/2), opened: map[string]bool{}}
	if !q.read() {
		return nil, false
	}
	return q.out, true
}

// quickRunes reports whether data is UTF-8 made only of runes that YAML
// reads as themselves: printable or a tab (which only a literal block may
// hold), no carriage return, none of the breaks YAML knows beyond the
// newline (U+0085, U+2028, U+2029), no byte order mark, nothing beyond the
// Basic Multilingual Plane.
func quickRunes(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c < 0x20:
			if c != '\n' && c != '\t' {
				return false
			}
		case c < 0x7F:
		case c == 0x7F, c >= 0xF0: // DEL; a rune beyond U+FFFF
			return false
		case c == 0xC2: // U+0080 to U+009F
			if data[i+1] < 0xA0 {
				return false
			}
		case c == 0xE2: // U+2028, U+2029
			if data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9) {
				return false
			}
		case c == 0xEF: // U+FEFF, U+FFFE, U+FFFF
			if data[i+1] == 0xBB && data[i+2] == 0xBF || data[i+1] == 0xBF && data[i+2] >= 0xBE {
				return false
			}
		}
	}
	return true
}

// quickLevel is a mapping being read: the column of its keys (-1 until its
// first key is seen) and the column of the key that opened it.
type quickLevel struct {
	indent, parent int
	prefix         string
}

type quickReader struct {
	lines []string
	i     int // the next line
	out   map[string]string
	// opened holds the full paths of the keys that open a mapping: with
	// out, every key's, to refuse a repeated one.
	opened map[string]bool
}

func (q *quickReader) read() bool {
	stack := []quickLevel{{indent: 0, parent: -1}}
	for q.i < len(q.lines) {
		line := q.lines[q.i]
		if strings.IndexByte(line, '\t') >= 0 {
			return false
		}
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || trimmed[0] == '#' {
			q.i++
			continue
		}
		ind := len(line) - len(trimmed)
		top := &stack[len(stack)-1]
		if top.indent < 0 {
			if ind <= top.parent {
				return false // a key without a value (null)
			}
			top.indent = ind
		}
		for ind < stack[len(stack)-1].indent {
			stack = stack[:len(stack)-1]
		}
		top = &stack[len(stack)-1]
		if ind != top.indent {
			return false
		}
		q.i++
		var key string
		var rest string
		if strings.HasPrefix(trimmed, "? ") {
			// An explicit key: a literal block, then ": value" under it.
			if trimmed != "? |-" && trimmed != "? |" {
				return false
			}
			var ok bool
			if key, ok = q.block(ind, trimmed == "? |"); !ok || q.i >= len(q.lines) {
				return false
			}
			next := q.lines[q.i]
			if strings.IndexByte(next, '\t') >= 0 || len(next) < ind+2 || strings.TrimLeft(next[:ind], " ") != "" || next[ind:ind+2] != ": " {
				return false
			}
			q.i++
			rest = next[ind+1:]
		} else {
			var ok bool
			if key, rest, ok = quickKey(trimmed); !ok {
				return false
			}
		}
		path := key
		if top.prefix != "" {
			path = top.prefix + "." + key
		}
		if _, dup := q.out[path]; dup || q.opened[path] {
			return false
		}
		if rest == "" {
			q.opened[path] = true
			stack = append(stack, quickLevel{indent: -1, parent: ind, prefix: path})
			continue
		}
		if rest[0] != ' ' {
			return false
		}
		value, ok := q.value(strings.TrimLeft(rest, " "), ind)
		if !ok {
			return false
		}
		q.out[path] = value
	}
	return stack[len(stack)-1].indent >= 0
}

// quickKey splits a key line into its key and what follows the colon.
func quickKey(s string) (key, rest string, ok bool) {
	if s[0] == '"' {
		key, n, ok := quoted(s)
		if !ok || n >= len(s) || s[n] != ':' || n > 1000 {
			return "", "", false
		}
		return key, s[n+1:], true
	}
	colon := -1
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
			colon = i
			break
		}
	}
	if colon <= 0 || colon > 1000 || s[0] == '.' || !plainWord(s[:colon]) {
		return "", "", false
	}
	return s[:colon], s[colon+1:], true
}

// value reads a value that starts with s, on a key line at column ind.
func (q *quickReader) value(s string, ind int) (string, bool) {
	switch {
	case s == "":
		return "", false // spaces after the colon, and nothing
	case s == "|-", s == "|":
		return q.block(ind, s == "|")
	case s[0] == '"':
		v, n, ok := quoted(s)
		if !ok {
			return "", false
		}
		tail := strings.TrimLeft(s[n:], " ")
		if tail != "" && (tail[0] != '#' || tail == s[n:]) {
			return "", false // only a comment may follow, after a space
		}
		return v, true
	case !plainWord(s):
		return "", false
	}
	return s, true
}

// plainWord reports whether s, a whole plain scalar on its line, is text
// to YAML: it starts with no indicator and nothing a number, a bool, null
// or a merge key could start with (a dot only before a non-digit, as in
// .opsbook.yaml), holds no ": " or " #", and does not end in a space or a
// colon.
func plainWord(s string) bool {
	if s == "" || strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`+~0123456789", rune(s[0])) {
		return false
	}
	if s[0] == '.' && (len(s) == 1 || s[1] >= '0' && s[1] <= '9') {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "null", "<<", ".nan", ".inf":
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") {
		return false
	}
	last := s[len(s)-1]
	return last != ' ' && last != ':'
}

// quoted reads the double-quoted string at the start of s, which must end
// on this line, and returns it and the length it took. It knows the
// escapes \" \\ \n \t and \uXXXX.
func quoted(s string) (string, int, bool) {
	end := strings.IndexAny(s[1:], "\"\\") + 1
	if end == 0 {
		return "", 0, false // not closed on its line
	}
	if s[end] == '"' {
		return s[1:end], end + 1, true
	}
	b := []byte(s[1:end])
	for i := end; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return string(b), i + 1, true
		case '\\':
			if i+1 >= len(s) {
				return "", 0, false
			}
			i++
			switch s[i] {
			case '"', '\\':
				b = append(b, s[i])
			case 'n':
				b = append(b, '\n')
			case 't':
				b = append(b, '\t')
			case 'u':
				if i+5 > len(s) {
					return "", 0, false
				}
				v, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
				if err != nil || v >= 0xD800 && v <= 0xDFFF {
					return "", 0, false
				}
				b = utf8.AppendRune(b, rune(v))
				i += 4
			default:
				return "", 0, false
			}
		default:
			b = append(b, c)
		}
	}
	return "", 0, false // not closed on its line
}

// block reads a literal block scalar under a line at column parent: its
// lines at the column of the first non-empty one, kept as they are (tabs
// too); empty lines before and inside kept, those at the end dropped, and the last line break
// with them (|-) or kept (|, clip).
func (q *quickReader) block(parent int, clip bool) (string, bool) {
	// The indentation is the first non-empty line's; empty lines before it
	// are lines of the text.
	f := q.i
	for f < len(q.lines) && q.lines[f] == "" {
		f++
	}
	if f == len(q.lines) {
		return "", false
	}
	first := q.lines[f]
	indent := len(first) - len(strings.TrimLeft(first, " "))
	if indent <= parent || strings.TrimLeft(first, " \t") == "" || first[indent] == '\t' {
		// no block at all, a blank first line, or a tab where the
		// indentation is found
		return "", false
	}
	var parts []string
	last := 0 // the line of the last non-empty part
	for ; q.i < len(q.lines); q.i++ {
		l := q.lines[q.i]
		if l == "" {
			parts = append(parts, "")
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if n < indent {
			if strings.TrimLeft(l, " \t") == "" || l[n] == '\t' {
				return "", false // blank, or a tab in the indentation
			}
			break
		}
		if strings.TrimLeft(l, " \t") == "" {
			return "", false // a line of white space only
		}
		parts = append(parts, l[indent:])
		last = q.i
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	out := strings.Join(parts, "\n")
	if clip && last+1 < len(q.lines) {
		out += "\n" // the last line's break, when the file has one
	}
	return out, true
}
