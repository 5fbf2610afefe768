package phi

import (
	"testing"
)

func newTestScanner(t *testing.T) *Scanner {
	t.Helper()
	s, err := NewScanner(Config{})
	if err != nil {
		t.Fatalf("NewScanner: %v", err)
	}
	return s
}

// detectCase is a text and the one finding expected in it, or none when
// kind is empty. want is the exact matched text.
type detectCase struct {
	text string
	kind Kind
	want string
}

func runDetectCases(t *testing.T, cases []detectCase) {
	t.Helper()
	s := newTestScanner(t)
	for _, c := range cases {
		fs := s.ScanText(FieldBody, c.text)
		var got []Finding
		for _, f := range fs {
			if f.Category == CategoryIdentifier || f.Kind == KindICD10 {
				got = append(got, f)
			}
		}
		if c.kind == "" {
			for _, f := range got {
				t.Errorf("%q: unexpected %s finding %q", c.text, f.Kind, c.text[f.Start:f.End])
			}
			continue
		}
		found := false
		for _, f := range got {
			if f.Kind == c.kind && c.text[f.Start:f.End] == c.want {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want %s %q, got %v", c.text, c.kind, c.want, describe(c.text, got))
		}
	}
}

func describe(text string, fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Kind)+":"+text[f.Start:f.End])
	}
	return out
}

func TestSSN(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"SSN 219-09-9998 on file", KindSSN, "219-09-9998"},
		{"ssn: 123-45-6788", KindSSN, "123-45-6788"},
		{"social security number 524 71 3309", KindSSN, "524 71 3309"},
		{"SSN 524713309.", KindSSN, "524713309"},
		{"899-99-9999", KindSSN, "899-99-9999"},
		{"001-01-0001", KindSSN, "001-01-0001"},
		{"SSN 665-99-9999", KindSSN, "665-99-9999"},
		{"SSN 667-01-0001", KindSSN, "667-01-0001"},
		// An SSN cue wins over a reference word beside it.
		{"Reference SSN 512-34-8821", KindSSN, "512-34-8821"},
		{"Ref SSN 512-34-8821 for billing.", KindSSN, "512-34-8821"},
		{"Order ref 512-34-8821", "", ""},
		// Invalid by the SSA rules.
		{"SSN 000-12-3456", "", ""},
		{"SSN 666-12-3456", "", ""},
		{"SSN 900-12-3456", "", ""},
		{"SSN 999-12-3456", "", ""},
		{"SSN 123-00-4567", "", ""},
		{"SSN 123-45-0000", "", ""},
		{"SSN 078-05-1120", "", ""},
		{"SSN 219-09-9999", "", ""},
		{"SSN 123-45-6789", "", ""},
		// Nine digits without an SSN cue, and look-alikes.
		{"batch 524713309 shipped", "", ""},
		{"order 524-71-3309", "", ""},
		{"ORD-524-71-3309", "", ""},
		{"524-71-33090", "", ""},
	})
}

func TestPhoneAndFax(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"call (312) 555-0147 today", KindPhone, "(312) 555-0147"},
		{"(312)555-0147", KindPhone, "(312)555-0147"},
		{"312-555-0147", KindPhone, "312-555-0147"},
		{"312.555.0147", KindPhone, "312.555.0147"},
		{"312 555 0147", KindPhone, "312 555 0147"},
		{"1-800-555-0199", KindPhone, "1-800-555-0199"},
		{"+1 (312) 555-0147", KindPhone, "+1 (312) 555-0147"},
		{"+44 20 7946 0321", KindPhone, "+44 20 7946 0321"},
		{"phone 3125550147", KindPhone, "3125550147"},
		{"tel: 555-0147", KindPhone, "555-0147"},
		{"fax 312-555-0199", KindFax, "312-555-0199"},
		{"Fax: (312) 555-0199", KindFax, "(312) 555-0199"},
		// Area code or exchange starting with 0 or 1, N11 codes, dates.
		{"112-555-0147", "", ""},
		{"312-055-0147", "", ""},
		{"911-555-0147", "", ""},
		{"2024-03-15", "", ""},
		{"555-0147", "", ""},
		{"+0 12345678", "", ""},
		{"+1234", "", ""},
	})
}

