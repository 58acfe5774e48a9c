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
