// Package templates embeds the skeletons `opsbook new` starts records from,
// and the CI files `opsbook` ships for pull-request checks.
package templates

import "embed"

// FS holds <kind>.yaml record skeletons (text/template) and ci/.
//
//go:embed *.yaml ci/*
var FS embed.FS
