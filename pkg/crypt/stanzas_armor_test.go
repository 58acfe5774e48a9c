package crypt

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
	"golang.org/x/crypto/ssh"
)

// stanzasWhole is Stanzas as it was before it read only the header: the
// whole armor decoded into a buffer, then the header parsed from it. The
// tests below hold Stanzas to its answers.
func stanzasWhole(ct string) ([]Stanza, error) {
	br := bufio.NewReaderSize(strings.NewReader(strings.TrimSpace(ct)+"\n"), 4096)
	var file bytes.Buffer
	file.Grow(len(ct))
	if _, err := io.Copy(&file, armor.NewReader(br)); err != nil {
		return nil, fmt.Errorf("not a well-formed age file: %v", err)
	}
	br.Reset(&file)
	rec := &stanzaRecorder{}
	_, err := age.Decrypt(br, rec)
	if !errors.Is(err, errHeaderRead) {
		if err == nil {
			err = errors.New("no recipient")
		}
		return nil, fmt.Errorf("not a well-formed age file: %v", err)
	}
	out := make([]Stanza, 0, len(rec.got))
	for _, s := range rec.got {
		st := Stanza{Type: s.Type}
		if (s.Type == "ssh-ed25519" || s.Type == "ssh-rsa") && len(s.Args) > 0 {
			st.Tag = s.Args[0]
		}
		out = append(out, st)
	}
	return out, nil
}

