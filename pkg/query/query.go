// Package query answers questions about records: --where expressions (a
// hand-written lexer and recursive-descent parser, see Parse), sorting and
// columns by dotted field path, fields derived from a record (SLA clocks,
// appraisal totals, months), what show tells about one record (Describe),
// and the redaction of confidential records and fields for output that
// leaves the department (Redact, RedactSet).
//
// Values are compared exactly: numbers and money as decimals read from their
// literal text (0.3 equals 0.30; never binary floating point), dates as
// calendar days, instants as points in time, durations as spans. A field
// that a record does not have matches no comparison, negated or not.
package query
