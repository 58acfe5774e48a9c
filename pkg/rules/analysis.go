package rules

import (
	"strconv"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

func init() {
	Catalog = append(Catalog,
		Rule{"data-source", diag.Error, "an analysis citing a data source that is not in the policy's data_sources register"},
	)
	Refs = append(Refs,
		Ref{record.Analysis, "author", record.Person, nil},
		Ref{record.Analysis, "recommendations.*.decided_by", record.Person, []string{"leadership"}},
		Ref{record.Analysis, "recommendations.*.follow_up.*", Any, nil},
	)
}

var analysisSubmitted = map[string]bool{"submitted": true, "decided": true, "closed": true}

func (r *run) analysis(rec *record.Record) {
	st := rec.Status()
	registered := map[string]bool{}
	var names []string
	for _, d := range r.Policy.DataSources {
		registered[d.Name] = true
		names = append(names, d.Name)
	}
	for i, s := range rec.Strings("sources") {
		if !registered[s] {
			if len(names) == 0 {
				r.errorf(rec, "sources."+strconv.Itoa(i), "data-source", "source %q is not in the policy's data_sources (the register is empty): register it with its owner and how it is collected", s)
				continue
			}
			r.errorf(rec, "sources."+strconv.Itoa(i), "data-source", "source %q is not in the policy's data_sources (registered: %s): register it with its owner and how it is collected", s, i18n.Commas(names))
		}
	}
	if analysisSubmitted[st] {
		var missing []string
		for _, f := range []string{"sources", "findings", "recommendations"} {
			if len(rec.List(f)) == 0 {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			fields := make([]any, len(missing))
			for i, m := range missing {
				fields[i] = m
			}
			r.errorf(rec, "status", "state-needs", "a submitted analysis needs %s (§4.2)", i18n.Join(i18n.P(", "), fields...))
		}
	}
	if st != "decided" && st != "closed" {
		return
	}
	for i := range rec.List("recommendations") {
		p := "recommendations." + strconv.Itoa(i)
		switch {
		case !rec.Has(p+".decision") || !rec.Has(p+".decided_by"):
			r.errorf(rec, p, "state-needs", "a decided analysis has leadership's decision and decided_by on every recommendation; %s lacks them", p)
		case st == "closed" && rec.Str(p+".decision") == "adopt" && len(rec.List(p+".follow_up")) == 0:
			r.errorf(rec, p, "state-needs", "a closed analysis names the task or project (follow_up) of every adopted recommendation; %s has none", p)
		}
	}
}
