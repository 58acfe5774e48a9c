package workflow

import "github.com/opsbook/opsbook/pkg/record"

// The team's kinds (§6, §7): training plans, training sessions and
// violations. Their tables and rights sit here, registered with the
// others' when the package loads.
func init() {
	tables[record.TrainingPlan] = trainingPlanTable()
	tables[record.Training] = trainingTable()
	tables[record.Violation] = violationTable()
	rights[record.TrainingPlan] = trainingPlanRights()
	rights[record.Training] = trainingRights()
	rights[record.Violation] = violationRights()
	// measures after a second below-standard rating (§6.2.3): the
	// director's decision, added while the appraisal is open
	rights[record.Appraisal].Rights = append(rights[record.Appraisal].Rights,
		Right{Field: "measures", Mode: Append, States: []string{"submitted", "reviewed", "acknowledged"}, Roles: []Role{Director},
			Note: "after a second below-standard rating (§6.2.3)"})
	rights[record.Appraisal].Rights = append(rights[record.Appraisal].Rights,
		Right{Field: "deviation", Mode: Edit, States: []string{"draft", "submitted"}, Roles: []Role{Director},
			Note: "the director approves indicators other than the role's catalogue"})
	// files are sealed once approved, evaluated, decided: what the record
	// stood on at that moment
	sealed[record.TrainingPlan] = []string{"approved", "closed"}
	sealed[record.Training] = []string{"evaluated", "cancelled"}
	sealed[record.Violation] = []string{"decided", "closed", "dismissed"}
}

// trainingPlanTable: the director writes the year's plan (§6.1.1),
// leadership approves it; the director closes it when the year is over.
func trainingPlanTable() *Table {
	return &Table{
		Kind:    record.TrainingPlan,
		States:  []string{"draft", "approved", "closed"},
		Initial: "draft",
		Final:   []string{"closed"},
		Create:  Creation{Roles: []Role{Director}, Party: "author", Note: "the director writes the plan and is its author"},
		Moves: []Move{
			{From: "draft", To: "approved", Verb: "approve", Roles: []Role{Leadership}},
			{From: "approved", To: "closed", Verb: "close", Roles: []Role{Director}, Guard: GuardYearOver, Note: "the year is over"},
		},
	}
}

// trainingTable: a session is planned, then held, then evaluated; a
// planned session may be cancelled. The organiser runs it; a manager or
// the director may act for them.
func trainingTable() *Table {
	runners := managerOrDirector
	organiser := []string{"organiser"}
	return &Table{
		Kind:    record.Training,
		States:  []string{"planned", "held", "evaluated", "cancelled"},
		Initial: "planned",
		Final:   []string{"evaluated", "cancelled"},
		Create:  Creation{Anyone: true, Party: "organiser", Note: "the organiser is the actor (for an external course, often the one attending)"},
		Moves: []Move{
			{From: "planned", To: "held", Verb: "deliver", Roles: runners, Parties: organiser, Note: "attendance recorded: every attendee's attended"},
			{From: "held", To: "evaluated", Verb: "evaluate", Roles: runners, Parties: organiser, Note: "with the organiser's assessment of the effect (evaluation)"},
			{From: "planned", To: "cancelled", Verb: "cancel", Roles: runners, Parties: organiser},
		},
	}
}

// violationTable: anyone reports a breach (§7.3); the director or
// leadership investigates and decides, never the person concerned nor the
// reporter (four eyes), and closes the case once the sanction is carried
// out, or dismisses it.
func violationTable() *Table {
	never := []string{"person", "reporter"}
	return &Table{
		Kind:    record.Violation,
		States:  []string{"reported", "investigating", "decided", "closed", "dismissed"},
		Initial: "reported",
		Final:   []string{"closed", "dismissed"},
		Create:  Creation{Anyone: true, Party: "reporter", Note: "the reporter is the actor"},
		Moves: []Move{
			{From: "reported", To: "investigating", Verb: "investigate", Roles: directorOrLeadership, Excluded: never},
			{From: "reported", To: "dismissed", Verb: "dismiss", Roles: directorOrLeadership, Excluded: never},
			{From: "investigating", To: "decided", Verb: "decide", Roles: directorOrLeadership, Excluded: never,
				Note: "with the decision: sanction, the fine's amount, reason"},
			{From: "investigating", To: "dismissed", Verb: "dismiss", Roles: directorOrLeadership, Excluded: never},
			{From: "decided", To: "closed", Verb: "close", Roles: directorOrLeadership, Excluded: never, Note: "the sanction is carried out"},
		},
	}
}

