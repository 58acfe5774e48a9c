// Package workflow holds every kind's workflow as data (its states, moves
// and who may make each, ForPolicy) and its edit rights beside them (which
// fields may change in which state and by whom, which opsbook alone stamps
// as part of a move, which lists only grow: RightsFor, Describe), and
// decides whether an actor may make a change: create a record, move it,
// edit it, delete it. Moves that wait on another record (a plan on its
// project, a project on its active plan) read it through Env.Records. It
// is pure: callers read files, the people registry and the policy, and hand
// them in.
//
// The CLI asks before it writes (CheckMove, CheckCreate, CheckEdit, Options
// to list the moves open to an actor, Editable for the fields); the audit
// replays commits and judges each one (CheckChanges). Both get the same
// answers, as *Refusal errors with a stable rule code and a message that
// names the actor, the field, the state and who may.
package workflow
