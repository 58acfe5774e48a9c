package record

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Messages of the text checks (catalog keys: pkg/i18n/catalog/record.zh-Hant.yaml).
const (
	msgUTF16       = "file is UTF-16-encoded, not UTF-8: save it as UTF-8 (in most editors: Save As, encoding UTF-8)"
	msgUTF16NoBOM  = "file is UTF-16-encoded (without a byte-order mark), not UTF-8: save it as UTF-8 (in most editors: Save As, encoding UTF-8)"
	msgGBK         = "file is not UTF-8: it looks GBK-, GB18030- or Big5-encoded (first byte that is not UTF-8: 0x%02X; %d such bytes): save it as UTF-8"
	msgNotUTF8     = "file is not UTF-8: invalid UTF-8 byte 0x%02X: save it as UTF-8"
	msgNotUTF8More = "file is not UTF-8: invalid UTF-8 byte 0x%02X (and %d more): save it as UTF-8"
	msgFullWidth   = "full-width colon '：' after %q: YAML needs an ASCII colon ':' and a space (%s: ...)"
	msgTabIndent   = "a tab in the indentation: YAML indents with spaces only (replace the tab with spaces)"
)

// checkEncoding reports a file that is not UTF-8 text as ONE diagnostic
// naming the encoding it seems to be in, instead of one per byte: a file
// saved as UTF-16 (with or without a byte-order mark) or in a legacy Chinese
// encoding (GBK, GB18030, Big5) is common, and the fix is the same.
func (p *parser) checkEncoding(data []byte) bool {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		p.add(1, 1, "file-encoding", msgUTF16)
		return false
	case looksUTF16(data):
		p.add(1, 1, "file-encoding", msgUTF16NoBOM)
		return false
	case utf8.Valid(data):
		return true
	}
	first, line, col, n := -1, 1, 1, 0
	l, c := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			if first < 0 {
				first, line, col = i, l, c
			}
			n++
		}
		if data[i] == '\n' {
			l, c = l+1, 0
		}
		i += size
		c++
	}
	if looksDoubleByte(data) && n > 1 {
		p.add(line, col, "file-encoding", msgGBK, data[first], n)
		return false
	}
	if n > 1 {
		p.add(line, col, "file-encoding", msgNotUTF8More, data[first], n-1)
		return false
	}
	p.add(line, col, "file-encoding", msgNotUTF8, data[first])
	return false
}

// looksUTF16 reports text whose every other byte is mostly zero: ASCII (and
// most of YAML's punctuation) written as UTF-16 without a byte-order mark.
func looksUTF16(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	var even, odd int
	for i, b := range data {
		if b == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(data) / 2
	return even > half/2 || odd > half/2
}

// looksDoubleByte reports text that reads as a double-byte legacy encoding:
// every byte from 0x81 up leads a pair whose second byte is 0x40-0xFE
// (GBK, GB18030's two-byte part and Big5 all have this shape).
func looksDoubleByte(data []byte) bool {
	for i := 0; i < len(data); i++ {
		b := data[i]
		if b < 0x80 {
			continue
		}
		if b == 0x80 || b == 0xFF || i+1 >= len(data) {
			return false
		}
		t := data[i+1]
		if t < 0x40 || t == 0x7F || t == 0xFF {
			return false
		}
		i++
	}
	return true
}

// fullWidthKeyRE is a line whose key is followed by a full-width colon.
var fullWidthKeyRE = regexp.MustCompile(`^(\s*(?:- )?)([A-Za-z_][A-Za-z0-9_.]*)\s*：`)

// syntaxHints turns a YAML syntax error into what a person typing Chinese
// most likely did: a full-width colon after a key (reported on each such
// line), or a tab in the indentation (reported on the tab's line: the YAML
// library names the line before it). It returns false when neither applies.
func (p *parser) syntaxHints(data []byte, errLine int, msg string) bool {
	lines := strings.Split(string(data), "\n")
	found := false
	for i, l := range lines {
		if m := fullWidthKeyRE.FindStringSubmatch(l); m != nil {
			p.add(i+1, utf8.RuneCountInString(m[1])+1, "yaml-syntax", msgFullWidth, m[2], m[2])
			found = true
		}
	}
	if found || !(strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token")) {
		return found
	}
	for i := max(errLine-1, 0); i < len(lines) && i <= errLine; i++ {
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
		if j := strings.IndexByte(indent, '\t'); j >= 0 {
			p.add(i+1, j+1, "yaml-syntax", msgTabIndent)
			return true
		}
	}
	return false
}