func TestNPI(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"NPI 1234567893", KindNPI, "1234567893"},
		{"npi: 1245319599", KindNPI, "1245319599"},
		{"provider 1234567893 signed", KindNPI, "1234567893"},
		// Check digit 0, and doubled digits above 9 (9*2 = 18 counts 9).
		{"NPI 1000000020", KindNPI, "1000000020"},
		{"NPI 2999999909", KindNPI, "2999999909"},
		{"NPI 2999999908", "", ""},
		// Check digit off by one, and a valid check digit not starting
		// with 1 or 2 outside an NPI cue.
		{"NPI 1234567894", "", ""},
		{"NPI 1234567890", "", ""},
		{"number 3234567891", "", ""},
	})
}

func TestDEA(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"DEA AB1234563", KindDEA, "AB1234563"},
		{"DEA BJ6125341", KindDEA, "BJ6125341"},
		{"DEA A91234563", KindDEA, "A91234563"},
		// Sum 81 gives check digit 1, and an all-zero number check digit 0.
		{"DEA FM9999991", KindDEA, "FM9999991"},
		{"DEA FM0000000", KindDEA, "FM0000000"},
		{"DEA FM9999999", "", ""},
		// Wrong check digit, unknown registrant type, lower case.
		{"DEA AB1234564", "", ""},
		{"DEA IB1234563", "", ""},
		{"DEA ab1234563", "", ""},
	})
}

func TestMBI(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"MBI 1EG4TE5MK73", KindMBI, "1EG4TE5MK73"},
		{"MBI 1EG4-TE5-MK73", KindMBI, "1EG4-TE5-MK73"},
		{"9AA0A00AA00", KindMBI, "9AA0A00AA00"},
		// Position 1 zero, excluded letters S L O I B Z, digit where a
		// letter must be, wrong grouping.
		{"0EG4TE5MK73", "", ""},
		{"1SG4TE5MK73", "", ""},
		{"1EG4TE5MO73", "", ""},
		{"1EGATE5MK73", "", ""},
		{"1EG45E5MK73", "", ""},
		{"1EG-4TE5-MK73", "", ""},
	})
}

func TestICD10(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"E11.65 uncontrolled", KindICD10, "E11.65"},
		{"fracture S72.001A", KindICD10, "S72.001A"},
		{"dx: F32", KindICD10, "F32"},
		{"C4A.9 noted", KindICD10, "C4A.9"},
		{"Z3A.20", KindICD10, "Z3A.20"},
		{"U07.1 positive", KindICD10, "U07.1"},
		// Chapter U is reserved except U07 and U09, a bare category
		// needs a cue, and few categories have a letter third.
		{"U12.1", "", ""},
		{"took B12 daily", "", ""},
		{"A1C.5", "", ""},
		{"e11.65", "", ""},
	})
}

func TestDates(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"DOB: 03/14/1962", KindDate, "03/14/1962"},
		{"born 1962-03-14", KindDate, "1962-03-14"},
		{"admitted on March 3, 2024", KindDate, "March 3, 2024"},
		{"discharged 3 March 2024", KindDate, "3 March 2024"},
		{"died Mar. 3rd 2024", KindDate, "Mar. 3rd 2024"},
		{"date of birth 14.03.1962", KindDate, "14.03.1962"},
		{"seen 03/14/24 (DOB)", KindDate, "03/14/24"},
		{"DOB 3/14, age unknown", KindDate, "3/14"},
		{"BP 120/80, then 3/14 follow-up", "", ""},
		// No cue, impossible month or day, a verb.
		{"meeting 03/14/2024", "", ""},
		{"DOB 13/32/1962", "", ""},
		{"DOB 02/30/1962", "", ""},
		{"born, we may 3 times", "", ""},
	})
}

func TestNetworkIdentifiers(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"mail jane.doe+x@clinic.example.org now", KindEmail, "jane.doe+x@clinic.example.org"},
		{"see https://portal.example.org/a?id=7.", KindURL, "https://portal.example.org/a?id=7"},
		{"see www.example.org/x", KindURL, "www.example.org/x"},
		{"from 192.168.10.254", KindIP, "192.168.10.254"},
		{"from 2001:db8::8a2e:370:7334", KindIP, "2001:db8::8a2e:370:7334"},
		{"from ::1", KindIP, "::1"},
		{"a@b", "", ""},
		{"v1.2.3", "", ""},
		{"256.1.1.1", "", ""},
		{"at 10:30:45", "", ""},
		{"ratio 1:2", "", ""},
	})
}

