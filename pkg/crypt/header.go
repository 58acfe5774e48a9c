package crypt

import (
	"bufio"
	"bytes"
	"encoding/base64"
)

// The stanzas of a well-formed age header, read without age's parser.
//
// age's parser makes a string of every line and of every argument of the
// header, and a Stanza with its body; the rules only need each stanza's
// type and tag. headerStanzas reads the header as the age format lays it
// out: the intro line; stanzas, each a line "-> type args…" (arguments of
// printable ASCII, split by single spaces) and body lines of unpadded
// base64, 64 columns each but the last, which is shorter; the line
// "--- " and the MAC, 32 bytes of unpadded base64. It takes no header
// age's parser refuses, and gives its stanzas as that parser gives them;
// anything else (another layout, a header over 64 KB or of 1,024 stanzas
// or more, a stanza of over 128 arguments) it leaves to age's parser,
// which then says what is wrong, or reads it.

const (
	ageIntro        = "age-encryption.org/v1\n"
	maxFastHeader   = 64 << 10
	maxFastStanzas  = 1024 // age's parser refuses more
	maxFastArgs     = 128  // type and arguments
	ageMACColumns   = 43   // 32 bytes of unpadded base64
	ageBodyColumns  = 64
	ageBodyLineSize = ageBodyColumns / 4 * 3
)

var strictRawBase64 = base64.RawStdEncoding.Strict()

// headerStanzas reads a header's stanzas from br, the age file from its
// start; false when it leaves the header to age's parser.
func headerStanzas(br *bufio.Reader) ([]Stanza, bool) {
	n := 0
	readLine := func() ([]byte, bool) {
		line, err := br.ReadSlice('\n')
		n += len(line)
		return line, err == nil && n <= maxFastHeader
	}
	if line, ok := readLine(); !ok || string(line) != ageIntro {
		return nil, false
	}
	var out []Stanza
	var scratch [ageBodyLineSize]byte
	for {
		peek, err := br.Peek(3)
		if err != nil {
			return nil, false
		}
		if string(peek) == "---" {
			line, ok := readLine()
			if !ok || len(line) != len("--- ")+ageMACColumns+1 || string(line[:4]) != "--- " {
				return nil, false
			}
			mac := line[4 : len(line)-1]
			if bytes.IndexByte(mac, '\r') >= 0 {
				return nil, false
			}
			if k, err := strictRawBase64.Decode(scratch[:], mac); err != nil || k != 32 {
				return nil, false
			}
			return out, len(out) > 0
		}
		if len(out) == maxFastStanzas-1 {
			return nil, false
		}
		line, ok := readLine()
		if !ok {
			return nil, false
		}
		st, ok := stanzaLine(line)
		if !ok {
			return nil, false
		}
		for {
			line, ok := readLine()
			if !ok {
				return nil, false
			}
			body := line[:len(line)-1]
			if fullLine(body) {
				continue
			}
			if len(body) > ageBodyColumns || bytes.IndexByte(body, '\r') >= 0 {
				return nil, false
			}
			k, err := strictRawBase64.Decode(scratch[:], body)
			if err != nil {
				return nil, false
			}
			if k < ageBodyLineSize {
				break
			}
		}
		out = append(out, st)
	}
}

// stanzaLine is the type and tag of a stanza's opening line, "-> " and
// the type and arguments split by single spaces, ending in a newline.
func stanzaLine(line []byte) (Stanza, bool) {
	rest, ok := bytes.CutPrefix(line, []byte("-> "))
	if !ok {
		return Stanza{}, false
	}
	rest = rest[:len(rest)-1] // the newline
	var typ, tag []byte
	args := 0
	for len(rest) > 0 || args == 0 {
		arg, after, more := bytes.Cut(rest, []byte(" "))
		if len(arg) == 0 || args == maxFastArgs {
			return Stanza{}, false
		}
		for _, c := range arg {
			if c < 33 || c > 126 {
				return Stanza{}, false
			}
		}
		switch args {
		case 0:
			typ = arg
		case 1:
			tag = arg
		}
		args++
		rest = after
		if more && len(rest) == 0 {
			return Stanza{}, false // a space at the end
		}
	}
	st := Stanza{Type: stanzaType(typ)}
	if (st.Type == "ssh-ed25519" || st.Type == "ssh-rsa") && tag != nil {
		st.Tag = string(tag)
	}
	return st, true
}

// stanzaType is the type's string, the common ones without making one.
func stanzaType(b []byte) string {
	switch string(b) {
	case "X25519":
		return "X25519"
	case "ssh-ed25519":
		return "ssh-ed25519"
	case "ssh-rsa":
		return "ssh-rsa"
	}
	return string(b)
}
