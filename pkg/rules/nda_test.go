package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

const liWeiPath = "records/people/li.wei.yaml"

func TestNDA(t *testing.T) {
	li := strings.Replace(base[liWeiPath], "nda:\n  signed: 2025-01-01\n", "", 1)
	signed := func(nda string) map[string]string {
		files := map[string]string{}
		if nda != "" {
			files[liWeiPath] = li + nda
		}
		return files
	}
	for _, c := range []struct{ name, nda, why string }{
		{"expired", "nda:\n  signed: 2024-01-01\n  expires: 2026-11-25\n", "expired on 2026-11-25"},
		{"signed later", "nda:\n  signed: 2026-12-01\n", "not signed until 2026-12-01"},
	} {
		if ds := check(t, signed(c.nda)); !has(ds, liWeiPath, "nda-missing", diag.Warning, c.why) {
			t.Errorf("%s: %v", c.name, ds)
		}
	}
	files := signed("")
	files[liWeiPath] = li
	if ds := check(t, files); !has(ds, liWeiPath, "nda-missing", diag.Warning, "li.wei has no valid confidentiality agreement (nda missing)") {
		t.Errorf("missing: %v", ds)
	}
	if ds := check(t, signed("nda:\n  signed: 2025-01-01\n  expires: 2026-11-26\n")); len(ds) != 0 {
		t.Errorf("valid through today: %v", ds)
	}
	// Leadership and people who left are not asked.
	files = signed("")
	files["records/people/sun.hua.yaml"] = "kind: person\nid: sun.hua\nname: 孫華\nrole: leadership\nemails: [sun.hua@example.com]\n"
	files[liWeiPath] = strings.Replace(li, "emails:", "active: false\nemails:", 1)
	if ds := check(t, files); len(ds) != 0 {
		t.Errorf("leadership, inactive: %v", ds)
	}
}

func TestNDARequired(t *testing.T) {
	files := map[string]string{}
	for p, text := range base {
		files[p] = text
	}
	files[liWeiPath] = strings.Replace(base[liWeiPath], "nda:\n  signed: 2025-01-01\n", "", 1)
	open := "kind: violation\nid: VIO-2026-0001\ntitle: v\nstatus: investigating\nperson: li.wei\nreporter: zhang.min\nreported_on: 2026-05-02\ndate: 2026-04-30\nrule: r\nfacts: f\nseverity: minor\n"
	files[vioPath] = open
	run := func(require bool) []diag.Diagnostic {
		var recs []*record.Record
		for p, text := range files {
			r, _ := record.Parse(p, []byte(text))
			recs = append(recs, r)
		}
		pol := config.Default()
		pol.RequireNDA = require
		return Check(&Context{Set: record.NewSet(recs), Policy: pol, Now: now, Exists: func(string) bool { return true }})
	}
	if ds := run(true); !has(ds, vioPath, "nda-required", diag.Error, "VIO-2026-0001 is confidential and names li.wei (person), whose confidentiality agreement is missing") {
		t.Fatalf("open confidential case: %v", ds)
	}
	for _, d := range run(false) {
		if d.Rule == "nda-required" {
			t.Errorf("without require_nda: %v", d)
		}
	}
	// in Chinese the field that names him is said in words, not as its key
	func() {
		defer i18n.Set(i18n.Current())
		i18n.Set(i18n.Chinese)
		for _, d := range run(true) {
			if d.Rule == "nda-required" && d.Path == vioPath {
				if want := "li.wei（" + i18n.Term("field", "person") + "）"; !strings.Contains(d.Text, want) {
					t.Errorf("Chinese text %q, want %q", d.Text, want)
				}
			}
		}
	}()
	// a closed case asks nothing of anyone
	files[vioPath] = strings.Replace(open, "status: investigating", "status: dismissed\ndismissal: {date: 2026-05-09, by: wang.fang, reason: r}", 1)
	for _, d := range run(true) {
		if d.Rule == "nda-required" {
			t.Errorf("closed case: %v", d)
		}
	}
	// an internal record names him freely
	files[vioPath] = strings.Replace(open, "severity: minor", "severity: minor\nclassification: internal", 1)
	for _, d := range run(true) {
		if d.Rule == "nda-required" {
			t.Errorf("internal case: %v", d)
		}
	}
}

// An agreement signed today where the department is (Shanghai, this
// morning) holds for CI judging the same files in UTC, where it is still
// yesterday: the signing date is still to come only once it is after
// today in UTC+14, as every date of the rules; a day later it is.
func TestNDASignedTodayInShanghaiJudgedInUTC(t *testing.T) {
	utc := time.Date(2026, 12, 7, 23, 0, 0, 0, time.UTC) // 07:00 on 2026-12-08 in Shanghai
	for _, c := range []struct {
		signed string
		held   bool
	}{{"2026-12-08", true}, {"2026-12-09", false}} {
		files := map[string]string{}
		for p, text := range base {
			files[p] = text
		}
		files[liWeiPath] = strings.Replace(base[liWeiPath], "signed: 2025-01-01", "signed: "+c.signed, 1)
		files[vioPath] = "kind: violation\nid: VIO-2026-0001\ntitle: v\nstatus: investigating\nperson: li.wei\nreporter: zhang.min\nreported_on: 2026-05-02\ndate: 2026-04-30\nrule: r\nfacts: f\nseverity: minor\n"
		var recs []*record.Record
		for p, text := range files {
			r, _ := record.Parse(p, []byte(text))
			recs = append(recs, r)
		}
		pol := config.Default()
		pol.RequireNDA = true
		ds := Check(&Context{Set: record.NewSet(recs), Policy: pol, Now: utc, Exists: func(string) bool { return true }})
		if got := count(ds, "nda-missing")+count(ds, "nda-required") == 0; got != c.held {
			t.Errorf("signed %s, judged at %s: held %v, want %v: %v", c.signed, utc, got, c.held, ds)
		}
		p := record.NewSet(recs).Get("li.wei")
		if _, holds := (&Context{Now: utc}).NDAStatus(p); holds != c.held {
			t.Errorf("signed %s: NDAStatus holds %v", c.signed, holds)
		}
	}
}
