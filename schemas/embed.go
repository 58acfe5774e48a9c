// Package schemas embeds the JSON Schemas of opsbook's record kinds and of
// the policy file.
package schemas

import "embed"

// FS holds common.json, one <kind>.json per kind, and policy.json.
//
//go:embed *.json
var FS embed.FS