func TestLabelledIdentifiers(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"MRN: 00482913", KindMRN, "00482913"},
		{"Medical record number 4821-337", KindMRN, "4821-337"},
		{"Acct # 9982112344", KindAccount, "9982112344"},
		{"Account No. 9982-1123-44.", KindAccount, "9982-1123-44"},
		{"License: MD48213", KindLicense, "MD48213"},
		{"Member ID XJH48213377", KindHealthPlan, "XJH48213377"},
		{"Policy number is W123456789", KindHealthPlan, "W123456789"},
		{"serial number SN-0048213A", KindDevice, "SN-0048213A"},
		{"UDI (01)00844588003288(17)250101", KindDevice, "(01)00844588003288(17)250101"},
		{"take into account 12 results", "", ""},
		{"chart review done", "", ""},
		{"account for 2024", "", ""},
	})
}

// TestGroupedIdentifiers checks identifiers written with spaces or dots
// between groups of digits, as people read them out, and that a number
// after a labelled value (a dose, a time, a decimal, a date) is not taken
// into it.
func TestGroupedIdentifiers(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"Patient MRN 1234 5678 asked for it", KindMRN, "1234 5678"},
		{"MRN 1234 5678", KindMRN, "1234 5678"},
		{"MRN: 123 456 789, seen today", KindMRN, "123 456 789"},
		{"Account No. 4111 1111 1111 1111.", KindAccount, "4111 1111 1111 1111"},
		{"Member ID 1234 5678 90 on the card", KindHealthPlan, "1234 5678 90"},
		{"SSN 512.34.5678 on file", KindSSN, "512.34.5678"},
		{"social security 512.34.5678", KindSSN, "512.34.5678"},

		{"MRN 12345678 500 mg daily", KindMRN, "12345678"},
		{"MRN 12345678 40 MG daily", KindMRN, "12345678"},
		{"MRN 12345678 12 tablets left", KindMRN, "12345678"},
		{"MRN 12345678 12 March", KindMRN, "12345678"},
		{"MRN 12345678 10:30 today", KindMRN, "12345678"},
		{"MRN 12345678 5.6 mmol/L", KindMRN, "12345678"},
		{"MRN 12345678 12/03 visit", KindMRN, "12345678"},
		{"MRN 12345678 20% better", KindMRN, "12345678"},
		{"MRN 12345678 38 °C", KindMRN, "12345678"},
		{"MRN 12345678 2 days", KindMRN, "12345678"},
		{"MRN 12345678 3 more", KindMRN, "12345678"},
		{"MRN 1234. 5678 is the room", KindMRN, "1234"},

		{"version 512.34.5678", "", ""},
		{"build 512.34.5678 shipped", "", ""},
		{"512.34.5678", "", ""},
		{"Give 500 mg at 10 30 and recheck", "", ""},
		{"Glucose 5.6, 7.2 and 10.1 mmol/L", "", ""},
		{"Hb 12.5 then 13.4 after 2 units", "", ""},
	})
}

func TestAddressAndZIP(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"lives at 1420 N Oak Ridge Rd, Apt 4B now", KindAddress, "1420 N Oak Ridge Rd, Apt 4B"},
		{"22 West 5th Street", KindAddress, "22 West 5th Street"},
		{"meet at 100 Main Street.", KindAddress, "100 Main Street"},
		{"meet at 100 Main St. today", KindAddress, "100 Main St."},
		{"Springfield, IL 62704", KindZIP, "62704"},
		{"Springfield IL 62704-1234", KindZIP, "62704-1234"},
		{"zip code 62704", KindZIP, "62704"},
		{"gave 20 Units", "", ""},
		{"lot 62704", "", ""},
		{"3 Patients Arrived", "", ""},
	})
}

func TestNames(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"Patient: Maria Lopez, 54F", KindName, "Maria Lopez"},
		{"Pt Jane O'Neil seen", KindName, "Jane O'Neil"},
		{"Mrs. Smith-Jones called", KindName, "Smith-Jones"},
		{"Patient name: LOPEZ, MARIA", KindName, "LOPEZ, MARIA"},
		{"Patient John Q. Public", KindName, "John Q. Public"},
		{"Patient: José García, 54M", KindName, "José García"},
		{"Mrs. Ødegård called", KindName, "Ødegård"},
		{"Maria Lopez, DOB 03/14/1962", KindName, "Maria Lopez"},
		{"Patient Portal is down", "", ""},
		{"the patient is stable", "", ""},
		{"ms since start", "", ""},
	})
}

func TestAgeOver89(t *testing.T) {
	runDetectCases(t, []detectCase{
		{"a 92-year-old woman", KindAge, "92"},
		{"101 yo male", KindAge, "101"},
		{"Age: 94", KindAge, "94"},
		{"aged 90 at admission", KindAge, "90"},
		{"an 89-year-old man", "", ""},
		{"gave 95 mg", "", ""},
		{"age 40", "", ""},
		{"190-year-old oak", "", ""},
	})
}
