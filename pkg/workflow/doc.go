// Package workflow holds every kind's workflow as data (its states, moves
// and who may make each) and decides whether an actor may make a change:
// create a record, move it, edit it, delete it. It is pure: callers read
// files, the people registry and the policy, and hand them in.
//
// The CLI asks before it writes (CheckMove, CheckCreate, CheckEdit, Options
// to list the moves open to an actor); the audit replays commits and judges
// each one (CheckChanges). Both get the same answers, as *Refusal errors with
// a stable rule code and a message that names the actor, the move and the
// limit.
package workflow
