package audit

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/opsbook/opsbook/pkg/i18n"
	"golang.org/x/crypto/ssh"
)

// Rule codes of signature violations (under require_signatures).
const (
	RuleSignatureMissing       = "signature-missing"      // a commit that changes records is not signed
	RuleSignatureInvalid       = "signature-invalid"      // the signature does not verify (bad, tampered, wrong namespace)
	RuleSignatureMultiple      = "signature-multiple"     // more than one signature on one commit
	RuleSignatureUnknownKey    = "signature-unknown-key"  // the key is registered to nobody (yet), or to several people
	RuleSignatureUnsupported   = "signature-unsupported"  // x509 or another kind opsbook cannot verify
	RuleSignatureUnverifiable  = "signature-unverifiable" // an OpenPGP key registered only by fingerprint
	RuleSignatureAuthor        = "signature-author"       // signed by one person's key, authored with another person's email
	sshSignatureNamespace      = "git"
	sshSignatureMagic          = "SSHSIG"
	sshSignatureBegin          = "-----BEGIN SSH SIGNATURE-----"
	sshSignatureEnd            = "-----END SSH SIGNATURE-----"
	pgpSignatureBegin          = "-----BEGIN PGP SIGNATURE-----"
	pgpMessageBegin            = "-----BEGIN PGP MESSAGE-----"
	x509SignatureBeginSigned   = "-----BEGIN SIGNED MESSAGE-----"
	x509SignatureBeginCertific = "-----BEGIN CERTIFICATE-----"
)

// signature is the verdict on a commit's signature: the handle of the one
// person whose registered key made it, or a rule and a sentence saying why
// there is none.
type signature struct {
	handle  string
	rule    string
	message string // English
	text    string // the reader's language
}

// badSig is a signature that does not make its commit's actor known.
//
// i18n:format 1
func badSig(rule, format string, args ...any) signature {
	msg, text := i18n.Both(format, args...)
	return signature{rule: rule, message: msg, text: text}
}

// checkSignature verifies a commit's signature against the keys rl
// registers, the way git does with gpg.ssh.allowedSignersFile (SSH,
// namespace "git") or a keyring (OpenPGP).
func (rl *Rules) checkSignature(c *object.Commit) signature {
	sig := strings.TrimSpace(c.PGPSignature)
	if sig == "" {
		return badSig(RuleSignatureMissing, "commit is not signed, and the policy requires every commit that changes records to be signed by its actor's registered key")
	}
	if n := countBlocks(sig); n > 1 {
		return badSig(RuleSignatureMultiple, "commit carries %d signatures: a change has one actor, so one signature", n)
	}
	switch {
	case strings.HasPrefix(sig, sshSignatureBegin):
		return rl.checkSSH(c, sig)
	case strings.HasPrefix(sig, pgpSignatureBegin), strings.HasPrefix(sig, pgpMessageBegin):
		return rl.checkOpenPGP(c, sig)
	case strings.HasPrefix(sig, x509SignatureBeginSigned), strings.HasPrefix(sig, x509SignatureBeginCertific):
		return badSig(RuleSignatureUnsupported, "commit is signed with an X.509 certificate (gpgsm), which opsbook cannot verify: sign with an SSH or OpenPGP key registered in the people records")
	}
	return badSig(RuleSignatureUnsupported, "commit carries a signature of a kind opsbook does not know, so it cannot be verified")
}

func countBlocks(sig string) int {
	n := 0
	for _, line := range strings.Split(sig, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "-----BEGIN ") {
			n++
		}
	}
	return n
}

