package audit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func needBinary(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed", name)
	}
}

// sshKey makes an ed25519 key pair and returns the private key's path and
// the public key's line.
func sshKey(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", p).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(p + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return p, strings.TrimSpace(string(pub))
}

func (tr *testRepo) commitSSH(who, key, msg string) string {
	tr.t.Helper()
	tr.sign = []string{"-c", "gpg.format=ssh", "-c", "user.signingkey=" + key}
	defer func() { tr.sign = nil }()
	tr.git("add", "-A")
	return tr.commitAs(who, who+"@example.com", msg, "-S")
}

// rewrite stores a copy of commit h's object changed by f and moves the
// branch to it, the way a forger would.
func (tr *testRepo) rewrite(h string, f func(string) string) string {
	tr.t.Helper()
	raw := tr.git("cat-file", "commit", h) + "\n"
	cmd := exec.Command("git", "hash-object", "-t", "commit", "-w", "--stdin")
	cmd.Dir = tr.dir
	cmd.Env = append(cmd.Environ(), tr.env()...)
	cmd.Stdin = strings.NewReader(f(raw))
	out, err := cmd.Output()
	if err != nil {
		tr.t.Fatalf("git hash-object: %v", err)
	}
	n := strings.TrimSpace(string(out))
	tr.git("reset", "-q", "--hard", n)
	return n
}

