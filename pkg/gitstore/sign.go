package gitstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/opsbook/opsbook/pkg/i18n"
)

type signer struct {
	format  string // openpgp, x509, ssh
	program string
	key     string
	root    string
}

// signerFor returns how to sign under cfg, or nil for no signature.
func (r *Repo) signerFor(cfg *gitConfig, mode SignMode, committer Signature) (*signer, error) {
	switch mode {
	case SignNever:
		return nil, nil
	case SignAsConfigured:
		on, err := cfg.getBool("commit.gpgsign", false)
		if err != nil {
			return nil, err
		}
		if !on {
			return nil, nil
		}
	}
	s := &signer{
		format: strings.ToLower(firstNonEmpty(cfg.getString("gpg.format"), "openpgp")),
		key:    strings.TrimSpace(cfg.getString("user.signingkey")),
		root:   r.root,
	}
	switch s.format {
	case "openpgp":
		s.program = firstNonEmpty(cfg.getString("gpg.openpgp.program"), cfg.getString("gpg.program"), "gpg")
	case "x509":
		s.program = firstNonEmpty(cfg.getString("gpg.x509.program"), "gpgsm")
	case "ssh":
		s.program = firstNonEmpty(cfg.getString("gpg.ssh.program"), "ssh-keygen")
		if s.key == "" {
			return nil, i18n.NewError("signing the commit: gpg.format is ssh but user.signingkey is not set; set it to your SSH key (`git config user.signingkey ~/.ssh/id_ed25519.pub`)")
		}
	default:
		return nil, i18n.Errorf("signing the commit: unknown gpg.format %q (want openpgp, ssh or x509)", s.format)
	}
	if s.key == "" {
		s.key = fmt.Sprintf("%s <%s>", committer.Name, committer.Email)
	}
	return s, nil
}

// sign returns the armored detached signature of payload.
func (s *signer) sign(ctx context.Context, payload []byte) ([]byte, error) {
	var sig []byte
	var err error
	if s.format == "ssh" {
		sig, err = s.signSSH(ctx, payload)
	} else {
		sig, err = s.signGPG(ctx, payload)
	}
	if err != nil {
		return nil, err
	}
	sig = bytes.ReplaceAll(sig, []byte("\r\n"), []byte("\n"))
	if len(bytes.TrimSpace(sig)) == 0 {
		return nil, i18n.Errorf("signing the commit: %s produced no signature", s.program)
	}
	return sig, nil
}

func (s *signer) signGPG(ctx context.Context, payload []byte) ([]byte, error) {
	cmd := exec.CommandContext(ctx, s.program, "--status-fd=2", "-bsau", s.key)
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, s.runError(err, &stderr)
	}
	if !strings.Contains(stderr.String(), "[GNUPG:] SIG_CREATED ") {
		return nil, i18n.Errorf("signing the commit with %s (key %q) failed: %s", s.program, s.key, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

func (s *signer) signSSH(ctx context.Context, payload []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "opsbook-sign-")
	if err != nil {
		return nil, i18n.Errorf("signing the commit: %w", err)
	}
	defer os.RemoveAll(dir)

	args := []string{"-Y", "sign", "-n", "git", "-f"}
	literal, isLiteral := strings.CutPrefix(s.key, "key::")
	if !isLiteral && strings.HasPrefix(s.key, "ssh-") {
		literal, isLiteral = s.key, true
	}
	if isLiteral {
		keyFile := filepath.Join(dir, "key.pub")
		if err := os.WriteFile(keyFile, []byte(strings.TrimSpace(literal)+"\n"), 0o600); err != nil {
			return nil, i18n.Errorf("signing the commit: %w", err)
		}
		args = append(args, keyFile, "-U")
	} else {
		keyFile := expandHome(s.key, homeDir())
		if !filepath.IsAbs(keyFile) {
			keyFile = filepath.Join(s.root, keyFile)
		}
		args = append(args, keyFile)
	}
	buf := filepath.Join(dir, "commit")
	if err := os.WriteFile(buf, payload, 0o600); err != nil {
		return nil, i18n.Errorf("signing the commit: %w", err)
	}
	args = append(args, buf)

	cmd := exec.CommandContext(ctx, s.program, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "usage:") {
			return nil, i18n.Errorf("signing the commit: %s cannot sign (SSH signing needs OpenSSH 8.2 or later): %s", s.program, strings.TrimSpace(stderr.String()))
		}
		return nil, s.runError(err, &stderr)
	}
	sig, err := os.ReadFile(buf + ".sig")
	if err != nil {
		return nil, i18n.Errorf("signing the commit: %s wrote no signature: %w", s.program, err)
	}
	return sig, nil
}

func (s *signer) runError(err error, stderr *bytes.Buffer) error {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return i18n.Errorf("signing the commit: git is configured to sign (%s format) but %s is not installed; install it, set gpg.program, or turn signing off (git config commit.gpgsign false)", s.format, s.program)
	}
	msg := strings.TrimSpace(stderr.String())
	if msg == "" {
		return i18n.Errorf("signing the commit with %s (key %q): %w", s.program, s.key, err)
	}
	return i18n.Errorf("signing the commit with %s (key %q): %w: %s", s.program, s.key, err, msg)
}

// SSHSigningKey returns the public SSH key ("ssh-ed25519 AAAA...") that
// commits would be signed with, when git's configuration signs with SSH
// and the key can be read without asking for a passphrase (a literal key,
// a .pub file, or a private key with its .pub beside it). ok is false when
// the format is not SSH or the public key cannot be found.
func (r *Repo) SSHSigningKey() (pub string, ok bool, err error) {
	cfg, err := r.config()
	if err != nil {
		return "", false, err
	}
	if strings.ToLower(cfg.getString("gpg.format")) != "ssh" {
		return "", false, nil
	}
	key := strings.TrimSpace(cfg.getString("user.signingkey"))
	if literal, isLiteral := strings.CutPrefix(key, "key::"); isLiteral {
		return publicPart(literal), true, nil
	}
	if strings.HasPrefix(key, "ssh-") || strings.HasPrefix(key, "ecdsa-") {
		return publicPart(key), true, nil
	}
	if key == "" {
		return "", false, nil
	}
	file := expandHome(key, homeDir())
	if !filepath.IsAbs(file) {
		file = filepath.Join(r.root, file)
	}
	for _, p := range []string{file, file + ".pub"} {
		if !strings.HasSuffix(p, ".pub") {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			return publicPart(string(b)), true, nil
		}
	}
	return "", false, nil
}

// publicPart keeps the key type and its base64 body, dropping the comment.
func publicPart(s string) string {
	f := strings.Fields(s)
	if len(f) < 2 {
		return strings.TrimSpace(s)
	}
	return f[0] + " " + f[1]
}