// payload is what the signature was made over: the commit object without
// its gpgsig headers, byte for byte as stored.
func payload(c *object.Commit) ([]byte, error) {
	o := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(o); err != nil {
		return nil, err
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

func (rl *Rules) checkSSH(c *object.Commit, armored string) signature {
	data, err := payload(c)
	if err != nil {
		return badSig(RuleSignatureInvalid, "cannot rebuild the signed content of the commit: %v", err)
	}
	pub, err := VerifySSH(armored, data, sshSignatureNamespace)
	if err != nil {
		var unsup *unsupportedError
		if errors.As(err, &unsup) {
			return signature{rule: RuleSignatureUnsupported, message: err.Error(), text: err.Error()}
		}
		return badSig(RuleSignatureInvalid, "SSH signature does not verify: %v", err)
	}
	fp := ssh.FingerprintSHA256(pub)
	switch owners := rl.sshKeys[fp]; len(owners) {
	case 0:
		return badSig(RuleSignatureUnknownKey, "commit is signed by SSH key %s, which is not registered to anyone in the people records before this change (a key takes effect once the change registering it is merged)", fp)
	case 1:
		return signature{handle: owners[0]}
	default:
		return badSig(RuleSignatureUnknownKey, "commit is signed by SSH key %s, which is registered to several people (%s), so whose change it is cannot be told", fp, strings.Join(owners, ", "))
	}
}

type unsupportedError struct{ what string }

func (e *unsupportedError) Error() string { return e.what }

// VerifySSH checks an armored SSH signature (ssh-keygen -Y sign, the
// SSHSIG format) over data in a namespace, and returns the key that made
// it. Like ssh-keygen it refuses SHA-1 RSA signatures; certificates are
// reported as unsupported.
func VerifySSH(armored string, data []byte, namespace string) (ssh.PublicKey, error) {
	body := strings.TrimSpace(armored)
	if !strings.HasPrefix(body, sshSignatureBegin) || !strings.HasSuffix(body, sshSignatureEnd) {
		return nil, errors.New("not an armored SSH signature")
	}
	body = strings.TrimSuffix(strings.TrimPrefix(body, sshSignatureBegin), sshSignatureEnd)
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
	if err != nil {
		return nil, fmt.Errorf("signature is not base64: %v", err)
	}
	if !bytes.HasPrefix(raw, []byte(sshSignatureMagic)) {
		return nil, errors.New("signature lacks the SSHSIG magic")
	}
	var blob struct {
		Version   uint32
		PublicKey []byte
		Namespace string
		Reserved  []byte
		HashAlg   string
		Signature []byte
	}
	if err := ssh.Unmarshal(raw[len(sshSignatureMagic):], &blob); err != nil {
		return nil, fmt.Errorf("malformed signature: %v", err)
	}
	if blob.Version != 1 {
		return nil, &unsupportedError{fmt.Sprintf("SSH signature version %d is not supported", blob.Version)}
	}
	pub, err := ssh.ParsePublicKey(blob.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("signature's public key: %v", err)
	}
	if _, ok := pub.(*ssh.Certificate); ok {
		return nil, &unsupportedError{"the commit is signed with an SSH certificate, which opsbook does not verify: register and sign with a plain SSH key"}
	}
	if blob.Namespace != namespace {
		return nil, fmt.Errorf("signature is for namespace %q, not %q", blob.Namespace, namespace)
	}
	var h hash.Hash
	switch blob.HashAlg {
	case "sha256":
		h = sha256.New()
	case "sha512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unknown hash algorithm %q", blob.HashAlg)
	}
	h.Write(data)
	signed := append([]byte(sshSignatureMagic), ssh.Marshal(struct {
		Namespace string
		Reserved  []byte
		HashAlg   string
		Hash      []byte
	}{blob.Namespace, blob.Reserved, blob.HashAlg, h.Sum(nil)})...)
	var sig ssh.Signature
	if err := ssh.Unmarshal(blob.Signature, &sig); err != nil {
		return nil, fmt.Errorf("malformed signature: %v", err)
	}
	if sig.Format == ssh.KeyAlgoRSA {
		return nil, errors.New("RSA signature with SHA-1, which git and ssh-keygen refuse")
	}
	if err := pub.Verify(signed, &sig); err != nil {
		return nil, errors.New("the signature does not match the commit (tampered, or made over other content)")
	}
	return pub, nil
}

// checkOpenPGP verifies with go-git's Commit.Verify against each armored
// public key registered. A key registered only by fingerprint cannot be
// verified offline (there is no key to check the signature with), so such
// a signature is reported as unverifiable rather than trusted.
func (rl *Rules) checkOpenPGP(c *object.Commit, armored string) signature {
	var invalid error
	handles := sortedHandles(rl.Persons)
	for _, hdl := range handles {
		for _, key := range rl.Persons[hdl].PGPArmored {
			_, err := c.Verify(key)
			if err == nil {
				return signature{handle: hdl}
			}
			var se pgperrors.SignatureError
			if errors.As(err, &se) || errors.Is(err, pgperrors.ErrSignatureExpired) {
				invalid = err
			}
		}
	}
	issuer := pgpIssuer(armored)
	if invalid != nil {
		return badSig(RuleSignatureInvalid, "OpenPGP signature%s does not verify: %v", issuer.describe(), invalid)
	}
	for _, hdl := range handles {
		for _, fp := range rl.Persons[hdl].PGPFingerprints {
			if issuer.matches(fp) {
				return badSig(RuleSignatureUnverifiable, "commit is signed by OpenPGP key %s, registered to %s by fingerprint only: a fingerprint cannot be checked offline; register the armored public key (gpg --armor --export %s) in keys", issuer.id(), hdl, issuer.id())
			}
		}
	}
	return badSig(RuleSignatureUnknownKey, "commit is signed by OpenPGP key%s, which is not registered (as an armored public key) to anyone in the people records before this change", issuer.describe())
}

func sortedHandles(m map[string]*Person) []string {
	out := make([]string, 0, len(m))
	for h := range m {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// issuer is what an OpenPGP signature says about the key that made it.
type issuer struct {
	keyID       string // 16 hex digits
	fingerprint string
}

func pgpIssuer(armored string) issuer {
	block, err := armor.Decode(strings.NewReader(armored))
	if err != nil {
		return issuer{}
	}
	p, err := packet.Read(block.Body)
	if err != nil {
		return issuer{}
	}
	s, ok := p.(*packet.Signature)
	if !ok {
		return issuer{}
	}
	var is issuer
	if s.IssuerKeyId != nil {
		is.keyID = fmt.Sprintf("%016X", *s.IssuerKeyId)
	}
	if len(s.IssuerFingerprint) > 0 {
		is.fingerprint = strings.ToUpper(hex.EncodeToString(s.IssuerFingerprint))
	}
	return is
}

func (is issuer) id() string {
	if is.fingerprint != "" {
		return is.fingerprint
	}
	return is.keyID
}

func (is issuer) describe() string {
	if is.id() == "" {
		return ""
	}
	return " " + is.id()
}

// matches compares a registered fingerprint (or long key id) with the
// issuer: v4 key ids are the last 16 digits of the fingerprint.
func (is issuer) matches(fp string) bool {
	switch {
	case is.fingerprint != "" && fp == is.fingerprint:
		return true
	case is.keyID != "" && strings.HasSuffix(fp, is.keyID):
		return true
	case is.fingerprint != "" && len(fp) == 16 && strings.HasSuffix(is.fingerprint, fp):
		return true
	}
	return false
}
