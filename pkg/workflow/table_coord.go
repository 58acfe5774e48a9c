package workflow

import "github.com/opsbook/opsbook/pkg/record"

// The coordination kinds (meetings, ...): their move tables and edit
// rights, registered beside the first kinds'.
func init() {
	tables[record.Meeting] = meetingTable()
	rights[record.Meeting] = meetingRights()
	tables[record.Task] = taskTable()
	rights[record.Task] = taskRights()
	tables[record.StatusReport] = statusReportTable()
	rights[record.StatusReport] = statusReportRights()
	tables[record.OpsPlan] = opsPlanTable()
	rights[record.OpsPlan] = opsPlanRights()
	tables[record.Analysis] = analysisTable()
	rights[record.Analysis] = analysisRights()
	sealed[record.Analysis] = []string{"decided", "closed"}
	sealed[record.Meeting] = []string{"published", "closed"}
	sealed[record.Task] = []string{"done", "cancelled"}
	sealed[record.StatusReport] = []string{"submitted", "acknowledged"}
	sealed[record.OpsPlan] = []string{"approved", "closed"}
}

// meetingTable: the chair writes the minutes in draft and publishes them
// (§6.3.2); published minutes are sealed while their action items are
// followed up; the chair or the director closes the meeting once every
// action is done or dropped (checked by state-needs).
func meetingTable() *Table {
	return &Table{
		Kind:    record.Meeting,
		States:  []string{"draft", "published", "closed"},
		Initial: "draft",
		Final:   []string{"closed"},
		Create:  Creation{Anyone: true, Party: "chair", Note: "the chair records the meeting"},
		Moves: []Move{
			{From: "draft", To: "published", Verb: "publish", Parties: []string{"chair"}, Note: "the chair publishes the minutes; they are sealed from then on"},
			{From: "published", To: "closed", Verb: "close", Roles: []Role{Director}, Parties: []string{"chair"}, Note: "every action item done or dropped"},
		},
	}
}

func meetingRights() *Rights {
	followUp := []string{"published"}
	owners := []string{"actions.*.owner", "chair"}
	return &Rights{
		Kind: record.Meeting,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"draft"}, Parties: []string{"chair"}},
			{Field: "chair", Mode: Edit, States: []string{"draft"}, Roles: []Role{Director}, Parties: []string{"chair"},
				Note: "the chair or the director hands the minutes to another chair"},
			// in draft the chair writes the actions whole, their status
			// and done date too, as every other field of the minutes
			{Field: "actions.*.status", Mode: Edit, States: []string{"draft"}, Parties: []string{"chair"}},
			{Field: "actions.*.done", Mode: Edit, States: []string{"draft"}, Parties: []string{"chair"}},
			{Field: "actions.*.status", Mode: Edit, States: followUp, Roles: []Role{Director}, Parties: owners,
				Note: "published minutes are sealed; their action items move on"},
			{Field: "actions.*.done", Mode: Edit, States: followUp, Roles: []Role{Director}, Parties: owners},
			{Field: "published_at", Mode: Stamp, States: []string{"published"}, Value: StampNow},
		},
		Hints: map[string]string{
			"published": "published minutes are sealed; only an action item's status and done date change (a correction goes in the next meeting's minutes)",
		},
	}
}

// taskTable: a manager or the director assigns work outside a plan to
// someone below them (§2.2.3; who may be assigned is the rule
// task-assignee); the assignee starts and completes it, the person who
// assigned it (or the director) cancels it.
func taskTable() *Table {
	assigner := []string{"assigned_by"}
	return &Table{
		Kind:    record.Task,
		States:  []string{"open", "doing", "done", "cancelled"},
		Initial: "open",
		Final:   []string{"done", "cancelled"},
		Create:  Creation{Roles: managerOrDirector, Party: "assigned_by", Note: "the person who assigns it"},
		Moves: []Move{
			{From: "open", To: "doing", Verb: "start", Parties: []string{"assignee"}},
			{From: "open", To: "done", Verb: "complete", Parties: []string{"assignee"}, Note: "with its result; opsbook stamps the done date"},
			{From: "doing", To: "done", Verb: "complete", Parties: []string{"assignee"}, Note: "with its result; opsbook stamps the done date"},
			{From: "open", To: "cancelled", Verb: "cancel", Roles: []Role{Director}, Parties: assigner},
			{From: "doing", To: "cancelled", Verb: "cancel", Roles: []Role{Director}, Parties: assigner},
		},
	}
}

func taskRights() *Rights {
	open := []string{"open", "doing"}
	return &Rights{
		Kind: record.Task,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: open, Roles: []Role{Director}, Parties: []string{"assigned_by"}},
			{Field: "assigned_by", Mode: Edit, States: noState, Note: "a task belongs to whoever assigned it"},
			{Field: "result", Mode: Edit, States: open, Roles: []Role{Director}, Parties: []string{"assignee", "assigned_by"}},
			{Field: "done", Mode: Stamp, States: []string{"done"}, Value: StampToday},
		},
	}
}

