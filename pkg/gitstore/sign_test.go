package gitstore

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSignSSH(t *testing.T) {
	isolate(t)
	needBinary(t, "git")
	needBinary(t, "ssh-keygen")
	keys := t.TempDir()
	key := filepath.Join(keys, "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	allowed := filepath.Join(keys, "allowed_signers")
	os.WriteFile(allowed, []byte(`bob@example.com namespaces="git" `+string(pub)), 0o644)

	signAndVerify := func(t *testing.T, signingKey string) {
		t.Helper()
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		gitCmd(t, dir, "config", "commit.gpgsign", "true")
		gitCmd(t, dir, "config", "gpg.format", "ssh")
		gitCmd(t, dir, "config", "user.signingkey", signingKey)
		writeFiles(t, dir, map[string]string{"a.txt": "signed\n"})
		r := open(t, dir)
		h := commit(t, r, "signed change", "a.txt")
		if out, err := gitRun(dir, nil, "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", h); err != nil {
			t.Fatalf("git verify-commit: %v\n%s", err, out)
		}
		out := gitCmd(t, dir, "-c", "gpg.ssh.allowedSignersFile="+allowed, "log", "-1", "--show-signature", "--format=%G? %s")
		if !strings.Contains(out, `Good "git" signature for bob@example.com`) || !strings.Contains(out, "G signed change") {
			t.Errorf("git log --show-signature:\n%s", out)
		}
		if raw := gitCmd(t, dir, "cat-file", "commit", h); !strings.Contains(raw, "\ngpgsig -----BEGIN SSH SIGNATURE-----\n") {
			t.Errorf("commit object has no SSH gpgsig header:\n%s", raw)
		}
		if got := gitCmd(t, dir, "status", "--porcelain"); got != "" {
			t.Errorf("status = %q", got)
		}
	}

	t.Run("private key path", func(t *testing.T) { signAndVerify(t, key) })
	t.Run("public key path", func(t *testing.T) { signAndVerify(t, key+".pub") })
	t.Run("literal key in ssh-agent", func(t *testing.T) {
		needBinary(t, "ssh-agent")
		needBinary(t, "ssh-add")
		sock := filepath.Join(keys, "agent.sock")
		agent := exec.Command("ssh-agent", "-D", "-a", sock)
		if err := agent.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
		for i := 0; i < 100 && !exists(sock); i++ {
			time.Sleep(20 * time.Millisecond)
		}
		t.Setenv("SSH_AUTH_SOCK", sock)
		if out, err := exec.Command("ssh-add", "-q", key).CombinedOutput(); err != nil {
			t.Fatalf("ssh-add: %v\n%s", err, out)
		}
		signAndVerify(t, "key::"+strings.TrimSpace(string(pub)))
	})

	t.Run("SignAlways and SignNever", func(t *testing.T) {
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		gitCmd(t, dir, "config", "gpg.format", "ssh")
		gitCmd(t, dir, "config", "user.signingkey", key)
		r := open(t, dir)
		writeFiles(t, dir, map[string]string{"a.txt": "b\n"})
		h, err := r.Commit(context.Background(), CommitRequest{Paths: []string{"a.txt"}, Message: "forced", Author: alice, Committer: bob, Sign: SignAlways})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gitRun(dir, nil, "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-commit", h); err != nil {
			t.Errorf("SignAlways did not sign")
		}
		gitCmd(t, dir, "config", "commit.gpgsign", "true")
		writeFiles(t, dir, map[string]string{"a.txt": "c\n"})
		h, err = r.Commit(context.Background(), CommitRequest{Paths: []string{"a.txt"}, Message: "unsigned", Author: alice, Sign: SignNever})
		if err != nil {
			t.Fatal(err)
		}
		if raw := gitCmd(t, dir, "cat-file", "commit", h); strings.Contains(raw, "gpgsig") {
			t.Errorf("SignNever signed:\n%s", raw)
		}
	})

	t.Run("failures make no commit", func(t *testing.T) {
		dir := newRepo(t, map[string]string{"a.txt": "a\n"})
		before := gitCmd(t, dir, "rev-parse", "HEAD")
		gitCmd(t, dir, "config", "commit.gpgsign", "true")
		gitCmd(t, dir, "config", "gpg.format", "ssh")
		r := open(t, dir)
		writeFiles(t, dir, map[string]string{"a.txt": "b\n"})
		req := CommitRequest{Paths: []string{"a.txt"}, Message: "m", Author: alice}
		for _, tc := range []struct{ key, program, want string }{
			{"", "", "user.signingkey is not set"},
			{filepath.Join(keys, "nope"), "", "ssh-keygen"},
			{key, "/nonexistent/ssh-keygen", "not installed"},
		} {
			if tc.key != "" {
				gitCmd(t, dir, "config", "user.signingkey", tc.key)
			}
			if tc.program != "" {
				gitCmd(t, dir, "config", "gpg.ssh.program", tc.program)
			}
			_, err := r.Commit(context.Background(), req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("key %q program %q: err = %v, want %q", tc.key, tc.program, err, tc.want)
			}
		}
		if after := gitCmd(t, dir, "rev-parse", "HEAD"); after != before {
			t.Errorf("a failed signature moved HEAD")
		}
		if got := gitCmd(t, dir, "status", "--porcelain"); got != " M a.txt\n" {
			t.Errorf("status after failures = %q", got)
		}
	})
}

func TestSignOpenPGP(t *testing.T) {
	isolate(t)
	needBinary(t, "git")
	needBinary(t, "gpg")
	// gpg-agent's socket path must be short, so not t.TempDir().
	gnupg, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(gnupg, 0o700)
	t.Setenv("GNUPGHOME", gnupg)
	t.Cleanup(func() {
		exec.Command("gpgconf", "--kill", "all").Run()
		os.RemoveAll(gnupg)
	})
	gen := exec.Command("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-generate-key", "Bob Example <bob@example.com>", "ed25519", "sign", "never")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Skipf("cannot make a gpg key here: %v\n%s", err, out)
	}

	dir := newRepo(t, map[string]string{"a.txt": "a\n"})
	gitCmd(t, dir, "config", "commit.gpgsign", "true")
	writeFiles(t, dir, map[string]string{"a.txt": "signed\n"})
	r := open(t, dir)
	// No user.signingkey: the committer's identity picks the key.
	h := commit(t, r, "gpg signed", "a.txt")
	if out, err := gitRun(dir, nil, "verify-commit", h); err != nil {
		t.Fatalf("git verify-commit: %v\n%s", err, out)
	}
	if got := gitCmd(t, dir, "log", "-1", "--format=%G? %GS"); !strings.HasPrefix(got, "G Bob Example <bob@example.com>") {
		t.Errorf("signature status = %q", got)
	}

	gitCmd(t, dir, "config", "user.signingkey", "nobody@example.com")
	writeFiles(t, dir, map[string]string{"a.txt": "again\n"})
	if _, err := r.Commit(context.Background(), CommitRequest{Paths: []string{"a.txt"}, Message: "m", Author: alice, Committer: bob}); err == nil || !strings.Contains(err.Error(), "gpg") {
		t.Errorf("signing with an unknown key: err = %v", err)
	}

	gitCmd(t, dir, "config", "gpg.program", "/nonexistent/gpg")
	_, err = r.Commit(context.Background(), CommitRequest{Paths: []string{"a.txt"}, Message: "m", Author: alice})
	if err == nil || !strings.Contains(err.Error(), "not installed") || errors.Is(err, ErrState) {
		t.Errorf("missing gpg: err = %v", err)
	}
}