func TestVerifySSHSignatures(t *testing.T) {
	needGit(t)
	needBinary(t, "ssh-keygen")
	keys := t.TempDir()
	dirKey, dirPub := sshKey(t, keys, "wang.fang")
	liKey, liPub := sshKey(t, keys, "li.wei")
	zhKey, zhPub := sshKey(t, keys, "zhang.min")
	strayKey, _ := sshKey(t, keys, "stray")
	lateKey, latePub := sshKey(t, keys, "li.wei-new")

	tr := newTestRepo(t)
	tr.people("currency: CNY\nrequire_signatures: true\n")
	tr.write("records/people/wang.fang.yaml", person("wang.fang", "director", "", "", "  - "+dirPub+"\n"))
	tr.write("records/people/li.wei.yaml", person("li.wei", "specialist", "zhang.min", "", "  - "+liPub+"\n"))
	tr.write("records/people/zhang.min.yaml", person("zhang.min", "manager", "wang.fang", "", "  - "+zhPub+"\n"))
	root := tr.commitSSH("wang.fang", dirKey, "people")

	tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "10.00"))
	good := tr.commitSSH("li.wei", liKey, "new claim")
	tr.edit(expensePath("EXP-2026-0001"), "status: draft", "status: submitted")
	tr.commitSSH("li.wei", liKey, "submit")
	tr.edit(expensePath("EXP-2026-0001"), "status: submitted", "status: approved")
	tr.commitSSH("zhang.min", zhKey, "approve")
	wantViolations(t, tr.verify(""))

	// git agrees with the allowed-signers file opsbook writes.
	r := tr.open()
	rl, err := r.rulesAt(mustTree(t, r, "HEAD"))
	if err != nil {
		t.Fatal(err)
	}
	signers := filepath.Join(keys, "allowed_signers")
	os.WriteFile(signers, []byte(AllowedSigners(rl)), 0o644)
	tr.git("-c", "gpg.ssh.allowedSignersFile="+signers, "verify-commit", good)

	tr.write(expensePath("EXP-2026-0002"), expense("EXP-2026-0002", "draft", "li.wei", "20.00"))
	unsigned := tr.commit("li.wei", "new claim, unsigned")
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "draft", "li.wei", "30.00"))
	stray := tr.commitSSH("li.wei", strayKey, "new claim, a key nobody registered")
	if err := exec.Command("git", "-C", tr.dir, "-c", "gpg.ssh.allowedSignersFile="+signers, "verify-commit", stray).Run(); err == nil {
		t.Error("git trusts the stray key")
	}
	// Signed by the manager's key, authored as li.wei: the manager is the
	// actor (and may not submit li.wei's claim), and the author line is a
	// violation of its own.
	tr.edit(expensePath("EXP-2026-0002"), "status: draft", "status: submitted")
	tr.git("add", "-A")
	tr.sign = []string{"-c", "gpg.format=ssh", "-c", "user.signingkey=" + zhKey}
	borrowed := tr.commitAs("li.wei", "li.wei@example.com", "submit", "-S")
	tr.sign = nil
	tr.write(expensePath("EXP-2026-0004"), expense("EXP-2026-0004", "draft", "li.wei", "40.00"))
	signed := tr.commitSSH("li.wei", liKey, "new claim")
	tampered := tr.rewrite(signed, func(raw string) string {
		return strings.Replace(raw, "new claim", "new claim (harmless)", 1)
	})
	tr.write(expensePath("EXP-2026-0005"), expense("EXP-2026-0005", "draft", "li.wei", "50.00"))
	twice := tr.commitSSH("li.wei", liKey, "new claim")
	twice = tr.rewrite(twice, func(raw string) string {
		i := strings.Index(raw, "gpgsig ")
		j := strings.Index(raw, "-----END SSH SIGNATURE-----") + len("-----END SSH SIGNATURE-----")
		block := strings.TrimPrefix(raw[i:j], "gpgsig ")
		return raw[:j] + "\n " + block + raw[j:]
	})

	rep := tr.verify(root + "..HEAD")
	wantViolations(t, rep,
		short(unsigned)+" signature-missing EXP-2026-0002",
		short(stray)+" signature-unknown-key EXP-2026-0003",
		short(borrowed)+" signature-author EXP-2026-0002",
		short(borrowed)+" move-role EXP-2026-0002", // judged as zhang.min's: not hers to submit
		short(tampered)+" signature-invalid EXP-2026-0004",
		short(twice)+" signature-multiple EXP-2026-0005",
	)
	for _, v := range rep.Violations {
		if v.Rule == "signature-author" && v.Actor != "zhang.min" {
			t.Errorf("actor of the borrowed signature = %q, want zhang.min", v.Actor)
		}
	}

	// A key registered in the branch under review is not yet anyone's.
	base := tr.git("rev-parse", "HEAD")
	tr.git("checkout", "-q", "-b", "newkey")
	tr.write("records/people/li.wei.yaml", person("li.wei", "specialist", "zhang.min", "", "  - "+liPub+"\n  - "+latePub+"\n"))
	tr.commitSSH("wang.fang", dirKey, "li.wei's new laptop")
	tr.write(expensePath("EXP-2026-0006"), expense("EXP-2026-0006", "draft", "li.wei", "60.00"))
	late := tr.commitSSH("li.wei", lateKey, "new claim")
	wantViolations(t, tr.verify(base+"..newkey"), short(late)+" signature-unknown-key EXP-2026-0006")
	// Once merged it is hers: the next branch may use it.
	tr.git("checkout", "-q", "main")
	tr.git("merge", "-q", "--ff-only", "newkey")
	tr.edit(expensePath("EXP-2026-0006"), "status: draft", "status: submitted")
	tr.commitSSH("li.wei", lateKey, "submit")
	wantViolations(t, tr.verify("newkey..main"))

	evs, err := tr.open().History(context.Background(), "EXP-2026-0002")
	if err != nil {
		t.Fatal(err)
	}
	if got := evs[0].Actor.String(); got != "li.wei <li.wei@example.com>" || evs[0].Actor.Signature != RuleSignatureMissing {
		t.Errorf("actor of an unsigned commit under require_signatures = %q (%s)", got, evs[0].Actor.Signature)
	}
}

