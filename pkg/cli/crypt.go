package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// askPassphrase reads a protected SSH key's passphrase from the terminal.
func askPassphrase(g *global) func(string) ([]byte, error) {
	f, ok := g.io.In.(*os.File)
	if !ok || !g.io.InTTY {
		return nil
	}
	return func(prompt string) ([]byte, error) {
		fmt.Fprint(g.io.Err, prompt)
		defer fmt.Fprintln(g.io.Err)
		return term.ReadPassword(int(f.Fd()))
	}
}

// identity is the reader's identity for encrypted fields, or nil (none at
// hand, or unreadable: said once on standard error).
func (g *global) identity() *crypt.Identity {
	if g.idRead {
		return g.id
	}
	g.idRead = true
	crypt.Ask = askPassphrase(g)
	id, err := crypt.LoadIdentity(crypt.Ask)
	if err != nil && !errors.Is(err, crypt.ErrNoIdentity) {
		fmt.Fprintln(g.io.Err, i18n.Sprintf("opsbook: %v; encrypted fields stay %s", err, crypt.Marker))
	}
	g.id = id
	return id
}

// reveal is rec with its encrypted fields opened where the reader can read
// them, ‹encrypted› elsewhere. With --redact (output that leaves the
// department) every encrypted value reads "[redacted]", keeping the shape
// of what the key opened (contact.phone stays a field), so that no
// confidential value leaves whatever the redaction list says. A
// ciphertext that cannot be opened for another reason than "not a reader"
// (altered, moved) is said on standard error.
func (g *global) reveal(rec *record.Record, redact bool) *record.Record {
	paths := crypt.Ciphertexts(rec)
	if len(paths) == 0 {
		return rec
	}
	out, hidden := crypt.Reveal(g.identity(), rec)
	for _, h := range hidden {
		if !errors.Is(h.Err, crypt.ErrNotReader) {
			fmt.Fprintln(g.io.Err, i18n.Sprintf(msgEncryptedHidden, h.Field, rec.ID, crypt.Marker, h.Err))
		}
	}
	if redact {
		data := out.Data
		for _, p := range paths {
			v, _ := record.Lookup(data, p)
			data = crypt.SetPath(data, p, query.RedactValue(v))
		}
		cp := *out
		cp.Data = data
		out = &cp
	}
	return out
}

func (g *global) revealAll(recs []*record.Record, redact bool) []*record.Record {
	out := recs
	for i, r := range recs {
		if s := g.reveal(r, redact); s != r {
			if &out[0] == &recs[0] {
				out = append([]*record.Record(nil), recs...)
			}
			out[i] = s
		}
	}
	return out
}

func hasCiphertext(rec *record.Record) bool { return len(crypt.Ciphertexts(rec)) > 0 }

type cryptOpts struct {
	*global
	writeOpts
	all bool
}

func newEncryptCmd(g *global) *cobra.Command {
	return newEncryptLike(g, false)
}

func newRekeyCmd(g *global) *cobra.Command {
	return newEncryptLike(g, true)
}

// encryptLong is the longer help of encrypt, keyed in the help catalog.
const encryptLong = `Encrypt applies the policy's encrypt section to the records named (or to
every record with --all): plain text in a field the policy encrypts becomes
an age ciphertext for the record's readers, and a ciphertext in a field the
policy no longer encrypts is put back in clear (when you can read it). One
commit holds every record changed. Only the director and leadership run it:
verify accepts a change of a sealed field's ciphertext only from them.

The clear text pushed before stays in history: encrypting the files does not
remove it from older commits.

A clear file listed by a record whose policy encrypts its attachments
becomes FILE.age (its entry and any field naming it follow) and the clear
file leaves the work tree in the same commit; older commits keep it.`

// rekeyLong is the longer help of rekey, keyed in the help catalog.
const rekeyLong = `Rekey opens every encrypted field of the records named (or of every record
with --all) with your key and encrypts it again for the readers the policy
and the people registry name today: after a person joins, leaves or changes
role, after a record's assignee changes, or after the policy's readers
change. You must be able to read every value you rekey. One commit holds
every record changed; only the director and leadership run it.

Someone removed can still read what they could read before: the old
ciphertexts stay in git history, and a clone they already hold keeps them.
Rekey protects what is written after it.

An encrypted attachment (.age) whose recipients are not today's readers is
encrypted again too, and the record lists its new SHA-256; one already
written for its readers is left as it is.`