// armored encrypts payload for recipients as an armored age file.
func armored(t testing.TB, payload []byte, rs ...age.Recipient) string {
	t.Helper()
	var b bytes.Buffer
	a := armor.NewWriter(&b)
	w, err := age.Encrypt(a, rs...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func x25519Recipient(t testing.TB) age.Recipient {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id.Recipient()
}

func sshRecipient(t testing.TB) age.Recipient {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	r, err := agessh.NewEd25519Recipient(pk)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sampleCiphertexts are real armored age files: X25519 and SSH
// recipients, one to three of them (and seven, as a record's field has),
// payloads empty, short, a line's worth and long.
func sampleCiphertexts(t testing.TB) []string {
	t.Helper()
	var out []string
	payloads := [][]byte{nil, []byte("x"), []byte("value: 0912-345-678\n"), bytes.Repeat([]byte("y"), 48), bytes.Repeat([]byte("z"), 2000)}
	for i, p := range payloads {
		var rs []age.Recipient
		for n := range 3 {
			if (i+n)%2 == 0 {
				rs = append(rs, x25519Recipient(t))
			} else {
				rs = append(rs, sshRecipient(t))
			}
			out = append(out, armored(t, p, rs...))
		}
	}
	var seven []age.Recipient
	for range 7 {
		seven = append(seven, sshRecipient(t))
	}
	out = append(out, armored(t, []byte("contact: 0912-345-678\n"), seven...))
	return out
}

// TestStanzasDecodesOnlyTheHeader: the payload's armor is checked, not
// decoded into memory: the stanzas of a ciphertext with a long payload
// cost no more memory than those of one with a short payload.
func TestStanzasDecodesOnlyTheHeader(t *testing.T) {
	rs := []age.Recipient{sshRecipient(t), sshRecipient(t)}
	perCall := func(ct string) uint64 {
		if _, err := Stanzas(ct); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		const n = 100
		for range n {
			Stanzas(ct)
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / n
	}
	short := perCall(armored(t, []byte("x"), rs...))
	long := perCall(armored(t, bytes.Repeat([]byte("z"), 64<<10), rs...))
	if long > short+256 {
		t.Errorf("Stanzas allocates %d bytes for a long payload, %d for a short one", long, short)
	}
}

// BenchmarkStanzas reads the stanzas of a record field's ciphertext (seven
// SSH readers, a short value) and of a long one.
func BenchmarkStanzas(b *testing.B) {
	var seven []age.Recipient
	for range 7 {
		seven = append(seven, sshRecipient(b))
	}
	cases := []struct {
		name string
		ct   string
	}{
		{"field", armored(b, []byte("contact: 0912-345-678\n"), seven...)},
		{"long", armored(b, bytes.Repeat([]byte("z"), 16<<10), seven[:2]...)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.ct)))
			for b.Loop() {
				if _, err := Stanzas(c.ct); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sameAsWhole fails t unless Stanzas answers ct as stanzasWhole does:
// the same stanzas, or the same error, word for word.
func sameAsWhole(t *testing.T, what, ct string) bool {
	t.Helper()
	want, werr := stanzasWhole(ct)
	got, err := Stanzas(ct)
	if fmt.Sprintf("%q %v", got, err) != fmt.Sprintf("%q %v", want, werr) {
		t.Errorf("%s: %q\ngot  %q %v\nwant %q %v", what, ct, got, err, want, werr)
		return false
	}
	return true
}

// armorLines are the base64 lines of an armored file, between its BEGIN
// and END lines.
func armorLines(ct string) []string {
	lines := strings.Split(strings.TrimSpace(ct), "\n")
	return lines[1 : len(lines)-1]
}

// rearmored is ct's data in lines of width columns.
func rearmored(ct string, width int) string {
	b64 := strings.Join(armorLines(ct), "")
	var b strings.Builder
	b.WriteString(armor.Header + "\n")
	for len(b64) > 0 {
		n := min(width, len(b64))
		b.WriteString(b64[:n] + "\n")
		b64 = b64[n:]
	}
	b.WriteString(armor.Footer + "\n")
	return b.String()
}

// armorVariants are ct re-laid: line ends, blank lines, white space and
// text around it and inside it, lines re-wrapped.
func armorVariants(ct string) []string {
	lines := strings.Split(strings.TrimSpace(ct), "\n")
	body := lines[1 : len(lines)-1]
	join := func(ls ...[]string) string {
		var all []string
		for _, l := range ls {
			all = append(all, l...)
		}
		return strings.Join(all, "\n") + "\n"
	}
	begin, end := []string{armor.Header}, []string{armor.Footer}
	out := []string{
		ct,
		strings.ReplaceAll(ct, "\n", "\r\n"),
		strings.ReplaceAll(ct, "\n", "\r"),
		strings.ReplaceAll(ct, "\n", "\r\r\n"),
		strings.ReplaceAll(ct, "\n", "\n\n"),
		strings.ReplaceAll(ct, "\n", " \n"),
		strings.ReplaceAll(ct, "\n", "\n "),
		strings.TrimSuffix(ct, "\n"),
		"\n\n  \n" + ct + "\n\n",
		strings.Repeat(" \n", 600) + ct,
		ct + strings.Repeat(" \n", 600) + "x",
		ct + strings.Repeat(" ", 1023) + "x",
		ct + strings.Repeat(" ", 1022) + "x",
		ct + strings.Repeat("\u3000", 400) + "x",
		ct + "trailing text\n",
		ct + armor.Footer + "\n",
		ct + ct,
		armor.Header + "\n" + ct,
		join(begin, body),
		join(begin, body, []string{""}, end),
		join(begin, body, []string{"", armor.Footer}),
		join(begin, body, []string{"===="}, end),
		join(begin, body, []string{"AAAA"}, end),
		join(begin, body, []string{"AAAA"}),
		join(begin, body, end[:0]) + "-----END AGE ENCRYPTED FILE----",
		join(begin, body) + armor.Footer + " ",
		join(begin, body, []string{armor.Footer + "x"}),
		join(begin, body, []string{"-----END AGE ENCRYPTED FILE-----\r"}),
		join([]string{armor.Header + " "}, body, end),
		join([]string{"-----BEGIN AGE ENCRYPTED FILE-----x"}, body, end),
		join(begin, end),
		join(begin, body[:1], end),
		join(begin, body[:len(body)-1], end),
		join(begin, body[1:], end),
		join(begin, body[:1], body, end),
		armor.Header,
		armor.Header + "\n",
		armor.Footer,
		"",
		"   ",
	}
	if len(body) > 1 {
		out = append(out,
			join(begin, body[:1], []string{""}, body[1:], end),
			join(begin, body[:1], []string{armor.Footer}, body[1:], end),
			join(begin, []string{body[0] + "\r"}, body[1:], end),
			join(begin, []string{body[0][:63]}, body[1:], end),
			join(begin, []string{body[0][:60]}, body[1:], end),
			join(begin, []string{body[0] + "A"}, body[1:], end),
			join(begin, []string{body[0] + "AAAA"}, body[1:], end),
			join(begin, []string{body[0][:60] + "AA=="}, body[1:], end),
			join(begin, []string{body[0][:62] + "=="}, body[1:], end),
			join(begin, body[:len(body)-1], []string{body[len(body)-1] + "="}, end),
			join(begin, body[:len(body)-1], []string{strings.TrimRight(body[len(body)-1], "=")}, end),
			join(begin, body[:len(body)-1], []string{body[len(body)-1], body[len(body)-1]}, end),
		)
	}
	for _, w := range []int{4, 60, 63, 65, 76, 1 << 20} {
		out = append(out, rearmored(ct, w))
	}
	return out
}

// mutations of ct: each byte at the positions changed to a few others,
// deleted, or doubled.
func mutations(ct string, step int, yield func(what, ct string) bool) {
	for i := 0; i < len(ct); i += step {
		for _, c := range []byte{'A', 'a', '/', '+', '=', '-', ' ', '\n', '\r', 0, 0x80, ct[i] ^ 0x20, ct[i] + 1} {
			if c == ct[i] {
				continue
			}
			if !yield(fmt.Sprintf("byte %d to %q", i, c), ct[:i]+string(c)+ct[i+1:]) {
				return
			}
		}
		if !yield(fmt.Sprintf("byte %d deleted", i), ct[:i]+ct[i+1:]) {
			return
		}
		if !yield(fmt.Sprintf("byte %d doubled", i), ct[:i+1]+ct[i:]) {
			return
		}
	}
}

// headerEnd is the offset in ct's armor of the line after the one
// holding the end of the header (its MAC line).
func headerEnd(t testing.TB, ct string) int {
	data, err := io.ReadAll(armor.NewReader(strings.NewReader(ct)))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("\n--- "))
	j := bytes.IndexByte(data[i+1:], '\n') + i + 1
	line := j/armorBytes + 1 // past the BEGIN line
	off := 0
	for range line + 1 {
		off += strings.IndexByte(ct[off:], '\n') + 1
	}
	return off
}

// TestStanzasAsWhole: Stanzas, reading only the header's part of the
// armor and checking the rest, answers as decoding the whole armor did,
// for real ciphertexts, however laid out, truncated or damaged, in their
// header or their payload.
func TestStanzasAsWhole(t *testing.T) {
	cts := sampleCiphertexts(t)
	for i, ct := range cts {
		if _, err := stanzasWhole(ct); err != nil {
			t.Fatalf("sample %d: %v", i, err)
		}
		for j, v := range armorVariants(ct) {
			sameAsWhole(t, fmt.Sprintf("sample %d variant %d", i, j), v)
		}
		// Every truncation.
		for n := range len(ct) {
			if !sameAsWhole(t, fmt.Sprintf("sample %d cut at %d", i, n), ct[:n]) {
				break
			}
		}
		// Changes everywhere in a few, at every seventh byte in the rest.
		step := 7
		if i%4 == 0 {
			step = 1
		}
		mutations(ct, step, func(what, m string) bool {
			return sameAsWhole(t, fmt.Sprintf("sample %d %s", i, what), m)
		})
		// The header damaged and the payload's armor too: the armor's error.
		h := headerEnd(t, ct)
		if h >= len(ct)-len(armor.Footer)-1 {
			continue
		}
		// "YWdl" is "age" of the intro: "ZWdl" is "ege", still base64.
		damaged := ct[:len(armor.Header)+1] + "Z" + ct[len(armor.Header)+2:h] + "?" + ct[h+1:]
		if _, err := Stanzas(damaged[:h] + ct[h:]); err == nil || !strings.Contains(err.Error(), "unexpected intro") {
			t.Errorf("sample %d: header damaged: %v", i, err)
		}
		if _, err := Stanzas(damaged); err == nil || !strings.Contains(err.Error(), "invalid armor: illegal base64 data at input byte 0") {
			t.Errorf("sample %d: header and payload damaged: %v", i, err)
		}
		sameAsWhole(t, fmt.Sprintf("sample %d header and payload damaged", i), damaged)
	}
}

// TestStanzasAsWholeHeaderDamaged: a well-formed armor of a damaged age
// file (a byte of the decoded header changed, the file cut short) is
// refused as before, and so is its armor once broken after the header.
func TestStanzasAsWholeHeaderDamaged(t *testing.T) {
	for i, ct := range sampleCiphertexts(t)[:6] {
		data, err := io.ReadAll(armor.NewReader(strings.NewReader(ct)))
		if err != nil {
			t.Fatal(err)
		}
		hdr := bytes.Index(data, []byte("\n--- ")) + 48
		for j := 0; j < min(hdr, len(data)); j++ {
			for _, c := range []byte{'\n', ' ', '-', 'x', data[j] ^ 1} {
				d := bytes.Clone(data)
				d[j] = c
				sameAsWhole(t, fmt.Sprintf("sample %d decoded byte %d to %q", i, j, c), armorOf(t, d))
			}
			sameAsWhole(t, fmt.Sprintf("sample %d decoded cut at %d", i, j), armorOf(t, data[:j]))
		}
	}
}

func armorOf(t testing.TB, data []byte) string {
	var b bytes.Buffer
	a := armor.NewWriter(&b)
	if _, err := a.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestStanzasFullLastLine: data a multiple of 48 bytes end in a full line
// and the END line right after it; a short line there, even an empty one,
// is refused.
func TestStanzasFullLastLine(t *testing.T) {
	r := x25519Recipient(t)
	for n := range 48 {
		ct := armored(t, bytes.Repeat([]byte("p"), n), r)
		body := armorLines(ct)
		if len(body[len(body)-1]) != armorColumns {
			continue
		}
		if _, err := Stanzas(ct); err != nil {
			t.Fatalf("payload of %d: %v", n, err)
		}
		for j, v := range armorVariants(ct) {
			sameAsWhole(t, fmt.Sprintf("payload of %d variant %d", n, j), v)
		}
		return
	}
	t.Fatal("no payload size ends in a full line")
}

// FuzzStanzas: Stanzas answers any text as stanzasWhole does.
func FuzzStanzas(f *testing.F) {
	for _, ct := range sampleCiphertexts(f)[:6] {
		for _, v := range armorVariants(ct) {
			f.Add(v)
		}
	}
	f.Add("-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n")
	f.Fuzz(func(t *testing.T, ct string) {
		sameAsWhole(t, "fuzzed", ct)
	})
}

// header is an age file of the stanza lines given (each with its
// newline: opening line and body), a MAC line and a payload.
func header(stanzas ...string) []byte {
	return []byte(ageIntro + strings.Join(stanzas, "") + "--- " + strings.Repeat("A", 42) + "E\n" + "payload")
}

// headerCases are age files whose headers are laid out every way
// headerStanzas reads or leaves to age's parser.
func headerCases() map[string][]byte {
	body32 := strings.Repeat("A", 42) + "E\n" // 32 bytes
	full := strings.Repeat("B", 64) + "\n"
	x := "-> X25519 " + strings.Repeat("C", 43) + "\n" + body32
	ssh := "-> ssh-ed25519 Abc123 " + strings.Repeat("D", 43) + "\n" + body32
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("-> t")
		for i := range n - 1 {
			fmt.Fprintf(&b, " a%d", i)
		}
		b.WriteString("\n" + body32)
		return b.String()
	}
	repeat := func(s string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	cases := map[string][]byte{
		"x25519":              header(x),
		"ssh":                 header(ssh),
		"mixed":               header(x, ssh, x),
		"ssh no tag":          header("-> ssh-ed25519\n" + body32),
		"ssh-rsa":             header("-> ssh-rsa Tag123 " + strings.Repeat("E", 100) + "\n" + full + body32),
		"other type":          header("-> piv-p256 aaa bbb\n" + body32),
		"type only":           header("-> scrypt\n" + body32),
		"empty body":          header("-> t\n\n"),
		"full then empty":     header("-> t\n" + full + "\n"),
		"full then short":     header("-> t\n" + full + full + body32),
		"full only":           header("-> t\n" + full),
		"body 65":             header("-> t\n" + strings.Repeat("B", 65) + "\n" + body32),
		"body 66":             header("-> t\n" + strings.Repeat("B", 66) + "\n" + body32),
		"body padded":         header("-> t\n" + strings.Repeat("A", 42) + "E=\n"),
		"body bits":           header("-> t\n" + strings.Repeat("A", 42) + "F\n"),
		"body CR":             header("-> t\n" + strings.Repeat("A", 42) + "E\r\n"),
		"body CR inside":      header("-> t\n" + strings.Repeat("A", 20) + "\r" + strings.Repeat("A", 22) + "E\n"),
		"full CR":             header("-> t\n" + strings.Repeat("B", 64) + "\r\n" + body32),
		"full with =":         header("-> t\n" + strings.Repeat("B", 63) + "=\n" + body32),
		"body bad char":       header("-> t\n" + strings.Repeat("A", 41) + "!E\n"),
		"body space":          header("-> t\n" + strings.Repeat("A", 41) + " E\n"),
		"no space":            header("->t\n" + body32),
		"bare arrow":          header("->\n" + body32),
		"arrow space":         header("-> \n" + body32),
		"two spaces":          header("->  t\n" + body32),
		"inner two spaces":    header("-> t  a\n" + body32),
		"trailing space":      header("-> t a \n" + body32),
		"tab":                 header("-> t\ta\n" + body32),
		"CR line":             header("-> t a\r\n" + body32),
		"non-ASCII":           header("-> t \xc3\xa9\n" + body32),
		"DEL":                 header("-> t a\x7f\n" + body32),
		"tilde":               header("-> t ~!\n" + body32),
		"128 fields":          header(many(128)),
		"129 fields":          header(many(129)),
		"130 fields":          header(many(130)),
		"1023 stanzas":        header(repeat(x, 1023)...),
		"1024 stanzas":        header(repeat(x, 1024)...),
		"1025 stanzas":        header(repeat(x, 1025)...),
		"1024 small stanzas":  header(repeat("-> t\n\n", 1024)...),
		"1025 small stanzas":  header(repeat("-> t\n\n", 1025)...),
		"long line":           header("-> t " + strings.Repeat("L", 5000) + "\n" + body32),
		"header over 2 MiB":   header("-> t\n" + strings.Repeat(full, 33000) + body32),
		"long header":         header("-> t\n" + strings.Repeat(full, 1200) + body32),
		"no stanza":           header(),
		"intro CRLF":          []byte("age-encryption.org/v1\r\n" + x + "--- " + strings.Repeat("A", 42) + "E\n"),
		"intro space":         []byte("age-encryption.org/v1 \n" + x + "--- " + strings.Repeat("A", 42) + "E\n"),
		"intro v2":            []byte("age-encryption.org/v2\n" + x + "--- " + strings.Repeat("A", 42) + "E\n"),
		"intro only":          []byte(ageIntro),
		"intro unterminated":  []byte("age-encryption.org/v1"),
		"empty":               nil,
		"secret key":          []byte("AGE-SECRET-KEY-1XYZ\n"),
		"MAC no payload":      []byte(ageIntro + x + "--- " + strings.Repeat("A", 42) + "E\n"),
		"MAC unterminated":    []byte(ageIntro + x + "--- " + strings.Repeat("A", 42) + "E"),
		"MAC 42":              []byte(ageIntro + x + "--- " + strings.Repeat("A", 42) + "\n"),
		"MAC 44":              []byte(ageIntro + x + "--- " + strings.Repeat("A", 44) + "\n"),
		"MAC padded":          []byte(ageIntro + x + "--- " + strings.Repeat("A", 42) + "E=\n"),
		"MAC bits":            []byte(ageIntro + x + "--- " + strings.Repeat("A", 42) + "F\n"),
		"MAC CR":              []byte(ageIntro + x + "--- " + strings.Repeat("A", 42) + "E\r\n"),
		"MAC CR inside":       []byte(ageIntro + x + "--- " + strings.Repeat("A", 21) + "\r" + strings.Repeat("A", 21) + "E\n"),
		"MAC two args":        []byte(ageIntro + x + "--- " + strings.Repeat("A", 42) + "E A\n"),
		"MAC two spaces":      []byte(ageIntro + x + "---  " + strings.Repeat("A", 42) + "E\n"),
		"MAC no space":        []byte(ageIntro + x + "---" + strings.Repeat("A", 42) + "E\n"),
		"MAC none":            []byte(ageIntro + x + "---\n"),
		"MAC four dashes":     []byte(ageIntro + x + "---- " + strings.Repeat("A", 42) + "E\n"),
		"MAC bad char":        []byte(ageIntro + x + "--- " + strings.Repeat("A", 41) + "!E\n"),
		"dashes in body":      []byte(ageIntro + "-> t\n" + full + "--- " + strings.Repeat("A", 42) + "E\n"),
		"arrow in body":       []byte(ageIntro + "-> t\n" + full + x + "--- " + strings.Repeat("A", 42) + "E\n"),
		"two dashes":          []byte(ageIntro + x + "-- " + strings.Repeat("A", 42) + "E\n"),
		"cut in stanza":       []byte(ageIntro + "-> t a"),
		"cut in body":         []byte(ageIntro + "-> t a\n" + full),
		"cut before MAC":      []byte(ageIntro + x),
		"cut at dashes":       []byte(ageIntro + x + "--"),
		"stanza without body": []byte(ageIntro + "-> t a\n--- " + strings.Repeat("A", 42) + "E\n"),
	}
	return cases
}

// TestStanzasHeaderLayouts: every layout of a header, read by
// headerStanzas or left to age's parser, is answered as age's parser
// answered it, and a header age's parser reads is read.
func TestStanzasHeaderLayouts(t *testing.T) {
	for name, data := range headerCases() {
		ct := armorOf(t, data)
		sameAsWhole(t, name, ct)
		// The same header, its armor broken after it: the armor's error.
		if len(data) > 200 {
			broken := strings.TrimSpace(ct) + "\n!\n"
			sameAsWhole(t, name+" broken after", broken)
		}
	}
	for _, name := range []string{"x25519", "mixed", "1024 stanzas", "1024 small stanzas", "long line", "long header", "129 fields", "full then empty", "empty body"} {
		if _, err := Stanzas(armorOf(t, headerCases()[name])); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestStanzasAllocatesLittle: the stanzas of a record field's ciphertext
// (seven SSH readers) are read without age's parser, which made a string
// of every line and argument of the header.
func TestStanzasAllocatesLittle(t *testing.T) {
	var seven []age.Recipient
	for range 7 {
		seven = append(seven, sshRecipient(t))
	}
	ct := armored(t, []byte("contact: 0912-345-678\n"), seven...)
	if n := testing.AllocsPerRun(100, func() { Stanzas(ct) }); n > 12 {
		t.Errorf("Stanzas makes %v allocations", n)
	}
}

// FuzzStanzasHeader: Stanzas answers any age file, well armored, as
// stanzasWhole does.
func FuzzStanzasHeader(f *testing.F) {
	for _, data := range headerCases() {
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	for _, ct := range sampleCiphertexts(f)[:6] {
		data, err := io.ReadAll(armor.NewReader(strings.NewReader(ct)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsWhole(t, "fuzzed", armorOf(t, data))
	})
}
