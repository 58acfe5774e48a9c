package crypt

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// IdentityEnv names the file of the identity to read with.
const IdentityEnv = "OPSBOOK_IDENTITY"

// Ask asks for the passphrase of a protected SSH key; the command line sets
// it when standard input is a terminal (nil: a protected key is refused
// with a message).
var Ask func(prompt string) ([]byte, error)

// Identity is the key a person reads with: their own SSH private key or age
// identity file.
type Identity struct {
	// Source is the file it was read from.
	Source string
	ids    []age.Identity
}

// ErrNoIdentity says no identity file was found: encrypted values stay
// encrypted.
var ErrNoIdentity = errors.New("no identity")

// LoadIdentity reads the identity: the file OPSBOOK_IDENTITY names (an SSH
// private key, or an age identity file of AGE-SECRET-KEY-1 lines), else
// ~/.ssh/id_ed25519, else ~/.ssh/id_rsa. Without any it returns
// ErrNoIdentity. A passphrase-protected SSH key is asked for its passphrase
// by ask (nil: refused with a message).
func LoadIdentity(ask func(prompt string) ([]byte, error)) (*Identity, error) {
	p, err := identityPath()
	if err != nil {
		return nil, err
	}
	return ReadIdentity(p, ask)
}

// identityPath is the file LoadIdentity reads.
func identityPath() (string, error) {
	if p := os.Getenv(IdentityEnv); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", ErrNoIdentity
	}
	for _, name := range []string{"id_ed25519", "id_rsa"} {
		p := filepath.Join(home, ".ssh", name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ErrNoIdentity
}

// IdentityKey names the identity LoadIdentity would read, for keeping an
// answer that may depend on it (a tried move that re-encrypts a field
// needs the actor's key): the file's path and a hash of its bytes, or
// what stands in its way. Nothing is parsed and no passphrase is asked.
func IdentityKey() string {
	p, err := identityPath()
	if err != nil {
		return "none"
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return "unreadable " + p
	}
	return fmt.Sprintf("%s %x", p, sha256.Sum256(data))
}

// ReadIdentity reads one identity file.
func ReadIdentity(path string, ask func(prompt string) ([]byte, error)) (*Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity %s: %v", path, err)
	}
	id := &Identity{Source: path}
	if bytes.Contains(data, []byte("AGE-SECRET-KEY-")) {
		ids, err := age.ParseIdentities(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("identity %s: %v", path, err)
		}
		id.ids = ids
		return id, nil
	}
	i, err := agessh.ParseIdentity(data)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if ask == nil || missing.PublicKey == nil {
			return nil, fmt.Errorf("identity %s is protected by a passphrase and none can be asked here: set %s to an unprotected copy kept private, or run on a terminal", path, IdentityEnv)
		}
		i, err = agessh.NewEncryptedSSHIdentity(missing.PublicKey, data, func() ([]byte, error) {
			return ask(fmt.Sprintf("passphrase for %s: ", path))
		})
	}
	if err != nil {
		return nil, fmt.Errorf("identity %s: %v", path, strings.TrimPrefix(err.Error(), "ssh: "))
	}
	id.ids = []age.Identity{i}
	return id, nil
}

// Open decrypts the ciphertext of field and returns its plain value.
// ErrNotReader: the identity is not among its recipients.
func (id *Identity) Open(field, ct string) (any, error) {
	if id == nil || len(id.ids) == 0 {
		return nil, ErrNotReader
	}
	clear, err := decrypt(ct, id.ids)
	if err != nil {
		return nil, err
	}
	v, err := ParseClear(field, clear)
	if err != nil {
		return nil, fmt.Errorf("cannot be opened: %v", err)
	}
	return v, nil
}
