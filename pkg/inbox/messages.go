package inbox

// Human-facing text of the inbox: English formats, the keys of their
// zh-Hant translations in pkg/i18n/catalog/inbox.zh-Hant.yaml. The JSON
// shape and its values stay English.
const (
	msgNoPerson             = "no person %q in %s/people"
	msgNoPersonFor          = "no person %q in the people records"
	msgMayNotView           = "%s may not see %s's inbox: only %s, the people %s reports to (reports_to), the director or leadership may"
	msgStatusReportTitle    = "status report upward (every %d days)"
	msgStatusReportTitleOne = "status report upward (every %d day)"

	msgPageTitle   = "Inbox of %s: %s, %s"
	msgAsOf        = "as of %s: %d waiting on you, %d overdue"
	msgYours       = "Waiting on you"
	msgNothing     = "Nothing waits on you."
	msgTeam        = "Your team's overdue work"
	msgTeamNothing = "Nothing of your team's is overdue."

	// the same, of another person's inbox (inbox --for HANDLE)
	msgAsOfFor        = "as of %s: %d waiting on %s, %d overdue"
	msgYoursFor       = "Waiting on %s"
	msgNothingFor     = "Nothing waits on %s."
	msgTeamFor        = "The overdue work of %s's team"
	msgTeamNothingFor = "Nothing of %s's team is overdue."

	hdrWhen    = "WHEN"
	hdrRecord  = "RECORD"
	hdrWhat    = "WHAT"
	hdrWho     = "WHO"
	hdrCommand = "COMMAND"

	msgLateHours = "%dh late"
	msgLateDays  = "%dd late"
	msgLate      = "late"
	msgInHours   = "in %dh"
	msgToday     = "today"
	msgTomorrow  = "tomorrow"
	msgInDays    = "in %dd"
	msgNeeds     = "needs: %s"
	msgOnHold    = "on hold: %s"

	// msgActionTitle: what to do, the record's title
	msgActionTitle = "%s: %s"
	// msgAmount: a claim's amount after its title, in brackets of the
	// reader's language
	msgAmount = " (%s)"

	msgClockRespond = "respond SLA"
	msgClockResolve = "resolve SLA"
)