func trainingPlanRights() *Rights {
	return &Rights{
		Kind: record.TrainingPlan,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"draft"}, Roles: []Role{Director}},
			{Field: "year", Mode: Edit, States: noState},
			{Field: "author", Mode: Edit, States: noState, Note: "the director who wrote it"},
			{Field: "approved_on", Mode: Stamp, States: []string{"approved"}, Value: StampToday},
			{Field: "amendments", Mode: Append, States: []string{"approved"}, Roles: []Role{Leadership},
				Note: "an approved plan changes only by leadership's amendments"},
		},
		Hints: map[string]string{
			"approved": "leadership changes an approved plan by adding an amendment",
		},
	}
}

func trainingRights() *Rights {
	runners := managerOrDirector
	organiser := []string{"organiser"}
	return &Rights{
		Kind: record.Training,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"planned"}, Roles: runners, Parties: organiser},
			{Field: "organiser", Mode: Edit, States: []string{"planned", "held"}, Roles: runners,
				Note: "a manager or the director hands the session to another organiser"},
			{Field: "attendees", Mode: Edit, States: []string{"planned", "held"}, Roles: runners, Parties: organiser,
				Note: "attendance and hours are settled once the session is held"},
			{Field: "attendees.*.rating", Mode: Edit, States: []string{"held"}, Parties: []string{"attendees.*.person"},
				Note: "each attendee rates the session, nobody else"},
			{Field: "evaluation", Mode: Edit, States: []string{"held"}, Roles: runners, Parties: organiser},
			{Field: "expense", Mode: Edit, States: []string{"planned", "held"}, Roles: runners, Parties: organiser},
			{Field: "materials", Mode: Edit, States: []string{"planned", "held"}, Roles: runners, Parties: organiser},
			{Field: "cancel_reason", Mode: Stamp, States: []string{"cancelled"}, Value: StampAny, Note: "the cancel move's note"},
		},
		Hints: map[string]string{
			"held": "what was planned is sealed; attendance, ratings, evaluation, expense and materials still change",
		},
	}
}

func violationRights() *Rights {
	deciders := directorOrLeadership
	// The person concerned never edits their own case; once it is under
	// investigation, neither does the reporter, who may not decide it.
	person := []string{"person"}
	both := []string{"person", "reporter"}
	return &Rights{
		Kind: record.Violation,
		Rights: []Right{
			{Field: Other, Mode: Edit, States: []string{"reported"}, Roles: deciders, Parties: []string{"reporter"}, Excluded: person},
			{Field: Other, Mode: Edit, States: []string{"investigating"}, Roles: deciders, Excluded: both},
			{Field: "person", Mode: Edit, States: noState, Note: "a case concerns one person; another person is another case"},
			{Field: "reporter", Mode: Edit, States: noState},
			{Field: "reported_on", Mode: Edit, States: noState},
			{Field: "evidence", Mode: Edit, States: []string{"reported", "investigating"}, Roles: deciders, Parties: []string{"reporter"}, Excluded: person},
			{Field: "decision", Mode: Edit, States: []string{"investigating"}, Roles: deciders, Excluded: both,
				Note: "decision.by is never the person concerned nor the reporter (violation-four-eyes)"},
			{Field: "dismissal", Mode: Edit, States: []string{"reported", "investigating"}, Roles: deciders, Excluded: both},
			{Field: "closed_on", Mode: Stamp, States: []string{"closed"}, Value: StampToday},
		},
		Hints: map[string]string{
			"decided": "a decision stands; a new case is opened for new facts",
		},
	}
}