func newEncryptLike(g *global, rekey bool) *cobra.Command {
	o := &cryptOpts{global: g}
	cmd := &cobra.Command{
		Use:   "encrypt [ID...|--all]",
		Short: i18n.T("Encrypt the fields the policy encrypts, in one commit (the director's or leadership's)"),
		Long:  i18n.T(encryptLong),
		Example: `  opsbook encrypt CUS-0001
  opsbook encrypt --all`,
	}
	if rekey {
		cmd.Use = "rekey [ID...|--all]"
		cmd.Short = i18n.T("Encrypt encrypted fields again for their current readers, in one commit (the director's or leadership's)")
		cmd.Long = i18n.T(rekeyLong)
		cmd.Example = `  opsbook rekey CMP-2026-0004
  opsbook rekey --all`
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if o.all == (len(args) > 0) {
			return usageErr("give record ids or --all")
		}
		return runEncrypt(cmd.Context(), o, args, rekey)
	}
	cmd.Flags().BoolVar(&o.all, "all", false, i18n.T("every record"))
	o.writeOpts.bind(cmd)
	return cmd
}

func runEncrypt(ctx context.Context, o *cryptOpts, ids []string, rekey bool) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	action := "encrypt"
	if rekey {
		action = "rekey"
	}
	// a refusal with -o json: the record named when there is one
	attempt := changeJSON{Action: action}
	if len(ids) == 1 {
		attempt.ID = ids[0]
	}
	o.attemptOne(attempt)
	crypt.Ask = askPassphrase(o.global)
	s, err := o.session(ctx, o.noCommit)
	if err != nil {
		return err
	}
	defer s.Close()
	var recs []*record.Record
	if o.all {
		if err := s.Whole(); err != nil {
			return err
		}
		for _, r := range s.Repo.Set.Records {
			if len(s.Repo.Policy.Encrypted(r.Kind)) > 0 || hasCiphertext(r) || crypt.EncryptsAttachments(s.Repo.Policy, r) {
				recs = append(recs, r)
			}
		}
	} else {
		for _, id := range ids {
			r, err := s.Find(id)
			if err != nil {
				return usage(err)
			}
			recs = append(recs, r)
		}
		if len(recs) == 1 {
			attempt.ID, attempt.Path = recs[0].ID, recs[0].Path
			o.attemptOne(attempt)
		}
	}
	edits, notes, err := change.EncryptEdits(s, recs, rekey)
	if err != nil {
		return writeErr(err)
	}
	for _, n := range notes {
		fmt.Fprintln(o.io.Err, i18n.Sprintf("opsbook: %s", n))
	}
	if len(edits) == 0 {
		fmt.Fprintln(o.io.Err, i18n.T("no changes: every record named is already as the policy encrypts it; nothing committed"))
		if o.output == "json" || o.output == "yaml" {
			return o.report(changeJSON{Action: action, Unchanged: true}, "")
		}
		return nil
	}
	// The records changed (the files an attachment's encryption writes
	// and removes ride along in the same commit).
	var changed []*record.Record
	for _, e := range edits {
		if !e.File {
			changed = append(changed, e.Before)
		}
	}
	first := changed[0]
	msg := change.Message{Kind: first.Kind, ID: first.ID, Action: action, Note: o.note, Mechanical: true}
	if len(changed) > 1 {
		var more []string
		for _, r := range changed[1:] {
			more = append(more, r.ID)
		}
		noun := "records"
		if len(changed) == 2 {
			noun = "record"
		}
		msg.Action = fmt.Sprintf("%s (and %d more %s)", action, len(changed)-1, noun)
		msg.Note = strings.TrimSpace(o.note + "\n\n" + action + ": " + first.ID + ", " + strings.Join(more, ", "))
	}
	res, err := s.Apply(ctx, edits, msg)
	if err != nil {
		return writeErr(err)
	}
	out := changeJSON{ID: first.ID, Path: first.Path, Paths: res.Paths, Action: action, Commit: res.Commit, Unchanged: res.Unchanged}
	return o.report(out, i18n.Plural(len(changed), "%s: %d record changed", "%s: %d records changed", action, len(changed)))
}

type readerRow struct {
	Field   string   `json:"field"`
	State   string   `json:"state"` // encrypted, plain, absent
	Readers []string `json:"readers"`
	Missing []string `json:"missing"`
	Extra   int      `json:"extra_keys"`
	Error   string   `json:"error,omitempty"`
	// readersText is Readers in the reader's language, for text output.
	readersText []string
}

// readersLong is the longer help of readers, keyed in the help catalog.
const readersLong = `Readers lists, for each field the policy encrypts in the record's kind
(and each attached file, by its path, when the policy encrypts them), the
people who may read it (with the role or party that makes them a reader),
and from the ciphertext's recipient stanzas, without any key, who of them
it was not written for (missing: run opsbook rekey ID) and how many keys of
no current reader it is still open to. An X25519 (age1) stanza names no
one: such keys are counted, not named.

Output (-o): text, json, yaml.`