// statusReportTable: the author writes the report and submits it (opsbook
// stamps the time and the figures); the person it is addressed to
// acknowledges it, with feedback.
func statusReportTable() *Table {
	return &Table{
		Kind:    record.StatusReport,
		States:  []string{"draft", "submitted", "acknowledged"},
		Initial: "draft",
		Final:   []string{"acknowledged"},
		Create:  Creation{Roles: managerOrDirector, Party: "author", Note: "the author reports"},
		Moves: []Move{
			{From: "draft", To: "submitted", Verb: "submit", Parties: []string{"author"}, Note: "opsbook stamps submitted_at and the snapshot"},
			{From: "submitted", To: "acknowledged", Verb: "ack", Parties: []string{"to"}},
		},
	}
}

func statusReportRights() *Rights {
	return &Rights{
		Kind: record.StatusReport,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"draft"}, Parties: []string{"author"}},
			{Field: "author", Mode: Edit, States: noState, Note: "a report belongs to whoever wrote it"},
			{Field: "feedback", Mode: Edit, States: []string{"submitted"}, Parties: []string{"to"}},
			{Field: "submitted_at", Mode: Stamp, States: []string{"submitted"}, Value: StampNow},
			{Field: "snapshot", Mode: Stamp, States: []string{"submitted"}, Value: StampAny, Note: "the figures computed from the records at submission"},
			{Field: "acknowledged_at", Mode: Stamp, States: []string{"acknowledged"}, Value: StampNow},
		},
		Hints: map[string]string{
			"submitted": "a submitted report is sealed; the next report corrects it",
		},
	}
}

// opsPlanTable: the director writes the year's operations plan (§2.2.1)
// and leadership approves it; the director closes it when the year is
// over.
func opsPlanTable() *Table {
	return &Table{
		Kind:    record.OpsPlan,
		States:  []string{"draft", "approved", "closed"},
		Initial: "draft",
		Final:   []string{"closed"},
		Create:  Creation{Roles: []Role{Director}},
		Moves: []Move{
			{From: "draft", To: "approved", Verb: "approve", Roles: []Role{Leadership}},
			{From: "approved", To: "closed", Verb: "close", Roles: []Role{Director}, Guard: GuardYearOver, Note: "the year is over"},
		},
	}
}

func opsPlanRights() *Rights {
	return &Rights{
		Kind: record.OpsPlan,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"draft"}, Roles: []Role{Director}},
			{Field: "year", Mode: Edit, States: noState},
			{Field: "initiatives", Mode: Edit, States: []string{"draft", "approved"}, Roles: []Role{Director},
				Note: "the director names the projects that serve the objectives as they are proposed"},
		},
		Hints: map[string]string{
			"approved": "an approved plan changes only by a new year's plan; its initiatives grow as projects are proposed",
		},
	}
}

// analysisTable: the author submits the analysis to leadership (§4.3),
// which decides on each recommendation (or returns it); once the adopted
// recommendations have their tasks or projects, the director or the author
// closes it.
func analysisTable() *Table {
	return &Table{
		Kind:    record.Analysis,
		States:  []string{"draft", "submitted", "decided", "closed"},
		Initial: "draft",
		Final:   []string{"closed"},
		Create:  Creation{Anyone: true, Party: "author", Note: "the author writes it"},
		Moves: []Move{
			{From: "draft", To: "submitted", Verb: "submit", Parties: []string{"author"}},
			{From: "submitted", To: "decided", Verb: "decide", Roles: []Role{Leadership}, Note: "every recommendation has its decision"},
			{From: "submitted", To: "draft", Verb: "return", Roles: []Role{Leadership}},
			{From: "decided", To: "closed", Verb: "close", Roles: []Role{Director}, Parties: []string{"author"}, Note: "every adopted recommendation has its follow-up"},
		},
	}
}

func analysisRights() *Rights {
	lead := []Role{Leadership}
	return &Rights{
		Kind: record.Analysis,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"draft"}, Parties: []string{"author"}},
			{Field: "author", Mode: Edit, States: noState, Note: "an analysis belongs to whoever wrote it"},
			{Field: "recommendations.*.decision", Mode: Edit, States: []string{"submitted"}, Roles: lead},
			{Field: "recommendations.*.decided_by", Mode: Edit, States: []string{"submitted"}, Roles: lead},
			{Field: "recommendations.*.note", Mode: Edit, States: []string{"submitted"}, Roles: lead},
			{Field: "recommendations.*.follow_up", Mode: Edit, States: []string{"decided"}, Roles: []Role{Director}, Parties: []string{"author"},
				Note: "the tasks or projects that carry out an adopted recommendation"},
		},
		Hints: map[string]string{
			"submitted": "leadership decides or returns it",
			"decided":   "only follow-ups are added",
		},
	}
}
