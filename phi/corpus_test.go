package phi_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"securemail/phi"
	"securemail/phi/corpus"
)

// corpusSeed and corpusSize fix the corpus that the benchmark page reports.
const (
	corpusSeed = 20260604
	corpusSize = 3000
)

// structuredKinds have a fixed format or a check digit, and must meet
// recall 0.99 and precision 0.95 on the corpus.
var structuredKinds = []phi.Kind{
	phi.KindSSN, phi.KindPhone, phi.KindFax, phi.KindEmail, phi.KindURL,
	phi.KindIP, phi.KindNPI, phi.KindDEA, phi.KindMBI, phi.KindICD10,
	phi.KindMRN, phi.KindZIP, phi.KindAccount, phi.KindHealthPlan,
	phi.KindLicense, phi.KindDevice, phi.KindAge,
}

type score struct{ truePos, falsePos, falseNeg int }

func (s score) precision() float64 {
	if s.truePos+s.falsePos == 0 {
		return 1
	}
	return float64(s.truePos) / float64(s.truePos+s.falsePos)
}

func (s score) recall() float64 {
	if s.truePos+s.falseNeg == 0 {
		return 1
	}
	return float64(s.truePos) / float64(s.truePos+s.falseNeg)
}

// evaluateCorpus matches findings to labels of the same kind and field
// that overlap them.
func evaluateCorpus(t *testing.T, msgs []corpus.Message) map[phi.Kind]*score {
	t.Helper()
	s, err := phi.NewScanner(phi.Config{})
	if err != nil {
		t.Fatalf("NewScanner: %v", err)
	}
	scores := map[phi.Kind]*score{}
	get := func(k phi.Kind) *score {
		if scores[k] == nil {
			scores[k] = &score{}
		}
		return scores[k]
	}
	for _, m := range msgs {
		report := s.Scan(phi.Document{Subject: m.Subject, Body: m.Body})
		matched := make([]bool, len(m.Spans))
		for _, f := range report.Findings {
			hit := false
			for k, span := range m.Spans {
				if span.Kind == f.Kind && span.Field == f.Field && f.Start < span.End && span.Start < f.End {
					matched[k] = true
					hit = true
				}
			}
			if hit {
				get(f.Kind).truePos++
			} else {
				get(f.Kind).falsePos++
				if testing.Verbose() && get(f.Kind).falsePos <= 3 {
					text := m.Body
					if f.Field == phi.FieldSubject {
						text = m.Subject
					}
					t.Logf("false positive %s: %q in %q", f.Kind, text[f.Start:f.End], text[max(0, f.Start-60):f.Start])
				}
			}
		}
		for k, span := range m.Spans {
			if !matched[k] {
				get(span.Kind).falseNeg++
				if testing.Verbose() && get(span.Kind).falseNeg <= 3 {
					text := m.Body
					if span.Field == phi.FieldSubject {
						text = m.Subject
					}
					t.Logf("missed %s: %q", span.Kind, text[span.Start:span.End])
				}
			}
		}
	}
	return scores
}

// TestCorpusPrecisionRecall prints the table for the benchmark page with
// -v and fails if a structured identifier misses its goal.
func TestCorpusPrecisionRecall(t *testing.T) {
	scores := evaluateCorpus(t, corpus.Generate(corpusSeed, corpusSize))

	kinds := make([]string, 0, len(scores))
	for k := range scores {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	var table strings.Builder
	fmt.Fprintf(&table, "\nseed %d, %d messages\n\n", corpusSeed, corpusSize)
	table.WriteString("| detector | labels | found | false positives | precision | recall |\n")
	table.WriteString("|---|---:|---:|---:|---:|---:|\n")
	for _, k := range kinds {
		sc := scores[phi.Kind(k)]
		fmt.Fprintf(&table, "| %s | %d | %d | %d | %.3f | %.3f |\n", k,
			sc.truePos+sc.falseNeg, sc.truePos, sc.falsePos, sc.precision(), sc.recall())
	}
	t.Log(table.String())

	for _, k := range structuredKinds {
		sc := scores[k]
		if sc == nil || sc.truePos == 0 {
			t.Errorf("%s: no labelled examples found in the corpus", k)
			continue
		}
		if sc.recall() < 0.99 {
			t.Errorf("%s: recall %.3f is below 0.99", k, sc.recall())
		}
		if sc.precision() < 0.95 {
			t.Errorf("%s: precision %.3f is below 0.95", k, sc.precision())
		}
	}
}

func TestCorpusSeedIsDeterministic(t *testing.T) {
	a := corpus.Generate(7, 20)
	b := corpus.Generate(7, 20)
	for k := range a {
		if a[k].Body != b[k].Body || a[k].Subject != b[k].Subject {
			t.Fatalf("message %d differs between two runs with seed 7", k)
		}
	}
	c := corpus.Generate(8, 20)
	if a[0].Body == c[0].Body {
		t.Errorf("seeds 7 and 8 gave the same first message")
	}
}