func newReadersCmd(g *global) *cobra.Command {
	return &cobra.Command{
		Use:   "readers <ID>",
		Short: i18n.T("Who can read each encrypted field of a record, from its recipient stanzas (no key needed)"),
		Long:  i18n.T(readersLong),
		Example: `  opsbook readers CUS-0001
  opsbook readers APR-2026-0003 -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, r, rec, err := g.openRecord(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			rows := readerRows(r.Policy, crypt.NewPeople(r.Set.OfKind(record.Person)), rec, r.Root)
			switch format {
			case render.JSON:
				return render.WriteJSON(g.io.Out, rows)
			case render.YAML:
				return render.WriteYAML(g.io.Out, rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(g.io.Out, i18n.Sprintf("%s: the policy encrypts no field of %s records", rec.ID, i18n.Word{Group: "kind", Key: string(rec.Kind)}))
				return nil
			}
			var fs []render.Field
			for _, row := range rows {
				state := i18n.T("encrypted")
				switch row.State {
				case "plain":
					state = i18n.Sprintf("plain text: run opsbook encrypt %s", rec.ID)
				case "absent":
					state = i18n.T("absent")
				}
				names := row.readersText
				if names == nil {
					names = row.Readers // a row built without the words
				}
				v := i18n.Sprintf("%s; readers: %s", state, strings.Join(names, i18n.T(", ")))
				if len(row.Missing) > 0 {
					v += i18n.Sprintf("; not written for: %s (opsbook rekey %s)", strings.Join(row.Missing, ", "), rec.ID)
				}
				if row.Extra > 0 {
					v += i18n.Plural(row.Extra, "; still open to %d key of no current reader", "; still open to %d keys of no current reader", row.Extra)
				}
				if row.Error != "" && row.State != "plain" {
					v += "; " + row.Error
				}
				fs = append(fs, render.Field{Label: row.Field, Value: v})
			}
			fmt.Fprintf(g.io.Out, "%s  %s\n\n", rec.ID, rec.Title())
			return render.WriteFields(g.io.Out, fs, "  ", g.io.ttyWidth())
		},
	}
}

// readerWhy is what makes someone a reader (a role, or a party to the
// record such as its assignee) in the reader's language.
func readerWhy(w string) string {
	if t := i18n.Term("role", w); t != w {
		return t
	}
	return partyTerm(w) // a violation's person is the person concerned
}

func readerRows(pol *config.Policy, people crypt.People, rec *record.Record, root string) []readerRow {
	readers := crypt.Readers(pol, people, rec)
	names := make([]string, 0, len(readers))
	texts := make([]string, 0, len(readers))
	for _, x := range readers {
		n := x.Handle + " (" + strings.Join(x.Why, ", ") + ")"
		whys := make([]string, len(x.Why))
		for i, w := range x.Why {
			whys[i] = readerWhy(w)
		}
		t := i18n.Sprintf("%s (%s)", x.Handle, strings.Join(whys, i18n.T(", ")))
		if len(x.Keys) == 0 {
			n += " [no key]"
			t += i18n.T(" [no key]")
		}
		names = append(names, n)
		texts = append(texts, t)
	}
	rows := []readerRow{}
	for _, p := range pol.Encrypted(rec.Kind) {
		row := readerRow{Field: p, Readers: names, Missing: []string{}, readersText: texts}
		v, ok := rec.Get(p)
		switch {
		case !ok:
			row.State = "absent"
		case !crypt.IsCiphertext(v):
			row.State = "plain"
			row.Error = "plain text: run opsbook encrypt " + rec.ID
		default:
			row.State = "encrypted"
			st, err := crypt.Stanzas(v.(string))
			if err != nil {
				row.Error = err.Error()
				break
			}
			for _, m := range crypt.Missing(st, readers) {
				row.Missing = append(row.Missing, m.Handle)
			}
			row.Extra = crypt.Extra(st, readers)
		}
		rows = append(rows, row)
	}
	// The record's files, when the policy encrypts them: one row each,
	// named by its path.
	if crypt.EncryptsAttachments(pol, rec) {
		for _, e := range rules.Listed(rec) {
			row := readerRow{Field: e.Path, State: "encrypted", Readers: names, Missing: []string{}, readersText: texts}
			if !crypt.IsEncryptedPath(e.Path) {
				row.State = "plain"
				row.Error = "plain text: run opsbook encrypt " + rec.ID
				rows = append(rows, row)
				continue
			}
			head, err := attach.Head(root, e.Path, crypt.HeaderMax)
			var st []crypt.Stanza
			if err == nil {
				st, err = crypt.FileStanzas(head)
			}
			if err != nil {
				row.Error = err.Error()
				rows = append(rows, row)
				continue
			}
			for _, m := range crypt.Missing(st, readers) {
				row.Missing = append(row.Missing, m.Handle)
			}
			row.Extra = crypt.Extra(st, readers)
			rows = append(rows, row)
		}
	}
	return rows
}
