package lookalike

import "testing"

func mustParse(t *testing.T, s string) Domain {
	t.Helper()
	d, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return d
}

func TestDistanceSwapCountsOne(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"mercyhealth", "mercyhealth", 0},
		{"mercyhealth", "mercyheatlh", 1}, // swap
		{"mercyhealth", "mercyhelth", 1},  // deletion
		{"mercyhealth", "mercyhealthh", 1},
		{"mercyhealth", "mercyhaelht", 2},
		{"ca", "abc", 3}, // optimal string alignment, not unrestricted
		{"", "abc", 3},
		{"stanford", "stnaford", 1},
		{"пример", "пирмер", 1},
	}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestSkeletonMapsConfusables(t *testing.T) {
	cases := []struct{ a, b string }{
		{"mercy.org", "mеrcy.org"},         // Cyrillic е
		{"apple.com", "аррӏе.com"},         // Cyrillic а р ӏ е
		{"example.org", "ехаmрlе.org"},     // mixed Cyrillic
		{"paypal.com", "paypa1.com"},       // digit one
		{"google.com", "g00gle.com"},       // digit zero
		{"modern.org", "rnodern.org"},      // rn for m
		{"cafe.org", "café.org"},           // diacritic
		{"kappa.org", "κappa.org"},         // Greek kappa
		{"fullwidth.org", "ｆｕｌｌwidth.org"}, // NFKC
	}
	for _, c := range cases {
		if Skeleton(c.a) != Skeleton(c.b) {
			t.Errorf("Skeleton(%q) = %q, Skeleton(%q) = %q, want equal", c.a, Skeleton(c.a), c.b, Skeleton(c.b))
		}
	}
	if Skeleton("mercy.org") == Skeleton("mercy.com") {
		t.Error("Skeleton maps different TLDs to the same string")
	}
}

func TestParsePunycodeAndUnicode(t *testing.T) {
	fromUnicode := mustParse(t, "Mеrcy-Health.ORG")
	fromPunycode := mustParse(t, fromUnicode.ASCII)
	if fromUnicode != fromPunycode {
		t.Errorf("Parse(Unicode) = %+v, Parse(punycode) = %+v, want equal", fromUnicode, fromPunycode)
	}
	if !fromUnicode.IsIDN() {
		t.Errorf("IsIDN(%q) = false, want true", fromUnicode.Unicode)
	}
	if fromUnicode.ASCII[:4] != "xn--" {
		t.Errorf("ASCII form %q does not start with xn--", fromUnicode.ASCII)
	}

	d := mustParse(t, "mail.mercy.co.uk")
	if d.Site != "mercy.co.uk" || d.Name != "mercy" || d.Suffix != "co.uk" {
		t.Errorf("Parse(mail.mercy.co.uk) = %+v, want site mercy.co.uk, name mercy, suffix co.uk", d)
	}
}

func TestParseRejectsInvalid(t *testing.T) {
	for _, s := range []string{"exa mple.com", "xn--zz.org", "-bad-.org", ""} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", s)
		}
	}
}

func TestCompareClasses(t *testing.T) {
	known := []Domain{
		mustParse(t, "mercyhealth.org"),
		mustParse(t, "st-jude-clinic.com"),
		mustParse(t, "labcorp.com"),
		mustParse(t, "nhs.uk"),
	}
	cases := []struct {
		candidate string
		want      Class
		wantKnown string
	}{
		{"mercyheatlh.org", EditDistance, "mercyhealth.org"},
		{"mercyhealht.org", EditDistance, "mercyhealth.org"},
		{"mercyhalth.org", EditDistance, "mercyhealth.org"},
		{"labcorq.com", EditDistance, "labcorp.com"},
		{"mеrcyhealth.org", Confusable, "mercyhealth.org"},
		{"xn--mrcyhealth-ksi.org", Confusable, "mercyhealth.org"},
		{"rnercyhealth.org", Confusable, "mercyhealth.org"},
		{"1abcorp.com", Confusable, "labcorp.com"},
		{"mercyhealth.com", OtherTLD, "mercyhealth.org"},
		{"mercyhealth.org.uk", OtherTLD, "mercyhealth.org"},
		{"stjudeclinic.com", Hyphenation, "st-jude-clinic.com"},
		{"mercy-health.org", Hyphenation, "mercyhealth.org"},
		{"mercyhealth-billing.org", ExtraWords, "mercyhealth.org"},
		{"secure-mercy-health.net", ExtraWords, "mercyhealth.org"},
		{"st-jude-clinic-portal.com", ExtraWords, "st-jude-clinic.com"},
		{"mercyhealth.org.example.net", ExtraWords, "mercyhealth.org"},
	}
	for _, c := range cases {
		m, ok := Compare(mustParse(t, c.candidate), known)
		if !ok {
			t.Errorf("Compare(%q): no match, want %v", c.candidate, c.want)
			continue
		}
		if m.Class != c.want {
			t.Errorf("Compare(%q) class = %v, want %v", c.candidate, m.Class, c.want)
		}
		if m.Known.Site != c.wantKnown {
			t.Errorf("Compare(%q) known = %q, want %q", c.candidate, m.Known.Site, c.wantKnown)
		}
	}
}

func TestCompareMixedScriptWithoutKnown(t *testing.T) {
	m, ok := Compare(mustParse(t, "раураl.com"), nil) // Cyrillic р а у а and Latin l
	if !ok || m.Class != MixedScript {
		t.Errorf("Compare(mixed-script domain, nil) = %+v, %v, want MixedScript", m, ok)
	}
}

func TestCompareNoFalseAlarms(t *testing.T) {
	known := []Domain{
		mustParse(t, "mercyhealth.org"),
		mustParse(t, "nhs.uk"),
		mustParse(t, "va.gov"),
	}
	for _, candidate := range []string{
		"mercyhealth.org",       // the same domain
		"mail.mercyhealth.org",  // a subdomain of it
		"gmail.com",             // unrelated
		"stanford.edu",          // unrelated
		"nih.gov",               // short names are not compared by distance
		"ca.gov",                // short names are not compared by distance
		"mercyhospital.org",     // shares a prefix only
		"healthmercy.org",       // different word order, distance too high
		"example.xn--p1ai",      // an IDN TLD alone is no lookalike
		"bücher.de",             // a single-script IDN label
		"mercyhealthcareers.io", // one long word, not separate words
	} {
		if m, ok := Compare(mustParse(t, candidate), known); ok {
			t.Errorf("Compare(%q) = %v of %q, want no match", candidate, m.Class, m.Known.Site)
		}
	}
}