func mustTree(t *testing.T, r *Repo, rev string) plumbing.Hash {
	t.Helper()
	h, err := r.Resolve(rev)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := r.TreeOf(h)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// VerifySSH checks what ssh-keygen -Y sign makes, and refuses another
// namespace.
func TestVerifySSHAgainstSSHKeygen(t *testing.T) {
	needBinary(t, "ssh-keygen")
	dir := t.TempDir()
	key, pub := sshKey(t, dir, "k")
	msg := filepath.Join(dir, "msg")
	os.WriteFile(msg, []byte("payload\n"), 0o644)
	for _, ns := range []string{"git", "file"} {
		if out, err := exec.Command("ssh-keygen", "-Y", "sign", "-n", ns, "-f", key, msg).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
		}
		sig, _ := os.ReadFile(msg + ".sig")
		os.Remove(msg + ".sig")
		k, err := VerifySSH(string(sig), []byte("payload\n"), "git")
		if ns == "file" {
			if err == nil {
				t.Error("a signature for namespace file verified as git")
			}
			continue
		}
		if err != nil {
			t.Fatalf("VerifySSH: %v", err)
		}
		if got := strings.Join(strings.Fields(pub)[:2], " "); got != strings.TrimSpace(k.Type()+" "+strings.Fields(pub)[1]) {
			t.Errorf("key = %s", got)
		}
		if _, err := VerifySSH(string(sig), []byte("payload, changed\n"), "git"); err == nil {
			t.Error("a signature verified over other content")
		}
	}
}

// gpgKey makes an OpenPGP signing key in its own GNUPGHOME and returns the
// home, the fingerprint and the armored public key.
func gpgKey(t *testing.T, uid string) (home, fpr, armored string) {
	t.Helper()
	home, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(home, 0o700)
	gpg := func(args ...string) string {
		cmd := exec.Command("gpg", append([]string{"--batch", "--homedir", home}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Skipf("gpg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() {
		exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
		os.RemoveAll(home)
	})
	gpg("--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
	for _, line := range strings.Split(gpg("--with-colons", "--list-keys"), "\n") {
		if strings.HasPrefix(line, "fpr:") {
			fpr = strings.Split(line, ":")[9]
			break
		}
	}
	return home, fpr, gpg("--armor", "--export", fpr)
}

func TestVerifyOpenPGPSignatures(t *testing.T) {
	needGit(t)
	needBinary(t, "gpg")
	home, fpr, armored := gpgKey(t, "li.wei <li.wei@example.com>")
	dirHome, dirFpr, dirArmored := gpgKey(t, "wang.fang <wang.fang@example.com>")
	indent := func(s string) string {
		return "  - |\n    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ") + "\n"
	}
	commitPGP := func(tr *testRepo, home, who, key, msg string) string {
		tr.sign = []string{"-c", "gpg.program=gpg", "-c", "user.signingkey=" + key}
		defer func() { tr.sign = nil }()
		tr.git("add", "-A")
		t.Setenv("GNUPGHOME", home)
		return tr.commitAs(who, who+"@example.com", msg, "-S")
	}
	for _, c := range []struct {
		name, keys, want string
	}{
		{"armored key", indent(armored), ""},
		{"fingerprint only", "  - " + fpr + "\n", "signature-unverifiable"},
		{"someone else's key", "", "signature-unknown-key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newTestRepo(t)
			tr.people("currency: CNY\nrequire_signatures: true\n")
			tr.write("records/people/wang.fang.yaml", person("wang.fang", "director", "", "", indent(dirArmored)))
			if c.keys != "" {
				tr.write("records/people/li.wei.yaml", person("li.wei", "specialist", "zhang.min", "", c.keys))
			}
			commitPGP(tr, dirHome, "wang.fang", dirFpr, "people")
			tr.write(expensePath("EXP-2026-0001"), expense("EXP-2026-0001", "draft", "li.wei", "10.00"))
			h := commitPGP(tr, home, "li.wei", fpr, "new claim")
			if c.want == "" {
				wantViolations(t, tr.verify(""))
				return
			}
			wantViolations(t, tr.verify(""), short(h)+" "+c.want+" EXP-2026-0001")
		})
	}
}
